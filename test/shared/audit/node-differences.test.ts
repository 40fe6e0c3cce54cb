// What two nodes' reruns recorded differently: hardware read on each node and the software probed there.
import { describe, expect, it } from 'vitest';
import { nodeDifferences } from '../../../shared/audit/node-differences';
import { emptySnapshot, type Snapshot } from '../../../shared/snapshot/snapshot';

function onNode(cpu: string, cores: number, memoryGiB: number, numpy: string): Snapshot {
  const s = emptySnapshot(`run-${cpu}`, 'rerun', '2026-12-01T00:00:00.000Z');
  s.hardware = {
    cpu: { vendor: 'GenuineIntel', model: cpu, cores, physicalCores: cores / 2, numericsFlags: ['avx2', 'fma'] },
    memoryBytes: memoryGiB * 1024 ** 3,
    gpus: [],
    virtualization: null,
    provenance: 'observed',
  };
  s.software.packages = [{ name: 'numpy', version: numpy, installer: 'pip', editable: false }];
  return s;
}

describe('nodeDifferences', () => {
  it('lists the CPU, cores, memory and numeric packages two nodes differ in, most likely first', () => {
    const a = onNode('Xeon Gold 6248', 40, 192, '1.26.4');
    const b = onNode('Xeon Platinum 8380', 80, 512, '1.24.2');
    const d = nodeDifferences(a, b).map((x) => [x.factor, x.original, x.rerun]);
    expect(d).toEqual([
      ['package:numpy', '1.26.4', '1.24.2'],
      ['cpu', 'Xeon Gold 6248', 'Xeon Platinum 8380'],
      ['cpu cores', '40', '80'],
      ['memory', '192.0 GiB', '512.0 GiB'],
    ]);
  });

  it('finds nothing between two nodes that recorded the same facts', () => {
    expect(nodeDifferences(onNode('EPYC 7763', 64, 256, '1.26.4'), onNode('EPYC 7763', 64, 256, '1.26.4'))).toEqual([]);
  });
});
