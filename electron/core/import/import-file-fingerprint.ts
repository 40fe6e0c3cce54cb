/** A file-store run's fingerprint (the names, sizes, times and inodes MLflow changes on disk) and its re-check by lstat alone, along a stored plan. */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DeclaredDataset } from '../../../shared/snapshot/snapshot';
import type { MlflowExperimentInfo } from './import-mlflow-types';
import { runStamp, type Listings } from './import-file-stamp';
import { readStatedFile, type StatedRead } from './store-files';

/**
 * What MLflow's FileStore does to a run folder, and so what the fingerprint covers:
 * - creating a key (a new metric, tag or param file, an input or output folder, an artifact) adds an entry to a
 *   folder, which moves that folder's mtime and ctime: every folder is stat'ed, and its names are in the plan;
 * - log_metric appends to metrics/<key>, set_tag rewrites tags/<key> in place, update_run_info and delete_run
 *   rewrite meta.yaml (in place, or by a rename that also moves the run folder's mtime), an artifact may be
 *   overwritten: each such file's size, mtime, ctime and inode;
 * - a param file is rewritten only with the value it holds (MLflow refuses a new one): params/ by its own stat
 *   where it has no sub-folder (nlink 2), else by names; inputs/ and outputs/ by names (written once);
 * - deleting a tag (or anything else) removes an entry: its folder's stat moves;
 * - a user who rewrites a file keeps neither its ctime (set by the kernel on every change, not settable) nor,
 *   if it was replaced, its inode.
 * Precision: the times as Node reads them (ms as a double, sub-microsecond here; the filesystem's own tick,
 * a few ms, or finer on Linux >= 6.13 where ctime is fine-grained once read). A file whose mtime is within the
 * last second gives no fingerprint (it may change again within the same tick), nor a listed folder a plan.
 *
 * The first import lists every folder (stampRun): the plan records the names found, in walk order, and the
 * fingerprint hashes the plan with every stat'ed entry's four numbers. A re-import walks the stored plan
 * instead (recheckRun): no folder is listed, no number is formatted, only lstat and a hash of the same
 * numbers; any entry that moved gives another hash, and the run is listed and read again.
 */

const SETTLE_MS = 1000;
/** Marks a fingerprint made here (older ones are matched by matchesStored through the string stamp). */
const V2 = '2:';
/** Sub-folders of a run folder whose files are stamped by name only (params/ is stamped by its own stat where it can be). */
const BY_NAME = new Set(['params', 'inputs', 'outputs']);

/** A compiled plan entry's kind: a listed folder, a stat'ed file, a folder stamped by its own stat (params/). */
const FOLDER = 0;
const FILE = 1;
const OWN_STAT = 2;

/** What every fingerprint of an experiment's runs is salted with: the import's salt and what the experiment declares. */
export interface FingerprintScope {
  /** sha256 of salt and context, hashed into every v2 fingerprint. */
  key: string;
  salt: string;
  context: string;
}

/** The reusable vector of stat numbers a walk fills (walks are synchronous and never nested). */
let vector = new Float64Array(256);
let filled = 0;

function pushStats(st: fs.Stats): void {
  if (filled + 4 > vector.length) {
    const grown = new Float64Array(vector.length * 2);
    grown.set(vector);
    vector = grown;
  }
  vector[filled++] = st.size;
  vector[filled++] = st.mtimeMs;
  vector[filled++] = st.ctimeMs;
  vector[filled++] = st.ino;
}

function vectorHash(key: string, plan: string): string {
  return createHash('sha256')
    .update(key)
    .update(plan)
    .update(new Uint8Array(vector.buffer, 0, filled * 8))
    .digest('base64url');
}

const byName = (a: fs.Dirent, b: fs.Dirent): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Files the stamp walk reads as it stamps them (what the read that follows would read): the top folder's `files`
 * and everything below its `folders`, each handed to `take` as it is read (its bytes are reused for the next file).
 * Why: a stamped file's fstat, after the open the read makes anyway, gives the same four numbers as an lstat of
 * its path, so each such file costs one path lookup, not two (140k lstats were a sixth of a 10k-run import's
 * reader thread).
 */
export interface StampReads {
  files: ReadonlySet<string>;
  folders: ReadonlySet<string>;
  take: (file: string, read: StatedRead) => void;
}

/**
 * The fingerprint of a run folder, listing every folder (the listings are put in `listings` for the read that
 * follows, and the files `reads` names are read and taken): `2:<hash> <plan>`, or `2:<hash>` when a folder changed
 * in the last second (no re-check by plan then); null when there is none (a link, a FIFO, a file written in the
 * last second, a folder that cannot be read). The files read before a null stay read (each is as read).
 */
