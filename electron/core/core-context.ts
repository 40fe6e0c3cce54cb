// The core's context: the open store, its repositories and the progress hub, shared by every operation.
import { RunsRepository } from '../db/runs-repository';
import { openStoreContext, type StoreContext } from './store-context';
import { REPROSCOPE_VERSION } from './version';

/** Everything an operation needs: the open store, its repositories and the progress hub. */
export interface CoreContext extends StoreContext {
  runs: RunsRepository;
}

/** The version string of this build (kept here for the modules that read it from the context's module). */
export { REPROSCOPE_VERSION };

/** Opens the store (from --store, REPROSCOPE_HOME or the platform folder) and builds the repositories. */
export function openCore(storeDir?: string | null): CoreContext {
  const base = openStoreContext(storeDir);
  return { ...base, runs: new RunsRepository(base.store.db) };
}
