/** The files a Slurm rerun's job writes in its folder (output, exit status, start and end times, node facts), and how they are read back. */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_OUTPUT_CAP, type CapturedStream } from '../../platform/run-command';
import { parseNodeFacts, type NodeFacts } from '../../platform/slurm-node';

/** Where one rerun's job keeps its files (under the rerun's folder, so a resumed audit finds them). */
export interface JobFiles {
  root: string;
  task: string;
  stdout: string;
  stderr: string;
  exit: string;
  started: string;
  ended: string;
  node: string;
  /** The Python probe's answer, read on the node beside the command. */
  python: string;
  pythonErr: string;
  /** What the probe reads on stdin (its script). */
  probeIn: string;
  slurmOut: string;
}

/** The job files of a rerun folder. */
export function filesOf(dir: string): JobFiles {
  const root = path.join(dir, 'slurm');
  const at = (f: string): string => path.join(root, f);
  return {
    root,
    task: at('task.sh'),
    stdout: at('stdout'),
    stderr: at('stderr'),
    exit: at('exit'),
    started: at('started'),
    ended: at('ended'),
    node: at('node.txt'),
    python: at('python.json'),
    pythonErr: at('python.err'),
    probeIn: at('probe.in'),
    slurmOut: at('slurm.out'),
  };
}

/** A file holding one integer (exit code, epoch milliseconds); null when absent or not a number. */
export function readInt(file: string): number | null {
  try {
    const text = fs.readFileSync(file, 'utf8').trim();
    if (text === '') return null;
    const n = Number(text);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** A file's bytes capped as the local runner caps a stream: head and tail kept when it overflows. */
export function readCapped(file: string, cap = DEFAULT_OUTPUT_CAP): CapturedStream {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return { data: Buffer.alloc(0), bytes: 0, truncated: false, cap };
  }
  if (size <= cap) return { data: fs.readFileSync(file), bytes: size, truncated: false, cap };
  const half = Math.floor(cap / 2);
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(half);
    fs.readSync(fd, head, 0, half, 0);
    const tail = Buffer.alloc(cap - half);
    fs.readSync(fd, tail, 0, tail.length, size - tail.length);
    const marker = Buffer.from(`\n… [${size - cap} bytes omitted by reproscope] …\n`);
    return { data: Buffer.concat([head, marker, tail]), bytes: size, truncated: true, cap };
  } finally {
    fs.closeSync(fd);
  }
}

/** What a growing file holds beyond `from` (at most 1 MiB at a time), null when nothing new. */
export function readNew(file: string, from: number): Buffer | null {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch {
    return null;
  }
  if (size <= from) return null;
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(size - from, 1024 * 1024));
    const n = fs.readSync(fd, buf, 0, buf.length, from);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** The last characters of a text file ('' when it is absent). */
export function tailOf(file: string, chars = 600): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().slice(-chars);
  } catch {
    return '';
  }
}

/** The node probe's facts as far as the job wrote them; null when it wrote none. */
export function readNodeFacts(files: JobFiles): NodeFacts | null {
  try {
    return parseNodeFacts(fs.readFileSync(files.node, 'utf8'));
  } catch {
    return null;
  }
}
