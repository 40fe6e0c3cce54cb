// The machine's facts kept per boot: the same facts as a fresh read, and a stale or broken cache is never believed.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureHardware, captureMachine, captureOs } from '../../../electron/platform/machine-info';
import { tempDir } from '../../helpers/temp';

describe('machine facts cached per boot', () => {
  it('gives the facts a fresh read gives, then reads them from the cache of this boot', async () => {
    const cacheDir = tempDir();
    const [osInfo, hw] = await Promise.all([captureOs(), captureHardware()]);
    const first = await captureMachine({ cacheDir });
    expect(first.os).toEqual(osInfo);
    expect(first.hardware).toEqual(hw.hardware);
    const file = path.join(cacheDir, 'machine.json');
    expect(fs.statSync(file).mode & 0o077).toBe(0);

    // the second capture answers from the file: a model written there shows through
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { hardware: { cpu: { model: string } } };
    kept.hardware.cpu.model = 'model from the cache';
    fs.writeFileSync(file, JSON.stringify(kept));
    expect((await captureMachine({ cacheDir })).hardware.cpu?.model).toBe('model from the cache');
  });

  it('reads the machine again when the cache is from another boot or unreadable', async () => {
    const cacheDir = tempDir();
    const fresh = await captureMachine({ cacheDir });
    const file = path.join(cacheDir, 'machine.json');
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as { key: string; hardware: { cpu: { model: string } } };
    kept.key = 'another boot';
    kept.hardware.cpu.model = 'stale';
    fs.writeFileSync(file, JSON.stringify(kept));
    expect((await captureMachine({ cacheDir })).hardware).toEqual(fresh.hardware);
    fs.writeFileSync(file, '{"key": 1');
    expect((await captureMachine({ cacheDir })).hardware).toEqual(fresh.hardware);
    expect((await captureMachine({ cacheDir: null })).hardware).toEqual(fresh.hardware);
  });

  it('reads the machine again after a reboot: a new boot id is a new cache key', async () => {
    const cacheDir = tempDir();
    const bootIdFile = path.join(tempDir(), 'boot_id');
    fs.writeFileSync(bootIdFile, '6f1c0b9e-0000-4000-8000-000000000001\n');
    const first = await captureMachine({ cacheDir, bootIdFile });
    expect(first.cached).toBe(false);
    const again = await captureMachine({ cacheDir, bootIdFile });
    expect(again.cached).toBe(true);
    expect(again.hardware).toEqual(first.hardware);
    expect(again.os).toEqual(first.os);

    fs.writeFileSync(bootIdFile, '6f1c0b9e-0000-4000-8000-000000000002\n');
    const rebooted = await captureMachine({ cacheDir, bootIdFile });
    expect(rebooted.cached).toBe(false);
    expect(rebooted.hardware).toEqual(first.hardware);
    expect((await captureMachine({ cacheDir, bootIdFile })).cached).toBe(true);
  });
});
