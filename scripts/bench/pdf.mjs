// PDF export (issue 13): `reproscope report AUDIT --format pdf` of a 100-rerun audit, the whole command as a user
// runs it, against the strongest direct print of the same HTML in the same run: a Node script that starts the same
// Chromium through playwright-core, sets the HTML and calls page.pdf straight away (no route, no media emulation).
// Wall time, interleaved run by run, median of BENCH_PDF_ROUNDS (3); target: at most 1.2 × the direct print.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { bundleForBench } from '../bench-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const cli = path.join(root, 'bin', 'reproscope.cjs');
const ROUNDS = Number(process.env.BENCH_PDF_ROUNDS ?? 3);
const CHROMIUM = '/usr/bin/chromium';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Bundles, from the sources, what writes a store holding a synthetic 100-rerun audit and renders its HTML. */
async function loadLib() {
  fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
  const entry = path.join(root, '.bench', 'pdf-entry.ts');
  const src = (p) => JSON.stringify(path.join(root, p));
  fs.writeFileSync(
    entry,
    [
      `import { syntheticAudit, rerunSnapshotOf } from ${src('test/helpers/audit-fixture.ts')};`,
      `import { openCore } from ${src('electron/core/core-context.ts')};`,
      `import { auditsOf } from ${src('electron/core/audit/audit-store.ts')};`,
      `import { buildReportDocument, renderHtmlReport } from ${src('electron/core/report/report-operations.ts')};`,
      `import { emptySnapshot } from ${src('shared/snapshot/snapshot.ts')};`,
      `export async function auditStore(dir: string, n: number) {
        const ctx = openCore(dir);
        try {
          const reference = emptySnapshot('r'.repeat(32), 'capture', '2024-06-01T00:00:00.000Z');
          reference.software.packages = Array.from({ length: 300 }, (_, i) => ({ name: 'pkg' + i, version: '1.' + i, installer: 'pip' as const, editable: false }));
          ctx.runs.save(reference);
          const audit = syntheticAudit({ reruns: n, referenceRunId: reference.id, runId: (g, i) => (g === 'baseline' ? 'b' : 'c') + String(i).padStart(31, '0') });
          for (const g of audit.groups)
            for (const r of g.reruns) ctx.runs.save(rerunSnapshotOf(reference, r.runId!, audit.id, g.name === 'baseline' ? null : String(r.index)));
          auditsOf(ctx).save(audit);
          // the very HTML the command prints, from the same store
          return { id: audit.id, html: await renderHtmlReport(buildReportDocument(ctx, 'audit', [audit.id])) };
        } finally {
          ctx.close();
        }
      }`,
    ].join('\n'),
  );
  return bundleForBench(entry, 'pdf-lib');
}

// The reference: the same browser and HTML, printed at once (playwright-core's defaults otherwise).
const DIRECT = `const pw = require(${JSON.stringify(require.resolve('playwright-core'))});
const fs = require('node:fs');
(async () => {
  const html = fs.readFileSync(process.argv[2], 'utf8');
  const browser = await pw.chromium.launch({ executablePath: ${JSON.stringify(CHROMIUM)} });
  const page = await browser.newPage();
  await page.setContent(html);
  fs.writeFileSync(process.argv[3], await page.pdf({ format: 'A4', printBackground: true }));
  await browser.close();
})();
`;

/** Runs the bench. */
export async function bench(report) {
  if (!fs.existsSync(CHROMIUM)) {
    console.log(`  no ${CHROMIUM}: skipped`);
    return;
  }
  const lib = await loadLib();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'reproscope-bench-pdf-'));
  try {
    const { id, html } = await lib.auditStore(path.join(home, 'store'), 100);
    fs.writeFileSync(path.join(home, 'report.html'), html);
    fs.writeFileSync(path.join(home, 'direct.cjs'), DIRECT);
    const env = { ...process.env, REPROSCOPE_HOME: path.join(home, 'store') };
    const wall = (argv) => {
      const t0 = performance.now();
      const r = spawnSync(argv[0], argv.slice(1), { env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${argv.join(' ')} failed: ${r.stderr}`);
      return (performance.now() - t0) / 1000;
    };
    const ours = [];
    const direct = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(wall([process.execPath, cli, 'report', id, '--format', 'pdf', '-o', path.join(home, 'ours.pdf')]));
      direct.push(
        wall([
          process.execPath,
          path.join(home, 'direct.cjs'),
          path.join(home, 'report.html'),
          path.join(home, 'direct.pdf'),
        ]),
      );
    }
    console.log(
      `  load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(
          ' ',
        )}; HTML ${Math.round(html.length / 1024)} KiB; rounds: ours ${ours.map((x) => x.toFixed(2)).join(' ')}, direct ${direct.map((x) => x.toFixed(2)).join(' ')}`,
    );
    report(
      'PDF export, 100-rerun audit (reproscope report, wall)',
      median(ours),
      's',
      'direct Chromium print of the same HTML (node + playwright, wall)',
      median(direct),
      { ratioAtMost: 1.2 },
    );
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
