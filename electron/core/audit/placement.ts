/** What a rerun's snapshot records of where a backend ran it: tags (job id, node, partition, requested resources) and the node's hardware. */
import type { HardwareState } from '../../../shared/snapshot/snapshot';
import type { RunPlacement } from './runner';

/** The placement as snapshot tags and warnings; nothing for local runs. */
export function placementFacts(p: RunPlacement | undefined): { tags: Record<string, string>; warnings: string[] } {
  if (!p) return { tags: {}, warnings: [] };
  const tags: Record<string, string> = { 'reproscope.runner': p.runner };
  if (p.jobId) tags[`${p.runner}.jobId`] = p.jobId;
  if (p.node) tags[`${p.runner}.node`] = p.node;
  if (p.partition) tags[`${p.runner}.partition`] = p.partition;
  if (p.requested.length > 0) tags[`${p.runner}.requested`] = p.requested.join(' ');
  if (p.allocated) tags[`${p.runner}.allocated`] = p.allocated;
  const warnings = p.hardware
    ? []
    : [`hardware: the ${p.runner} job left no facts about its node, so the node's hardware is unknown`];
  return { tags, warnings };
}

/** The hardware a rerun ran on: the node's as its job read it; unknown (not this machine's) when it left none. */
export function placementHardware(p: RunPlacement | undefined, local: HardwareState): HardwareState {
  if (!p) return local;
  return p.hardware ?? { cpu: null, memoryBytes: null, gpus: [], virtualization: null, provenance: 'observed' };
}
