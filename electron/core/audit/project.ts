/** Reading the audited project: finding and parsing its MLproject, rendering an entry point's command, undoing MLflow's logged quoting. */
import fs from 'node:fs';
import path from 'node:path';
import { ReproError } from '../../../shared/errors';
import {
  parseMlproject,
  renderMlprojectCommand,
  type Mlproject,
  type MlprojectEntryPoint,
  type RenderedCommand,
} from '../../../shared/mlflow/mlproject';
import { parseOffThread } from '../parse-off-thread';

/** Whether a project location is a git URL rather than a folder. */
export const isGitUrl = (s: string): boolean => /^(https?|ssh|git|file):\/\//.test(s) || /^[\w.-]+@[\w.-]+:/.test(s);

/** Finds the MLproject file case-insensitively, as MLflow does. */
export function findMlprojectFile(dir: string): string | null {
  try {
    return fs.readdirSync(dir).find((f) => f.toLowerCase() === 'mlproject') ?? null;
  } catch {
    return null;
  }
}

/**
 * `reproscope audit train.py`: a `.py` or `.sh` file given as the project is an entry point, as `-e` names one
 * (MLflow runs a project folder's script that way). The project is the working folder when the file lies inside it
 * (`audit src/train.py` runs `python src/train.py` there, as typed), else the file's own folder. Any other file is
 * refused with what to give instead; a folder, a git URL or a missing path is left for the project's own checks.
 */
export function scriptAsEntryPoint<T extends { project: string; entryPoint?: string; cwd?: string }>(input: T): T {
  const base = path.resolve(input.cwd ?? process.cwd());
  const abs = path.resolve(base, input.project);
  let file: boolean;
  try {
    file = fs.statSync(abs).isFile();
  } catch {
    return input;
  }
  if (!file) return input;
  if (!/\.(py|sh)$/.test(abs))
    throw new ReproError(
      'PROJECT_INVALID',
      `${abs} is a file, not a project folder`,
      'Give the folder that holds the project (with an MLproject file), or a .py or .sh script to rerun.',
    );
  if (input.entryPoint !== undefined)
    throw new ReproError(
      'INVALID_INPUT',
      `the project ${input.project} is a script, and -e ${input.entryPoint} names another entry point`,
      `Give the script's folder with -e ${input.entryPoint}, or the script alone.`,
    );
  const project = abs.startsWith(base + path.sep) ? base : path.dirname(abs);
  return { ...input, project, entryPoint: path.relative(project, abs).split(path.sep).join('/') };
}

/** A project folder's MLproject file name and text (null, null without one); refuses a missing folder. */
function readMlprojectText(dir: string): { file: string | null; text: string | null } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ReproError(
      'PROJECT_INVALID',
      fs.existsSync(dir) ? `the project ${dir} is not a folder` : `the project folder ${dir} does not exist`,
      'Give a folder with an MLproject file, a .py or .sh script, or a git URL.',
    );
  }
  const file = findMlprojectFile(dir);
  let text: string | null = null;
  if (file) {
    try {
      text = fs.readFileSync(path.join(dir, file), 'utf8');
    } catch (e) {
      throw new ReproError(
        'FILE_UNREADABLE',
        `cannot read ${path.join(dir, file)}: ${(e as Error).message}`,
        'Check its permissions.',
      );
    }
  }
  return { file, text };
}

/** Reads a project folder's MLproject (or its absence) as MLflow does. */
export function loadProject(dir: string): Mlproject {
  const { file, text } = readMlprojectText(dir);
  return parseMlproject(text, file, (rel) => fs.existsSync(path.resolve(dir, rel)));
}

/** loadProject with the parse in a worker thread where `serve` turned them on (a hostile MLproject cannot stall it). */
export async function loadProjectOffThread(dir: string): Promise<Mlproject> {
  const { file, text } = readMlprojectText(dir);
  return parseOffThread({ kind: 'mlproject', text, fileName: file, files: { dir } }, file ?? 'MLproject');
}

/** Undoes shlex.quote for values MLflow logged (imported runs carry quoted parameter values). */
export function unquoteLogged(value: string): string {
  if (!/^'.*'$/s.test(value) && !value.includes("'\"'\"'")) return value;
  let out = '';
  const re = /'([^']*)'|"(')"|([^'"]+)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(value)) !== null) {
    out += m[1] ?? m[2] ?? m[3] ?? '';
    consumed += m[0].length;
  }
  return consumed === value.length ? out : value;
}

/** Renders an entry point's command as mlflow run does, resolving path parameters against cwd. */
export function resolveRender(
  entry: MlprojectEntryPoint,
  parameters: Record<string, string>,
  cwd: string,
): RenderedCommand {
  return renderMlprojectCommand(entry, parameters, {
    resolvePath: (value, name) => {
      const abs = path.resolve(cwd, value);
      if (!fs.existsSync(abs)) {
        throw new ReproError(
          'PROJECT_INVALID',
          `got value ${value} for parameter ${name}, but no such file or directory was found (${abs})`,
          'Give an existing path with -P.',
        );
      }
      return abs;
    },
  });
}
