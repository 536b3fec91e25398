#!/usr/bin/env node
// The `cove` command (package.json "bin", so `npx cove` works in a checkout).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const bundle = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cove.cjs');
if (!existsSync(bundle)) {
  process.stderr.write('Error: Cove is not built yet. Run: npm run build\n');
  process.exit(125);
}
await import(bundle);
