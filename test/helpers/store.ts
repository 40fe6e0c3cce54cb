// tempCore: a core over a fresh store in a temp folder, closed after the test.
import { openCore, type CoreContext } from '../../electron/core/core-context';
import { afterEach } from 'vitest';
import { tempDir } from './temp';

const open: CoreContext[] = [];

/** A core over a fresh store in a temp folder, closed after the test. */
export function tempCore(): CoreContext {
  const ctx = openCore(tempDir('reproscope-store-'));
  open.push(ctx);
  return ctx;
}

afterEach(() => {
  for (const ctx of open.splice(0)) ctx.close();
});
