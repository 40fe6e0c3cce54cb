// `reproscope demo`: audits the bundled example experiment into a store and writes its report.
import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { intOption } from '../cli-options';
import { nonFiniteReplacer } from '../../../shared/snapshot/nonfinite-json';
import { ReproError, type Result } from '../../../shared/errors';
import type { CoreContext } from '../../core/core-context';

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new ReproError(r.error.code, r.error.message, r.error.hint);
  return r.value;
};

/** `reproscope demo`: audits the bundled example experiment and writes its report, the terminal's first minute. */
export function demoCommand(core: () => CoreContext, progress: (ctx: CoreContext) => () => void): Command {
  return new Command('demo')
    .description('audit the bundled example experiment (examples/seed-demo) and write an HTML report of it')
    .option('-o, --output <file>', 'where to write the report', 'reproscope-demo-report.html')
    .option('--repeats <n>', 'reruns per group', intOption(1, 1000), 3)
    .option('--json', 'print the finished audit and the report path as JSON')
    .action(async (opts: { output: string; repeats: number; json?: boolean }) => {
      // loaded here, not at start: only this command needs every feature (issue 13)
      const { createHandlers } = await import('../../core/handlers');
      const ctx = core();
      const h = createHandlers(ctx);
      const { examples } = value(await h.listExamples({}));
      const example = examples.find((e) => e.name === 'seed-demo') ?? examples[0];
      if (!example)
        throw new ReproError(
          'NOT_FOUND',
          'no example experiment is bundled with this build',
          'Audit your own project with `reproscope audit DIR`.',
        );
      process.stderr.write(`reproscope: auditing the example ${example.path} (${opts.repeats} reruns per group)…\n`);
      const stop = progress(ctx);
      let audit;
      try {
        audit = value(await h.startAudit({ project: example.path, repeats: opts.repeats, wait: true }));
      } finally {
        stop();
      }
      const report = value(await h.exportReport({ kind: 'audit', ids: [audit.id], format: 'html' }));
      const out = path.resolve(opts.output);
      fs.writeFileSync(out, report.text ?? '');
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ report: out, audit }, nonFiniteReplacer, 2)}\n`);
        if (audit.status === 'failed') process.exitCode = 1;
        return;
      }
      process.stdout.write(
        `verdict: ${audit.verdict ?? audit.status}${audit.explanation ? ` — ${audit.explanation}` : ''}\n`,
      );
      for (const s of audit.sources.slice(0, 5))
        process.stdout.write(`  ${s.rank}. ${s.category} ${s.factor}: ${s.effect}\n`);
      process.stdout.write(`report: ${out}\naudit: ${audit.id}\n`);
      if (audit.status === 'failed') process.exitCode = 1;
    });
}
