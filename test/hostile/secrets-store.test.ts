// Secrets planted everywhere a run can carry them never reach the store: the raw database, every row, every blob (issue 12, items 6 and 10).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCore } from '../../electron/core/core-context';
import { AuditsRepository } from '../../electron/db/audits-repository';
import { looksLikeSecret, redactArgv, redactSecrets } from '../../shared/snapshot/secrets';
import { syntheticAudit } from '../helpers/audit-fixture';
import { writeExperiment, writeFileRun } from '../helpers/mlflow-stores';
import { SYSTEM_PYTHON, git, gitRepo, runCli, tempDir } from '../helpers/temp';
import { plantedSecrets } from './helpers/secret-shapes';
import { storeText } from './store-text';

const SECRETS = plantedSecrets();

describe('the secret filter over everything that enters the store', () => {
  it(`finds each of the ${SECRETS.length} planted shapes in its context`, () => {
    expect(SECRETS.length).toBeGreaterThanOrEqual(30);
    for (const p of SECRETS) expect(redactSecrets(p.text).text, p.name).not.toContain(p.secret);
  });

  it('keeps 40-hex commit hashes and ordinary values, and redacts -p VALUE for password-taking tools', () => {
    const commit = '0123456789abcdef0123456789abcdef01234567';
    expect(looksLikeSecret(commit)).toBe(false);
    expect(redactSecrets(`commit ${commit} on main`).text).toContain(commit);
    expect(redactArgv(['python', 'train.py', '--lr', '0.1', '--sort-key', 'time'])).toEqual([
      'python',
      'train.py',
      '--lr',
      '0.1',
      '--sort-key',
      'time',
    ]);
    expect(redactArgv(['mysql', '-u', 'ana', '-phunter2', '-p', 'hunter3'])).toEqual([
      'mysql',
      '-u',
      'ana',
      '-p<redacted>',
      '-p',
      '<redacted>',
    ]);
    expect(redactArgv(['train.py', '--wandb-key', 'a'.repeat(40)])).toEqual(['train.py', '--wandb-key', '<redacted>']);
  });

  it('scans a huge value in linear time, with a cap (item 10)', () => {
    // These took seconds to hours with the old quadratic URL pattern; bounded chunks keep them linear.
    expect(looksLikeSecret('a'.repeat(200 * 1024))).toBe(false);
    expect(looksLikeSecret('a:'.repeat(100 * 1024))).toBe(false);
    expect(looksLikeSecret('sk-'.repeat(60 * 1024))).toBe(true);
    const huge = 'x'.repeat(33 * 1024 * 1024);
    const r = redactSecrets(huge);
    expect(r.rules).toContain('unscanned-tail');
    expect(r.text.length).toBeLessThan(huge.length);
  });

  it('a capture and an import carrying every shape (argv, env, stdout, stderr, patch, remote URL, params, tags) store none of them', async () => {
    const texts = SECRETS.map((p) => p.text);
    const repo = gitRepo({
      'train.py': "import sys\nt = open('leak.txt').read()\nprint(t)\nprint(t, file=sys.stderr)\n",
      'leak.txt': 'nothing yet\n',
    });
    fs.writeFileSync(path.join(repo, 'leak.txt'), `${texts.join('\n')}\n`); // the uncommitted patch
    const urlSecret = SECRETS.find((p) => p.name === 'url password')!;
    git(repo, 'remote', 'add', 'origin', urlSecret.text);
    const store = tempDir();
    const args = SECRETS.filter((p) => !p.text.includes('\n')).map((p) => p.text);
    const res = await runCli(['--store', store, 'capture', '--', SYSTEM_PYTHON, 'train.py', ...args], {
      cwd: repo,
      env: { XLA_FLAGS: SECRETS[2]!.secret, OMP_NUM_THREADS: '1' },
    });
    expect(res.code, res.stderr).toBe(0);

    const mlruns = tempDir();
    const exp = writeExperiment(mlruns, '0', 'Default');
    writeFileRun({
      expDir: exp,
      runId: 'c'.repeat(32),
      experimentId: '0',
      params: Object.fromEntries(SECRETS.map((p, i) => [`p${i}`, p.text])),
      tags: Object.fromEntries(SECRETS.map((p, i) => [`t${i}`, `note: ${p.text}`])),
    });
    const imported = await runCli(['--store', store, 'import', mlruns]);
    expect(imported.code, imported.stderr).toBe(0);

    // An audit record with a secret parameter and command goes through the same pass.
    const ctx = openCore(store);
    const audit = syntheticAudit({ reruns: 2, referenceRunId: null });
    audit.parameters = { ...audit.parameters, api_key: SECRETS[9]!.secret };
    audit.command = `python train.py --api-key ${SECRETS[9]!.secret}`;
    new AuditsRepository(ctx.store.db).save(audit);
    const captured = ctx.runs.list({}).map((r) => ctx.runs.get(r.id));
    ctx.close();

    const text = storeText(store);
    const leaked = SECRETS.filter((p) => text.includes(p.secret)).map((p) => p.name);
    expect(leaked).toEqual([]);
    // What was withheld is said on the run; the commit hash is kept as it is.
    const run = captured.find((s) => s.kind === 'capture')!;
    expect(run.warnings.join('\n')).toMatch(/looked like secrets and were withheld/);
    expect(run.code.commit).toBe(git(repo, 'rev-parse', 'HEAD').trim());
  });
});
