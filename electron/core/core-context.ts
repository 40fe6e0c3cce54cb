// The core's context: the open store, its repositories and the progress hub, shared by every operation.
import { HashCacheRepository } from '../db/hash-cache-repository';
import { openStore, type StoreHandle } from '../db/open-store';
import { RunsRepository } from '../db/runs-repository';
import { resolveStoreDir } from '../platform/store-location';
import { EventHub } from './event-hub';
import { REPROSCOPE_VERSION } from './version';

/** Everything an operation needs: the open store, its repositories and the progress hub. */
export interface CoreContext {
  store: StoreHandle;
  runs: RunsRepository;
  hashCache: HashCacheRepository;
  events: EventHub;
  version: string;
  close(): void;
}

/** The version string of this build (kept here for the modules that read it from the context's module). */
export { REPROSCOPE_VERSION };

/** Opens the store (from --store, REPROSCOPE_HOME or the platform folder) and builds the repositories. */
export function openCore(storeDir?: string | null): CoreContext {
  const store = openStore(resolveStoreDir(storeDir));
  const events = new EventHub();
  return {
    store,
    runs: new RunsRepository(store.db),
    hashCache: new HashCacheRepository(store.db),
    events,
    version: REPROSCOPE_VERSION,
    close: () => store.close(),
  };
}
