/**
 * The machine's facts on Linux read directly: one `lscpu`, /proc and /sys files, the release files. It gives the
 * values systeminformation gives for the fields a snapshot records (same parsing, same clean-ups), without the
 * 35–49 processes (lscpu ×3, dmidecode ×2, dmesg, lspci -vvv, xrandr, xdpyinfo, clinfo…) and the synchronous
 * spawns on the main thread that systeminformation makes to fill fields nobody records.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** systeminformation's `getValue`: the text after `property:` on the first line starting with it (case-insensitive). */
export function lineValue(lines: readonly string[], property: string, separator = ':'): string {
  const key = property.toLowerCase();
  for (const line of lines) {
    if (!line.toLowerCase().replace(/\t/g, '').startsWith(key)) continue;
    const parts = line.split(separator);
    if (parts.length >= 2) return parts.slice(1).join(separator).trim();
  }
  return '';
}

/** systeminformation's `cpuManufacturer`: a vendor string as the name it shows. */
export function cpuManufacturer(text: string): string {
  const lower = text.toLowerCase();
  let result = text;
  if (lower.includes('intel')) result = 'Intel';
  if (lower.includes('amd')) result = 'AMD';
  if (lower.includes('qemu')) result = 'QEMU';
  if (lower.includes('hygon')) result = 'Hygon';
  if (lower.includes('centaur')) result = 'WinChip/Via';
  if (lower.includes('vmware')) result = 'VMware';
  // (systeminformation also tests for 'Xen' in the lower-cased text, which never matches)
  if (lower.includes('tcg')) result = 'QEMU';
  if (lower.includes('apple')) result = 'Apple';
  if (lower.includes('sifive')) result = 'SiFive';
  if (lower.includes('thead')) result = 'T-Head';
  if (lower.includes('andestech')) result = 'Andes Technology';
  return result;
}

/** systeminformation's brand clean-up: ® ™ ©, no "CPU", the first word is the manufacturer. */
export function cpuBrand(modelLine: string): { manufacturer: string; brand: string } {
  let brand = modelLine
    .replace(/To Be Filled By O.E.M./g, '')
    .split('@')[0]!
    .trim();
  if (brand.includes('Unknown')) brand = brand.split('Unknown')[0]!.trim();
  brand = brand
    .replace(/\(R\)+/g, '®')
    .replace(/\s+/g, ' ')
    .trim();
  brand = brand
    .replace(/\(TM\)+/g, '™')
    .replace(/\s+/g, ' ')
    .trim();
  brand = brand
    .replace(/\(C\)+/g, '©')
    .replace(/\s+/g, ' ')
    .trim();
  brand = brand.replace(/CPU+/g, '').replace(/\s+/g, ' ').trim();
  const manufacturer = cpuManufacturer(brand);
  return { manufacturer, brand: brand.split(' ').slice(1).join(' ') };
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 5000, env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) =>
      resolve(error ? '' : stdout),
    );
  });
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.promises.readFile(file, 'utf8');
  } catch {
    return '';
  }
}

/** What a Linux capture records of the CPU, memory and virtualization. */
export interface LinuxHardware {
  cpu: { manufacturer: string; vendor: string; brand: string; cores: number; physicalCores: number; flags: string };
  memoryBytes: number | null;
  virtual: boolean;
  virtualHost: string | null;
}

/**
 * The CPU as systeminformation's cpu() and cpuFlags() read it on Linux, from one `lscpu`, with lscpu's hypervisor
 * vendor; null where systeminformation has more to say (a Raspberry Pi's or RISC-V board's revision tables).
 */
async function linuxCpu(): Promise<{ cpu: LinuxHardware['cpu']; hypervisor: string } | null> {
  const lines = (await run('lscpu', [])).split('\n');
  let modelLine = os.cpus()[0]?.model ?? '';
  modelLine = lineValue(lines, 'model name') || modelLine;
  modelLine = lineValue(lines, 'bios model name') || modelLine;
  const { manufacturer, brand } = cpuBrand(modelLine);
  const vendor = cpuManufacturer(lineValue(lines, 'vendor id'));
  if (vendor === 'ARM' || lineValue(lines, 'architecture') === 'riscv64') return null;
  const cores = os.cpus().length;
  const threadsPerCore = Number.parseInt(lineValue(lines, 'thread(s) per core') || '1', 10);
  const sockets = Number.parseInt(lineValue(lines, 'socket(s)') || '1', 10) || 1;
  const coresPerSocket = Number.parseInt(lineValue(lines, 'core(s) per socket'), 10);
  let flags = '';
  for (const line of lines)
    if (line.split(':')[0]!.toUpperCase().includes('FLAGS')) flags = (line.split(':')[1] ?? '').trim().toLowerCase();
  if (!flags)
    flags = lineValue(
      (await readText('/proc/cpuinfo')).split('\n').map((l) => l.trim()),
      'features',
    ).toLowerCase();
  return {
    cpu: {
      manufacturer,
      vendor,
      brand,
      cores,
      physicalCores: coresPerSocket ? coresPerSocket * sockets : cores / threadsPerCore,
      flags,
    },
    hypervisor: lineValue(lines, 'hypervisor vendor'),
  };
}

