import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { API_METHODS } from '../api/contract.js';
import { API_DOC, withTable } from '../../scripts/api-doc.js';

test('docs/api.md lists exactly the methods of the API table, as the table says (npm run api-doc rewrites it)', () => {
  const current = fs.readFileSync(API_DOC, 'utf8');
  assert.equal(current, withTable(current), 'docs/api.md is stale: run npm run api-doc');
  for (const method of API_METHODS) assert.ok(current.includes(`| \`${method}\` |`), method);
});
