// The version string of this build, in a module of its own so that `reproscope --version` loads nothing else.

/** The version string of this build (injected by the bundler; "dev" from sources). */
export const REPROSCOPE_VERSION: string =
  typeof __REPROSCOPE_VERSION__ === 'string' ? __REPROSCOPE_VERSION__ : '0.1.0-dev';
declare const __REPROSCOPE_VERSION__: string | undefined;
