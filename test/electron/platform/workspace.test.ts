// Rerun workspaces reused across reruns: each one lent is exactly the commit plus the patch and the extra files.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cachedClone,
  createWorkspace,
  parkWorkspace,
  unparkWorkspace,
  type WorkspaceSource,
} from '../../../electron/platform/workspace';
import { WorkspaceSlots } from '../../../electron/platform/workspace-slots';
import { git, tempDir, writeFiles } from '../../helpers/temp';

async function repository(): Promise<{ top: string; source: WorkspaceSource; work: string }> {
  const top = tempDir();
  writeFiles(top, { 'proj/train.py': 'print(1)\n', 'proj/conf.txt': 'a\n', '.gitignore': 'data/\n' });
  git(top, 'init', '-q', '-b', 'main');
  git(top, 'add', '-A');
  git(top, 'commit', '-q', '-m', 'one');
  const commit = git(top, 'rev-parse', 'HEAD').trim();
  writeFiles(top, { 'data/in.csv': 'x\n1\n' });
  const work = tempDir();
  const clone = await cachedClone(top, work, true);
  const patch =
    'diff --git a/proj/conf.txt b/proj/conf.txt\n--- a/proj/conf.txt\n+++ b/proj/conf.txt\n@@ -1 +1 @@\n-a\n+b\n';
  return {
    top,
    work,
    source: {
      kind: 'git',
      projectDir: path.join(top, 'proj'),
      clone,
      commit,
      patch,
      subdir: 'proj',
      extraFiles: [{ rel: 'data/in.csv', abs: path.join(top, 'data/in.csv') }],
    },
  };
}

/** Every file under a folder (except git's own) with its content. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const abs = path.join(dir, rel);
    if (rel === '.git' || !fs.lstatSync(abs).isFile()) continue;
    out[rel] = fs.readFileSync(abs, 'utf8');
  }
  return out;
}

describe('workspace slots', () => {
  it('lends many slots at once, each a whole worktree (git worktree add run side by side races on its admin folders)', async () => {
    const { source, work } = await repository();
    const slots = new WorkspaceSlots(source, path.join(work, 'slots'));
    const lent = await Promise.all(Array.from({ length: 12 }, () => slots.acquire()));
    expect(new Set(lent.map((l) => l.cwd)).size).toBe(12);
    for (const l of lent) expect(contents(l.cwd)).toEqual({ 'train.py': 'print(1)\n', 'conf.txt': 'b\n' });
    await slots.close();
    // no worktree left registered in the clone: only the clone's own checkout
    expect(git(source.clone!, 'worktree', 'list', '--porcelain').match(/^worktree /gm)).toHaveLength(1);
  });

  it('lends the same folder again with every change of the previous rerun undone', async () => {
    const { source, work } = await repository();
    const slots = new WorkspaceSlots(source, path.join(work, 'slots'));
    const first = await slots.acquire();
    const root = path.dirname(first.cwd);
    const fresh = contents(root);
    expect(fresh).toEqual({
      '.gitignore': 'data/\n',
      'proj/train.py': 'print(1)\n',
      'proj/conf.txt': 'b\n',
      'data/in.csv': 'x\n1\n',
    });
    // a rerun that edits tracked files, its extra input, writes outputs, ignored files and a nested repository
    fs.writeFileSync(path.join(first.cwd, 'train.py'), 'print(2)\n');
    fs.rmSync(path.join(first.cwd, 'conf.txt'));
    fs.writeFileSync(path.join(root, 'data/in.csv'), 'changed\n');
    writeFiles(first.cwd, { 'out/model.bin': 'm', '__pycache__/x.pyc': 'c' });
    git(first.cwd, 'init', '-q', 'nested');
    first.release();

    const second = await slots.acquire();
    expect(second.cwd).toBe(first.cwd);
    expect(contents(root)).toEqual(fresh);
    expect(fs.existsSync(path.join(second.cwd, 'nested'))).toBe(false);
    expect(git(root, 'status', '--porcelain', '--ignored').split('\n').filter(Boolean).sort()).toEqual([
      ' M proj/conf.txt',
      '!! data/',
    ]);

    // two reruns at once get two folders
    const third = await slots.acquire();
    expect(third.cwd).not.toBe(second.cwd);
    expect(contents(path.dirname(third.cwd))).toEqual(fresh);
    second.release();
    third.release();
    await slots.close();
    expect(fs.readdirSync(path.join(work, 'slots'))).toEqual([]);
    expect(git(source.clone!, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
  });

  it('lets a rerun wait for a busy slot instead of checking the repository out again, and makes one if none comes back', async () => {
    const { source, work } = await repository();
    // waitFromMs 0: wait for as long as this repository's checkout took, however short
    const slots = new WorkspaceSlots(source, path.join(work, 'slots'), { waitFromMs: 0 });
    const first = await slots.acquire();
    const waiting = slots.acquire();
    fs.writeFileSync(path.join(first.cwd, 'train.py'), 'print(2)\n');
    first.release();
    const second = await waiting;
    expect(second.cwd).toBe(first.cwd);
    expect(contents(second.cwd)).toEqual({ 'train.py': 'print(1)\n', 'conf.txt': 'b\n' });
    // nothing given back: after one checkout's time a second folder is made
    const third = await slots.acquire();
    expect(third.cwd).not.toBe(second.cwd);
    second.release();
    third.release();
    await slots.close();
  });

  it('makes a fresh worktree when the folder left behind is not one of the clone', async () => {
    const { source, work } = await repository();
    const slots = new WorkspaceSlots(source, path.join(work, 'slots'));
    const first = await slots.acquire();
    const root = path.dirname(first.cwd);
    fs.rmSync(path.join(root, '.git'));
    fs.writeFileSync(path.join(root, 'stray.txt'), 'left over');
    first.release();
    const second = await slots.acquire();
    expect(contents(root)).toEqual({
      '.gitignore': 'data/\n',
      'proj/train.py': 'print(1)\n',
      'proj/conf.txt': 'b\n',
      'data/in.csv': 'x\n1\n',
    });
    second.release();
    await slots.close();
  });

  it("hands a dry run's inspection worktree to the next audit of the repository instead of checking out again", async () => {
    const { top, source, work } = await repository();
    const first = path.join(work, 'audit-1');
    const clone1 = await cachedClone(top, first, true);
    const s1 = { ...source, clone: clone1 };
    const inspect1 = await createWorkspace(s1, path.join(first, 'inspect'));
    const inode = fs.statSync(path.join(inspect1, 'train.py')).ino;
    fs.writeFileSync(path.join(first, 'scratch'), 'x');
    parkWorkspace(first, clone1);
    expect(fs.existsSync(first)).toBe(false);

    const second = path.join(work, 'audit-2');
    expect(await unparkWorkspace(second, top)).toBe(true);
    expect(await unparkWorkspace(path.join(work, 'audit-3'), top)).toBe(false);
    expect(fs.readdirSync(second).sort()).toEqual([path.basename(clone1), 'inspect'].sort());
    const clone2 = await cachedClone(top, second, true);
    const inspect2 = await createWorkspace({ ...source, clone: clone2 }, path.join(second, 'inspect'));
    expect(fs.statSync(path.join(inspect2, 'train.py')).ino).toBe(inode);
    expect(contents(path.dirname(inspect2))).toEqual({
      '.gitignore': 'data/\n',
      'proj/train.py': 'print(1)\n',
      'proj/conf.txt': 'b\n',
      'data/in.csv': 'x\n1\n',
    });
    expect(git(clone2, 'worktree', 'list')).toContain(path.join(second, 'inspect'));
  });
});