export function stampRun(
  runDir: string,
  scope: FingerprintScope,
  { listings, reads, now = Date.now() }: { listings?: Listings; reads?: StampReads; now?: number } = {},
): string | null {
  const settled = now - SETTLE_MS;
  const plan: string[] = [];
  let racy = false;
  filled = 0;
  const visit = (dir: string, top: boolean, withStats: boolean, read: boolean): boolean => {
    // The stat first: an entry added while (or after) the folder is listed moves its mtime past this one.
    const st = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (!st?.isDirectory()) return false;
    let listed: fs.Dirent[];
    try {
      listed = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    listings?.set(dir, listed);
    if (st.mtimeMs > settled) racy = true;
    pushStats(st);
    const entries = listed.slice().sort(byName);
    // Names never hold a separator, so '/' parts them; each is marked by its kind, and '>' opens a folder's names.
    plan.push('>');
    const codes = plan.length;
    for (const e of entries) {
      if (e.isDirectory()) plan.push(`d${e.name}`);
      else if (e.isFile()) plan.push(`f${e.name}`);
      else return false; // a link or a FIFO: the full read says what it is
    }
    // Names hold no separator and `dir` is already normal: concatenation is path.join here, without its cost.
    const prefix = dir + path.sep;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.isDirectory()) {
        if (top && e.name === 'params') {
          const own = fs.lstatSync(prefix + e.name, { throwIfNoEntry: false });
          if (own?.isDirectory() && own.nlink === 2 && own.mtimeMs <= settled) {
            plan[codes + i] = `p${e.name}`;
            pushStats(own);
            continue;
          }
        }
        const below = read || (top && reads !== undefined && reads.folders.has(e.name));
        if (!visit(prefix + e.name, false, withStats && !(top && BY_NAME.has(e.name)), below)) return false;
      } else if (withStats) {
        let file: fs.Stats | undefined;
        if (reads !== undefined && (read || (top && reads.files.has(e.name)))) {
          const got = readStatedFile(prefix + e.name);
          if (got === null) return false;
          reads.take(prefix + e.name, got);
          file = got.stats;
        } else file = fs.lstatSync(prefix + e.name, { throwIfNoEntry: false });
        if (!file?.isFile() || file.mtimeMs > settled) return false;
        pushStats(file);
      }
    }
    return true;
  };
  if (!visit(runDir, true, true, false)) return null;
  const joined = plan.join('/');
  const hash = vectorHash(scope.key, joined);
  return racy ? `${V2}${hash}` : `${V2}${hash} ${joined}`;
}

/** A plan as the paths a re-check stats (relative to the run folder, each beginning with a separator but the first) and their kinds. */
interface CompiledPlan {
  rels: string[];
  kinds: Uint8Array;
}

/** Plans compiled so far: runs of one store mostly share one (the same metric, param and tag names). */
const compiled = new Map<string, CompiledPlan | null>();
const COMPILED_KEPT = 1024;

function compilePlan(plan: string): CompiledPlan | null {
  const parts = plan.split('/');
  const rels: string[] = [];
  const kinds: number[] = [];
  let at = 0;
  const visit = (rel: string, top: boolean, withStats: boolean): boolean => {
    if (parts[at] !== '>') return false;
    at++;
    rels.push(rel);
    kinds.push(FOLDER);
    const start = at;
    while (at < parts.length && parts[at] !== '>') at++;
    for (const code of parts.slice(start, at)) {
      const name = code.slice(1);
      const sub = rel + path.sep + name;
      if (name === '') return false;
      if (code[0] === 'f') {
        if (withStats) {
          rels.push(sub);
          kinds.push(FILE);
        }
      } else if (code[0] === 'p' && top) {
        rels.push(sub);
        kinds.push(OWN_STAT);
      } else if (code[0] !== 'd' || !visit(sub, false, withStats && !(top && BY_NAME.has(name)))) return false;
    }
    return true;
  };
  return visit('', true, true) && at === parts.length ? { rels, kinds: Uint8Array.from(kinds) } : null;
}

function planOf(plan: string): CompiledPlan | null {
  let c = compiled.get(plan);
  if (c === undefined) {
    if (compiled.size >= COMPILED_KEPT) compiled.clear();
    c = compilePlan(plan);
    compiled.set(plan, c);
  }
  return c;
}

/**
 * True when a fingerprint stampRun made with a plan still holds: every folder and known file lstat'ed along
 * the plan, none listed, and the same hash. False means "not known unchanged" (list and read the run).
 */
