// Finds a project's environment spec files (requirements, python_env, conda, pyproject, lock files) with their hashes and contents.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { EnvSpec } from '../../shared/snapshot/snapshot';

/** Environment spec files by name pattern, with the kind shown in views. */
const SPEC_PATTERNS: { re: RegExp; kind: string }[] = [
  { re: /^requirements.*\.(txt|in)$/i, kind: 'requirements' },
  { re: /^python_env\.ya?ml$/i, kind: 'python_env' },
  { re: /^(conda|environment)\.ya?ml$/i, kind: 'conda' },
  { re: /^pyproject\.toml$/i, kind: 'pyproject' },
  { re: /^poetry\.lock$/i, kind: 'poetry-lock' },
  { re: /^uv\.lock$/i, kind: 'uv-lock' },
  { re: /^Pipfile(\.lock)?$/, kind: 'pipfile' },
  { re: /^setup\.(py|cfg)$/, kind: 'setup' },
  { re: /^MLproject$/i, kind: 'mlproject' },
  { re: /^dvc\.lock$/, kind: 'dvc-lock' },
];

/** Spec files larger than this are hashed but their text is not kept. */
const MAX_SPEC_TEXT = 2 * 1024 * 1024;

/** Finds environment spec files at the project root (and one level down, e.g. `env/`), hashed with their contents. */
export function findEnvSpecs(root: string): EnvSpec[] {
  const specs: EnvSpec[] = [];
  const visit = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = path.join(dir, e.name);
      if (
        e.isDirectory() &&
        depth === 0 &&
        !e.name.startsWith('.') &&
        !['node_modules', 'mlruns', '__pycache__', 'venv', '.venv'].includes(e.name)
      ) {
        visit(abs, 1);
        continue;
      }
      if (!e.isFile()) continue;
      const pattern = SPEC_PATTERNS.find((p) => p.re.test(e.name));
      if (!pattern) continue;
      try {
        const bytes = fs.readFileSync(abs);
        specs.push({
          path: path.relative(root, abs).split(path.sep).join('/'),
          kind: pattern.kind,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          content: bytes.length <= MAX_SPEC_TEXT ? bytes.toString('utf8') : '',
          provenance: 'observed',
        });
      } catch {
        // unreadable spec: skipped; the code category still hashes what git sees
      }
    }
  };
  visit(root, 0);
  return specs;
}
