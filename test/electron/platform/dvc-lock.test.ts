// DVC hashes from dvc.lock: every dependency and output recorded and checked against the files on disk.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureRun } from '../../../electron/core/capture/capture';
import { readDvcLock } from '../../../electron/platform/dvc-lock';
import { createHandlers } from '../../../electron/core/handlers';
import { writeExperiment, writeFileRun } from '../../helpers/mlflow-stores';
import { tempCore } from '../../helpers/store';
import { SYSTEM_PYTHON, tempDir, writeFiles } from '../../helpers/temp';
import { containing, matching } from '../../helpers/typed';

const md5sum = (file: string): string => execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0]!;

// DVC's folder hash computed the way DVC does it, with Python's own json.dumps.
const DIR_HASH_PY = `
import hashlib, json, os, sys
root = sys.argv[1]
entries = []
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        entries.append({"md5": hashlib.md5(open(p, "rb").read()).hexdigest(), "relpath": os.path.relpath(p, root).replace(os.sep, "/")})
entries.sort(key=lambda e: e["relpath"])
print(hashlib.md5(json.dumps(entries, sort_keys=True).encode()).hexdigest() + ".dir")
`;

function project(): string {
  const dir = tempDir();
  writeFiles(dir, {
    'data/train.csv': 'a,b\n1,2\n',
    'data/images/cat.txt': 'meow',
    'data/images/sub/dög.txt': 'woof',
    'model.pkl': Buffer.from([0, 1, 2, 3, 4]),
    'crlf.txt': 'line one\r\nline two\r\n',
  });
  const dirHash = execFileSync(SYSTEM_PYTHON, ['-c', DIR_HASH_PY, path.join(dir, 'data/images')], {
    encoding: 'utf8',
  }).trim();
  const lf = execFileSync(
    SYSTEM_PYTHON,
    [
      '-c',
      'import hashlib,sys; print(hashlib.md5(open(sys.argv[1],"rb").read().replace(b"\\r\\n", b"\\n")).hexdigest())',
      path.join(dir, 'crlf.txt'),
    ],
    { encoding: 'utf8' },
  ).trim();
  fs.writeFileSync(
    path.join(dir, 'dvc.lock'),
    `schema: '2.0'
stages:
  prepare:
    cmd: python prepare.py
    deps:
    - path: data/train.csv
      hash: md5
      md5: ${md5sum(path.join(dir, 'data/train.csv'))}
      size: 8
    - path: data/images
      hash: md5
      md5: ${dirHash}
      size: 8
      nfiles: 2
    - path: s3://bucket/raw.csv
      etag: "0x8DB4"
  train:
    cmd: python train.py
    deps:
    - path: crlf.txt
      md5: ${lf}
      size: 20
    outs:
    - path: model.pkl
      hash: md5
      md5: ${md5sum(path.join(dir, 'model.pkl'))}
      size: 5
    - path: metrics.json
      hash: md5
      md5: 00000000000000000000000000000000
      size: 10
`,
  );
  return dir;
}

describe('DVC hashes from dvc.lock', () => {
  it('records every dependency and output, and checks files and folders against the disk as DVC hashes them', async () => {
    const dir = project();
    const res = (await readDvcLock(dir, { checkDisk: true }))!;
    expect(res.warnings).toEqual([]);
    const by = Object.fromEntries(res.entries.map((e) => [e.path, e]));
    expect(by['data/train.csv']).toMatchObject({ stage: 'prepare', role: 'dep', hashKind: 'md5', matchesDisk: true });
    expect(by['data/images']).toMatchObject({ matchesDisk: true, hash: matching(/\.dir$/) });
    expect(by['crlf.txt']).toMatchObject({ matchesDisk: true }); // DVC 2 entry: hashed with CRLF as LF
    expect(by['model.pkl']).toMatchObject({ stage: 'train', role: 'out', matchesDisk: true });
    expect(by['metrics.json']).toMatchObject({ matchesDisk: false, note: 'missing on disk' });
    expect(by['s3://bucket/raw.csv']).toMatchObject({ hashKind: 'etag', matchesDisk: null });

    fs.writeFileSync(path.join(dir, 'data/train.csv'), 'a,b\n9,9\n');
    fs.writeFileSync(path.join(dir, 'data/images/sub/new.txt'), 'extra');
    const after = Object.fromEntries((await readDvcLock(dir, { checkDisk: true }))!.entries.map((e) => [e.path, e]));
    expect(after['data/train.csv']).toMatchObject({ matchesDisk: false, note: containing('md5 on disk') });
    expect(after['data/images']!.matchesDisk).toBe(false);
  });

  it("is absent where there is no dvc.lock and says so where it is not DVC's", async () => {
    expect(await readDvcLock(tempDir(), { checkDisk: true })).toBeNull();
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'dvc.lock'), 'stages: [1, 2');
    expect((await readDvcLock(dir, { checkDisk: true }))!.warnings[0]).toMatch(/not valid YAML/);
  });

  it('is recorded in imported runs: from --project (checked) or from a dvc.lock among the artifacts (not checked)', async () => {
    const proj = project();
    const root = tempDir();
    const exp = writeExperiment(root, '0', 'Default');
    writeFileRun({
      expDir: exp,
      runId: 'a'.repeat(32),
      experimentId: '0',
      artifacts: { 'dvc.lock': fs.readFileSync(path.join(proj, 'dvc.lock'), 'utf8') },
    });
    const ctx = tempCore();
    const h = createHandlers(ctx);
    const plain = await h.importMlflow({ location: root });
    if (!plain.ok) throw new Error(plain.error.message);
    const s = ctx.runs.get(plain.value.runs[0]!.id);
    expect(s.data.dvc).toHaveLength(6);
    expect(s.data.dvc.every((e) => e.matchesDisk === null)).toBe(true);
    const withProject = await h.importMlflow({ location: root, project: proj });
    if (!withProject.ok) throw new Error(withProject.error.message);
    expect(withProject.value.updated).toBe(1);
    const checked = ctx.runs.get(plain.value.runs[0]!.id);
    expect(checked.data.dvc.find((e) => e.path === 'model.pkl')!.matchesDisk).toBe(true);
    expect(checked.data.dvc.find((e) => e.path === 'metrics.json')!.matchesDisk).toBe(false);
  });

  it('is recorded by capture from the project root, with files that changed on disk marked', async () => {
    const proj = project();
    fs.writeFileSync(path.join(proj, 'model.pkl'), 'retrained');
    const ctx = tempCore();
    const { snapshot } = await captureRun(
      { argv: ['/bin/sh', '-c', 'true'], cwd: proj, python: SYSTEM_PYTHON },
      { runs: ctx.runs, hashCache: ctx.hashCache },
    );
    const stored = ctx.runs.get(snapshot.id);
    expect(stored.data.dvc.find((e) => e.path === 'data/train.csv')!.matchesDisk).toBe(true);
    expect(stored.data.dvc.find((e) => e.path === 'model.pkl')).toMatchObject({
      matchesDisk: false,
      note: containing('size on disk is 9 bytes'),
    });
  });
});
