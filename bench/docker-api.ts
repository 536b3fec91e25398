// The Docker Engine API (issue 13): the same docker CLI with DOCKER_HOST on
// Cove's socket (`cove system service`) and on podman's (`podman system
// service --time=0`, rootless, a store of its own), same busybox archive,
// alternating rounds in the same run: `docker run --rm busybox true` (also
// with --network none, which leaves out each tool's default network), `docker
// ps` with 50 running `sleep` containers, `docker exec C true`. Where the
// time goes: the docker CLI's own start (`docker --version`, no daemon), and
// each API request of those verbs timed alone over the socket; and the floor
// of `docker ps`: Cove's replies served at once by a process that does nothing
// else (docker-floor.ts).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from '../app/testing/harness.js';
import { DOCKER_CLI, startDockerService } from '../app/testing/docker-service.js';
import { busyboxOnBoth, median, percentile, run, timed } from './bench-kit.js';
import { startFloorServer, type FloorReply } from './docker-floor.js';

interface Side {
  name: 'cove' | 'podman' | 'floor';
  socket: string;
  env: NodeJS.ProcessEnv;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One request over the unix socket, on a connection of its own as each docker
 * CLI run opens one (a kept-alive one would be closed by the server while
 * spawnSync blocks this process, and the next request written to it fail
 * with EPIPE); a body is sent as JSON.
 */
function request(socket: string, method: string, url: string, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath: socket, agent: false, method, path: url, headers: data === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('latin1')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Exec start as the docker CLI sends it: the connection is upgraded and the stream read until the process ends and the server closes it. */
function upgraded(socket: string, url: string, body: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const req = http.request({ socketPath: socket, method: 'POST', path: url, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), Connection: 'Upgrade', Upgrade: 'tcp' } });
    req.on('upgrade', (_res, sock) => {
      sock.on('data', () => undefined);
      sock.on('error', reject);
      sock.on('close', () => resolve());
    });
    req.on('response', (res) => reject(new Error(`POST ${url} -> ${res.statusCode} without an upgrade`)));
    req.setTimeout(60_000, () => req.destroy(new Error(`POST ${url} timed out`)));
    req.on('error', reject);
    req.end(data);
  });
}

