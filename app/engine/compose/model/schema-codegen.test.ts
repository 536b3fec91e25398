import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { GENERATED_FILE, validatorSource } from './schema-codegen.js';

test('compose-spec-validate.js is the standalone code of the vendored compose-spec.json (regenerate with schema-codegen.ts)', () => {
  assert.ok(fs.readFileSync(GENERATED_FILE, 'utf8') === validatorSource(), 'stale: run node --import tsx app/engine/compose/model/schema-codegen.ts');
});
