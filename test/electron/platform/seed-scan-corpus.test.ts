// The seed scan measured on its labelled corpus (precision and recall per rule, at least 0.9 each), and
// the Python syntax of 3.8–3.13 parsed by every interpreter this machine has.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatCorpusScore,
  readCorpusLabels,
  scanCorpus,
  scanFolder,
  scoreCorpus,
} from '../../../electron/platform/seed-scan-corpus';
import { REPO_ROOT, SYSTEM_PYTHON } from '../../helpers/temp';

const CORPUS = path.join(REPO_ROOT, 'test', 'fixtures', 'seed-scan');
const SYNTAX = path.join(REPO_ROOT, 'test', 'fixtures', 'seed-scan-syntax');

describe('the seed-scan corpus', () => {
  it('finds the labelled sources with precision and recall of at least 0.9 per rule, and no risk in clean files', async () => {
    const score = scoreCorpus(readCorpusLabels(CORPUS), await scanCorpus(SYSTEM_PYTHON, CORPUS));
    console.log(formatCorpusScore(score));
    expect(score.files).toBeGreaterThanOrEqual(60);
    expect(score.cleanRisks).toEqual([]);
    expect(score.overall.precision).toBeGreaterThanOrEqual(0.9);
    expect(score.overall.recall).toBeGreaterThanOrEqual(0.9);
    const weak = score.rules.filter((r) => r.precision < 0.9 || r.recall < 0.9);
    // the points behind a weak rule are in the message when it fails
    expect({ weak, unexpected: weak.length ? score.unexpected : [], missed: weak.length ? score.missed : [] }).toEqual({
      weak: [],
      unexpected: [],
      missed: [],
    });
  }, 60_000);
});

/** The interpreters here: Debian's, and pyenv's 3.8 to 3.13 where installed (CI has only Debian's). */
function interpreters(): string[] {
  const pyenv = '/root/.pyenv/versions';
  const found = fs.existsSync(pyenv)
    ? fs
        .readdirSync(pyenv)
        .filter((v) => /^3\.(8|9|1[0-3])\./.test(v))
        .map((v) => path.join(pyenv, v, 'bin', 'python3'))
        .filter((p) => fs.existsSync(p))
    : [];
  return [SYSTEM_PYTHON, ...found];
}

/** The minor version a syntax fixture needs, from its name (`match-310.py` needs 3.10). */
function needs(file: string): number {
  return Number(/-3(\d+)\.py$/.exec(file)![1]);
}

describe('Python syntax 3.8–3.13', () => {
  it.each(interpreters())('%s scans what it can parse and reports the rest as unparsable', async (python) => {
    const { execFileSync } = await import('node:child_process');
    const minor = Number(execFileSync(python, ['-c', 'import sys; print(sys.version_info[1])'], { encoding: 'utf8' }));
    const findings = await scanFolder(python, SYNTAX);
    for (const file of fs.readdirSync(SYNTAX).filter((f) => f.endsWith('.py'))) {
      const mine = findings.filter((f) => f.file === file);
      if (minor >= needs(file)) {
        expect(mine.length, `${file} under 3.${minor}`).toBeGreaterThan(0);
        expect(mine.every((f) => f.rule === 'unseeded-global-random' || f.rule === 'unseeded-global-numpy')).toBe(true);
      } else {
        expect(mine.map((f) => [f.rule, f.kind])).toEqual([['unparsable', 'note']]);
        expect(mine[0]!.message).toContain(`Python 3.${minor}`);
      }
    }
  });
});
