// The code state of real git repositories: commit, branch, remotes without credentials, patches, untracked files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCodeState } from '../../../electron/platform/git-state';
import { git, gitRepo, tempDir, writeFiles } from '../../helpers/temp';
import { matching } from '../../helpers/typed';

describe('code state', () => {
  it('records a clean repository: commit, branch, remotes without credentials', async () => {
    const repo = gitRepo({ 'train.py': 'print(1)\n', '.gitignore': 'data/\n' });
    git(repo, 'remote', 'add', 'origin', 'https://alice:s3cr3t-token@github.com/org/paper.git');
    const { code } = await captureCodeState(repo);
    expect(code.vcs).toBe('git');
    expect(code.commit).toBe(git(repo, 'rev-parse', 'HEAD').trim());
    expect(code.branch).toBe('main');
    expect(code.remotes).toEqual([{ name: 'origin', url: 'https://github.com/org/paper.git' }]);
    expect(code.dirty).toBe(false);
    expect(code.patch).toBeNull();
    expect(JSON.stringify(code)).not.toContain('s3cr3t');
  });

  it('records uncommitted changes as a patch and untracked files with hashes, skipping ignored ones', async () => {
    const repo = gitRepo({ 'train.py': 'lr = 0.1\n', '.gitignore': 'data/\n*.log\n' });
    fs.writeFileSync(path.join(repo, 'train.py'), 'lr = 0.2\n');
    writeFiles(repo, { 'notes.txt': 'new idea', 'data/big.csv': '1,2', 'run.log': 'x' });
    const { code } = await captureCodeState(path.join(repo));
    expect(code.dirty).toBe(true);
    expect(code.patch).toContain('-lr = 0.1');
    expect(code.patch).toContain('+lr = 0.2');
    expect(code.untracked.map((u) => u.path)).toEqual(['notes.txt']);
    expect(code.untracked[0]).toMatchObject({ size: 8, sha256: matching(/^[0-9a-f]{64}$/) });
  });

  it('finds the repository root from a subfolder and records submodule commits', async () => {
    const sub = gitRepo({ 'lib.py': 'x = 1\n' });
    const repo = gitRepo({ 'train.py': 'print(1)\n' });
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub, 'vendor/lib');
    git(repo, 'commit', '-q', '-m', 'add submodule');
    fs.mkdirSync(path.join(repo, 'src'));
    const { code } = await captureCodeState(path.join(repo, 'src'));
    expect(code.root).toBe(fs.realpathSync(repo));
    expect(code.submodules).toEqual([{ path: 'vendor/lib', commit: git(sub, 'rev-parse', 'HEAD').trim() }]);
  });

  it('hashes the source files of a folder outside git and says it is not under version control', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      'train.py': 'print(1)\n',
      MLproject: 'name: x\n',
      'data/blob.bin': 'binary',
      '.venv/pyvenv.cfg': 'x',
      'src/model.py': 'y = 2\n',
    });
    const first = await captureCodeState(dir);
    expect(first.code.vcs).toBe('none');
    expect(first.code.note).toMatch(/not under version control/);
    expect(first.code.untracked.map((f) => f.path)).toEqual(['MLproject', 'src/model.py', 'train.py']);
    fs.writeFileSync(path.join(dir, 'src/model.py'), 'y = 3\n');
    expect((await captureCodeState(dir)).code.contentHash).not.toBe(first.code.contentHash);
  });
});
