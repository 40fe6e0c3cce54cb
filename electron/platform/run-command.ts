// runCommand: runs a command in its own process group with captured (capped) output, timeouts, signals and cancellation.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { ReproError } from '../../shared/errors';

/** What a finished command left behind. */
export interface CommandResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** True when the user interrupted it (Ctrl-C or a forwarded signal) or a timeout stopped it. */
  interrupted: boolean;
  timedOut: boolean;
  startedAt: Date;
  endedAt: Date;
  pid: number | null;
  stdout: CapturedStream;
  stderr: CapturedStream;
}

/** A stream's bytes, capped: head and tail kept when it overflows. */
export interface CapturedStream {
  data: Buffer;
  bytes: number;
  truncated: boolean;
  cap: number;
}

/** Options of runCommand. */
export interface RunCommandOptions {
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** 'inherit' gives the command this process's stdin (capture); 'ignore' for unattended reruns. */
  stdin?: 'inherit' | 'ignore';
  /** Copy output live to this process's stdout/stderr (capture), or to a callback (audit log tail). */
  tee?: boolean;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Put the command in its own process group so the whole tree can be killed (reruns). */
  ownProcessGroup?: boolean;
  timeoutMs?: number;
  /** Stored bytes per stream. */
  cap?: number;
  signal?: AbortSignal;
}

/** The default cap on stored output per stream. */
export const DEFAULT_OUTPUT_CAP = 8 * 1024 * 1024;

class StreamCapture {
  private head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  bytes = 0;
  constructor(private readonly cap: number) {}

  push(chunk: Buffer): void {
    this.bytes += chunk.length;
    const half = Math.floor(this.cap / 2);
    if (this.headBytes < half) {
      const take = chunk.subarray(0, half - this.headBytes);
      this.head.push(take);
      this.headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length === 0) return;
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    while (this.tailBytes - (this.tail[0]?.length ?? 0) >= this.cap - half) this.tailBytes -= this.tail.shift()!.length;
  }

  result(): CapturedStream {
    const truncated = this.bytes > this.cap;
    if (!truncated)
      return { data: Buffer.concat([...this.head, ...this.tail]), bytes: this.bytes, truncated, cap: this.cap };
    let tail = Buffer.concat(this.tail);
    tail = tail.subarray(Math.max(0, tail.length - (this.cap - this.headBytes)));
    const omitted = this.bytes - this.headBytes - tail.length;
    const marker = Buffer.from(`\n… [${omitted} bytes omitted by reproscope] …\n`);
    return { data: Buffer.concat([...this.head, marker, tail]), bytes: this.bytes, truncated, cap: this.cap };
  }
}

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'];

/** What each running command does with a signal reproscope received. */
const forwarders = new Set<(sig: NodeJS.Signals) => void>();
const dispatchers = new Map<NodeJS.Signals, () => void>();

/**
 * Passes reproscope's signals to every running command through one listener per signal (an audit with
 * `--jobs 20` had 20 of each, and Node warned of a listener leak); the listeners exist only while a command runs,
 * so reproscope's own default handling of the signal is unchanged otherwise.
 */
function forwardSignals(forward: (sig: NodeJS.Signals) => void): () => void {
  forwarders.add(forward);
  if (dispatchers.size === 0)
    for (const sig of FORWARDED) {
      const dispatch = (): void => {
        for (const f of [...forwarders]) f(sig);
      };
      dispatchers.set(sig, dispatch);
      process.on(sig, dispatch);
    }
  return () => {
    forwarders.delete(forward);
    if (forwarders.size > 0) return;
    for (const [sig, dispatch] of dispatchers) process.off(sig, dispatch);
    dispatchers.clear();
  };
}

/** Kills a process group, ignoring one that is already gone. */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Runs a command as it would run on its own (same cwd and stdin, live output, its exit status),
 * storing its output. Signals sent to reproscope are passed on; the run is then marked interrupted.
 */
export function runCommand(options: RunCommandOptions): Promise<CommandResult> {
  const cap = options.cap ?? DEFAULT_OUTPUT_CAP;
  const [cmd, ...args] = options.argv;
  if (!cmd)
    return Promise.reject(
      new ReproError(
        'INVALID_INPUT',
        'no command to run',
        'Put the command after --, e.g. reproscope capture -- python train.py',
      ),
    );
  // a stop that came before the start (Ctrl-C while the rerun's workspace was being made): never start it, or it
  // would run to its end unwatched, since an already-aborted signal fires no more abort events
  if (options.signal?.aborted) {
    const now = new Date();
    const empty = new StreamCapture(cap).result();
    return Promise.resolve({
      exitCode: null,
      signal: null,
      interrupted: true,
      timedOut: false,
      startedAt: now,
      endedAt: now,
      pid: null,
      stdout: empty,
      stderr: empty,
    });
  }
  return new Promise((resolve, reject) => {
    const startedAt = new Date();
    const out = new StreamCapture(cap);
    const errs = new StreamCapture(cap);
    let interrupted = false;
    let timedOut = false;
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: [options.stdin ?? 'inherit', 'pipe', 'pipe'],
      detached: options.ownProcessGroup ?? false,
    });
    const send = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      if (options.ownProcessGroup) killGroup(child.pid, signal);
      else child.kill(signal);
    };
    const stopForwarding = forwardSignals((sig) => {
      interrupted = true;
      // From a terminal, Ctrl-C already reached the command (same process group); forward only otherwise.
      if (sig === 'SIGINT' && process.stdin.isTTY && !options.ownProcessGroup) return;
      send(sig);
    });
    const onAbort = (): void => {
      interrupted = true;
      send('SIGTERM');
      setTimeout(() => send('SIGKILL'), 3000).unref();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          interrupted = true;
          send('SIGTERM');
          setTimeout(() => send('SIGKILL'), 3000).unref();
        }, options.timeoutMs)
      : null;
    const cleanup = (): void => {
      stopForwarding();
      options.signal?.removeEventListener('abort', onAbort);
      if (timer) clearTimeout(timer);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      if (options.tee) process.stdout.write(chunk);
      options.onOutput?.('stdout', chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      errs.push(chunk);
      if (options.tee) process.stderr.write(chunk);
      options.onOutput?.('stderr', chunk);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      if (e.code === 'ENOENT') {
        reject(
          new ReproError(
            'COMMAND_NOT_FOUND',
            `command not found: ${cmd}`,
            `Check the spelling, or give its full path; PATH is ${options.env.PATH ?? '(unset)'}.`,
          ),
        );
      } else if (e.code === 'EACCES') {
        reject(
          new ReproError(
            'COMMAND_NOT_FOUND',
            `command is not executable: ${cmd}`,
            `Make it executable (chmod +x ${cmd}) or run it through its interpreter.`,
          ),
        );
      } else {
        reject(new ReproError('INTERNAL', `could not start ${cmd}: ${e.message}`));
      }
    });
    child.on('close', (code, signal) => {
      cleanup();
      if (signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP') interrupted = true;
      resolve({
        exitCode: code,
        signal,
        interrupted,
        timedOut,
        startedAt,
        endedAt: new Date(),
        pid: child.pid ?? null,
        stdout: out.result(),
        stderr: errs.result(),
      });
    });
  });
}

/** The exit code a shell would report for a result: the code, or 128 + the signal number. */
export function shellExitCode(result: Pick<CommandResult, 'exitCode' | 'signal'>): number {
  if (result.exitCode !== null) return result.exitCode;
  const num = result.signal ? os.constants.signals[result.signal] : undefined;
  return num ? 128 + num : 1;
}