async function ok(socket: string, method: string, url: string, body?: unknown): Promise<Reply> {
  const r = await request(socket, method, url, body);
  if (r.status >= 300) throw new Error(`${method} ${url} -> ${r.status}: ${r.body.slice(0, 400)}`);
  return r;
}

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function startPodmanService(dir: string, args: (extra: string[]) => string[], env: NodeJS.ProcessEnv): Promise<{ socket: string; child: ChildProcess }> {
  const socket = path.join(dir, 'podman.sock');
  const child = spawn('podman', args(['system', 'service', '--time=0', `unix://${socket}`]), { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  await eventually(async () => child.exitCode !== null || (fs.existsSync(socket) && (await request(socket, 'GET', '/_ping').then((r) => r.status === 200, () => false))), 60_000, "podman's socket");
  if (child.exitCode !== null) throw new Error(`podman system service exited ${child.exitCode}: ${stderr}`);
  return { socket, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function stats(prefix: string, xs: number[]): Record<string, number> {
  return { [`${prefix}MedianMs`]: median(xs), [`${prefix}MinMs`]: Math.min(...xs), [`${prefix}P95Ms`]: percentile(xs, 95) };
}

/** Each API request that `docker run --rm`, `docker ps` and `docker exec` make, timed alone (median of `rounds`). */
async function requestBreakdown(side: Side, execTarget: string, rounds: number): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = { ping: [], create: [], start: [], wait: [], remove: [], list: [], execCreate: [], execStart: [], execInspect: [] };
  // A failure names its request and side: the breakdown is what says where the time goes.
  const step = async (k: string, fn: () => Promise<unknown>): Promise<void> => {
    try {
      out[k]?.push(await ms(fn));
    } catch (err) {
      throw new Error(`${side.name}: ${k}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  };
  for (let i = 0; i < rounds; i++) {
    await step('ping', () => ok(side.socket, 'GET', '/_ping'));
    let id = '';
    await step('create', async () => (id = (JSON.parse((await ok(side.socket, 'POST', '/v1.41/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none' } })).body) as { Id: string }).Id));
    await step('start', () => ok(side.socket, 'POST', `/v1.41/containers/${id}/start`));
    await step('wait', () => ok(side.socket, 'POST', `/v1.41/containers/${id}/wait?condition=not-running`));
    await step('remove', () => ok(side.socket, 'DELETE', `/v1.41/containers/${id}`));
    await step('list', () => ok(side.socket, 'GET', '/v1.41/containers/json'));
    let exec = '';
    await step('execCreate', async () => (exec = (JSON.parse((await ok(side.socket, 'POST', `/v1.41/containers/${execTarget}/exec`, { Cmd: ['true'], AttachStdout: true, AttachStderr: true })).body) as { Id: string }).Id));
    await step('execStart', () => upgraded(side.socket, `/v1.41/exec/${exec}/start`, { Detach: false, Tty: false }));
    await step('execInspect', () => ok(side.socket, 'GET', `/v1.41/exec/${exec}/json`));
  }
  return out;
}

export async function dockerApi(rounds = 15): Promise<Record<string, number>> {
  if (!fs.existsSync(DOCKER_CLI)) throw new Error(`the docker CLI is needed at ${DOCKER_CLI} (COVE_DOCKER_CLI)`);
  const { sb, podman, cleanup } = await busyboxOnBoth();
  const config = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-bench-docker-config-'));
  const coveService = await startDockerService(sb);
  let podmanChild: ChildProcess | undefined;
  let floor: { stop(): Promise<void> } | undefined;
  const sides: Side[] = [];
  try {
    const p = await startPodmanService(podman.dir, (extra) => podman.args(extra), podman.env);
    podmanChild = p.child;
    const dockerEnv = { DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' };
    sides.push({ name: 'cove', socket: coveService.socket, env: { ...process.env, ...dockerEnv, DOCKER_HOST: `unix://${coveService.socket}` } });
    sides.push({ name: 'podman', socket: p.socket, env: { ...podman.env, ...dockerEnv, DOCKER_HOST: `unix://${p.socket}` } });
    const docker = (side: Side, args: string[]): number => timed(DOCKER_CLI, args, { env: side.env });
    const dockerOut = (side: Side, args: string[]): string => run(DOCKER_CLI, args, { env: side.env });
    const figures: Record<string, Record<string, number[]>> = { cove: {}, podman: {}, floor: {} };
    const add = (side: Side, key: string, v: number): void => void (figures[side.name]![key] ??= []).push(v);
    // A failed command is counted, reported and run again (up to 3 times): its time is not a latency.
    const failures: Record<string, number> = {};
    const attempt = (side: Side, key: string, args: string[]): number => {
      for (let tries = 1; ; tries++) {
        try {
          return docker(side, args);
        } catch (err) {
          const k = `${key}Failures${side.name.slice(0, 1).toUpperCase()}${side.name.slice(1)}`;
          failures[k] = (failures[k] ?? 0) + 1;
          process.stderr.write(`docker-api: ${side.name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}\n`);
          if (tries >= 3) throw err;
        }
      }
    };
    const measure = (key: string, args: (side: Side) => string[], n: number, on: Side[] = sides): void => {
      for (const side of on) attempt(side, `${key}Warmup`, args(side)); // page cache, first-use setup
      for (let i = 0; i < n; i++) {
        // Alternate which side goes first, so neither always follows the other's cleanup.
        for (const side of i % 2 ? [...on].reverse() : on) add(side, key, attempt(side, key, args(side)));
      }
    };
    for (let i = 0; i < rounds; i++) for (const side of sides) add(side, 'cliOnly', timed(DOCKER_CLI, ['--version'], { env: side.env }));
    measure('run', () => ['run', '--rm', 'busybox', 'true'], rounds);
    measure('runNoNet', () => ['run', '--rm', '--network', 'none', 'busybox', 'true'], rounds);
    // 50 running containers on each side (no network: what is measured is the listing).
    const running: Record<string, string> = {};
    for (const side of sides) {
      for (let i = 0; i < 50; i++) running[side.name] = dockerOut(side, ['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600']).trim();
      const listed = dockerOut(side, ['ps', '-q']).trim().split('\n').filter(Boolean).length;
      if (listed !== 50) throw new Error(`${side.name}: docker ps lists ${listed} containers, not 50`);
    }
    // The floor: Cove's own two replies, captured now, served at once by a process that does nothing else.
    const captured = async (url: string): Promise<FloorReply> => {
      const r = await ok(coveService.socket, 'GET', url);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.headers)) if (typeof v === 'string' && !['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) headers[k] = v;
      return { headers, body: r.body };
    };
    const floorServer = await startFloorServer(config, { '/_ping': await captured('/_ping'), '/containers/json': await captured('/v1.50/containers/json') });
    floor = floorServer;
    const floorSide: Side = { name: 'floor', socket: floorServer.socket, env: { ...process.env, ...dockerEnv, DOCKER_HOST: `unix://${floorServer.socket}` } };
    // Three times the rounds: a ps is short, and its ratio (against the floor's too) moves with one slow round of 15 under load.
    measure('ps', () => ['ps'], rounds * 3, [...sides, floorSide]);
    measure('exec', (side) => ['exec', running[side.name] as string, 'true'], rounds);
    // Where the time goes: each request alone, alternating sides.
    try {
      for (let i = 0; i < 5; i++) {
        for (const side of sides) {
          const b = await requestBreakdown(side, running[side.name] as string, 1);
          for (const [k, v] of Object.entries(b)) for (const x of v) add(side, `api-${k}`, x);
        }
      }
    } catch (err) {
      process.stderr.write(`docker-api: the per-request breakdown failed, the docker CLI figures stand: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    const result: Record<string, number> = {};
    for (const key of ['run', 'runNoNet', 'ps', 'exec']) {
      const c = figures.cove![key] as number[];
      const pm = figures.podman![key] as number[];
      result[`${key}Ratio`] = median(c) / median(pm);
      Object.assign(result, stats(`${key}Cove`, c), stats(`${key}Podman`, pm));
    }
    const psFloor = figures.floor!.ps as number[];
    // The best ratio any server could reach with this CLI in this run.
    result.psFloorRatio = median(psFloor) / median(figures.podman!.ps as number[]);
    Object.assign(result, stats('psFloor', psFloor));
    for (const side of sides) {
      result[`${side.name}CliOnlyMs`] = median(figures[side.name]!.cliOnly as number[]);
      for (const [k, v] of Object.entries(figures[side.name]!)) if (k.startsWith('api-')) result[`${side.name}Api${k.slice(4, 5).toUpperCase()}${k.slice(5)}Ms`] = median(v);
    }
    Object.assign(result, failures);
    result.loadAvg1 = Number(os.loadavg()[0]?.toFixed(2));
    return result;
  } finally {
    for (const side of sides) {
      try {
        const ids = run(DOCKER_CLI, ['ps', '-aq'], { env: side.env }).split('\n').filter(Boolean);
        if (ids.length > 0) run(DOCKER_CLI, ['rm', '-f', ...ids], { env: side.env });
      } catch (err) {
        process.stderr.write(`docker-api: removing ${side.name}'s containers through its socket failed (the store cleanup follows): ${String(err)}\n`);
      }
    }
    await floor?.stop();
    await coveService.stop();
    if (podmanChild) await stopChild(podmanChild);
    await fsp.rm(config, { recursive: true, force: true });
    await cleanup();
  }
}
