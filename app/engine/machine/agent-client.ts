// The host's side of the guest agent's wire (agent-protocol.ts).
import net from 'node:net';
import { Frame, FrameReader, encodeFrame, type AgentHeader, type GuestPort, type PingReply, type TermSize } from './agent-protocol.js';

export interface AgentEndpoint {
  port: number;
  token: string;
}

function open(ep: AgentEndpoint, header: Omit<AgentHeader, 'token'>, timeoutMs?: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(ep.port, '127.0.0.1');
    const timer = timeoutMs ? setTimeout(() => sock.destroy(new Error('timed out')), timeoutMs) : undefined;
    sock.once('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    sock.once('connect', () => {
      if (timer) clearTimeout(timer);
      sock.write(`${JSON.stringify({ ...header, token: ep.token })}\n`);
      resolve(sock);
    });
  });
}

/** One JSON reply (ping); rejects if the agent is not there yet or the guest stack answers nothing. */
export async function ping(ep: AgentEndpoint, timeoutMs = 2000): Promise<PingReply> {
  const sock = await open(ep, { op: 'ping' }, timeoutMs);
  return new Promise((resolve, reject) => {
    const reader = new FrameReader();
    const timer = setTimeout(() => sock.destroy(new Error('no reply')), timeoutMs);
    sock.on('data', (d: Buffer) => {
      for (const f of reader.push(d)) {
        if (f.type !== Frame.json) continue;
        clearTimeout(timer);
        const v = JSON.parse(f.payload.toString()) as PingReply | { error: string };
        sock.destroy();
        if ('error' in v) reject(new Error(v.error));
        else resolve(v);
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    sock.on('close', () => {
      clearTimeout(timer);
      reject(new Error('closed'));
    });
  });
}

export interface ExecIo {
  stdin?: NodeJS.ReadableStream;
  stdout: (d: Buffer) => void;
  stderr: (d: Buffer) => void;
  /** A tty session: called once with a sender for the terminal's new sizes; returns how to stop watching. */
  watchResize?: (send: (size: TermSize) => void) => () => void;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Run on a pseudo-terminal in the VM, of this size. */
  tty?: TermSize;
}

/** Runs a command ("exec") or a cove verb ("cove") in the VM; resolves with its exit code. */
export async function execInGuest(ep: AgentEndpoint, op: 'exec' | 'cove', argv: string[], io: ExecIo, opts: ExecOptions = {}): Promise<number> {
  const sock = await open(ep, { op, argv, ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.tty ? { tty: opts.tty } : {}) });
  const unwatch = opts.tty && io.watchResize ? io.watchResize((size) => void sock.write(encodeFrame(Frame.resize, JSON.stringify(size)))) : undefined;
  return new Promise((resolve, reject) => {
    const reader = new FrameReader();
    let code: number | undefined;
    const onIn = (d: Buffer | string): void => void sock.write(encodeFrame(Frame.stdin, typeof d === 'string' ? Buffer.from(d) : d));
    const onEnd = (): void => void sock.write(encodeFrame(Frame.stdinEnd, ''));
    if (io.stdin) {
      io.stdin.on('data', onIn);
      io.stdin.on('end', onEnd);
    } else onEnd();
    const done = (): void => {
      unwatch?.();
      io.stdin?.off('data', onIn);
      io.stdin?.off('end', onEnd);
      io.stdin?.pause();
    };
    sock.on('data', (d: Buffer) => {
      for (const f of reader.push(d)) {
        if (f.type === Frame.stdout) io.stdout(f.payload);
        else if (f.type === Frame.stderr) io.stderr(f.payload);
        else if (f.type === Frame.exit) code = (JSON.parse(f.payload.toString()) as { code: number }).code;
        else if (f.type === Frame.json) {
          const v = JSON.parse(f.payload.toString()) as { error?: string };
          if (v.error) reject(new Error(`the VM's agent refused: ${v.error}`));
        }
      }
    });
    sock.on('error', (err) => {
      done();
      reject(err);
    });
    sock.on('close', () => {
      done();
      if (code === undefined) reject(new Error('the connection to the VM closed before the command ended'));
      else resolve(code);
    });
  });
}

/** Follows the VM's published ports; `onPorts` gets the whole set each time it changes. */
export async function watchPorts(ep: AgentEndpoint, onPorts: (ports: GuestPort[]) => void): Promise<net.Socket> {
  const sock = await open(ep, { op: 'ports' });
  const reader = new FrameReader();
  sock.on('data', (d: Buffer) => {
    for (const f of reader.push(d)) if (f.type === Frame.json) onPorts(JSON.parse(f.payload.toString()) as GuestPort[]);
  });
  sock.on('error', () => undefined);
  return sock;
}

/** A raw pipe to the engine API socket in the VM. */
export function openApi(ep: AgentEndpoint): Promise<net.Socket> {
  return open(ep, { op: 'api' });
}

export async function syncGuest(ep: AgentEndpoint, timeoutMs = 10_000): Promise<void> {
  const sock = await open(ep, { op: 'sync' }, timeoutMs);
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => sock.destroy(), timeoutMs);
    sock.on('data', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    sock.on('error', () => undefined);
  });
}
