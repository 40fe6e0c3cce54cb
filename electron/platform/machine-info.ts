// The hardware and OS facts of this machine: CPU and its numerics flags, memory, GPUs, containers, cached per boot.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { hasDisplayController, linuxHardware, linuxOs, type LinuxHardware } from './machine-info-linux';
import {
  HardwareStateSchema,
  SoftwareStateSchema,
  type Gpu,
  type HardwareState,
  type SoftwareState,
} from '../../shared/snapshot/snapshot';

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

/** systeminformation, loaded only where the direct reader does not answer (it is a large module to load). */
async function systemInformation(): Promise<typeof import('systeminformation')> {
  return (await import('systeminformation')).default;
}

type GraphicsControllers = Awaited<ReturnType<(typeof import('systeminformation'))['graphics']>>['controllers'];

/** GPUs from systeminformation's graphics controllers (where nvidia-smi does not answer). */
function controllerGpus(controllers: GraphicsControllers): Gpu[] {
  return controllers
    .filter((c) => c.model)
    .map((c) => ({
      vendor: c.vendor || null,
      model: c.model,
      memoryMB: c.vram ?? null,
      driver: c.driverVersion || null,
      cudaVersion: null,
    }));
}

/** The hardware category from what was read: CPU facts, memory, GPUs, virtualization. */
function hardwareState(read: LinuxHardware | null, gpus: Gpu[]): HardwareState {
  return {
    cpu: read
      ? {
          vendor: read.cpu.manufacturer || read.cpu.vendor || null,
          model: [read.cpu.manufacturer, read.cpu.brand].filter(Boolean).join(' ') || null,
          cores: read.cpu.cores ?? null,
          physicalCores: read.cpu.physicalCores ?? null,
          numericsFlags: numericsFlags(read.cpu.flags || ''),
        }
      : null,
    memoryBytes: read?.memoryBytes ?? null,
    gpus,
    virtualization: {
      virtual: read?.virtual ?? null,
      hypervisor: read?.virtualHost || null,
      container: detectContainer(),
    },
    provenance: 'observed',
  };
}

/**
 * The hardware category as systeminformation reads it (cpu, cpuFlags, mem, graphics, system): the reader off Linux,
 * and the reference the direct Linux reader is tested against. It starts dozens of processes.
 */
export async function readHardwareWithSystemInformation(): Promise<{ hardware: HardwareState; warnings: string[] }> {
  const si = await systemInformation();
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
  const read: LinuxHardware | null = cpu
    ? {
        cpu: {
          manufacturer: cpu.manufacturer,
          vendor: cpu.vendor,
          brand: cpu.brand,
          cores: cpu.cores,
          physicalCores: cpu.physicalCores,
          flags: flags || cpu.flags || '',
        },
        memoryBytes: mem?.total ?? null,
        virtual: system?.virtual ?? false,
        virtualHost: system?.virtualHost || null,
      }
    : null;
  const hardware = hardwareState(read, nvidia.length > 0 ? nvidia : controllerGpus(graphics.controllers));
  if (!system) hardware.virtualization = { virtual: null, hypervisor: null, container: detectContainer() };
  if (!mem) hardware.memoryBytes = null;
  return { hardware, warnings };
}

/**
 * Captures the hardware category: CPU, numerics flags, memory, GPUs, virtualization. On Linux it reads them directly
 * (one lscpu, /proc and /sys, nvidia-smi where there is one), asynchronously, and asks systeminformation only for a
 * display controller that nvidia-smi does not name.
 */
export async function captureHardware(): Promise<{ hardware: HardwareState; warnings: string[] }> {
  if (process.platform !== 'linux') return readHardwareWithSystemInformation();
  const [read, nvidia, display] = await Promise.all([linuxHardware(), nvidiaGpus(), hasDisplayController()]);
  if (read === null) return readHardwareWithSystemInformation();
  const warnings: string[] = [];
  let gpus = nvidia;
  if (gpus.length === 0 && display) {
    try {
      gpus = controllerGpus((await (await systemInformation()).graphics()).controllers);
    } catch (e) {
      warnings.push(`hardware: graphics could not be read (${(e as Error).message})`);
    }
  }
  return { hardware: hardwareState(read, gpus), warnings };
}

