/** The headings of a comparison's sections, as every face and report writes them (no zod: the CLI's text formatters load it). */
import type { CompareSection } from './compare-model';

/** Each section's heading, in DESIGN.md's category order, then the outcome (any other name: undefined). */
export const SECTION_TITLES: Readonly<Record<CompareSection, string>> & Readonly<Partial<Record<string, string>>> = {
  code: 'Code',
  data: 'Data',
  software: 'Software',
  hardware: 'Hardware',
  randomness: 'Randomness',
  process: 'Process',
  outcome: 'Outcome',
};
