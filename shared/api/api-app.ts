// The app's own operations' schemas (the examples list), beyond the features'.
import { z } from 'zod';

/** The app's own operations' schemas: what the desktop app and `reproscope serve` need beyond the features. */

export const ListExamplesInput = z.object({});
export const ExampleSchema = z.object({
  /** The folder's name, e.g. seed-demo. */
  name: z.string(),
  /** Its absolute path, to audit it like any project folder. */
  path: z.string(),
  /** One sentence from its README. */
  description: z.string(),
});
/** A bundled example experiment. */
export type Example = z.infer<typeof ExampleSchema>;
export const ListExamplesOutput = z.object({ examples: z.array(ExampleSchema) });
