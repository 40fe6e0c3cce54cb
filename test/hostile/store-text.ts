// Everything a store holds, as text: the raw database and WAL bytes, every column of every row, gzip'd values unpacked, every file in the store folder.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** One string with every byte the store keeps (decompressed where compressed), to grep for things that must not be there. */
export function storeText(storeDir: string): string {
  const parts: string[] = [];
  const visit = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) visit(abs);
      else if (e.isFile()) parts.push(fs.readFileSync(abs).toString('latin1'));
    }
  };
  visit(storeDir);
  const dbPath = path.join(storeDir, 'reproscope.db');
  if (fs.existsSync(dbPath)) {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
      for (const { name } of tables) {
        for (const row of db.prepare(`SELECT * FROM "${name}"`).raw().iterate() as Iterable<
          (string | number | bigint | Buffer | null)[]
        >) {
          for (const cell of row) {
            if (Buffer.isBuffer(cell)) {
              parts.push(
                cell[0] === 0x1f && cell[1] === 0x8b ? gunzipSync(cell).toString('utf8') : cell.toString('utf8'),
              );
            } else if (cell !== null) parts.push(String(cell));
          }
        }
      }
    } finally {
      db.close();
    }
  }
  return parts.join('\n');
}
