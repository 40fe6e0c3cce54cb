// Writes docs/report.schema.json from the zod schema of the JSON report (shared/report/report-model.ts),
// so the documented schema is the one reports are validated with. `node scripts/report-schema.mjs`;
// test/shared/report/report-schema.test.ts fails when the committed file is stale.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, '.bench', 'report-schema.cjs');
fs.mkdirSync(path.dirname(out), { recursive: true });
await build({
  entryPoints: [path.join(root, 'shared/report/report-json-schema.ts')],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  logLevel: 'error',
});
const { reportJsonSchemaText } = createRequire(import.meta.url)(out);
const target = path.join(root, 'docs', 'report.schema.json');
fs.writeFileSync(target, reportJsonSchemaText());
console.log(`wrote ${path.relative(root, target)}`);
