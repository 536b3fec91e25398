// Compose (issue 14): `up -d` of a three-service project until every
// service is healthy, and `down`, with `cove compose` against Debian's
// podman-compose on podman (rootless, a store of its own), the same file and
// busybox archive, alternating rounds in the same run.
//
// Cove: `compose up -d --wait` returns once every container is healthy (its
// monitors run the probes). Podman here has no systemd to run its
// healthcheck timers, and podman-compose 1.0 neither waits for health nor
// honours `condition: service_healthy`; so its figure is `podman-compose
// up -d`, then `podman healthcheck run` on each container in a loop until
// all pass - probing back to back, which can only favour podman.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliPath } from '../app/testing/harness.js';
import { busyboxOnBoth, have, median, run, timed, type Podman } from './bench-kit.js';

const ROUNDS = 5;

// The shells trap TERM so `down` stops them at once on both sides (a PID 1 without a handler ignores it).
const FILE = `services:
  kv:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo v > /www/v; httpd -p 80 -h /www; while true; do sleep 1 & wait; done"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/v"]
      interval: 1s
      start_period: 30s
      start_interval: 200ms
  web:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo w > /www/w; httpd -p 8080 -h /www; while true; do sleep 1 & wait; done"]
    depends_on:
      kv:
        condition: service_healthy
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/w"]
      interval: 1s
      start_period: 30s
      start_interval: 200ms
  worker:
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1 & wait; done"]
    depends_on: [kv]
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      start_period: 30s
      start_interval: 200ms
`;

function podmanCompose(p: Podman, file: string, args: string[]): string[] {
  return ['--podman-args', p.args([]).join(' '), '-f', file, '-p', 'benchp', ...args];
}

function podmanUpHealthy(p: Podman, file: string): number {
  const t0 = process.hrtime.bigint();
  run('podman-compose', podmanCompose(p, file, ['up', '-d']), { env: p.env });
  const names = ['benchp_kv_1', 'benchp_web_1', 'benchp_worker_1'];
  const pending = new Set(names);
  const deadline = Date.now() + 60_000;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`podman: ${[...pending].join(', ')} not healthy after 60 s`);
    for (const n of [...pending]) if (spawnSync('podman', p.args(['healthcheck', 'run', n]), { env: p.env, stdio: 'ignore' }).status === 0) pending.delete(n);
  }
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const spread = (xs: number[]): string => `${Math.round(Math.min(...xs))}-${Math.round(Math.max(...xs))}`;

export async function composeBench(): Promise<Record<string, number>> {
  if (!have('podman-compose')) throw new Error('podman-compose is needed for the comparison: sudo apt-get install podman-compose');
  const { sb, podman, cleanup } = await busyboxOnBoth();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-bench-compose-'));
  const file = path.join(dir, 'compose.yaml');
  fs.writeFileSync(file, FILE);
  const cove = (args: string[]): number => timed(process.execPath, [cliPath(), 'compose', '-f', file, '-p', 'benchc', ...args], { env: sb.env, cwd: dir });
  const times = { coveUp: [] as number[], coveDown: [] as number[], podmanUp: [] as number[], podmanDown: [] as number[] };
  try {
    for (let i = 0; i < ROUNDS; i++) {
      times.coveUp.push(cove(['up', '-d', '--wait']));
      times.coveDown.push(cove(['down']));
      times.podmanUp.push(podmanUpHealthy(podman, file));
      times.podmanDown.push(timed('podman-compose', podmanCompose(podman, file, ['down']), { env: podman.env }));
    }
  } finally {
    spawnSync(process.execPath, [cliPath(), 'compose', '-p', 'benchc', 'down', '-t', '0'], { env: sb.env, stdio: 'ignore' });
    spawnSync('podman-compose', podmanCompose(podman, file, ['down', '-t', '0']), { env: podman.env, stdio: 'ignore' });
    await cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<keyof typeof times, number>;
  process.stderr.write(`compose: ${ROUNDS} rounds, ms min-max: cove up ${spread(times.coveUp)}, down ${spread(times.coveDown)}; podman up ${spread(times.podmanUp)}, down ${spread(times.podmanDown)}; load ${os.loadavg()[0]?.toFixed(1)}\n`);
  return {
    coveUpHealthyMs: Math.round(m.coveUp),
    podmanUpHealthyMs: Math.round(m.podmanUp),
    upRatio: m.coveUp / m.podmanUp,
    coveDownMs: Math.round(m.coveDown),
    podmanDownMs: Math.round(m.podmanDown),
    downRatio: m.coveDown / m.podmanDown,
    upRatioBest: Math.min(...times.coveUp) / Math.min(...times.podmanUp),
    downRatioBest: Math.min(...times.coveDown) / Math.min(...times.podmanDown),
  };
}
