#!/usr/bin/env node
// The `cove` command (package.json "bin", what `npm run install-cli` links
// onto PATH). CommonJS on purpose: an ES module entry makes Node set up its
// ES module loader first, ~10 ms more CPU for every command.
'use strict';
const { existsSync } = require('node:fs');
const path = require('node:path');

const bundle = path.join(__dirname, '..', 'dist', 'cove.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('Error: Cove is not built yet. Run: npm run build\n');
  process.exit(125);
}
require(bundle);
