// Parses dvc.lock text (YAML, failsafe schema) into DVC entries; loaded only where there is a dvc.lock to read.
import YAML from 'yaml';
import { z } from 'zod';
import type { DvcEntry } from '../../shared/snapshot/snapshot';

// The lock is read with YAML's failsafe schema (every scalar a string): a hash of digits only must not turn into a number.
const count = z.string().regex(/^\d+$/).transform(Number);

const DvcOutSchema = z
  .object({
    path: z.string(),
    md5: z.string().optional(),
    etag: z.string().optional(),
    checksum: z.string().optional(),
    hash: z.string().optional(),
    size: count.optional(),
    nfiles: count.optional(),
  })
  .passthrough();

const DvcStageSchema = z
  .object({
    cmd: z.union([z.string(), z.array(z.string())]).optional(),
    deps: z.array(DvcOutSchema).optional(),
    outs: z.array(DvcOutSchema).optional(),
  })
  .passthrough();

const DvcLockSchema = z
  .object({
    schema: z.string().optional(),
    stages: z.record(z.string(), DvcStageSchema).optional(),
  })
  .passthrough();

/** Entries written by DVC 1/2, whose text files were hashed with CRLF turned into LF. */
export const DVC2_MD5 = new WeakSet<DvcEntry>();

/** What reading a dvc.lock gave: its entries, and sentences about what could not be read. */
export interface DvcReadResult {
  entries: DvcEntry[];
  warnings: string[];
}

/** Reads `dvc.lock` text (from disk or from an imported store) into entries, without checking the disk. */
export function parseDvcLock(text: string, label: string): DvcReadResult {
  let raw: unknown;
  try {
    raw = YAML.parse(text, { schema: 'failsafe' });
  } catch (e) {
    return { entries: [], warnings: [`data: ${label} is not valid YAML (${(e as Error).message.split('\n')[0]})`] };
  }
  const parsed = DvcLockSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      entries: [],
      warnings: [
        `data: ${label} is not a dvc.lock DVC understands (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`,
      ],
    };
  }
  // DVC 1 wrote stages at the top level, without the `stages` key.
  const stages = parsed.data.stages ?? legacyStages(raw);
  const entries: DvcEntry[] = [];
  for (const [stage, body] of Object.entries(stages)) {
    for (const [role, list] of [
      ['dep', body.deps ?? []],
      ['out', body.outs ?? []],
    ] as const) {
      for (const item of list) {
        const hashKind =
          item.md5 !== undefined
            ? 'md5'
            : item.etag !== undefined
              ? 'etag'
              : item.checksum !== undefined
                ? 'checksum'
                : null;
        const hash = item.md5 ?? item.etag ?? item.checksum ?? null;
        if (hash === null || hashKind === null) continue;
        const entry: DvcEntry = {
          stage,
          role,
          path: item.path,
          hash,
          hashKind,
          size: item.size ?? null,
          matchesDisk: null,
          note: null,
        };
        // DVC 3 writes `hash: md5` on entries hashed without DVC 2's CRLF normalisation.
        if (hashKind === 'md5' && item.hash === undefined) DVC2_MD5.add(entry);
        entries.push(entry);
      }
    }
  }
  return { entries, warnings: [] };
}

function legacyStages(raw: unknown): Record<string, z.infer<typeof DvcStageSchema>> {
  if (raw === null || typeof raw !== 'object') return {};
  const out: Record<string, z.infer<typeof DvcStageSchema>> = {};
  for (const [name, body] of Object.entries(raw as Record<string, unknown>)) {
    const stage = DvcStageSchema.safeParse(body);
    if (stage.success && (stage.data.deps || stage.data.outs)) out[name] = stage.data;
  }
  return out;
}
