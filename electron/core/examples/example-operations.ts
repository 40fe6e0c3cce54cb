// The examples operation: finds the bundled examples folder and lists the MLprojects in it.
import fs from 'node:fs';
import path from 'node:path';
import type { Example } from '../../../shared/api/api-app';
import type { Impl } from '../operation-types';

/**
 * The bundled examples folder: found upwards from this module, because the same code runs from
 * sources (electron/core), the CLI bundle (dist/) and the app bundle (dist/electron/).
 */
export function findExamplesDir(start: string = __dirname): string | null {
  for (let dir = start; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'examples');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

function describe(dir: string): string {
  try {
    const text = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    const line = text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '' && !l.startsWith('#'));
    if (line) return line;
  } catch {
    // no README: fall back to the name
  }
  return `The ${path.basename(dir)} example experiment.`;
}

/** Lists the bundled example experiments (folders of examples/ with an MLproject file). */
export function listExamples(examplesDir: string | null = findExamplesDir()): Example[] {
  if (!examplesDir) return [];
  return fs
    .readdirSync(examplesDir, { withFileTypes: true })
    .filter(
      (e) =>
        e.isDirectory() && fs.readdirSync(path.join(examplesDir, e.name)).some((f) => f.toLowerCase() === 'mlproject'),
    )
    .map((e) => ({
      name: e.name,
      path: path.join(examplesDir, e.name),
      description: describe(path.join(examplesDir, e.name)),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The app's own operations. */
export const exampleOperations: { listExamples: Impl<'listExamples'> } = {
  listExamples: () => ({ examples: listExamples() }),
};
