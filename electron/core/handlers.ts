// createHandlers: every operation of the contract, its input parsed, its result or error returned as a Result (never thrown).
import { api, type ApiName, type ApiOutput } from '../../shared/api/api';
import { ReproError, err, ok, toErrorInfo, type Result } from '../../shared/errors';
import type { CoreContext } from './core-context';
import type { Impl, Implementations } from './operation-types';
import { auditOperations } from './audit';
import { compareOperations } from './compare';
import { exampleOperations } from './examples';
import { importOperations } from './import';
import { reportOperations } from './report';
import { runManagementOperations, runOperations } from './runs';

/** A handler: unknown input in, a Result out; never throws. */
export type Handler<N extends ApiName> = (input: unknown) => Promise<Result<ApiOutput<N>>>;

/** Every operation as a handler. */
export type Handlers = { [N in ApiName]: Handler<N> };

// Each feature keeps its operations in its own module; TypeScript checks that every operation of the contract is here.
const implementations: Implementations = {
  ...runOperations,
  ...runManagementOperations,
  ...auditOperations,
  ...importOperations,
  ...exampleOperations,
  ...compareOperations,
  ...reportOperations,
};

/** Implements the API contract over a core context: parse input, run, wrap the result. */
export function createHandlers(ctx: CoreContext): Handlers {
  const handlers = {} as Record<ApiName, Handler<ApiName>>;
  for (const name of Object.keys(api) as ApiName[]) {
    handlers[name] = async (input: unknown) => {
      const parsed = api[name].input.safeParse(input ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return err({
          code: 'INVALID_INPUT',
          message: `invalid input for ${name}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'malformed'}`,
        });
      }
      try {
        const impl = implementations[name] as Impl<ApiName> | undefined;
        if (!impl) throw new ReproError('INTERNAL', `operation ${name} is not implemented`);
        return ok(await impl(parsed.data as never, ctx));
      } catch (e) {
        return err(toErrorInfo(e));
      }
    };
  }
  return handlers;
}
