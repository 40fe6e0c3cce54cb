// How many runs one comparison takes, in a module without zod so the CLI's command tree can say it cheaply (issue 13).

/** The most runs one comparison takes: columns stay readable and the pairwise summaries stay quick. */
export const MAX_COMPARE_RUNS = 20;