export function recheckRun(runDir: string, stored: string, scope: FingerprintScope): boolean {
  const space = stored.indexOf(' ');
  if (!stored.startsWith(V2) || space < 0) return false;
  const plan = stored.slice(space + 1);
  const c = planOf(plan);
  if (c === null) return false;
  filled = 0;
  const { rels, kinds } = c;
  for (let i = 0; i < rels.length; i++) {
    const st = fs.lstatSync(runDir + rels[i], { throwIfNoEntry: false });
    if (st === undefined) return false;
    const kind = kinds[i];
    if (kind === FILE ? !st.isFile() : !st.isDirectory() || (kind === OWN_STAT && st.nlink !== 2)) return false;
    pushStats(st);
  }
  return vectorHash(scope.key, plan) === stored.slice(V2.length, space);
}

/**
 * Whether a stored fingerprint says the run is as `fresh` (stampRun's, just made) found it: 'same', 'older'
 * (it is unchanged, but `fresh` is to be stored: it has a plan the stored one lacks, or the stored one is of
 * an older kind, matched by the string stamp it was made from), or 'no'.
 */
export function matchesStored(
  runDir: string,
  { stored, fresh }: { stored: string; fresh: string },
  scope: FingerprintScope,
): 'same' | 'older' | 'no' {
  if (stored === fresh) return 'same';
  if (stored.startsWith(V2)) {
    const space = fresh.indexOf(' ');
    return stored === (space < 0 ? fresh : fresh.slice(0, space)) ? 'older' : 'no';
  }
  // Before v2: a hash of the string stamp, with its folders' stats and plan after a space where it had one.
  const legacy = runStamp(runDir);
  if (legacy === null) return 'no';
  const hash = (folders: string | null): string => {
    const h = createHash('sha256').update(scope.salt).update(scope.context).update(legacy.stamp);
    if (folders !== null) h.update('\0folders\n').update(folders);
    return h.digest('base64url');
  };
  const space = stored.indexOf(' ');
  if (space < 0) return stored === hash(null) ? 'older' : 'no';
  return legacy.folders !== null && stored === `${hash(legacy.folders)} ${legacy.plan}` ? 'older' : 'no';
}

/** Marks the fingerprint of a run skipped as deleted in MLflow. */
const DELETED = 'd:';

/**
 * The fingerprint of a run skipped as deleted in MLflow, from the stat of its meta.yaml taken before it was read:
 * the skip was read from that file alone (its run id, experiment id and lifecycle stage; the experiment's side is
 * in the scope, --include-deleted too). MLflow rewrites meta.yaml whenever it restores or changes a run (in place,
 * or by a rename: a new inode). Null when it changed in the last second, or is not a regular file.
 */
export function skipFingerprint(meta: fs.Stats, scope: FingerprintScope, now = Date.now()): string | null {
  if (!meta.isFile() || meta.mtimeMs > now - SETTLE_MS) return null;
  filled = 0;
  pushStats(meta);
  return DELETED + vectorHash(scope.key, 'deleted');
}

/** Whether a run skipped as deleted, with this fingerprint stored, still is: one lstat of its meta.yaml. */
export function recheckSkip(runDir: string, stored: string, scope: FingerprintScope): boolean {
  const meta = fs.lstatSync(runDir + path.sep + 'meta.yaml', { throwIfNoEntry: false });
  return meta !== undefined && skipFingerprint(meta, scope) === stored;
}

/** Scopes built so far, by the experiment's datasets map (one per experiment scope of an import). */
const scopes = new WeakMap<object, { salt: string; includeDeleted: boolean; scope: FingerprintScope }>();

/** The fingerprint scope of an experiment's runs: its context serialised and hashed once per experiment. */
export function fingerprintScope(
  { fingerprintSalt: salt, includeDeleted }: { fingerprintSalt: string; includeDeleted: boolean },
  { exp, datasets }: { exp: MlflowExperimentInfo; datasets: Map<string, Omit<DeclaredDataset, 'context'>> },
): FingerprintScope {
  const known = scopes.get(datasets);
  if (known?.salt === salt && known.includeDeleted === includeDeleted) return known.scope;
  const context = JSON.stringify([exp.id, exp.name, exp.lifecycleStage, includeDeleted, [...datasets]]);
  const key = createHash('sha256').update(salt).update('\0').update(context).digest('base64url');
  const scope = { key, salt, context };
  scopes.set(datasets, { salt, includeDeleted, scope });
  return scope;
}
