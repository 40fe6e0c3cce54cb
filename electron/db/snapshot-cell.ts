/** The `runs.snapshot` cell: a snapshot's JSON (without histories) as gzip, or as plain UTF-8 text (see migration 12). */
import { gunzipSync } from 'node:zlib';

/** Whether a cell is gzip (its magic bytes); JSON text starts with `{`, never with 0x1f. */
function isGzip(cell: Uint8Array): boolean {
  return cell.length >= 2 && cell[0] === 0x1f && cell[1] === 0x8b;
}

/** The JSON text a snapshot cell holds, whichever way it was stored. */
export function snapshotCellText(cell: Buffer): string {
  return (isGzip(cell) ? gunzipSync(cell) : cell).toString('utf8');
}