/** Captures the operating system part of the software category. */
export async function captureOs(): Promise<SoftwareState['os']> {
  if (process.platform === 'linux') {
    const { distro, release } = await linuxOs();
    return {
      platform: 'linux',
      distro: distro || null,
      release: release || null,
      kernel: os.release() || null,
      arch: os.arch(),
    };
  }
  try {
    const info = await (await systemInformation()).osInfo();
    return {
      platform: info.platform,
      distro: info.distro || null,
      release: info.release || null,
      kernel: info.kernel || null,
      arch: info.arch,
    };
  } catch {
    return { platform: process.platform, distro: null, release: null, kernel: null, arch: process.arch };
  }
}

/** The OS and hardware facts of one machine, as the cache file keeps them. */
const MachineCacheSchema = z.object({
  key: z.string(),
  os: SoftwareStateSchema.shape.os,
  hardware: HardwareStateSchema,
});

/** The machine's facts with the warnings of reading them. */
export interface MachineFacts {
  os: SoftwareState['os'];
  hardware: HardwareState;
  warnings: string[];
  /** Whether the facts came from this boot's cache; not part of the snapshot. */
  cached?: boolean;
}

/** Options of captureMachine. */
export interface CaptureMachineOptions {
  /** The cache folder; null reads the machine every time; default: defaultCacheDir(). */
  cacheDir?: string | null;
  /** Where the boot id is read (a new boot is a new cache key); default: the kernel's. */
  bootIdFile?: string;
}

/**
 * What changes when the facts may have changed: the boot (kernel, CPU, memory, GPUs, drivers), the
 * machine (a copied home folder), the OS release file (an upgrade without a reboot). Null off Linux.
 */
function machineKey(bootIdFile: string): string | null {
  try {
    const boot = fs.readFileSync(bootIdFile, 'utf8').trim();
    let machine = '';
    for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
      try {
        machine = fs.readFileSync(f, 'utf8').trim();
        break;
      } catch {
        // not this one
      }
    }
    let release = '';
    try {
      release = String(fs.statSync('/etc/os-release').mtimeMs);
    } catch {
      // no release file
    }
    return createHash('sha256').update(`machine-v1\n${boot}\n${machine}\n${release}\n${process.arch}`).digest('hex');
  } catch {
    return null;
  }
}

/** The user's cache folder for reproscope (never shared with other users, unlike /tmp). */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'reproscope');
  if (process.platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'reproscope', 'Cache');
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'reproscope');
}

/**
 * The OS and hardware, read once per boot: systeminformation and nvidia-smi start dozens of
 * processes (lscpu, dmidecode, lspci…) that a capture would otherwise pay every time. The cache is
 * keyed by boot id + machine id; the container is looked at every time (it is one file read), and
 * facts read with warnings are not kept, so a failed read is retried.
 */
export async function captureMachine(options: CaptureMachineOptions = {}): Promise<MachineFacts> {
  const dir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const key = dir ? machineKey(options.bootIdFile ?? '/proc/sys/kernel/random/boot_id') : null;
  const file = dir && key ? path.join(dir, 'machine.json') : null;
  if (file) {
    try {
      const cached = MachineCacheSchema.safeParse(JSON.parse(await fs.promises.readFile(file, 'utf8')));
      if (cached.success && cached.data.key === key) {
        const hardware = cached.data.hardware;
        return {
          os: cached.data.os,
          hardware: {
            ...hardware,
            virtualization: hardware.virtualization && { ...hardware.virtualization, container: detectContainer() },
          },
          warnings: [],
          cached: true,
        };
      }
    } catch {
      // no cache yet, or unreadable: read the machine
    }
  }
  const [osInfo, hw] = await Promise.all([captureOs(), captureHardware()]);
  if (file && hw.warnings.length === 0) {
    try {
      fs.mkdirSync(dir!, { recursive: true, mode: 0o700 });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify({ key, os: osInfo, hardware: hw.hardware }), { mode: 0o600 });
      fs.renameSync(tmp, file);
    } catch {
      // a read-only home: read the machine again next time
    }
  }
  return { os: osInfo, hardware: hw.hardware, warnings: hw.warnings, cached: false };
}
