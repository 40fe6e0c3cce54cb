// Entry point of the bundled CLI: runs the program, and survives a reader that goes away (EPIPE).
import { runCli } from './main';
import { guardTerminalOutput } from './terminal-guard';

// A reader that goes away (`reproscope capture … | head`) must not crash the CLI: what it prints is lost, the
// run is still recorded and the command's exit status kept.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') throw e;
  });
}
// names, logs and messages from runs, stores and servers print their control characters escaped (issue 12, item 11)
guardTerminalOutput();
runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`reproscope: internal error: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
