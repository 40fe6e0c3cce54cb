import { execFile } from 'node:child_process';
import fs from 'node:fs';
import si from 'systeminformation';
import type { Gpu, HardwareState, SoftwareState } from '../../shared/snapshot/snapshot';

/** CPU flags that change floating-point results (vector width, fused multiply-add, special instructions). */
const NUMERICS_FLAG =
  /^(sse4_1|sse4_2|sse4a|avx|avx2|fma|fma4|f16c|avx512.*|amx.*|avx_vnni|neon|asimd|sve|sve2|fphp|asimdhp)$/;

/** The numerics-relevant subset of a CPU's flags, sorted. */
export function numericsFlags(flags: string): string[] {
  return [...new Set(flags.split(/\s+/).filter((f) => NUMERICS_FLAG.test(f)))].sort();
}

function execText(cmd: string, args: string[], timeoutMs = 5000): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** GPUs as nvidia-smi reports them (model, memory, driver, CUDA version); empty where it does not answer. */
export async function nvidiaGpus(): Promise<Gpu[]> {
  const csv = await execText('nvidia-smi', [
    '--query-gpu=name,memory.total,driver_version',
    '--format=csv,noheader,nounits',
  ]);
  if (!csv) return [];
  const header = await execText('nvidia-smi', []);
  const cuda = header ? (/CUDA Version:\s*([\d.]+)/.exec(header)?.[1] ?? null) : null;
  return csv
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [model, mem, driver] = line.split(',').map((s) => s.trim());
      return {
        vendor: 'NVIDIA',
        model: model ?? 'unknown',
        memoryMB: mem ? Number(mem) : null,
        driver: driver ?? null,
        cudaVersion: cuda,
      };
    });
}

/** The container runtime this process runs in, if any. */
export function detectContainer(): string | null {
  if (fs.existsSync('/.dockerenv')) return 'docker';
  if (fs.existsSync('/run/.containerenv')) return 'podman';
  if (process.env.container) return process.env.container;
  try {
    const cgroup = fs.readFileSync('/proc/1/cgroup', 'utf8');
    if (/kubepods/.test(cgroup)) return 'kubernetes';
    if (/docker|containerd/.test(cgroup)) return 'docker';
  } catch {
    // not Linux, or not readable
  }
  return null;
}

/** Captures the hardware category: CPU, numerics flags, memory, GPUs, virtualization. */
export async function captureHardware(): Promise<{ hardware: HardwareState; warnings: string[] }> {
  const warnings: string[] = [];
  const guard = <T>(label: string, p: Promise<T>, fallback: T): Promise<T> =>
    p.catch((e: unknown) => {
      warnings.push(`hardware: ${label} could not be read (${(e as Error).message})`);
      return fallback;
    });
  const [cpu, flags, mem, graphics, system, nvidia] = await Promise.all([
    guard('CPU', si.cpu(), null),
    guard('CPU flags', si.cpuFlags(), ''),
    guard('memory', si.mem(), null),
    guard('graphics', si.graphics(), { controllers: [], displays: [] }),
    guard('system', si.system(), null),
    nvidiaGpus(),
  ]);
  const gpus: Gpu[] =
    nvidia.length > 0
      ? nvidia
      : graphics.controllers
          .filter((c) => c.model)
          .map((c) => ({
            vendor: c.vendor || null,
            model: c.model,
            memoryMB: c.vram ?? null,
            driver: c.driverVersion || null,
            cudaVersion: null,
          }));
  return {
    hardware: {
      cpu: cpu
        ? {
            vendor: cpu.manufacturer || cpu.vendor || null,
            model: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || null,
            cores: cpu.cores ?? null,
            physicalCores: cpu.physicalCores ?? null,
            numericsFlags: numericsFlags(flags || cpu.flags || ''),
          }
        : null,
      memoryBytes: mem?.total ?? null,
      gpus,
      virtualization: {
        virtual: system?.virtual ?? null,
        hypervisor: system?.virtualHost || null,
        container: detectContainer(),
      },
      provenance: 'observed',
    },
    warnings,
  };
}

/** Captures the operating system part of the software category. */
export async function captureOs(): Promise<SoftwareState['os']> {
  try {
    const os = await si.osInfo();
    return {
      platform: os.platform,
      distro: os.distro || null,
      release: os.release || null,
      kernel: os.kernel || null,
      arch: os.arch,
    };
  } catch {
    return { platform: process.platform, distro: null, release: null, kernel: null, arch: process.arch };
  }
}
