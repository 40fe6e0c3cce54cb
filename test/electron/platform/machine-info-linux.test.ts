// The direct Linux machine reader against systeminformation on this machine: the same recorded facts, from a few files and one lscpu.
import si from 'systeminformation';
import { describe, expect, it } from 'vitest';
import { captureHardware, captureOs, readHardwareWithSystemInformation } from '../../../electron/platform/machine-info';
import { cpuBrand, lineValue } from '../../../electron/platform/machine-info-linux';

describe.runIf(process.platform === 'linux')('the Linux machine reader', () => {
  it('records the CPU, memory, virtualization and OS exactly as systeminformation reads them', async () => {
    const [direct, full, osDirect, osInfo] = await Promise.all([
      captureHardware(),
      readHardwareWithSystemInformation(),
      captureOs(),
      si.osInfo(),
    ]);
    expect(direct.warnings).toEqual([]);
    expect(direct.hardware).toEqual(full.hardware);
    expect(osDirect).toEqual({
      platform: osInfo.platform,
      distro: osInfo.distro || null,
      release: osInfo.release || null,
      kernel: osInfo.kernel || null,
      arch: osInfo.arch,
    });
  });

  it("cleans CPU brands as systeminformation does, and reads lscpu's lines by their key", () => {
    expect(cpuBrand('Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz')).toEqual({
      manufacturer: 'Intel',
      brand: 'Xeon® E5-2680 v4',
    });
    expect(cpuBrand('AMD EPYC 7B13 64-Core Processor')).toEqual({
      manufacturer: 'AMD',
      brand: 'EPYC 7B13 64-Core Processor',
    });
    const lines = ['Architecture:  x86_64', 'Model name:    Intel(R) Xeon(R) Processor', 'Flags:  fpu avx2'];
    expect(lineValue(lines, 'model name')).toBe('Intel(R) Xeon(R) Processor');
    expect(lineValue(lines, 'bios model name')).toBe('');
  });
});
