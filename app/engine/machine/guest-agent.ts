// The guest agent: the engine inside the Cove VM, started by the VM's init as
// the user. It serves the engine API on its unix socket, and the host on a
// TCP port that QEMU forwards from the host's loopback: ping (readiness),
// exec/cove (a command or a cove verb with its stdio), ports (the published
// ports, pushed as containers start and stop), api (a pipe to the engine's
// socket) and sync. Every connection must present the machine's token.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Engine } from '../engine.js';
// cove-pty is a tool of the VM image (native/vm/), not one the app ships (NATIVE_TOOLS).
import { installPaths } from '../install-paths.js';
import { AGENT_GUEST_PORT, Frame, FrameReader, MAX_HEADER, encodeFrame, isTermSize, parseHeader, tokenMatches, type AgentHeader, type GuestPort, type PingReply } from './agent-protocol.js';

export interface GuestAgentOptions {
  port?: number;
  tokenFile: string;
  /** The cove CLI bundle the "cove" operation runs. */
  cliPath: string;
}

function cgroupInfo(): { controllers: string[]; delegated: boolean } {
  try {
    const controllers = fs.readFileSync('/sys/fs/cgroup/cove/cgroup.subtree_control', 'utf8').trim().split(/\s+/).filter(Boolean);
    fs.accessSync('/sys/fs/cgroup/cove/cgroup.procs', fs.constants.W_OK);
    return { controllers, delegated: true };
  } catch {
    return { controllers: [], delegated: false };
  }
}

async function publishedPorts(engine: Engine): Promise<GuestPort[]> {
  const list = await engine.handle('containers:list', { all: false });
  const seen = new Map<string, GuestPort>();
  for (const c of list) {
    if (c.state !== 'running' && c.state !== 'paused') continue;
    for (const p of c.ports ?? []) if (p.hostPort > 0) seen.set(`${p.protocol}/${p.hostPort}`, { protocol: p.protocol, hostPort: p.hostPort });
  }
  return [...seen.values()].sort((a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol));
}

function parseJson(b: Buffer): unknown {
  try {
    return JSON.parse(b.toString()) as unknown;
  } catch {
    return undefined;
  }
}

