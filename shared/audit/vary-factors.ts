// The factors `--vary` may change, in a module without zod so the CLI's command tree can name them cheaply (issue 13).

/** The factors `--vary` may change one at a time. */
export const VARY_FACTORS = ['seed', 'threads', 'hashseed', 'node'] as const;
