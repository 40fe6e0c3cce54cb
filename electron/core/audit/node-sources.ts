/** `--vary node` in the sources: which node gave which values, and what the nodes differed in (each rerun's snapshot), ranked under the node source. */
import type { Audit, AuditSource } from '../../../shared/audit/audit';
import { nodeDifferences } from '../../../shared/audit/node-differences';
import { finishedReruns, fmt } from '../../../shared/audit/verdict-format';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import type { CoreContext } from '../core-context';

/**
 * Adds the vary:node group's facts to the audit's sources, in place: the node source (found by the
 * varied-group tests) gets each node's values and what its recorded hardware and software differ in; each
 * such difference becomes a candidate source ranked right after it, since nothing isolates which of them
 * moved the results. Nodes that recorded the same facts are said to, so the user knows the difference lies
 * elsewhere (the node's own files, libraries outside Python, its load).
 */
export function addNodeSources(audit: Audit, ctx: Pick<CoreContext, 'runs'>): void {
  const group = audit.groups.find((g) => g.name === 'vary:node');
  if (!group) return;
  const done = finishedReruns(group).sort((a, b) => a.index - b.index);
  const nodes = [...new Set(done.map((r) => r.job?.node).filter((n): n is string => Boolean(n)))];
  if (done.length > 1 && nodes.length < 2)
    audit.warnings.push(
      `--vary node: the vary:node group ran on ${nodes.length === 1 ? `one node (${nodes[0]})` : 'no known node'} only, so it says nothing about nodes; give --slurm-partition a partition with several usable nodes`,
    );
  const source = audit.sources.find((s) => s.kind === 'varied' && s.factor === 'node');
  if (!source || nodes.length < 2) return;
  const metrics = Object.keys(audit.metrics);
  for (const node of nodes) {
    const values = done
      .filter((r) => r.job?.node === node)
      .map((r) => `#${r.index + 1} ${metrics.map((m) => `${m}=${fmt(r.metrics[m])}`).join(' ')}`);
    source.evidence.push(`on ${node}: ${values.join('; ')}`);
  }
  const snapOf = new Map<string, Snapshot>();
  for (const r of done) {
    const node = r.job?.node;
    if (!node || snapOf.has(node) || !r.runId) continue;
    try {
      snapOf.set(node, ctx.runs.get(r.runId));
    } catch {
      /* a rerun whose snapshot is gone: its node is left out of the comparison */
    }
  }
  const [first, ...others] = nodes.filter((n) => snapOf.has(n));
  if (!first) return;
  const candidates: AuditSource[] = [];
  for (const other of others) {
    const diffs = nodeDifferences(snapOf.get(first)!, snapOf.get(other)!);
    if (diffs.length === 0) {
      source.evidence.push(
        `${other} recorded the same hardware and software as ${first} (CPU, cores, numerics flags, memory, GPUs, interpreter, packages, numerics builds)`,
      );
      continue;
    }
    source.evidence.push(
      `${other} vs ${first}: ${diffs.map((d) => `${d.factor} ${d.original} → ${d.rerun}`).join('; ')}`,
    );
    for (const d of diffs) {
      const factor = `node ${d.factor}`;
      const known = candidates.find((c) => c.factor === factor);
      const text = `${first}: ${d.original}, ${other}: ${d.rerun}`;
      if (known) {
        known.evidence.push(text);
        continue;
      }
      candidates.push({
        category: d.category,
        factor,
        kind: 'candidate',
        effects: [],
        effect: `Differs between the nodes the vary:node group ran on (${text}); varying the node moved the results, and no group isolates this difference from the others.`,
        evidence: [text],
        rank: 1,
      });
    }
  }
  audit.sources.splice(audit.sources.indexOf(source) + 1, 0, ...candidates);
  audit.sources.forEach((s, i) => (s.rank = i + 1));
}
