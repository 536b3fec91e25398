import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { EngineError } from '../errors.js';
import type { TlsOptions } from './tls-config.js';

export interface HttpRequestOptions {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: Buffer;
  tls?: TlsOptions;
  signal?: AbortSignal;
  /** Fail when no byte arrives for this long (also while reading the body). */
  idleTimeoutMs?: number;
  maxRedirects?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The URL that answered, after redirects. */
  url: URL;
  body: http.IncomingMessage;
}

/** A transport failure (no HTTP answer): worth a retry, and a resume for blobs. */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

// Keep-alive pools, one per scheme; idle sockets are unref'd so they never keep a CLI process alive.
function pool<T extends http.Agent>(agent: T): T {
  agent.on('free', (socket: Socket) => socket.unref());
  return agent;
}
const agents = { http: pool(new http.Agent({ keepAlive: true, maxSockets: 16 })), https: pool(new https.Agent({ keepAlive: true, maxSockets: 16 })) };

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function once(o: HttpRequestOptions, url: URL, headers: Record<string, string>, method: string, body: Buffer | undefined): Promise<HttpResponse> {
  const secure = url.protocol === 'https:';
  const mod = secure ? https : http;
  const tlsPart = secure && o.tls ? { ca: o.tls.ca, rejectUnauthorized: o.tls.rejectUnauthorized, ...(o.tls.cert ? { cert: o.tls.cert, key: o.tls.key } : {}) } : {};
  return new Promise((resolve, reject) => {
    const req = mod.request(url, {
      method,
      headers: { 'user-agent': 'cove/0.1', ...headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      agent: secure ? agents.https : agents.http,
      ...tlsPart,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    req.on('socket', (socket: Socket) => socket.ref());
    if (o.idleTimeoutMs) {
      req.setTimeout(o.idleTimeoutMs, () => req.destroy(Object.assign(new Error(`no answer from ${url.host} for ${o.idleTimeoutMs} ms`), { code: 'ETIMEDOUT' })));
    }
    req.on('response', (res) => {
      if (o.idleTimeoutMs) res.setTimeout?.(o.idleTimeoutMs);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, url, body: res });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (o.signal?.aborted || err.name === 'AbortError') reject(new EngineError('E_CANCELLED', 'the operation was cancelled', { cause: err }));
      else reject(err);
    });
    req.end(body);
  });
}

/**
 * One HTTP exchange, following redirects for GET and HEAD (blob downloads
 * are often redirected to storage; distribution spec "Pulling blobs").
 * Credentials are not sent to another host than the one they were meant for.
 */
export async function httpRequest(o: HttpRequestOptions): Promise<HttpResponse> {
  let url = o.url;
  let headers = { ...(o.headers ?? {}) };
  let method = o.method;
  let body = o.body;
  for (let hop = 0; ; hop++) {
    const res = await once(o, url, headers, method, body);
    if (!REDIRECTS.has(res.status) || !res.headers.location || (method !== 'GET' && method !== 'HEAD' && res.status !== 303)) return res;
    res.body.resume();
    if (hop >= (o.maxRedirects ?? 10)) throw new EngineError('E_REGISTRY_ERROR', `too many redirects from ${o.url.host} (last: ${url.href})`);
    const next = new URL(res.headers.location, url);
    if (next.host !== url.host || next.protocol !== url.protocol) {
      headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'));
    }
    if (res.status === 303) {
      method = 'GET';
      body = undefined;
    }
    url = next;
  }
}

/** Reads a whole body, refusing more than `limit` bytes (a hostile registry may send gigabytes). */
export async function readBody(res: HttpResponse, limit: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    res.body.destroy();
    throw new EngineError('E_MANIFEST_INVALID', `${what} is ${declared} bytes, more than the ${limit} allowed; the registry sent something that is not image metadata`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) {
      res.body.destroy();
      throw new EngineError('E_MANIFEST_INVALID', `${what} is more than the ${limit} bytes allowed; the registry sent something that is not image metadata`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Wraps transport errors as NetworkError; EngineErrors pass through. */
export function asNetworkError(err: unknown, host: string): unknown {
  if (err instanceof EngineError || err instanceof NetworkError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && (RETRYABLE_CODES.has(e.code) || /^E[A-Z]+$/.test(e.code))) return new NetworkError(`${host}: ${e.message}`, e.code, { cause: err });
  if (e?.message === 'aborted' || /socket hang up|premature close/i.test(e?.message ?? '')) return new NetworkError(`${host}: connection closed early (${e.message})`, 'ECONNRESET', { cause: err });
  return err;
}
