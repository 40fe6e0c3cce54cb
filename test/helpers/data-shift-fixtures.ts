// Real data for the data-shift tests: MLflow's wine-quality CSV and versions of it (a shifted column, appended rows, a renamed column), and snapshots whose inputs and outputs point at two folders.
import fs from 'node:fs';
import path from 'node:path';
import { hashTree } from '../../electron/platform/hash-tree';
import { emptySnapshot, type Snapshot } from '../../shared/snapshot/snapshot';
import { REPO_ROOT, SYSTEM_PYTHON } from './temp';

/** MLflow's wine-quality.csv (test/fixtures/data-shift/SOURCE.txt). */
export const WINE_CSV = path.join(REPO_ROOT, 'test/fixtures/data-shift/wine-quality.csv');

/** The wine data as header + rows of cells. */
export function wineRows(): { header: string[]; rows: string[][] } {
  const lines = fs.readFileSync(WINE_CSV, 'utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',').map((h) => h.replace(/^"|"$/g, ''));
  return { header, rows: lines.slice(1).map((l) => l.split(',')) };
}

/** Writes a CSV (header quoted as MLflow's file is). */
export function writeCsv(file: string, header: readonly string[], rows: readonly (readonly string[])[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, [header.map((h) => `"${h}"`).join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n');
}

/** The wine data with one column shifted by `by` (every value), rounded as the file writes them. */
export function shiftColumn(rows: readonly string[][], col: number, by: number): string[][] {
  return rows.map((r) => r.map((v, i) => (i === col ? String(Math.round((Number(v) + by) * 1e6) / 1e6) : v)));
}

let counter = 0;

/** A snapshot of `kind` whose data input `data` and output `out` are the given folders (as two reruns' workspaces are). */
export async function snapshotOver(
  dirs: { data?: string; out?: string },
  kind: Snapshot['kind'] = 'capture',
): Promise<Snapshot> {
  const id = (++counter).toString(16).padStart(32, 'a');
  const s = emptySnapshot(id, kind, new Date(Date.UTC(2024, 5, 1, 0, 0, counter)).toISOString());
  if (dirs.data) s.data.inputs = [{ ...(await hashTree(dirs.data)), path: 'data' }];
  if (dirs.out) s.outcome.artifacts = [{ ...(await hashTree(dirs.out)), path: 'out' }];
  s.software.python = { ...s.software.python, status: 'ok', executable: SYSTEM_PYTHON, version: '3' };
  return s;
}
