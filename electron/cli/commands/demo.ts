import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { Audit } from '../../../shared/audit';
import { ReproError, type Result } from '../../../shared/errors';
import type { CoreContext } from '../../core/core-context';
import { createHandlers } from '../../core/handlers';

/** Calls an operation by name with an untyped input (the demo strings together three features' operations). */
type LooseHandlers = Record<string, ((input: unknown) => Promise<Result<unknown>>) | undefined>;

const unwrapOr = <T>(r: Result<unknown>): T => {
  if (!r.ok) throw new ReproError(r.error.code, r.error.message, r.error.hint);
  return r.value as T;
};

/** Waits until an audit is no longer running, reading it back now and then. */
async function waitForAudit(h: LooseHandlers, id: string): Promise<Audit> {
  for (;;) {
    const audit = unwrapOr<Audit>(await h.getAudit!({ id }));
    if (audit.status !== 'running') return audit;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** `reproscope demo`: audits the bundled example experiment and writes its report, the terminal's first minute. */
export function demoCommand(core: () => CoreContext, progress: (ctx: CoreContext) => () => void): Command {
  return new Command('demo')
    .description('audit the bundled example experiment (examples/seed-demo) and write an HTML report of it')
    .option('-o, --output <file>', 'where to write the report', 'reproscope-demo-report.html')
    .option('--repeats <n>', 'reruns per group', (v) => Number.parseInt(v, 10), 3)
    .action(async (opts: { output: string; repeats: number }) => {
      const ctx = core();
      const h = createHandlers(ctx) as unknown as LooseHandlers;
      for (const op of ['listExamples', 'startAudit', 'getAudit', 'exportReport']) {
        if (!h[op]) throw new ReproError('INTERNAL', `this build has no ${op} operation, which the demo needs`);
      }
      const { examples } = unwrapOr<{ examples: { name: string; path: string }[] }>(await h.listExamples!({}));
      const example = examples.find((e) => e.name === 'seed-demo') ?? examples[0];
      if (!example) throw new ReproError('NOT_FOUND', 'no example experiment is bundled with this build', 'Audit your own project with `reproscope audit DIR`.');
      process.stderr.write(`reproscope: auditing the example ${example.path} (${opts.repeats} reruns per group)…\n`);
      const stop = progress(ctx);
      let audit: Audit;
      try {
        const started = unwrapOr<{ id: string }>(await h.startAudit!({ project: example.path, repeats: opts.repeats }));
        audit = await waitForAudit(h, started.id);
      } finally {
        stop();
      }
      const report = unwrapOr<{ text: string | null }>(await h.exportReport!({ kind: 'audit', ids: [audit.id], format: 'html' }));
      const out = path.resolve(opts.output);
      fs.writeFileSync(out, report.text ?? '');
      process.stdout.write(`verdict: ${audit.verdict ?? audit.status}${audit.explanation ? ` — ${audit.explanation}` : ''}\n`);
      for (const s of audit.sources.slice(0, 5)) process.stdout.write(`  ${s.rank}. ${s.category} ${s.factor}: ${s.effect}\n`);
      process.stdout.write(`report: ${out}\naudit: ${audit.id} (reproscope show-audit ${audit.id.slice(0, 8)})\n`);
      if (audit.status === 'failed') process.exitCode = 1;
    });
}
