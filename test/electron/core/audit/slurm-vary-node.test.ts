// --vary node on the real local cluster (three slurmd nodes on this one machine, partition multi): the group spreads over distinct nodes, the rest stay on one, and the node is ranked as the source.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jobsNamed, NODE_NAME, SLURM_UNAVAILABLE, slurmAuditArgs } from '../../../helpers/slurm';
import { gitRepo, runCli, tempDir } from '../../../helpers/temp';

interface AuditJson {
  id: string;
  verdict: string;
  warnings: string[];
  sources: { rank: number; factor: string; kind: string; category: string; evidence: string[] }[];
  groups: { name: string; reruns: { index: number; runId: string | null; job?: { node: string | null } | null }[] }[];
}

// The local cluster's nodes are one machine, so nothing about them really differs; the project stands in for a
// node whose libraries round differently by reading the node's name, as Slurm sets it for the job.
const nodeDependent = {
  MLproject: 'entry_points:\n  main:\n    command: "python train.py"\n',
  'train.py':
    'import json, os\nnode = os.environ.get("SLURMD_NODENAME", "")\nx = 0.25 + (0.001 if node.endswith("-2") else 0.0)\njson.dump({"x": x}, open("metrics.json", "w"))\n',
};

describe.skipIf(SLURM_UNAVAILABLE !== null)('--vary node on the local cluster', () => {
  it('spreads the vary:node group over distinct nodes, keeps the baseline on one, and ranks the node as the source', async () => {
    const store = tempDir();
    const repo = gitRepo(nodeDependent);
    const r = await runCli(
      slurmAuditArgs({
        store,
        repo,
        repeats: 3,
        jobs: 6,
        extra: ['--vary', 'node', '--slurm-partition', 'multi', '--json'],
      }),
    );
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout) as AuditJson;
    const group = (name: string): AuditJson['groups'][number] => a.groups.find((g) => g.name === name)!;
    const nodes = [NODE_NAME, `${NODE_NAME}-2`, `${NODE_NAME}-3`];
    expect(group('vary:node').reruns.map((x) => x.job?.node)).toEqual(nodes);
    expect(group('baseline').reruns.map((x) => x.job?.node)).toEqual([NODE_NAME, NODE_NAME, NODE_NAME]);
    expect(a.verdict).toBe('reproduced-exact');
    expect(a.sources[0]).toMatchObject({ rank: 1, factor: 'node', kind: 'varied', category: 'hardware' });
    const evidence = a.sources[0]!.evidence.join('\n');
    expect(evidence).toMatch(new RegExp(`on ${NODE_NAME}-2: #2 x=0\\.251`));
    expect(evidence).toMatch(new RegExp(`on ${NODE_NAME}: #1 x=0\\.25\\b`));
    // honest about this cluster: its nodes recorded the same facts, so no hardware difference is made up
    expect(evidence).toMatch(new RegExp(`${NODE_NAME}-3 recorded the same hardware and software as ${NODE_NAME}`));
    expect(a.sources.filter((s) => s.factor.startsWith('node '))).toEqual([]);
    expect(a.warnings.join(' ')).toMatch(/every node of the partition runs on this machine/);
    // each rerun's snapshot says where it ran and what it asked for, with the hardware its job read there
    for (const [i, x] of group('vary:node').reruns.entries()) {
      const snap = JSON.parse((await runCli(['--store', store, 'show', x.runId!, '--json'])).stdout) as {
        tags: Record<string, string>;
        hardware: { cpu: unknown };
        process: { hostname: string };
      };
      expect(snap.tags['slurm.node']).toBe(nodes[i]);
      expect(snap.tags['slurm.requested']).toContain(`--nodelist=${nodes[i]}`);
      expect(snap.process.hostname).toBe(nodes[i]);
      expect(snap.hardware.cpu).not.toBeNull();
    }
    expect(jobsNamed(`reproscope-${a.id.slice(0, 8)}`).filter((j) => /PENDING|RUNNING/.test(j.state))).toEqual([]);
  }, 240_000);
});

describe.skipIf(SLURM_UNAVAILABLE !== null)('--vary node on a one-node partition', () => {
  it('warns that the group cannot spread', async () => {
    const store = tempDir();
    const repo = gitRepo(nodeDependent);
    const r = await runCli(slurmAuditArgs({ store, repo, repeats: 2, extra: ['--vary', 'node', '--json'] }));
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(r.stdout) as AuditJson;
    expect(a.warnings.join(' ')).toMatch(
      new RegExp(
        `--vary node: the default partition has one usable node \\(${NODE_NAME}\\), so the vary:node group cannot spread`,
      ),
    );
  }, 120_000);
});

describe('--vary node without a cluster', () => {
  it('is refused before anything runs', async () => {
    const store = tempDir();
    const repo = gitRepo(nodeDependent);
    const r = await runCli(slurmAuditArgs({ store, repo, slurm: false, extra: ['--vary', 'node'] }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--vary node spreads a group over the nodes of a cluster/);
    expect(fs.existsSync(path.join(store, 'audit-work'))).toBe(false);
  }, 60_000);
});
