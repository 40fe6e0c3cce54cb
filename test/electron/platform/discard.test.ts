// Discarding a work folder: gone under its name at once, its files deleted in the background, left-behind trash swept.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { discardInBackground, sweepDiscarded } from '../../../electron/platform/discard';
import { tempDir } from '../../helpers/temp';

/** A folder of `n` files in nested folders, like a checkout. */
function tree(root: string, n: number): string {
  const dir = path.join(root, 'audit-1');
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `d${i % 20}`);
    fs.mkdirSync(sub, { recursive: true });
    fs.writeFileSync(path.join(sub, `f${i}.txt`), `file ${i}\n`);
  }
  return dir;
}

describe('discardInBackground', () => {
  it('takes the folder away under its name at once and deletes every file soon after', async () => {
    const root = tempDir();
    const dir = tree(root, 2000);
    expect(discardInBackground(dir)).toBe(true);
    expect(fs.existsSync(dir)).toBe(false);
    // a new folder of the same name is not touched by the deletion of the old one
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'new.txt'), 'kept');
    await expect.poll(() => fs.readdirSync(root), { timeout: 20_000, interval: 50 }).toEqual(['audit-1']);
    expect(fs.readdirSync(dir)).toEqual(['new.txt']);
  });

  it('says so when there was nothing to discard', () => {
    expect(discardInBackground(path.join(tempDir(), 'missing'))).toBe(false);
  });

  it('sweeps trash a process left behind, and leaves other folders alone', async () => {
    const root = tempDir();
    const left = path.join(root, `.discarded-audit-9-999999-${Date.now()}`);
    fs.mkdirSync(path.join(left, 'x'), { recursive: true });
    fs.writeFileSync(path.join(left, 'x', 'f'), 'f');
    fs.mkdirSync(path.join(root, 'parked-abc'));
    // young trash may still be being deleted by its own process: kept
    sweepDiscarded(root);
    expect(fs.existsSync(left)).toBe(true);
    sweepDiscarded(root, 0);
    await expect.poll(() => fs.readdirSync(root), { timeout: 20_000, interval: 50 }).toEqual(['parked-abc']);
  });
});
