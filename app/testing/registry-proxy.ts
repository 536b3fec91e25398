// A fault-injecting reverse proxy in front of a test registry: each rule
// matches requests and misbehaves a given number of times (status codes,
// truncated or reset bodies, flipped bytes, throttling, replaced bodies),
// and every request is logged so tests can see retries and Range resumes.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  | { kind: 'status'; status: number; headers?: Record<string, string> }
  | { kind: 'unauthorized' }
  | { kind: 'truncate'; after: number }
  | { kind: 'reset'; after: number }
  | { kind: 'corrupt' }
  | { kind: 'slow'; bytesPerSecond: number }
  | { kind: 'body'; body: Buffer; contentType?: string; chunked?: boolean }
  | { kind: 'delay'; ms: number }
  /** 307 to the same path on another origin (blob storage, as registries on S3 do). */
  | { kind: 'redirect'; origin: string };

export interface FaultRule {
  method?: string;
  path: RegExp;
  fault: Fault;
  /** How many matching requests misbehave; Infinity for all. */
  times: number;
}

export interface ProxyLogEntry {
  method: string;
  path: string;
  range: string | undefined;
  authorization: boolean;
  status: number;
  fault: Fault['kind'] | null;
}

export interface FaultProxy {
  host: string;
  url: string;
  rules: FaultRule[];
  log: ProxyLogEntry[];
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  const rules: FaultRule[] = [];
  const log: ProxyLogEntry[] = [];
  const sockets = new Set<Socket>();
  let lastChallenge: string | undefined;
  const server = http.createServer(async (req, res) => {
    const rule = rules.find((r) => r.times > 0 && (!r.method || r.method === req.method) && r.path.test(req.url ?? ''));
    if (rule) rule.times--;
    const fault = rule?.fault ?? null;
    const entry: ProxyLogEntry = { method: req.method ?? '', path: req.url ?? '', range: req.headers.range, authorization: Boolean(req.headers.authorization), status: 0, fault: fault?.kind ?? null };
    log.push(entry);
    if (fault?.kind === 'delay') await sleep(fault.ms);
    if (fault?.kind === 'redirect') {
      entry.status = 307;
      res.writeHead(307, { location: new URL(req.url ?? '/', fault.origin).href }).end();
      req.resume();
      return;
    }
    if (fault?.kind === 'status') {
      entry.status = fault.status;
      res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.headers ?? {}) }).end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `injected ${fault.status}` }] }));
      req.resume();
      return;
    }
    const upstream = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, async (up) => {
      entry.status = up.statusCode ?? 0;
      const headers = { ...up.headers };
      if (typeof up.headers['www-authenticate'] === 'string') lastChallenge = up.headers['www-authenticate'];
      if (fault?.kind === 'unauthorized') {
        entry.status = 401;
        up.resume();
        // What a registry answers when a token expired: the same challenge again.
        const challenge = up.headers['www-authenticate'] ?? lastChallenge ?? 'Basic realm="registry"';
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': challenge }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'token expired (injected)' }] }));
        return;
      }
      if (fault?.kind === 'body') {
        up.resume();
        delete headers['content-length'];
        delete headers['docker-content-digest'];
        if (fault.contentType) headers['content-type'] = fault.contentType;
        if (!fault.chunked) headers['content-length'] = String(fault.body.length);
        res.writeHead(up.statusCode ?? 200, headers);
        res.end(fault.body);
        return;
      }
      res.writeHead(up.statusCode ?? 502, headers);
      let sent = 0;
      let flipped = false;
      for await (const raw of up as AsyncIterable<Buffer>) {
        let chunk = raw;
        if (fault?.kind === 'corrupt' && !flipped && chunk.length > 0) {
          chunk = Buffer.from(chunk);
          const i = Math.floor(chunk.length / 2);
          chunk[i] = (chunk[i] ?? 0) ^ 0xff;
          flipped = true;
        }
        if ((fault?.kind === 'truncate' || fault?.kind === 'reset') && sent + chunk.length >= fault.after) {
          const part = chunk.subarray(0, Math.max(0, fault.after - sent));
          await new Promise<void>((r) => res.write(part, () => r()));
          up.destroy();
          if (fault.kind === 'reset') res.socket?.resetAndDestroy();
          else res.socket?.destroy();
          return;
        }
        if (fault?.kind === 'slow') {
          for (let off = 0; off < chunk.length; off += 1024) {
            const piece = chunk.subarray(off, off + 1024);
            if (!res.write(piece)) await new Promise((r) => res.once('drain', r));
            await sleep((piece.length / fault.bytesPerSecond) * 1000);
            if (res.destroyed) return up.destroy();
          }
          sent += chunk.length;
          continue;
        }
        sent += chunk.length;
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    rules,
    log,
    reset: () => {
      rules.length = 0;
      log.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
