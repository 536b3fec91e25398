import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../api/contract.js';
import { filterContainers } from './container-filters.js';

const c = (name: string, labels: Record<string, string>, health?: ContainerSummary['health']): ContainerSummary => ({
  id: name.padEnd(64, '0'), name, image: 'busybox', imageId: 'sha256:' + 'a'.repeat(64), command: [], state: 'running', status: 'Up', exitCode: null, pid: 1,
  createdAt: '', startedAt: '', finishedAt: null, labels, ...(health ? { health } : {}),
});
const list = [c('p-db-1', { project: 'p', service: 'db' }, 'healthy'), c('p-app-1', { project: 'p', service: 'app' }), c('q-app-1', { project: 'q', service: 'app' }, 'starting')];
const names = (filters: Record<string, string[]>): string[] => filterContainers(list, new Map(Object.entries(filters))).map((x) => x.name);

test('label filters are ANDed as docker does (compose asks for project and service together); other keys OR their values', () => {
  assert.deepEqual(names({ label: ['project=p', 'service=app'] }), ['p-app-1']);
  assert.deepEqual(names({ name: ['db', 'q-'] }), ['p-db-1', 'q-app-1']);
});

test('health filters by the healthcheck status, none for a container without one', () => {
  assert.deepEqual(names({ health: ['healthy'] }), ['p-db-1']);
  assert.deepEqual(names({ health: ['none'] }), ['p-app-1']);
  assert.deepEqual(names({ health: ['starting', 'healthy'] }), ['p-db-1', 'q-app-1']);
  assert.throws(() => names({ health: ['fine'] }), /Unrecognised filter value for health: fine/);
});
