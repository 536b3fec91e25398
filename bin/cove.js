#!/usr/bin/env node
// Kept for `cove` links made before bin/cove.cjs existed (npm run
// install-cli links that one now, and package.json names it): runs it.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./cove.cjs');
