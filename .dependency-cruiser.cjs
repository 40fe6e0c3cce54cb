/**
 * The "may import" column of DESIGN.md's folder table, enforced: `npm run lint`.
 * Each rule names the folder, what it may not import, and why.
 */
module.exports = {
  forbidden: [
    {
      name: 'shared-is-pure',
      comment:
        'shared/ runs in Node, the renderer and a browser alike: it imports nothing outside shared/ and no Node built-ins.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { pathNot: ['^shared/', '^node_modules/'] },
    },
    {
      name: 'shared-no-node-builtins',
      comment: 'shared/ may not use Node built-ins.',
      severity: 'error',
      from: { path: '^shared/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-stays-below-faces',
      comment:
        'electron/core may import shared/, electron/db/, electron/platform/ and Node, never a face (cli, http, shell, ipc) or the renderer.',
      severity: 'error',
      from: { path: '^electron/core/' },
      to: { path: ['^electron/(cli|http|shell|ipc)/', '^electron/(main|preload)\\.ts$', '^renderer/'] },
    },
    {
      name: 'db-owns-sqlite-alone',
      comment: 'electron/db/ imports only shared/ and Node; nothing else opens SQLite.',
      severity: 'error',
      from: { path: '^electron/db/' },
      to: { path: ['^electron/(core|platform|cli|http|shell|ipc)/', '^renderer/'] },
    },
    {
      name: 'only-db-imports-better-sqlite3',
      comment:
        'The database has one owner: electron/db/ (the MLflow SQLite reader in core opens foreign files read-only through db helpers).',
      severity: 'error',
      from: { pathNot: ['^electron/db/', '^electron/core/import/'] },
      to: { path: 'node_modules/better-sqlite3' },
    },
    {
      name: 'platform-is-a-leaf',
      comment:
        'electron/platform/ talks to the machine; it may import shared/ and electron/db types, not the core or a face.',
      severity: 'error',
      from: { path: '^electron/platform/' },
      to: { path: ['^electron/(core|cli|http|shell|ipc)/', '^renderer/'] },
    },
    {
      name: 'adapters-are-thin',
      comment: 'electron/http/ and electron/cli/ import shared/ and electron/core/ only (plus Node).',
      severity: 'error',
      from: { path: '^electron/(http|cli)/' },
      to: { path: ['^electron/(db|platform|shell|ipc)/', '^electron/(main|preload)\\.ts$', '^renderer/'] },
    },
    {
      name: 'only-the-shell-imports-electron',
      comment:
        'Only electron/main.ts, electron/preload.ts, electron/shell/ and electron/ipc/ import the electron runtime.',
      severity: 'error',
      from: { pathNot: ['^electron/(main|preload)\\.ts$', '^electron/(shell|ipc)/'] },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'renderer-talks-through-api',
      comment:
        'renderer/ reaches the core only through renderer/api.ts: it imports shared/ and browser packages, never electron/.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { path: ['^electron/'] },
    },
    {
      name: 'renderer-no-node-builtins',
      comment: 'renderer/ runs in a sandboxed page: no Node built-ins.',
      severity: 'error',
      from: { path: '^renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-features-meet-at-their-index',
      comment:
        'A feature folder of electron/core (capture, runs, audit, import, compare, report, examples) reaches another feature only through its index.ts; its other files are its own business.',
      severity: 'error',
      from: { path: '^electron/core/([^/]+)/' },
      to: { path: '^electron/core/[^/]+/', pathNot: ['^electron/core/$1/', '^electron/core/[^/]+/index\\.ts$'] },
    },
    {
      name: 'faces-meet-core-features-at-their-index',
      comment:
        'The faces (cli, http, ipc, shell, main) reach a core feature only through its index.ts, or the top-level handlers and context.',
      severity: 'error',
      from: { path: '^electron/(cli|http|ipc|shell)/|^electron/main\\.ts$' },
      to: { path: '^electron/core/[^/]+/', pathNot: ['^electron/core/[^/]+/index\\.ts$'] },
    },
    {
      name: 'no-circular',
      comment:
        'Cycles make modules impossible to read or test alone. A cycle closed by a type-only import is none at run time (the import is erased) and is allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, dependencyTypesNot: ['type-only'], viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