/**
 * Whether this is a virtual machine and which, by systeminformation's system() checks: the DMI product and vendor,
 * QEMU or VirtualBox disks, WSL; its last check (a dmesg line naming the hypervisor) is lscpu's hypervisor vendor,
 * which the kernel reports from the same CPUID leaf without dmesg's root-only log.
 */
async function linuxVirtualization(hypervisor: string): Promise<{ virtual: boolean; virtualHost: string | null }> {
  const dmi = (f: string): Promise<string> => readText(path.join('/sys/devices/virtual/dmi/id', f));
  const [model, vendor] = (await Promise.all([dmi('product_name'), dmi('sys_vendor')])).map((s) => s.trim());
  const m = (model || 'Computer').toLowerCase();
  const v = (vendor ?? '').toLowerCase();
  let virtual = false;
  let host: string | null = null;
  const named: Record<string, string> = { virtualbox: 'VirtualBox', vmware: 'VMware', kvm: 'KVM', bochs: 'bochs' };
  if (
    ['virtualbox', 'kvm', 'virtual machine', 'bochs'].includes(m) ||
    m.startsWith('vmware') ||
    m.startsWith('droplet')
  ) {
    virtual = true;
    host = named[m] ?? null;
  }
  if (v.startsWith('vmware') || v === 'xen') {
    virtual = true;
    host = v === 'vmware' ? 'VMware' : v === 'xen' ? 'Xen' : host;
  }
  if (!virtual) {
    let disks: string[] = [];
    try {
      disks = await fs.promises.readdir('/dev/disk/by-id');
    } catch {
      // no such folder (a container)
    }
    if (disks.some((d) => d.includes('_QEMU_') || d.includes('QEMU '))) [virtual, host] = [true, 'QEMU'];
    if (disks.some((d) => d.includes('_VBOX_'))) [virtual, host] = [true, 'VirtualBox'];
  }
  const release = os.release().toLowerCase();
  if (!virtual && (release.includes('microsoft') || release.endsWith('wsl2'))) virtual = true;
  const h = hypervisor.toLowerCase();
  if (/vmware|qemu|kvm|xen/.test(h)) {
    virtual = true;
    for (const [word, name] of [
      ['vmware', 'VMware'],
      ['qemu', 'QEMU'],
      ['xen', 'Xen'],
      ['kvm', 'KVM'],
    ] as const)
      if (h.includes(word) && !host) host = name;
  }
  return { virtual, virtualHost: host };
}

/** The CPU, memory and virtualization of this Linux machine; null where only systeminformation can say them. */
export async function linuxHardware(): Promise<LinuxHardware | null> {
  const [cpu, meminfo] = await Promise.all([linuxCpu(), readText('/proc/meminfo')]);
  if (cpu === null) return null;
  const total = Number.parseInt(lineValue(meminfo.split('\n'), 'memtotal'), 10);
  return {
    cpu: cpu.cpu,
    memoryBytes: total ? total * 1024 : os.totalmem(),
    ...(await linuxVirtualization(cpu.hypervisor)),
  };
}

/** Whether the PCI bus has a display controller (class 0x03…): only then can there be a GPU to name. */
export async function hasDisplayController(): Promise<boolean> {
  let devices: string[];
  try {
    devices = await fs.promises.readdir('/sys/bus/pci/devices');
  } catch {
    return true; // cannot tell: let the full reader look
  }
  const classes = await Promise.all(devices.map((d) => readText(path.join('/sys/bus/pci/devices', d, 'class'))));
  return classes.some((c) => c.trim().startsWith('0x03'));
}

/** The OS as systeminformation's osInfo() reads it on Linux: the release files, in the order `cat` would read them. */
export async function linuxOs(): Promise<{ distro: string; release: string }> {
  let etc: string[] = [];
  try {
    etc = (await fs.promises.readdir('/etc')).filter((f) => f.endsWith('-release')).sort();
  } catch {
    // no /etc
  }
  const texts = await Promise.all(
    [...etc.map((f) => path.join('/etc', f)), '/usr/lib/os-release', '/etc/openwrt_release'].map(readText),
  );
  const release: Record<string, string> = {};
  for (const line of texts.join('\n').split('\n')) {
    if (!line.includes('=')) continue;
    release[line.split('=')[0]!.trim().toUpperCase()] = line.split('=')[1]!.trim();
  }
  const distro = (release.DISTRIB_ID || release.NAME || 'unknown').replace(/"/g, '');
  let version = (release.VERSION || '').replace(/"/g, '');
  const pretty = (release.PRETTY_NAME || '').replace(/"/g, '');
  if (pretty.indexOf(`${distro} `) === 0) version = pretty.replace(`${distro} `, '').trim();
  if (version.includes('(')) version = version.split('(')[0]!.trim();
  return { distro, release: (version || release.DISTRIB_RELEASE || release.VERSION_ID || 'unknown').replace(/"/g, '') };
}
