// The types of an operation's implementation: parsed input in, output out, ReproError thrown on failure.
import type { z } from 'zod';
import type { api, ApiName, ApiOutput } from '../../shared/api/api';
import type { CoreContext } from './core-context';

/** The implementation of one operation: parsed input in, output out (throwing ReproError on failure). */
export type Impl<N extends ApiName> = (
  input: z.output<(typeof api)[N]['input']>,
  ctx: CoreContext,
) => Promise<ApiOutput<N>> | ApiOutput<N>;

/** The implementations, by operation; faces call them only through `createHandlers`. */
export type Implementations = { [N in ApiName]: Impl<N> };
