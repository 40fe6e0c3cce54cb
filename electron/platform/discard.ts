/** Removing large work folders without making anyone wait: renamed out of the way at once, deleted in the background. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The prefix of a folder on its way out (a sibling of the folder it was). */
const TRASH = '.discarded-';

/** Trash older than this is taken to be left by a process that died before its removal ended. */
const LEFT_BEHIND_MS = 10 * 60_000;

/**
 * Removes `dir` without waiting for its files: a rename takes it away at once (so nothing can still find or
 * write into it under its name), then a detached `rm -rf` deletes it and may outlive this process (a CLI audit
 * ends without waiting for a 20,000-file checkout to be deleted). Where no `rm` can be started, the deletion
 * runs in this process, still without a caller waiting. Returns false when `dir` was not there (or someone
 * else took it first).
 */
export function discardInBackground(dir: string): boolean {
  const trash = path.join(path.dirname(dir), `${TRASH}${path.basename(dir)}-${process.pid}-${Date.now()}`);
  try {
    fs.renameSync(dir, trash);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    // another filesystem or a name clash: fall back to removing it in place, in this process
    void fs.promises.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    return true;
  }
  removeLater(trash);
  return true;
}

/** Deletes a folder already renamed to trash. */
function removeLater(trash: string): void {
  if (process.platform === 'win32') {
    void fs.promises.rm(trash, { recursive: true, force: true }).catch(() => undefined);
    return;
  }
  try {
    const rm = spawn('rm', ['-rf', '--', trash], { detached: true, stdio: 'ignore' });
    rm.on('error', () => void fs.promises.rm(trash, { recursive: true, force: true }).catch(() => undefined));
    rm.unref();
  } catch {
    void fs.promises.rm(trash, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Deletes, in the background, trash in `parent` that a process left behind (it died before its `rm` ended). */
export function sweepDiscarded(parent: string, olderThanMs = LEFT_BEHIND_MS): void {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(TRASH)) continue;
    const abs = path.join(parent, name);
    try {
      // the rename that made it trash set its ctime
      if (Date.now() - fs.lstatSync(abs).ctimeMs > olderThanMs) removeLater(abs);
    } catch {
      // removed meanwhile
    }
  }
}
