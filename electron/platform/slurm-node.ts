// The hardware of the node a Slurm job ran on, as the job itself read it there (a shell probe), turned into the snapshot's hardware category.
import fs from 'node:fs';
import type { Gpu, HardwareState } from '../../shared/snapshot/snapshot';
import { numericsFlags } from './machine-info';

/**
 * Shell lines a job runs on its node before the command: key=value facts on stdout. Only /proc,
 * getconf and nvidia-smi, so it works on any Linux node without reproscope or Node installed there.
 */
export const NODE_PROBE_SH = String.raw`echo "host=$(hostname -s 2>/dev/null || hostname)"
echo "cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null)"
grep -m1 '^vendor_id' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: */vendor=/'
grep -m1 -E '^(model name|Model)' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: */model=/'
grep -m1 -E '^(flags|Features)' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: */flags=/'
echo "physical=$(grep -E '^(physical id|core id)' /proc/cpuinfo 2>/dev/null | paste - - | sort -u | wc -l)"
awk '/^MemTotal/ { print "memkb=" $2 }' /proc/meminfo 2>/dev/null
grep -qw hypervisor /proc/cpuinfo 2>/dev/null && echo "virtual=1"
if [ -e /.dockerenv ]; then echo "container=docker"; elif [ -e /run/.containerenv ]; then echo "container=podman"; fi
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader,nounits 2>/dev/null | sed 's/^/gpu=/'
  nvidia-smi 2>/dev/null | grep -o 'CUDA Version: [0-9.]*' | sed 's/CUDA Version: /cuda=/'
fi
echo "slurm_node=$SLURMD_NODENAME"
echo "slurm_cpus=$SLURM_CPUS_ON_NODE"
echo "slurm_partition=$SLURM_JOB_PARTITION"
echo "slurm_mem_mb=$SLURM_MEM_PER_NODE"
echo "slurm_gpus=$SLURM_JOB_GPUS"`;

/** The probe's answer: each key with its values in order (gpu repeats). */
export type NodeFacts = Record<string, string[]>;

/** Parses the probe's key=value lines. */
export function parseNodeFacts(text: string): NodeFacts {
  const out: NodeFacts = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    (out[key] ??= []).push(line.slice(eq + 1).trim());
  }
  return out;
}

function first(f: NodeFacts, key: string): string | null {
  const v = f[key]?.[0];
  return v ? v : null;
}

/** This machine's CPU model as /proc/cpuinfo names it (to tell whether a node has the same CPU). */
function localCpuModel(): string | null {
  try {
    return /^(?:model name|Model)\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? null;
  } catch {
    return null;
  }
}

/**
 * The node's hardware category from its probe. Counts, flags, memory and GPUs are the node's own;
 * where the node has the same CPU model as this machine, the vendor and model are written as this
 * machine's capture writes them, so the same CPU never looks like a difference only by spelling.
 */
export function hardwareFromNodeFacts(facts: NodeFacts, local: HardwareState | null): HardwareState {
  const model = first(facts, 'model');
  const sameCpu = model !== null && model === localCpuModel() && local?.cpu;
  const cpus = Number(first(facts, 'cpus'));
  const physical = Number(first(facts, 'physical'));
  const memKb = Number(first(facts, 'memkb'));
  const cuda = first(facts, 'cuda');
  const gpus: Gpu[] = (facts.gpu ?? []).map((line) => {
    const [name, mem, driver] = line.split(',').map((s) => s.trim());
    return {
      vendor: 'NVIDIA',
      model: name || 'unknown',
      memoryMB: mem ? Number(mem) : null,
      driver: driver || null,
      cudaVersion: cuda,
    };
  });
  const vendorRaw = first(facts, 'vendor');
  return {
    cpu: {
      vendor: sameCpu ? local.cpu!.vendor : vendorRaw,
      model: sameCpu ? local.cpu!.model : model,
      cores: Number.isInteger(cpus) && cpus > 0 ? cpus : null,
      physicalCores: Number.isInteger(physical) && physical > 0 ? physical : null,
      numericsFlags: numericsFlags(first(facts, 'flags') ?? ''),
    },
    memoryBytes: Number.isFinite(memKb) && memKb > 0 ? memKb * 1024 : null,
    gpus,
    virtualization: {
      virtual: facts.virtual ? true : sameCpu ? (local.virtualization?.virtual ?? null) : null,
      hypervisor: sameCpu ? (local.virtualization?.hypervisor ?? null) : null,
      container: first(facts, 'container'),
    },
    provenance: 'observed',
  };
}
