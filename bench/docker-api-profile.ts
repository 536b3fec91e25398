// Where Cove's Docker API time goes, request by request (no podman): a sandbox
// with N running containers, each request of `docker run --rm`, `docker ps`
// and `docker exec` timed alone over the socket, medians of R rounds.
//   node --import tsx bench/docker-api-profile.ts [containers] [rounds]   (as the test user)
import http from 'node:http';
import { busyboxSandbox } from '../app/testing/harness.js';
import { startDockerService } from '../app/testing/docker-service.js';
import { median } from './bench-kit.js';

function request(socket: string, method: string, url: string, body?: unknown, upgrade = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? '' : JSON.stringify(body);
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) };
    if (upgrade) Object.assign(headers, { Connection: 'Upgrade', Upgrade: 'tcp' });
    const req = http.request({ socketPath: socket, method, path: url, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('latin1')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('upgrade', (_res, sock) => {
      sock.resume();
      sock.on('close', () => resolve({ status: 101, body: '' }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function ms<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = process.hrtime.bigint();
  const v = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, v];
}

const n = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 7);
const sb = await busyboxSandbox('cove-bench-profile-');
const svc = await startDockerService(sb, process.env.PROFILE_ARGS ? process.env.PROFILE_ARGS.split(' ') : []);
try {
  let target = '';
  for (let i = 0; i < n; i++) target = (await svc.docker(['run', '-d', '--network', 'none', 'busybox', 'sleep', '3600'])).stdout.trim();
  const times: Record<string, number[]> = {};
  const add = (k: string, v: number): void => void (times[k] ??= []).push(v);
  for (let r = 0; r < rounds; r++) {
    const s = svc.socket;
    add('ping', (await ms(() => request(s, 'GET', '/_ping')))[0]);
    const [tc, created] = await ms(() => request(s, 'POST', '/v1.50/containers/create', { Image: 'busybox', Cmd: ['true'], HostConfig: { NetworkMode: 'none', AutoRemove: true } }));
    add('create', tc);
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    add('inspectNew', (await ms(() => request(s, 'GET', `/v1.50/containers/${id}/json`)))[0]);
    const wait = ms(() => request(s, 'POST', `/v1.50/containers/${id}/wait?condition=removed`));
    add('start', (await ms(() => request(s, 'POST', `/v1.50/containers/${id}/start`)))[0]);
    add('waitRemovedAfterStart', (await wait)[0]);
    add('list', (await ms(() => request(s, 'GET', '/v1.50/containers/json')))[0]);
    add('inspectRunning', (await ms(() => request(s, 'GET', `/v1.50/containers/${target}/json`)))[0]);
    const [te, ex] = await ms(() => request(s, 'POST', `/v1.50/containers/${target}/exec`, { Cmd: ['true'], AttachStdout: true, AttachStderr: true }));
    add('execCreate', te);
    const execId = (JSON.parse(ex.body) as { Id: string }).Id;
    add('execStart', (await ms(() => request(s, 'POST', `/v1.50/exec/${execId}/start`, { Detach: false, Tty: false }, true)))[0]);
    add('execInspect', (await ms(() => request(s, 'GET', `/v1.50/exec/${execId}/json`)))[0]);
  }
  for (const [k, v] of Object.entries(times)) process.stdout.write(`${k.padEnd(24)} median ${median(v).toFixed(1).padStart(7)} ms  min ${Math.min(...v).toFixed(1).padStart(7)}  max ${Math.max(...v).toFixed(1).padStart(7)}\n`);
} finally {
  const ids = (await svc.docker(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
  if (ids.length) await svc.docker(['rm', '-f', ...ids], { timeoutMs: 120_000 });
  await svc.stop();
  await sb.cleanup();
}
