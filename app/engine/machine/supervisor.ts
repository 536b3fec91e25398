// The machine's supervisor: a detached process (`cove machine __supervise
// NAME`, started by `machine start`) that is QEMU's parent. It waits for the
// guest agent, records the machine as ready, serves the engine API on a
// host socket (0600, in the user's 0700 runtime dir), and keeps QEMU's
// hostfwd list equal to the ports the VM's containers publish. It exits
// when QEMU does, and removes what it made.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { ping, openApi, watchPorts, type AgentEndpoint } from './agent-client.js';
import type { GuestPort } from './agent-protocol.js';
import { MachineStore, type Accelerator, type MachineState } from './machine-store.js';
import { qemuArgs } from './qemu-args.js';
import { connectQmp, type Qmp } from './qmp.js';
import { findVmImage } from './vm-image.js';
import { findQemu } from './qemu-binary.js';

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function log(file: string, msg: string): void {
  fs.appendFileSync(file, `${new Date().toISOString()} ${msg}\n`);
}

export function bootTimeoutMs(accel: Accelerator, env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.COVE_MACHINE_BOOT_TIMEOUT);
  if (Number.isFinite(v) && v > 0) return v * 1000;
  return accel === 'tcg' ? 300_000 : 60_000;
}

export async function runSupervisor(name: string, accelerator: Accelerator, acceleratorReason?: string): Promise<number> {
  const store = new MachineStore();
  const config = await store.config(name);
  const logFile = store.file(name, 'supervisor.log');
  const image = findVmImage();
  const { qemu } = findQemu();
  const agentPort = await freeLoopbackPort();
  const token = fs.readFileSync(`${store.file(name, 'share')}/token`, 'utf8').trim();
  const ep: AgentEndpoint = { port: agentPort, token };
  const qmpSocket = store.socket(name, 'qmp');
  const apiSocket = store.socket(name, 'api');
  fs.rmSync(qmpSocket, { force: true });
  const consoleLog = store.file(name, 'console.log');
  fs.writeFileSync(consoleLog, '');
  const state: MachineState = {
    supervisorPid: process.pid,
    qemuPid: null,
    agentPort,
    accelerator,
    ...(acceleratorReason ? { acceleratorReason } : {}),
    startedAt: new Date().toISOString(),
    readyAt: null,
    kernel: null,
    forwarded: [],
    qmpSocket,
    apiSocket: null,
  };
  const args = qemuArgs({ config, image, accelerator, dataDisk: store.file(name, 'data.qcow2'), shareDir: store.file(name, 'share'), homeDir: os.homedir(), consoleLog, qmpSocket, agentPort });
  log(logFile, `starting ${qemu} ${args.join(' ')}`);
  const errFd = fs.openSync(logFile, 'a');
  const child = spawn(qemu, args, { stdio: ['ignore', errFd, errFd] });
  fs.closeSync(errFd);
  state.qemuPid = child.pid ?? null;
  await store.writeState(name, state);
  let exited = false;
  const exitedP = new Promise<number>((resolve) => {
    child.on('close', (code, signal) => {
      exited = true;
      log(logFile, `qemu exited (${code ?? signal})`);
      resolve(code ?? 1);
    });
    child.on('error', (err) => {
      exited = true;
      log(logFile, `qemu did not start: ${err.message}`);
      resolve(1);
    });
  });
  const stopQemu = (): void => {
    if (!exited) child.kill('SIGTERM');
  };
  process.on('SIGTERM', stopQemu);
  process.on('SIGINT', stopQemu);

  const deadline = Date.now() + bootTimeoutMs(accelerator);
  let ready = false;
  while (!exited && Date.now() < deadline) {
    try {
      const reply = await ping(ep, 3000);
      state.kernel = reply.kernel;
      ready = true;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (!ready) {
    if (!exited) log(logFile, `the agent did not answer within ${bootTimeoutMs(accelerator) / 1000} s; stopping qemu`);
    stopQemu();
    await exitedP;
    await store.clearState(name);
    return 1;
  }

  let qmp: Qmp | undefined;
  try {
    qmp = await connectQmp(qmpSocket);
  } catch (err) {
    log(logFile, `no QMP: ${(err as Error).message}; ports will not be forwarded`);
  }
  const forwarded = new Map<string, GuestPort>();
  let queue = Promise.resolve();
  const syncPorts = (ports: GuestPort[]): void => {
    queue = queue.then(async () => {
      if (!qmp) return;
      const want = new Map(ports.map((p) => [`${p.protocol}/${p.hostPort}`, p]));
      for (const [k, p] of forwarded) {
        if (want.has(k)) continue;
        const out = await qmp.hmp(`hostfwd_remove net0 ${p.protocol}:127.0.0.1:${p.hostPort}`).catch((e: Error) => e.message);
        log(logFile, `hostfwd_remove ${k}: ${out.trim() || 'ok'}`);
        forwarded.delete(k);
      }
      for (const [k, p] of want) {
        if (forwarded.has(k)) continue;
        // The container's port is published on the VM's own address by slirp4netns; QEMU listens on the host's loopback only.
        const out = await qmp.hmp(`hostfwd_add net0 ${p.protocol}:127.0.0.1:${p.hostPort}-:${p.hostPort}`).catch((e: Error) => e.message);
        log(logFile, `hostfwd_add ${k}: ${out.trim() || 'ok'}`);
        if (!out.trim()) forwarded.set(k, p);
      }
      state.forwarded = [...forwarded.values()];
      await store.writeState(name, state);
    });
  };
  const portsSock = await watchPorts(ep, syncPorts).catch((err: Error) => {
    log(logFile, `cannot follow the VM's ports: ${err.message}`);
    return undefined;
  });

  // The engine API on a host socket: each connection is piped to the engine's socket in the VM.
  fs.rmSync(apiSocket, { force: true });
  const apiServer = net.createServer((c) => {
    openApi(ep).then(
      (up) => {
        c.pipe(up).pipe(c);
        up.on('error', () => c.destroy());
        c.on('error', () => up.destroy());
      },
      () => c.destroy(),
    );
  });
  const oldMask = process.umask(0o177);
  await new Promise<void>((resolve) => apiServer.listen(apiSocket, () => resolve())).finally(() => process.umask(oldMask));
  fs.chmodSync(apiSocket, 0o600);
  state.apiSocket = apiSocket;
  state.readyAt = new Date().toISOString();
  await store.writeState(name, state);
  log(logFile, `ready in ${((Date.parse(state.readyAt) - Date.parse(state.startedAt)) / 1000).toFixed(1)} s (${accelerator})`);

  const code = await exitedP;
  portsSock?.destroy();
  qmp?.close();
  apiServer.close();
  fs.rmSync(apiSocket, { force: true });
  fs.rmSync(qmpSocket, { force: true });
  await store.clearState(name);
  return code;
}
