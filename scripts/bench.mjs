// `npm run bench`: runs every scripts/bench/*.mjs module (or those named on the command line) and
// prints each figure beside its reference, measured in the same run, with the ratio and the target.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const dir = path.join(here, 'bench');
const modules = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.mjs'))
  .sort()
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));

const rows = [];
/**
 * Records one figure. `target` says what passing means, e.g. { ratioAtLeast: 3 } (value/reference),
 * { ratioAtMost: 0.8 }, { below: 0.5 } (value in its unit), or { within: 1.5 } (value - reference).
 */
function report(name, value, unit, referenceName = null, referenceValue = null, target = {}) {
  const ratio = referenceValue ? value / referenceValue : null;
  let pass = null;
  if (target.ratioAtLeast !== undefined && ratio !== null) pass = ratio >= target.ratioAtLeast;
  if (target.ratioAtMost !== undefined && ratio !== null) pass = ratio <= target.ratioAtMost;
  if (target.below !== undefined) pass = value < target.below;
  if (target.within !== undefined && referenceValue !== null) pass = value - referenceValue <= target.within;
  const row = { name, value, unit, referenceName, referenceValue, ratio, target, pass };
  rows.push(row);
  const fmt = (v) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3));
  const ref = referenceName
    ? `  vs ${referenceName}: ${fmt(referenceValue)} ${unit}  ratio ${ratio === null ? '—' : ratio.toFixed(2)}`
    : '';
  const goal = Object.entries(target)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  console.log(
    `${pass === null ? '    ' : pass ? 'PASS' : 'FAIL'}  ${name}: ${fmt(value)} ${unit}${ref}${goal ? `  (target: ${goal})` : ''}`,
  );
}

for (const file of modules) {
  console.log(`\n# ${file}`);
  const mod = await import(pathToFileURL(path.join(dir, file)).href);
  try {
    await mod.bench(report);
  } catch (e) {
    console.log(`FAIL  ${file} crashed: ${e.stack ?? e}`);
    rows.push({ name: file, pass: false });
  }
}
const failed = rows.filter((r) => r.pass === false);
console.log(`\n${rows.length} figures, ${failed.length} below target`);
fs.mkdirSync(path.join(here, '..', '.bench'), { recursive: true });
fs.writeFileSync(path.join(here, '..', '.bench', 'last.json'), JSON.stringify(rows, null, 2));
