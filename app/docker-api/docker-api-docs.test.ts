// docs/docker-api.md lists exactly the endpoints the router serves.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerRouter } from './docker-api.js';
import type { EngineHandle } from '../engine/engine-api.js';
import type { DockerStreams } from './docker-streams-engine.js';

test('every route is documented and every documented endpoint is served', () => {
  const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used')) });
  const routes = dockerRouter(unused as EngineHandle, unused as DockerStreams, '/nonexistent').list().map((r) => `${r.method} ${r.pattern}`);
  const doc = fs.readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'docker-api.md'), 'utf8');
  const documented = [...doc.matchAll(/^\| `([A-Z]+ \/[^`]*)` \|$/gm)].map((m) => m[1]);
  assert.deepEqual([...documented].sort(), [...routes].sort());
});
