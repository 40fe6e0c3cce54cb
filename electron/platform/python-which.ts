// Which program a command line runs, and which Python interpreter: from PATH and a script's `#!` line, without running
// anything (capture asks before its command starts, so this module loads nothing else: issue 13).
import fs from 'node:fs';
import path from 'node:path';

/** Finds an executable on PATH the way a shell would, or returns null. */
export function whichSync(command: string, envPath: string | undefined = process.env.PATH): string | null {
  if (command.includes('/')) return fs.existsSync(command) ? path.resolve(command) : null;
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/**
 * The Python interpreter a command line will run: `python…` itself, the interpreter named in a
 * script's `#!` line, or `python3` on PATH as the last resort.
 */
export function pythonForCommand(argv: readonly string[], envPath: string | undefined = process.env.PATH): string {
  const first = argv[0];
  if (first) {
    const base = path.basename(first);
    if (/^python(\d+(\.\d+)?)?$/.test(base)) return whichSync(first, envPath) ?? first;
    const resolved = whichSync(first, envPath);
    if (resolved) {
      try {
        const head = fs.readFileSync(resolved, { encoding: 'latin1', flag: 'r' }).slice(0, 256);
        const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(head);
        if (m) {
          const interp = m[1]!.endsWith('/env') && m[2] ? m[2] : m[1]!;
          if (/python/.test(path.basename(interp))) return whichSync(interp, envPath) ?? interp;
        }
      } catch {
        // a binary or unreadable file: fall through
      }
    }
  }
  return whichSync('python3', envPath) ?? 'python3';
}
