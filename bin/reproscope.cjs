#!/usr/bin/env node
'use strict';
// The `reproscope` command: runs the bundled CLI; build it first with `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const bundle = path.join(__dirname, '..', 'dist', 'cli.cjs');
if (!fs.existsSync(bundle)) {
  process.stderr.write(
    `reproscope: ${bundle} is missing; run \`npm run build\` in ${path.join(__dirname, '..')} first.\n`,
  );
  process.exit(1);
}
require(bundle);
