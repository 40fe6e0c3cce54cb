// MLflow's own rule for parameter names (mlflow/utils/validation.py `_validate_param_name`), so that no key reaches the shell that MLflow would never have logged.
import { ReproError } from '../errors';

/** MLflow's `_VALID_PARAM_AND_METRIC_NAMES` (`^[/\w.\- ]*$`, Python's Unicode `\w`). */
const VALID_NAME = /^[/\p{L}\p{N}_.\- ]*$/u;
/** MLflow's MAX_ENTITY_KEY_LENGTH. */
const MAX_NAME_LENGTH = 250;

/** Python's posixpath.normpath. */
export function posixNormpath(p: string): string {
  if (p === '') return '.';
  const initial = p.startsWith('/') ? (p.startsWith('//') && !p.startsWith('///') ? 2 : 1) : 0;
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..' || (initial === 0 && parts.length === 0) || (parts.length > 0 && parts.at(-1) === '..'))
      parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  const out = '/'.repeat(initial) + parts.join('/');
  return out === '' ? '.' : out;
}

/** Why MLflow would refuse `name` as a parameter name, or null when it is one MLflow logs. */
export function paramNameProblem(name: string): string | null {
  if (!VALID_NAME.test(name))
    return 'names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ) and slashes (/)';
  const norm = posixNormpath(name);
  if (norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/'))
    return `names may be treated as files and must not resolve to other names; this one would resolve to '${norm}'`;
  if (name.length > MAX_NAME_LENGTH) return `names may be at most ${MAX_NAME_LENGTH} characters long`;
  return null;
}

/** Throws a clear error when `name` is not a parameter name MLflow would accept; `source` says where it came from. */
export function assertParamName(name: string, source: string): void {
  const problem = paramNameProblem(name);
  if (problem === null) return;
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  throw new ReproError(
    'INVALID_INPUT',
    `${source}: the parameter name ${shown} is not one MLflow accepts (${problem})`,
    'MLflow never logs such a name; a run or project that holds one was not written by MLflow. Rename the parameter.',
  );
}
