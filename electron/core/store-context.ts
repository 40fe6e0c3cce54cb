// The store's context without the runs repository: the open store, the hash cache and the progress hub. Capture
// opens only this before its command starts; the runs repository brings the snapshot schemas (zod), loaded while the
// command runs (issue 13). core-context.ts builds the whole context on it.
import { HashCacheRepository } from '../db/hash-cache-repository';
import { openStore, type StoreHandle } from '../db/open-store';
import type { RunsRepository } from '../db/runs-repository';
import { resolveStoreDir } from '../platform/store-location';
import { EventHub } from './event-hub';
import { REPROSCOPE_VERSION } from './version';

/** The open store with what needs no schema: the hash cache and the progress hub. */
export interface StoreContext {
  store: StoreHandle;
  hashCache: HashCacheRepository;
  events: EventHub;
  version: string;
  close(): void;
}

/** Opens the store (from --store, REPROSCOPE_HOME or the platform folder) with its hash cache and progress hub. */
export function openStoreContext(storeDir?: string | null): StoreContext {
  const store = openStore(resolveStoreDir(storeDir));
  return {
    store,
    hashCache: new HashCacheRepository(store.db),
    events: new EventHub(),
    version: REPROSCOPE_VERSION,
    close: () => store.close(),
  };
}

/** Loads the runs repository over an open store context (with it, the snapshot schemas): capture's, once its command has run. */
export async function loadRunsRepository(ctx: StoreContext): Promise<RunsRepository> {
  const { RunsRepository } = await import('../db/runs-repository');
  return new RunsRepository(ctx.store.db);
}
