// createHandlers: every operation of the contract, its input parsed, its result or error returned as a Result (never thrown).
import type { api, ApiName, ApiOutput } from '../../shared/api/api';
import { runsApi } from '../../shared/api/api-runs-contract';
import { ReproError, err, ok, toErrorInfo, type Result } from '../../shared/errors';
import type { CoreContext } from './core-context';
import type { Impl, Implementations } from './operation-types';

/** A handler: unknown input in, a Result out; never throws. */
export type Handler<N extends ApiName> = (input: unknown) => Promise<Result<ApiOutput<N>>>;

/** Every operation as a handler. */
export type Handlers = { [N in ApiName]: Handler<N> };

// Each feature keeps its operations in its own module, loaded when one of them is first called: listing runs does
// not load the audit, import, compare and report code (vega, systeminformation, simple-git…) (issue 13).
const runs = async () => {
  const m = await import('./runs');
  return { ...m.runOperations, ...m.runManagementOperations };
};
const audit = async () => (await import('./audit')).auditOperations;
const imports = async () => (await import('./import')).importOperations;
const examples = async () => (await import('./examples')).exampleOperations;
const compare = async () => (await import('./compare')).compareOperations;
const report = async () => (await import('./report')).reportOperations;

// TypeScript checks that every operation of the contract is here, and that its feature implements it.
const featureOf: { [N in ApiName]: () => Promise<Pick<Implementations, N>> } = {
  listRuns: runs,
  listRunColumns: runs,
  editRun: runs,
  deleteRuns: runs,
  exportRunsCsv: runs,
  getRun: runs,
  getRunHistories: runs,
  getRunLog: runs,
  storeInfo: runs,
  importMlflow: imports,
  listExamples: examples,
  compareRuns: compare,
  compareRunSet: compare,
  exportReport: report,
  startAudit: audit,
  getAudit: audit,
  listAudits: audit,
  cancelAudit: audit,
  resumeAudit: audit,
  readProject: audit,
};

// The input schemas: the run operations' from their own small module, the rest with the whole contract on first use.
type Contract = Pick<typeof api, ApiName>;
let wholeContract: Promise<Contract> | null = null;
const contractOf = (name: ApiName): Contract | Promise<Contract> =>
  name in runsApi
    ? (runsApi as Partial<Contract> as Contract)
    : (wholeContract ??= import('../../shared/api/api').then((m) => m.api));

async function implementationOf(name: ApiName): Promise<Impl<ApiName> | undefined> {
  const implementations: Partial<Implementations> = await featureOf[name]();
  return implementations[name];
}

// A command parses one input: zod's compiled fast path would cost more to compile (per object schema, on its first
// parse) than it saves, so the first inputs of a process are checked without it (the same checks); a server or the
// app, parsing many, compiles it after these.
const JITLESS_PARSES = 16;
let inputParses = 0;

/** Implements the API contract over a core context: parse input, run, wrap the result. */
export function createHandlers(ctx: CoreContext): Handlers {
  const handlers = {} as Record<ApiName, Handler<ApiName>>;
  for (const name of Object.keys(featureOf) as ApiName[]) {
    handlers[name] = async (input: unknown) => {
      const parsed = (await contractOf(name))[name].input.safeParse(
        input ?? {},
        inputParses++ < JITLESS_PARSES ? { jitless: true } : undefined,
      );
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return err({
          code: 'INVALID_INPUT',
          message: `invalid input for ${name}: ${issue ? `${issue.path.join('.') || 'input'}: ${issue.message}` : 'malformed'}`,
        });
      }
      try {
        const impl = await implementationOf(name);
        if (!impl) throw new ReproError('INTERNAL', `operation ${name} is not implemented`);
        return ok(await impl(parsed.data as never, ctx));
      } catch (e) {
        return err(toErrorInfo(e));
      }
    };
  }
  return handlers;
}
