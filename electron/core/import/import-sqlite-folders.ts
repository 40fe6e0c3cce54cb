/** Where an mlflow.db run's files are (artifact and model folders beside the database, never outside it) and their stamps, with a stat-only form for empty folders. */
import fs from 'node:fs';
import path from 'node:path';
import { artifactStamp } from './import-file-stamp';
import { filesPart, shortHash } from './import-sqlite-facts';

/** A folder must have last changed this long ago for its stat to prove that nothing was added to it since. */
const SETTLE_MS = 1000;

/** A run's artifacts folder, with its lstat where it was taken on the way (before the folder is listed). */
export interface ArtifactsDir {
  dir: string | null;
  stat: fs.Stats | null;
}

/** The stamps of a run's folders: the fingerprint's files part (null: not stampable now), and whether the artifacts folder is empty. */
export interface FolderStamps {
  files: string | null;
  artifactsEmpty: boolean;
}

/** An experiment folder under an artifact root: whether its real path is inside the boundary, and its run folders (real folders, not links). */
interface ExperimentListing {
  inside: boolean;
  runDirs: Set<string>;
}

/**
 * Finds and stamps run folders under the artifact roots beside an mlflow.db (`mlruns/`, `mlartifacts/`).
 * A folder counts only when its real path (links resolved) is inside the boundary, the database's folder.
 * Each experiment folder is resolved and listed once: a run folder the listing found as a real folder,
 * holding a real `artifacts` folder, lies at the experiment's real path, so one lstat per run replaces a
 * realpath (anything else, a link included, is resolved the general way).
 *
 * An artifacts (or model) folder found empty, whose lstat, taken before it was listed, is older than
 * SETTLE_MS, is stamped by that stat alone (a files part starting with '~'): adding, removing or
 * renaming an entry moves the folder's mtime and ctime, so while they are the same it is still empty,
 * and a re-check needs one lstat, no listing.
 */
export class RunFolders {
  private readonly inside: string;
  private readonly listings = new Map<string, ExperimentListing | null>();

  constructor(
    private readonly boundary: string,
    private readonly roots: readonly string[],
  ) {
    // `boundary` is a real path: a real path under it starts with it and a separator.
    this.inside = boundary.endsWith(path.sep) ? boundary : boundary + path.sep;
  }

  /** The folder under an artifact root, if it is there and its real path is inside the boundary. */
  localDir(...parts: string[]): string | null {
    for (const root of this.roots) {
      const dir = path.join(root, ...parts);
      if (this.isInside(dir)) return dir;
    }
    return null;
  }

  /** A run's artifacts folder (as localDir(expId, runId, 'artifacts')), with its lstat where taken. */
  artifactsOf(expId: string, runId: string): ArtifactsDir {
    for (const root of this.roots) {
      const dir = path.join(root, expId, runId, 'artifacts');
      const listing = this.listing(root, expId);
      if (listing?.runDirs.has(runId)) {
        const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
        if (stat === undefined) continue; // missing (realpath would fail)
        if (stat.isDirectory()) {
          if (listing.inside) return { dir, stat };
          continue;
        }
      }
      if (this.isInside(dir)) return { dir, stat: null };
    }
    return { dir: null, stat: null };
  }

  /**
   * Has the kernel list these runs' artifacts folders on libuv's threads, ahead of the planner listing them on this
   * one (stamp); the answers are dropped, nothing is read from them, so what is recorded is what the planner lists.
   * Why: a folder not listed lately costs a disk read, and the planner takes 10,000 of them in turn. Measured on a
   * 2-core machine after dropping the kernel's caches: an lstat and a listing of an empty artifacts folder 197 µs,
   * 12 µs once listed. Only folders under a run folder the experiment's listing has (nothing for a store without them).
   */
  warm(runs: readonly { runId: string; experimentId: string }[]): void {
    for (const { runId, experimentId } of runs)
      for (const root of this.roots)
        if (this.listing(root, experimentId)?.runDirs.has(runId))
          fs.readdir(path.join(root, experimentId, runId, 'artifacts'), () => undefined);
  }

  /** The stamps of a run's folders (artifacts first; null for none), by listing them; `artifactsStat` is the artifacts folder's lstat, if taken. */
  stamp(dirs: readonly (string | null)[], artifactsStat: fs.Stats | null, now = Date.now()): FolderStamps {
    const stats = dirs.map((d, i) =>
      d === null ? null : ((i === 0 ? artifactsStat : null) ?? fs.lstatSync(d, { throwIfNoEntry: false }) ?? null),
    );
    const stamps: string[] = [];
    for (const d of dirs) {
      const stamp = d === null ? 'none' : artifactStamp(d);
      if (stamp === null) return { files: null, artifactsEmpty: false };
      stamps.push(d === null ? stamp : `${d}\n${stamp}`);
    }
    // an empty stamp is a folder listed whole with no entry in it (the stamp is null where it could not be)
    const artifactsEmpty = dirs[0] !== null && dirs[0] !== undefined && stamps[0] === `${dirs[0]}\n`;
    const allEmpty = dirs.some((d) => d !== null) && dirs.every((d, i) => d === null || stamps[i] === `${d}\n`);
    const byStat = allEmpty ? this.statForm(dirs, stats, now) : null;
    return { files: byStat ?? filesPart(stamps), artifactsEmpty };
  }

  /** The stat-only files part of folders found empty (see above), from their lstats now; null where one is not a settled real folder. */
  statForm(dirs: readonly (string | null)[], stats: readonly (fs.Stats | null)[], now = Date.now()): string | null {
    const parts: string[] = [];
    for (let i = 0; i < dirs.length; i++) {
      const d = dirs[i]!;
      if (d === null) {
        parts.push('none');
        continue;
      }
      const st = stats[i] ?? fs.lstatSync(d, { throwIfNoEntry: false });
      // (a file system that keeps no times, 0, proves nothing by them)
      if (!st?.isDirectory() || !(st.mtimeMs > 0 && st.ctimeMs > 0)) return null;
      if (st.mtimeMs > now - SETTLE_MS || st.ctimeMs > now - SETTLE_MS) return null;
      parts.push(`${d}\n${st.mtimeMs} ${st.ctimeMs} ${st.ino} ${st.dev}`);
    }
    return `~${shortHash('', parts.join('\0'))}`;
  }

  private isInside(dir: string): boolean {
    let real: string;
    try {
      real = fs.realpathSync.native(dir); // throws where it is missing
    } catch {
      return false;
    }
    return real === this.boundary || real.startsWith(this.inside);
  }

  /** An experiment folder under a root, resolved and listed once (null where it is not a folder). */
  private listing(root: string, expId: string): ExperimentListing | null {
    const key = `${root}\0${expId}`;
    if (this.listings.has(key)) return this.listings.get(key)!;
    let listing: ExperimentListing | null;
    const dir = path.join(root, expId);
    try {
      const real = fs.realpathSync.native(dir);
      const runDirs = new Set<string>();
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) runDirs.add(e.name);
      listing = { inside: real === this.boundary || real.startsWith(this.inside), runDirs };
    } catch {
      listing = null;
    }
    this.listings.set(key, listing);
    return listing;
  }
}
