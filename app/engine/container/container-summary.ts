// A container's list entry (`cove ps`, docker's GET /containers/json), made
// from what its directory holds. The facts are read in one place and the
// entry derived in one place, whether the facts were read just now or kept
// by the list cache (container-list-cache.ts) since the last change.
import fs from 'node:fs';
import type { ContainerSummary, HealthStatus } from '../../api/contract.js';
import { deriveStatus, readSmallJson, type ContainerRecord, type ContainerStore, type Liveness, type StatusFiles } from './container-store.js';
import { statusText } from './container-support.js';
import { healthSuffix, parseHealth } from './health-state.js';
import { isRestarting } from './restart-policy.js';
import type { PortSpec } from './run-options.js';

/** One container's files as read at one moment: the record, the state files, the bound ports and the health. */
export interface ContainerFacts {
  rec: ContainerRecord;
  files: StatusFiles;
  /** ports.json: the ports as the monitor bound them (random host ports filled in); read only while it may run. */
  boundPorts: PortSpec[] | undefined;
  /** health.json's verdict; read only while it may run and only with a healthcheck. */
  health: HealthStatus | undefined;
}

export function readFacts(store: ContainerStore, rec: ContainerRecord): ContainerFacts {
  const files = store.statusFiles(rec.id);
  // Ports and health count only while it runs: a stopped container's files are not read.
  const mayRun = files.start !== undefined && files.exit === undefined;
  const p = store.paths(rec.id);
  return {
    rec,
    files,
    boundPorts: mayRun && (rec.config?.ports ?? []).length > 0 ? readSmallJson<PortSpec[]>(p.ports) : undefined,
    health: mayRun && rec.config?.healthcheck ? parseHealth(readText(p.health))?.Status : undefined,
  };
}

export function summarize(f: ContainerFacts, alive: Liveness, now = Date.now()): ContainerSummary {
  const { rec } = f;
  const s = deriveStatus(f.files, alive);
  const restarting = isRestarting(rec, s, now);
  // docker's ps shows the health of a running container only ("(Paused)" wins); no verdict yet is `starting`.
  const health = rec.config?.healthcheck && s.state === 'running' ? (f.health ?? 'starting') : undefined;
  const configured = rec.config?.ports ?? [];
  return {
    id: rec.id,
    name: rec.name,
    image: rec.image,
    imageId: rec.imageId,
    command: rec.command,
    state: s.state,
    status: restarting ? statusText(s, rec.createdAt).replace(/^Exited/, 'Restarting') : statusText(s, rec.createdAt) + (health ? healthSuffix(health) : ''),
    ...(restarting ? { restarting: true } : {}),
    exitCode: s.exitCode,
    pid: s.pid,
    createdAt: rec.createdAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    ports: (s.state === 'running' || s.state === 'paused') && configured.length > 0 ? (f.boundPorts ?? configured) : configured,
    labels: rec.config?.labels ?? {},
    ...(health ? { health } : {}),
  };
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
