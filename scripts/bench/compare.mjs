// Compare and report figures of issue 4: comparing two snapshots of 5,000 packages and 100,000 data
// files each (target under 200 ms), and the HTML report of an audit with 100 reruns, charts
// included (target under 1 s). The modules are bundled from the sources with esbuild.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForBench } from '../bench-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function loadLib() {
  fs.mkdirSync(path.join(root, '.bench'), { recursive: true });
  const entry = path.join(root, '.bench', 'compare-entry.ts');
  const src = (p) => JSON.stringify(path.join(root, p));
  const lines = [
    `export { compareSnapshots } from ${src('shared/compare/compare.ts')};`,
    `export { emptySnapshot } from ${src('shared/snapshot/snapshot.ts')};`,
  ];
  // The audit report bench: a synthetic audit of 100 reruns (test/helpers/audit-fixture.ts), its
  // reference and rerun snapshots, built into a report and rendered to HTML with its charts.
  lines.push(
    `import { syntheticAudit, rerunSnapshotOf } from ${src('test/helpers/audit-fixture.ts')};`,
    `import { buildAuditReport } from ${src('shared/report/build-report.ts')};`,
    `import { renderHtmlReport } from ${src('electron/core/report/report-operations.ts')};`,
    `import { emptySnapshot as empty } from ${src('shared/snapshot/snapshot.ts')};`,
    `export async function benchAuditHtml(n: number) {
      const reference = empty('r'.repeat(32), 'capture', '2024-06-01T00:00:00.000Z');
      reference.software.packages = Array.from({ length: 300 }, (_, i) => ({ name: 'pkg' + i, version: '1.' + i, installer: 'pip', editable: false }));
      const audit = syntheticAudit({ reruns: n, referenceRunId: reference.id, runId: (g, i) => (g === 'baseline' ? 'b' : 'c') + String(i).padStart(31, '0') });
      const reruns = new Map();
      for (const g of audit.groups) for (const r of g.reruns) reruns.set(r.runId, rerunSnapshotOf(reference, r.runId, audit.id, g.name === 'baseline' ? null : String(r.index)));
      const t0 = performance.now();
      const html = await renderHtmlReport(buildAuditReport({ audit, reference, reruns, version: 'bench' }));
      return { ms: performance.now() - t0, bytes: html.length };
    }`,
  );
  fs.writeFileSync(entry, lines.join('\n'));
  return bundleForBench(entry, 'compare-lib');
}

const hex = (i, salt = 0) => ((i * 2654435761 + salt * 40503) >>> 0).toString(16).padStart(8, '0').repeat(8);

function bigSnapshot(lib, id, variant) {
  const s = lib.emptySnapshot(id, 'capture', '2024-06-01T00:00:00.000Z');
  s.software.python = {
    ...s.software.python,
    status: 'ok',
    version: variant ? '3.11.9' : '3.11.4',
    executable: '/usr/bin/python3',
  };
  s.software.packages = Array.from({ length: 5000 }, (_, i) => ({
    name: `package-${i}`,
    version: variant && i % 50 === 0 ? `${1 + (i % 3)}.${(i % 7) + 1}.0` : `${1 + (i % 3)}.${i % 7}.${i % 11}`,
    installer: 'pip',
    editable: false,
  }));
  if (variant) s.software.packages.splice(10, 5);
  const files = Array.from({ length: 100_000 }, (_, i) => ({
    path: `shard-${Math.floor(i / 1000)}/file-${i}.bin`,
    size: 1000 + i,
    sha256: hex(i, variant && i % 997 === 0 ? 1 : 0),
  }));
  if (variant) files.push({ path: 'shard-x/new.bin', size: 5, sha256: hex(7, 3) });
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0)); // as hashTree stores them
  s.data.inputs = [
    {
      path: 'data',
      absPath: '/data',
      kind: 'dir',
      rootHash: hex(variant ? 2 : 1),
      fileCount: files.length,
      totalBytes: 1e9,
      files,
    },
  ];
  s.outcome.metrics = { accuracy: { value: variant ? 0.91 : 0.92, history: null, source: 'metrics.json' } };
  return s;
}

export async function bench(report) {
  const lib = await loadLib();
  const a = bigSnapshot(lib, 'a'.repeat(32), false);
  const b = bigSnapshot(lib, 'b'.repeat(32), true);
  const t0 = performance.now();
  lib.compareSnapshots(a, b);
  const cold = performance.now() - t0;
  const times = [];
  let result;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    result = lib.compareSnapshots(a, b);
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  const input = result.data.inputs[0];
  console.log(
    `      ${result.software.packages.length} package changes, ${input.changed} changed + ${input.added} added files; ${result.summary.headline}`,
  );
  report('compare 5k pkgs + 100k files, first call (fresh process, as the CLI)', cold, 'ms', null, null, {
    below: 200,
  });
  report('compare 5k pkgs + 100k files (median of 5 more)', times[2], 'ms', null, null, { below: 200 });

  // First in the process (cold vega and JIT, as `reproscope report` meets it), then warm.
  const first = await lib.benchAuditHtml(100);
  report(
    `HTML audit report, 100 reruns, first in the process (${Math.round(first.bytes / 1024)} KiB)`,
    first.ms,
    'ms',
    null,
    null,
    { below: 1000 },
  );
  const warm = [];
  for (let i = 0; i < 3; i++) warm.push((await lib.benchAuditHtml(100)).ms);
  report('HTML audit report, 100 reruns (best of 3 more)', Math.min(...warm), 'ms', null, null, { below: 1000 });
}
