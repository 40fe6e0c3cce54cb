/** What two nodes' reruns recorded differently (hardware as each job read it on its node, and the software probed there): the facts `--vary node` ranks. */
import type { Snapshot } from '../snapshot/snapshot';
import { snapshotDifferences, type SnapshotDifference } from './sources';

const gib = (bytes: number | null): string | null => (bytes === null ? null : `${(bytes / 1024 ** 3).toFixed(1)} GiB`);

/** The hardware and software differences between a rerun on one node and a rerun on another (unknown facts are not differences). */
export function nodeDifferences(a: Snapshot, b: Snapshot): SnapshotDifference[] {
  const out: SnapshotDifference[] = [];
  const add = (factor: string, x: string | null | undefined, y: string | null | undefined, prior: number): void => {
    if (x === null || x === undefined || y === null || y === undefined || x === y) return;
    out.push({ category: 'hardware', factor, original: x, rerun: y, prior });
  };
  const ca = a.hardware.cpu;
  const cb = b.hardware.cpu;
  // snapshotDifferences already compares the CPU model, its numerics flags and the GPUs
  if (ca && cb) add('cpu cores', ca.cores?.toString(), cb.cores?.toString(), 5);
  add('memory', gib(a.hardware.memoryBytes), gib(b.hardware.memoryBytes), 5);
  const shared = snapshotDifferences(a, b).filter((d) => d.category === 'hardware' || d.category === 'software');
  return [...shared, ...out].sort((x, y) => x.prior - y.prior || x.factor.localeCompare(y.factor));
}
