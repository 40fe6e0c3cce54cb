// reproscope's MLproject rendering beside MLflow's compute_command (run by Debian's Python), for the hostile tests and the fuzz suite.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { ReproError } from '../../../shared/errors';
import { renderMlprojectCommand, type MlprojectEntryPoint } from '../../../shared/mlflow/mlproject';
import { isShellInert } from '../../../shared/mlflow/py-format';
import { SYSTEM_PYTHON } from '../../helpers/temp';

const MLFLOW_COMPUTE = path.join(__dirname, 'mlflow_compute_command.py');

/** One rendering case: a template with parameter x (and y), the user's values. */
export interface RenderCase {
  template: string;
  declared: Record<string, string | null>;
  user: Record<string, string>;
}

type Outcome = { ok: true; command: string } | { ok: false; error: string; unsafe: boolean; unsupported: boolean };

/** MLflow's compute_command for many cases in one Python process. */
export function mlflowRender(cases: RenderCase[]): Outcome[] {
  const out = execFileSync(SYSTEM_PYTHON, [MLFLOW_COMPUTE], {
    input: cases.map((c) => JSON.stringify(c)).join('\n') + '\n',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Outcome);
}

/** reproscope's rendering of the same case. */
export function ourRender(c: RenderCase): Outcome {
  const entry: MlprojectEntryPoint = {
    name: 'main',
    parameters: Object.entries(c.declared).map(([name, d]) => ({ name, type: 'string', default: d })),
    command: c.template,
  };
  try {
    return { ok: true, command: renderMlprojectCommand(entry, c.user, { resolvePath: (v) => v }).command };
  } catch (e) {
    if (!(e instanceof ReproError)) throw e;
    return {
      ok: false,
      error: e.message,
      unsafe: e.message.includes('to bash unquoted'),
      unsupported: e.message.includes('is not supported') || e.message.includes('nests a field'),
    };
  }
}

/** Asserts reproscope's result is MLflow's: the same command, or both refuse; a safety refusal only where MLflow's command is not inert in bash. */
export function expectSameAsMlflow(c: RenderCase, ours: Outcome, theirs: Outcome): void {
  const what = JSON.stringify(c);
  if (ours.ok) {
    expect(theirs, what).toEqual({ ok: true, command: ours.command });
  } else if (ours.unsafe) {
    // Refused for safety: fine where MLflow fails too (a later field), and only where its command is not inert.
    // Quotes cut open in one field can pair up with another's; the refusal is per field, so it is not checked then.
    const risky = c.template.match(/\{[^{}]*(?:![ra]|\.\d)[^{}]*\}/g)?.length ?? 0;
    if (theirs.ok && risky < 2)
      expect(isShellInert(theirs.command), `${what}: refused, yet MLflow's command is inert`).toBe(false);
  } else if (!ours.unsupported) {
    // Attribute and index fields ({x.upper}, {x[0]}) are refused on purpose: MLflow renders them as nonsense.
    expect(theirs.ok, `${what}: we refused (${ours.error}) where MLflow renders`).toBe(false);
  }
}