export async function runGuestAgent(opts: GuestAgentOptions): Promise<{ close(): Promise<void> }> {
  const token = fs.readFileSync(opts.tokenFile, 'utf8').trim();
  const engine = await Engine.open({ watch: true });
  const { startUnixSocketServer } = await import('../../transport/unix-socket-server.js');
  const socketPath = path.join(engine.paths.runtime, 'engine.sock');
  const apiServer = await startUnixSocketServer(engine, socketPath);
  const portWatchers = new Set<(ports: GuestPort[]) => void>();
  let lastPorts = '';
  let pending: NodeJS.Timeout | undefined;
  const recompute = (): void => {
    if (pending) return;
    // Debounced: a start writes several files, each an inotify event.
    pending = setTimeout(() => {
      pending = undefined;
      publishedPorts(engine).then(
        (ports) => {
          const key = JSON.stringify(ports);
          if (key === lastPorts) return;
          lastPorts = key;
          for (const w of portWatchers) w(ports);
        },
        () => undefined,
      );
    }, 100);
  };
  // Published ports follow the engine's container events (an events:subscribe of the agent's own).
  const events = engine.connect((d) => {
    if (d.event.type === 'container') recompute();
  });
  await events.call('events:subscribe', { types: ['container'] });

  const server = net.createServer((sock) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const nl = head.indexOf(10);
      if (nl < 0) {
        if (head.length > MAX_HEADER) sock.destroy();
        return;
      }
      sock.off('data', onData);
      sock.pause();
      let header: AgentHeader;
      try {
        header = parseHeader(head.subarray(0, nl).toString());
      } catch {
        sock.destroy();
        return;
      }
      if (!tokenMatches(token, header.token)) {
        sock.end(encodeFrame(Frame.json, JSON.stringify({ error: 'E_UNAUTHORIZED' })));
        return;
      }
      serve(sock, header, head.subarray(nl + 1));
    };
    sock.on('data', onData);
    sock.on('error', () => undefined);
  });

  const serve = (sock: net.Socket, h: AgentHeader, rest: Buffer): void => {
    switch (h.op) {
      case 'ping': {
        const cg = cgroupInfo();
        const reply: PingReply = { ok: true, kernel: fs.readFileSync('/proc/version', 'utf8').trim(), version: os.release(), cgroupControllers: cg.controllers, delegated: cg.delegated };
        sock.end(encodeFrame(Frame.json, JSON.stringify(reply)));
        return;
      }
      case 'sync': {
        // sync(2) needs no privilege: the data disk is consistent before QEMU quits.
        const p = spawn('sync', [], { stdio: 'ignore' });
        p.on('close', (code) => sock.end(encodeFrame(Frame.exit, JSON.stringify({ code }))));
        p.on('error', () => sock.end(encodeFrame(Frame.exit, JSON.stringify({ code: 1 }))));
        return;
      }
      case 'ports': {
        const send = (ports: GuestPort[]): void => void sock.write(encodeFrame(Frame.json, JSON.stringify(ports)));
        portWatchers.add(send);
        sock.on('close', () => portWatchers.delete(send));
        publishedPorts(engine).then(send, () => send([]));
        sock.resume();
        return;
      }
      case 'api': {
        const up = net.connect(socketPath);
        if (rest.length) up.write(rest);
        sock.pipe(up).pipe(sock);
        up.on('error', () => sock.destroy());
        sock.on('close', () => up.destroy());
        sock.resume();
        return;
      }
      case 'exec':
      case 'cove':
        runProcess(sock, h, rest);
        return;
    }
  };

  const runProcess = (sock: net.Socket, h: AgentHeader, rest: Buffer): void => {
    // The agent's node flags (set by the VM's init) go to the verbs it runs too.
    let argv = h.op === 'cove' ? [process.execPath, ...process.execArgv, opts.cliPath, ...(h.argv ?? [])] : (h.argv ?? []);
    if (argv.length === 0) argv.push('/bin/sh');
    // A terminal on the host: the command gets a pty here (cove-pty relays it; fd 3 takes resizes).
    if (h.tty) argv = [path.join(installPaths().nativeDir, 'cove-pty'), String(h.tty.rows), String(h.tty.cols), ...argv];
    let cwd = h.cwd && fs.existsSync(h.cwd) ? h.cwd : os.homedir();
    if (!fs.existsSync(cwd)) cwd = '/';
    const child = spawn(argv[0] as string, argv.slice(1), { cwd, env: { ...process.env, ...(h.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe', h.tty ? 'pipe' : 'ignore'] });
    // stdio 0-2 are pipes (the spawn above), so these are there.
    const [stdin, stdout, stderr] = [child.stdin as Writable, child.stdout as Readable, child.stderr as Readable];
    const control = h.tty ? (child.stdio[3] as Writable) : undefined;
    control?.on('error', () => undefined);
    const reader = new FrameReader();
    const onFrames = (chunk: Buffer): void => {
      let frames;
      try {
        frames = reader.push(chunk);
      } catch {
        sock.destroy();
        child.kill('SIGKILL');
        return;
      }
      for (const f of frames) {
        if (f.type === Frame.stdin) stdin.write(f.payload);
        else if (f.type === Frame.stdinEnd) stdin.end();
        else if (f.type === Frame.resize && control) {
          const size = parseJson(f.payload);
          if (isTermSize(size)) control.write(`${size.rows} ${size.cols}\n`);
        }
      }
    };
    stdin.on('error', () => undefined);
    if (rest.length) onFrames(rest);
    sock.on('data', onFrames);
    sock.resume();
    stdout.on('data', (d: Buffer) => sock.write(encodeFrame(Frame.stdout, d)));
    stderr.on('data', (d: Buffer) => sock.write(encodeFrame(Frame.stderr, d)));
    child.on('error', (err) => {
      sock.write(encodeFrame(Frame.stderr, `${err.message}\n`));
      sock.end(encodeFrame(Frame.exit, JSON.stringify({ code: 127 })));
    });
    child.on('close', (code, signal) => {
      sock.end(encodeFrame(Frame.exit, JSON.stringify({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0) })));
    });
    // The client went away: the command is ended, as ssh does on a lost connection.
    sock.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGHUP');
    });
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? AGENT_GUEST_PORT, '0.0.0.0', () => resolve());
  });
  return {
    async close() {
      server.close();
      events.close();
      await apiServer.close();
      await engine.close();
    },
  };
}
