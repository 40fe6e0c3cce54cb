// The code state of real git repositories: commit, branch, remotes without credentials, patches, untracked files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureCodeState } from '../../../electron/platform/git-state';
import { askGit, parseGitStatus } from '../../../electron/platform/git-query';
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

  it("reads the commit, branch and untracked files that git's single-purpose commands give, in unusual repositories", async () => {
    // what capture recorded before it read them all from one `git status --porcelain=v2 --branch`
    const expected = (cwd: string) => {
      const quiet = (...args: string[]) => {
        try {
          return git(cwd, ...args).trim() || null;
        } catch {
          return null;
        }
      };
      return {
        commit: quiet('rev-parse', '--verify', '-q', 'HEAD'),
        branch: quiet('symbolic-ref', '--short', '-q', 'HEAD'),
        untracked: git(cwd, 'ls-files', '--others', '--exclude-standard', '-z', '--full-name', ':/')
          .split('\0')
          .filter(Boolean)
          .sort(),
      };
    };
    // the untracked paths as listed (a nested repository is one entry, `nested/`, that is not hashed as a file)
    const actual = async (cwd: string) => {
      const { code } = await captureCodeState(cwd);
      const { status } = await askGit(cwd);
      return { commit: code.commit, branch: code.branch, untracked: parseGitStatus(status ?? '').untracked.sort() };
    };
    // no commits yet, files staged and untracked ones with odd names, from a subfolder
    const unborn = tempDir();
    git(unborn, 'init', '-q', '-b', 'first');
    writeFiles(unborn, {
      'a.py': '1',
      'src/b.py': '2',
      'sp ace é.txt': '3',
      'new\nline.py': '4',
      '.gitignore': '*.log\n',
    });
    git(unborn, 'add', 'a.py');
    writeFiles(unborn, { 'x.log': 'ignored', 'src/deep/c.py': '5' });
    expect(await actual(path.join(unborn, 'src'))).toEqual(expected(path.join(unborn, 'src')));
    expect((await captureCodeState(unborn)).code.untracked.map((u) => u.path)).toEqual(expected(unborn).untracked);
    // a staged rename (two paths in one status entry), a nested repository, a branch with a slash
    const repo = gitRepo({ 'old.py': 'x = 1\n', 'keep.py': 'y\n' });
    git(repo, 'checkout', '-q', '-b', 'feature/x');
    git(repo, 'mv', 'old.py', 'renamed.py');
    writeFiles(repo, { 'nested/.keep': '', 'notes.md': 'n' });
    git(path.join(repo, 'nested'), 'init', '-q');
    const renamed = await captureCodeState(repo);
    expect(await actual(repo)).toEqual(expected(repo));
    expect(renamed.code.patch).toContain('rename to renamed.py');
    // the nested repository is listed without a hash, and the other untracked file is still hashed
    expect(renamed.code.untracked).toEqual([
      { path: 'nested/', size: 0, sha256: null },
      { path: 'notes.md', size: 1, sha256: matching(/^[0-9a-f]{64}$/) },
    ]);
    expect(renamed.warnings).toEqual([expect.stringContaining('nested/ is a git repository of its own')]);
    // detached HEAD, and a branch that git's status names `(detached)` (it is asked for by name then)
    git(repo, 'commit', '-q', '-m', 'rename');
    git(repo, 'checkout', '-q', '--detach');
    expect(await actual(repo)).toEqual(expected(repo));
    expect((await actual(repo)).branch).toBeNull();
    git(repo, 'checkout', '-q', '-b', '(detached)');
    expect(await actual(repo)).toEqual({ ...expected(repo), branch: '(detached)' });
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
