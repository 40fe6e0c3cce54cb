// The node probe a Slurm job runs, read back on this machine: the same machine must not look like different hardware.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { captureHardware } from '../../../electron/platform/machine-info';
import { hardwareFromNodeFacts, NODE_PROBE_SH, parseNodeFacts } from '../../../electron/platform/slurm-node';

describe('node probe', () => {
  it('reads the same hardware on this machine as the local capture', async () => {
    const facts = parseNodeFacts(execFileSync('bash', ['-c', NODE_PROBE_SH], { encoding: 'utf8' }));
    expect(facts.host?.[0]).toBeTruthy();
    const local = (await captureHardware()).hardware;
    expect(hardwareFromNodeFacts(facts, local)).toEqual(local);
  });

  it('keeps a different CPU as the node names it, with its own flags and memory', () => {
    const facts = parseNodeFacts(
      'host=n7\ncpus=64\nvendor=AuthenticAMD\nmodel=AMD EPYC 7763 64-Core Processor\nflags=fpu sse4_2 avx avx2 fma\nphysical=32\nmemkb=1048576\ngpu=NVIDIA A100-SXM4-40GB, 40960, 535.104.05\ncuda=12.2\n',
    );
    const hw = hardwareFromNodeFacts(facts, null);
    expect(hw.cpu).toEqual({
      vendor: 'AuthenticAMD',
      model: 'AMD EPYC 7763 64-Core Processor',
      cores: 64,
      physicalCores: 32,
      numericsFlags: ['avx', 'avx2', 'fma', 'sse4_2'],
    });
    expect(hw.memoryBytes).toBe(1024 ** 3);
    expect(hw.gpus).toEqual([
      { vendor: 'NVIDIA', model: 'NVIDIA A100-SXM4-40GB', memoryMB: 40960, driver: '535.104.05', cudaVersion: '12.2' },
    ]);
  });
});
