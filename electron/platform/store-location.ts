// Where the store lives: --store, else REPROSCOPE_HOME, else the platform's data folder.
import os from 'node:os';
import path from 'node:path';

/**
 * The store folder shared by every face: `--store DIR`, else REPROSCOPE_HOME, else the platform's
 * data folder (XDG_DATA_HOME or ~/.local/share on Linux, Application Support on macOS, APPDATA on Windows).
 */
export function resolveStoreDir(
  explicit?: string | null,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (explicit) return path.resolve(explicit);
  if (env.REPROSCOPE_HOME) return path.resolve(env.REPROSCOPE_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'reproscope');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'reproscope');
  return path.join(env.XDG_DATA_HOME || path.join(home, '.local', 'share'), 'reproscope');
}
