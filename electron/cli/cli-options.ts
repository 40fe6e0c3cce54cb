/** Option parsers shared by the CLI's commands: a bad value names the option and says what it takes. */
import { InvalidArgumentError } from 'commander';

/** Commander's collector for a repeatable option: each use appends its value. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * A whole-number option between `min` and `max`; commander reports a bad value as
 * "option '--limit <n>' argument 'abc' is invalid. It takes a whole number from 1 to 100000."
 */
export const intOption =
  (min: number, max: number) =>
  (value: string): number => {
    const n = Number(value.trim());
    if (!/^[-+]?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`It takes a whole number from ${min} to ${max}.`);
    return n;
  };

/** A comma-separated list option (`--columns a,b,c`), repeatable, empty items dropped. */
export const listOption = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];
