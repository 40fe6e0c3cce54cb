// `reproscope serve`: the loopback web server with the app and the API, opened in the browser.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Command } from 'commander';
import { ReproError } from '../../../shared/errors';
import type { CoreContext } from '../../core/core-context';
import type { RunningServer } from '../../http/api-server';

/** Where the built renderer lives next to the bundled CLI (dist/cli.cjs → dist/renderer). */
export function defaultRendererDir(): string {
  return process.env.REPROSCOPE_RENDERER_DIR ?? path.join(__dirname, 'renderer');
}

/** Tries to open a URL in the user's browser; resolves false when no browser could be started. */
export function openInBrowser(url: string): Promise<boolean> {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  return new Promise((resolve) => {
    try {
      const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
      child.once('error', () => resolve(false));
      child.once('exit', (code) => resolve(code === 0));
      child.unref();
    } catch {
      resolve(false);
    }
  });
}

const parsePort = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ReproError('INVALID_INPUT', `--port ${v} is not a port number (0–65535)`);
  return n;
};

/** `reproscope serve`: the app in a browser, on loopback, until interrupted. */
export function serveCommand(core: () => CoreContext): Command {
  return new Command('serve')
    .description('serve the reproscope app to a browser on this machine (loopback only, token-protected)')
    .option('--port <n>', 'the port (0: any free port)', parsePort, 8765)
    .option('--host <address>', 'a loopback address to listen on', '127.0.0.1')
    .option('--open', 'open the app in the default browser')
    .option('--json', 'print where it serves as one line of JSON ({url, origin, port, store}) instead of text')
    .action(async (opts: { port: number; host: string; open?: boolean; json?: boolean }, cmd: Command) => {
      // the server and every feature are loaded when the command runs, not at every command's start (issue 13)
      const [{ createHandlers }, { startApiServer }, { expectManySnapshotParses }] = await Promise.all([
        import('../../core/handlers'),
        import('../../http/api-server'),
        import('../../../shared/snapshot/snapshot-codec'),
      ]);
      // a server reads snapshots for as long as it runs
      expectManySnapshotParses();
      const ctx = core();
      const portGiven = cmd.getOptionValueSource('port') === 'cli';
      let server: RunningServer;
      const handlers = createHandlers(ctx);
      const start = (port: number): Promise<RunningServer> =>
        startApiServer({
          handlers,
          events: ctx.events,
          host: opts.host,
          port,
          rendererDir: defaultRendererDir(),
        });
      try {
        server = await start(opts.port);
      } catch (e) {
        // the default port being busy (another reproscope serve) is no reason to fail
        if (portGiven || !(e instanceof ReproError) || !/already in use/.test(e.message)) throw e;
        server = await start(0);
      }
      if (opts.json) {
        // one line a program can read as soon as it is printed (the server keeps running after it)
        const origin = new URL(server.url).origin;
        const port = Number(new URL(server.url).port);
        process.stdout.write(`${JSON.stringify({ url: server.url, origin, port, store: ctx.store.dir })}\n`);
      } else process.stdout.write(`reproscope: serving the app at ${server.url}\n`);
      process.stderr.write(
        `reproscope: store ${ctx.store.dir}; loopback only; the token in the URL is needed for access. Ctrl+C stops.\n`,
      );
      if (opts.open) {
        const opened = await openInBrowser(server.url);
        if (!opened)
          process.stderr.write(
            'reproscope: no browser could be started here; open the URL above in a browser on this machine (or through an SSH tunnel).\n',
          );
      }
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await server.close();
      // audits started from the page run in this process: stop them cleanly so `resume` can complete them later
      const audits = await handlers.listAudits({});
      for (const a of audits.ok ? audits.value.audits.filter((x) => x.status === 'running') : []) {
        const r = await handlers.cancelAudit({ id: a.id });
        if (r.ok && r.value.cancelled)
          process.stderr.write(
            `reproscope: stopped audit ${a.id.slice(0, 8)}; resume it from the app or with \`reproscope audit PROJECT --resume ${a.id.slice(0, 8)}\`.\n`,
          );
      }
    });
}
