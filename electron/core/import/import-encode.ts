/** The shared encode path of every import reader: a run's digest, its stored form (JSON and history blobs), the check against what is stored. */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip, gzipSync } from 'node:zlib';
import { metricNames, type MlflowRunRecord } from '../../../shared/mlflow/mlflow-snapshot';
import { encodeSnapshot } from '../../../shared/snapshot/snapshot-codec';
import type { Snapshot } from '../../../shared/snapshot/snapshot';
import {
  encodeHistoryColumns,
  encodeHistoryColumnsAsync,
  historyColumns,
  sameHistoryColumns,
  splitHistories,
  type HistoryColumns,
} from '../../db/metric-history-codec';
import type { EncodedRun } from '../../db/runs-repository';
import { snapshotCellText } from '../../db/snapshot-cell';
import type { CoreContext } from '../core-context';

export type { HistoryColumns } from '../../db/metric-history-codec';

const gzipAsync = promisify(gzip);
/**
 * Imports compress thousands of snapshots at once: level 1 is about twice as fast as the default 6
 * and its output only a few percent larger (metric histories are long runs of similar JSON).
 */
const IMPORT_GZIP_LEVEL = 1;

/** The same text as encodeSnapshot of a snapshot without histories, faster when no metric is NaN or infinite. */
export function encodeFast(skeleton: Snapshot): string {
  for (const m of Object.values(skeleton.outcome.metrics))
    if (!Number.isFinite(m.value) || m.history !== null) return encodeSnapshot(skeleton);
  return JSON.stringify(skeleton);
}

/** A run's histories on their way to the store, as columns (no object per point), in the snapshot's metric order. */
export type RunHistories = { name: string; columns: HistoryColumns }[];

/**
 * JSON shorter than this is stored as plain text, not gzip (migration 12). Why: zlib's set-up per call, not the
 * compression, is what a short text costs; measured in a 10k-run import, gzip of a 2.4 KB snapshot took 91 µs
 * of the main thread (0.9 s of 6.2 s) to save 1.3 KB of the run's ~6 KB in the store.
 */
const PLAIN_BELOW = 4 * 1024;
/** JSON at least this long is compressed on libuv's thread pool; shorter JSON here (the hand-off costs more than the work). */
const GZIP_HERE_BELOW = 64 * 1024;
/** A history of fewer points than this is never deflated (its body is under the codec's DEFLATE_FROM): encoded here. */
const HISTORY_HERE_BELOW = Math.floor((64 * 1024) / 24);

/**
 * Gzip options for a text of `length` characters: a window just large enough for it. zlib's set-up of its
 * default 32 KiB window and 64k-entry hash is most of the cost of compressing a 2 KiB snapshot (three times
 * the compression itself), and a window longer than the text finds no more matches: the output is the same size.
 */
function gzipOptions(length: number): { level: number; windowBits: number; memLevel: number } {
  const windowBits = Math.max(9, Math.min(15, Math.ceil(Math.log2(length + 262))));
  return { level: IMPORT_GZIP_LEVEL, windowBits, memLevel: Math.max(1, Math.min(8, windowBits - 7)) };
}

/**
 * The stored form of a run (the JSON without histories, each history as a blob). A small run is encoded
 * here and now; a long JSON or history is compressed on libuv's thread pool (imports encode thousands at once).
 */
export async function encodeRun(
  json: string,
  histories: RunHistories,
): Promise<Pick<EncodedRun, 'storedJson' | 'histories'>> {
  const points = (h: RunHistories[number]): number => h.columns.steps.length;
  const now =
    json.length < PLAIN_BELOW
      ? Buffer.from(json, 'utf8')
      : json.length < GZIP_HERE_BELOW
        ? gzipSync(json, gzipOptions(json.length))
        : null;
  if (now !== null && histories.every((h) => points(h) < HISTORY_HERE_BELOW))
    return {
      storedJson: now,
      histories: histories.map((h) => ({
        name: h.name,
        points: points(h),
        data: encodeHistoryColumns(h.columns.steps, h.columns.values, h.columns.timestamps),
      })),
    };
  const [storedJson, ...blobs] = await Promise.all([
    now ?? gzipAsync(json, gzipOptions(json.length)),
    ...histories.map((h) => encodeHistoryColumnsAsync(h.columns, IMPORT_GZIP_LEVEL)),
  ]);
  return {
    storedJson,
    histories: histories.map((h, i) => ({ name: h.name, points: points(h), data: blobs[i]! })),
  };
}

/**
 * The snapshot's JSON form without histories, and its histories as columns: those the reader gave as
 * columns (set aside by snapshotFromMlflowRun in `given`) and those it gave as points, taken out here.
 */
export function splitRunHistories(
  snapshot: Snapshot,
  given: ReadonlyMap<string, HistoryColumns>,
): { skeleton: Snapshot; histories: RunHistories } {
  const split = splitHistories(snapshot);
  const fromPoints = new Map(split.histories.map((h) => [h.name, historyColumns(h.points)]));
  const histories: RunHistories = [];
  for (const name of Object.keys(split.skeleton.outcome.metrics)) {
    const columns = fromPoints.get(name) ?? given.get(name);
    if (columns) histories.push({ name, columns });
  }
  return { skeleton: split.skeleton, histories };
}

/**
 * Bump when the same MLflow record would become a different snapshot (a change to the readers'
 * records, to snapshotFromMlflowRun or to the snapshot model), so that re-imports rebuild every run
 * instead of trusting the digests stored with them. A new app version rebuilds them anyway.
 */
export const IMPORT_DIGEST_VERSION = 3; // 2: snapshots go through the secret filter's rule set; 3: names such as __proto__ are kept

function sortedEntries(rec: Record<string, string>): [string, string][] {
  return Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Numbers (three a point) at most that recordDigest hashes from its reused buffer; a longer history gets a buffer of its own. */
const DIGEST_SCRATCH_NUMBERS = 64 * 1024;
/**
 * Why one buffer for every run: a new 12 KB Float64Array per run of an import is memory outside V8's heap
 * that is zeroed, tracked and freed, ~120 MB per 10,000 runs, and V8 runs collections to keep up with it.
 */
let digestScratch = new Float64Array(0);

/**
 * A digest of everything a run's snapshot is built from (the completed record, artifacts, models and
 * DVC entries included); metric histories are hashed as numbers rather than re-encoded as text.
 */
export function recordDigest(rec: MlflowRunRecord, salt: string): string {
  const hash = createHash('sha256').update(salt);
  const names = metricNames(rec);
  const columns = rec.metricColumns ?? {};
  const given = (n: string): HistoryColumns | undefined => (Object.hasOwn(columns, n) ? columns[n] : undefined);
  const length = (n: string): number => given(n)?.steps.length ?? rec.metrics[n]!.length;
  // The same text whether a reader gave its metrics as points or as columns (columns are not spelled out).
  const { metricColumns: _columns, ...plain } = rec;
  hash.update(
    JSON.stringify({
      ...plain,
      params: sortedEntries(rec.params),
      tags: sortedEntries(rec.tags),
      metrics: names.map((n) => [n, length(n)]),
    }),
  );
  let total = 0;
  for (const n of names) total += length(n);
  let numbers: Float64Array;
  if (total * 3 > DIGEST_SCRATCH_NUMBERS) numbers = new Float64Array(total * 3);
  else {
    if (digestScratch.length < total * 3) digestScratch = new Float64Array(DIGEST_SCRATCH_NUMBERS);
    numbers = digestScratch.subarray(0, total * 3);
  }
  let i = 0;
  for (const n of names) {
    const c = given(n);
    if (c) {
      for (let k = 0; k < c.steps.length; k++) {
        numbers[i++] = c.steps[k]!;
        numbers[i++] = c.values[k]!;
        numbers[i++] = c.timestamps[k]!;
      }
      continue;
    }
    for (const p of rec.metrics[n]!) {
      numbers[i++] = p.step;
      numbers[i++] = p.value;
      numbers[i++] = p.timestamp ?? Number.NaN; // never NaN otherwise: readers keep only finite timestamps
    }
  }
  numbers.fill(0, i); // every number is written above; a fresh buffer would hold zeros anywhere it was not
  return hash.update(new Uint8Array(numbers.buffer, numbers.byteOffset, numbers.byteLength)).digest('base64url');
}

/** Whether a run stored before holds exactly this JSON (without histories) and these histories. */
export function sameAsStored(
  ctx: CoreContext,
  before: { id: string; storedJson: () => Buffer },
  json: string,
  histories: RunHistories,
): boolean {
  if (snapshotCellText(before.storedJson()) !== json) return false;
  const stored = new Map(ctx.runs.encodedHistories(before.id).map((h) => [h.name, h]));
  if (stored.size !== histories.length) return false;
  return histories.every((h) => {
    const s = stored.get(h.name);
    return s !== undefined && s.points === h.columns.steps.length && sameHistoryColumns(s.data, h.columns);
  });
}
