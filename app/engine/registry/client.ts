import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../errors.js';
import { sha256Of } from '../digest.js';
import type { Descriptor } from '../archive/image-schemas.js';
import { basicHeader, fetchToken, parseChallenge, type Challenge, type Token } from './auth.js';
import { findCredentials, type Credentials } from './credentials.js';
import { asNetworkError, httpRequest, NetworkError, readBody, type HttpResponse } from './http.js';
import { MANIFEST_ACCEPT, MANIFEST_LIMIT } from './manifest.js';
import { isLoopbackRegistry, registryEntryFor, type RegistriesConf } from './registries-conf.js';
import { isCertificateError, isNotTlsError, tlsOptionsFor, type TlsOptions } from './tls-config.js';

export interface RetryPolicy {
  /** Attempts per request, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface ClientOptions {
  env: NodeJS.ProcessEnv;
  conf: RegistriesConf;
  /** false: skip certificate checks and allow plain HTTP (podman's --tls-verify=false). */
  tlsVerify?: boolean;
  retry?: Partial<RetryPolicy>;
  /** A blob download with no byte for this long is dropped and resumed. */
  idleTimeoutMs?: number;
  /** Use these instead of the auth files (cove login checks them before saving). */
  credentials?: Credentials;
}

export interface FetchedManifest {
  bytes: Buffer;
  contentType: string | undefined;
  digest: string;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5000 };
const MAX_RESUMES = 8;

/** Registry hosts as references name them -> where the API is (docker.io is a special case). */
function apiHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

function scopeOf(repository: string, actions: string): string {
  return `repository:${repository}:${actions}`;
}

/**
 * A client for one registry (OCI distribution spec v1.1): endpoint and
 * scheme discovery, authentication (Basic or bearer tokens from the
 * WWW-Authenticate challenge), retries with exponential backoff on 429, 5xx
 * and transport errors, and blob downloads that resume with Range.
 */
export class RegistryClient {
  private base: URL | undefined;
  private tls: TlsOptions | undefined;
  private challenge: Challenge | null = null;
  private readonly tokens = new Map<string, Token>();
  private readonly creds = new Map<string, Credentials | null>();
  private readonly retry: RetryPolicy;
  private probing: Promise<URL> | undefined;

  constructor(
    readonly registry: string,
    private readonly o: ClientOptions,
  ) {
    this.retry = { ...DEFAULT_RETRY, ...(o.retry ?? {}) };
  }

  private async backoff(attempt: number, retryAfter?: string, signal?: AbortSignal): Promise<void> {
    let ms = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** attempt) * (0.5 + Math.random() / 2);
    const after = Number(retryAfter);
    if (Number.isFinite(after) && after >= 0) ms = Math.min(Math.max(ms, after * 1000), 30_000);
    try {
      await sleep(ms, undefined, signal ? { signal } : {});
    } catch {
      throw new EngineError('E_CANCELLED', 'the operation was cancelled');
    }
  }

  /** Finds the API endpoint: HTTPS, or plain HTTP where allowed (insecure registries, loopback). */
  async endpoint(signal?: AbortSignal): Promise<URL> {
    if (this.base) return this.base;
    this.probing ??= this.probe(signal).finally(() => (this.probing = undefined));
    return this.probing;
  }

  private async probe(signal?: AbortSignal): Promise<URL> {
    const entry = registryEntryFor(this.o.conf, this.registry, '');
    if (entry?.blocked) throw new EngineError('E_REGISTRY_ERROR', `${this.registry} is blocked in registries.conf (${this.o.conf.sources.join(', ')})`);
    const host = entry && entry.location !== entry.prefix ? apiHost(entry.location) : apiHost(this.registry);
    const insecure = entry?.insecure === true || this.o.tlsVerify === false;
    const allowHttp = insecure || isLoopbackRegistry(host);
    this.tls = tlsOptionsFor(host, !insecure, this.o.env);
    const tryOne = async (scheme: 'https' | 'http'): Promise<URL> => {
      const base = new URL(`${scheme}://${host}`);
      const res = await this.withRetries(() => httpRequest({ method: 'GET', url: new URL('/v2/', base), tls: this.tls, ...(signal ? { signal } : {}), idleTimeoutMs: 30_000 }), host, signal);
      res.body.resume();
      if (res.status === 401) this.challenge = parseChallenge(res.headers['www-authenticate'] as string | undefined);
      else if (res.status !== 200) throw new EngineError('E_REGISTRY_ERROR', `${host} is not a container registry (GET /v2/ answered HTTP ${res.status})`);
      return base;
    };
    try {
      this.base = await tryOne('https');
    } catch (err) {
      if (isCertificateError(err) || isCertificateError((err as { cause?: unknown }).cause)) {
        const code = (err as NodeJS.ErrnoException).code ?? ((err as { cause?: NodeJS.ErrnoException }).cause?.code ?? '');
        throw new EngineError(
          'E_REGISTRY_TLS',
          `the TLS certificate of ${host} is not trusted (${code}); put its CA in ~/.config/containers/certs.d/${host}/ca.crt, or use --tls-verify=false if you trust this network`,
          { cause: err },
        );
      }
      const notTls = isNotTlsError(err) || isNotTlsError((err as { cause?: unknown }).cause) || (err instanceof EngineError && err.code === 'E_REGISTRY_UNREACHABLE' && allowHttp);
      if (!allowHttp || !notTls) throw err;
      this.base = await tryOne('http');
    }
    return this.base;
  }

  /** Runs `fn` again on transport errors, with backoff; the last failure becomes E_REGISTRY_UNREACHABLE. */
  private async withRetries(fn: () => Promise<HttpResponse>, host: string, signal?: AbortSignal): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (raw) {
        const err = asNetworkError(raw, host);
        if (!(err instanceof NetworkError)) throw err;
        if (isNotTlsError(err.cause) || isCertificateError(err.cause)) throw err.cause;
        if (attempt + 1 >= this.retry.attempts || signal?.aborted) {
          throw new EngineError('E_REGISTRY_UNREACHABLE', `cannot reach ${host}: ${err.message}; check the name, your network and proxy settings`, { cause: raw });
        }
        await this.backoff(attempt, undefined, signal);
      }
    }
  }

  private async credentialsFor(repository: string): Promise<Credentials | undefined> {
    if (this.o.credentials) return this.o.credentials;
    if (!this.creds.has(repository)) this.creds.set(repository, (await findCredentials(this.registry, repository, this.o.env)) ?? null);
    return this.creds.get(repository) ?? undefined;
  }

  private async authorization(repository: string, actions: string, signal?: AbortSignal): Promise<Record<string, string>> {
    const ch = this.challenge;
    if (!ch) return {};
    const creds = await this.credentialsFor(repository);
    if (ch.scheme === 'basic') {
      if (!creds) throw new EngineError('E_REGISTRY_AUTH', `${this.registry} needs a user name and password; log in with: cove login ${this.registry}`);
      return { authorization: basicHeader(creds) };
    }
    const scopes = actions.split(' ').map((a) => (a.includes(':') ? a : scopeOf(repository, a)));
    const key = scopes.join(' ');
    let token = this.tokens.get(key);
    if (!token || token.expiresAt < Date.now()) {
      token = await fetchToken(ch, scopes, creds, this.registry, { tls: this.tls, ...(signal ? { signal } : {}), idleTimeoutMs: 30_000 });
      this.tokens.set(key, token);
    }
    return { authorization: `Bearer ${token.value}` };
  }

  /**
   * An authenticated request: a 401 refreshes the token (or reads a new
   * challenge) once; 429 and 5xx are retried with backoff (distribution
   * spec: clients should retry on TOOMANYREQUESTS and server errors).
   */
  async send(repository: string, actions: string, method: string, path: string, opts: { headers?: Record<string, string>; body?: Buffer; signal?: AbortSignal; idleTimeoutMs?: number; absolute?: URL } = {}): Promise<HttpResponse> {
    const base = await this.endpoint(opts.signal);
    let reauthed = false;
    for (let attempt = 0; ; attempt++) {
      const auth = await this.authorization(repository, actions, opts.signal);
      const url = opts.absolute ?? new URL(path, base);
      const res = await this.withRetries(
        () =>
          httpRequest({
            method,
            url,
            headers: { ...(opts.headers ?? {}), ...auth },
            ...(opts.body ? { body: opts.body } : {}),
            tls: this.tls,
            ...(opts.signal ? { signal: opts.signal } : {}),
            idleTimeoutMs: opts.idleTimeoutMs ?? this.o.idleTimeoutMs ?? 60_000,
          }),
        base.host,
        opts.signal,
      );
      if (res.status === 401 && !reauthed) {
        res.body.resume();
        reauthed = true;
        const fresh = parseChallenge(res.headers['www-authenticate'] as string | undefined);
        if (fresh) this.challenge = fresh;
        this.tokens.clear();
        attempt--;
        continue;
      }
      if (res.status === 401 || res.status === 403) {
        const body = await readBody(res, 64 * 1024, 'the error').catch(() => Buffer.alloc(0));
        const creds = await this.credentialsFor(repository);
        throw new EngineError(
          'E_REGISTRY_AUTH',
          `${this.registry} refused access to ${repository} (HTTP ${res.status}${errorDetail(body)}); ${creds ? `check that ${creds.username} may ${actions} it, or log in again with: cove login ${this.registry}` : `log in with: cove login ${this.registry}`}`,
        );
      }
      if ((res.status === 429 || res.status >= 500) && attempt + 1 < this.retry.attempts) {
        res.body.resume();
        await this.backoff(attempt, res.headers['retry-after'] as string | undefined, opts.signal);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        const body = await readBody(res, 64 * 1024, 'the error').catch(() => Buffer.alloc(0));
        throw new EngineError('E_REGISTRY_ERROR', `${this.registry} answered HTTP ${res.status} ${this.retry.attempts} times for ${method} ${path}${errorDetail(body)}; try again later`);
      }
      return res;
    }
  }

  /** GET a manifest by tag or digest; checks the digest it must have. */
  async getManifest(repository: string, reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const res = await this.send(repository, 'pull', 'GET', `/v2/${repository}/manifests/${reference}`, { headers: { accept: MANIFEST_ACCEPT }, ...(signal ? { signal } : {}) });
    if (res.status === 404) {
      const body = await readBody(res, 64 * 1024, 'the error').catch(() => Buffer.alloc(0));
      throw new EngineError('E_IMAGE_NOT_FOUND', `${this.registry}/${repository}:${reference} was not found in the registry${errorDetail(body)}; check the name and tag`);
    }
    if (res.status !== 200) {
      const body = await readBody(res, 64 * 1024, 'the error').catch(() => Buffer.alloc(0));
      throw new EngineError('E_REGISTRY_ERROR', `${this.registry} answered HTTP ${res.status} for the manifest of ${repository}:${reference}${errorDetail(body)}`);
    }
    const what = `the manifest of ${this.registry}/${repository}:${reference}`;
    const bytes = await readBody(res, MANIFEST_LIMIT, what).catch((err: unknown) => {
      throw err instanceof EngineError ? err : new EngineError('E_REGISTRY_UNREACHABLE', `${what}: the connection broke (${(err as Error).message}); try again`);
    });
    const digest = sha256Of(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new EngineError('E_DIGEST_MISMATCH', `${what}: content has digest ${digest}, but it was asked for by digest ${reference}; the registry or a proxy altered it`);
    }
    const claimed = res.headers['docker-content-digest'];
    if (typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) {
      throw new EngineError('E_DIGEST_MISMATCH', `${what}: content has digest ${digest}, but the registry says ${claimed}; something between you and the registry altered it`);
    }
    return { bytes, contentType: res.headers['content-type'], digest };
  }

  /** Fetches a small blob (the config) whole, checking size and digest. */
  async getBlobBytes(repository: string, desc: Descriptor, limit: number, signal?: AbortSignal): Promise<Buffer> {
    if (desc.size > limit) throw new EngineError('E_MANIFEST_INVALID', `blob ${desc.digest} is ${desc.size} bytes, more than the ${limit} allowed for image metadata`);
    const chunks: Buffer[] = [];
    for await (const chunk of this.blob(repository, desc, signal)) chunks.push(chunk);
    const data = Buffer.concat(chunks);
    if (data.length !== desc.size) throw new EngineError('E_DIGEST_MISMATCH', `blob ${desc.digest} is ${data.length} bytes, but the manifest says ${desc.size}`);
    if (sha256Of(data) !== desc.digest) throw new EngineError('E_DIGEST_MISMATCH', `blob ${desc.digest} has digest ${sha256Of(data)}; the registry sent corrupt data`);
    return data;
  }

  /**
   * Streams a blob. A connection that breaks (reset, truncated, idle) is
   * resumed where it stopped with `Range: bytes=N-` (RFC 9110 §14.2); a
   * registry that ignores Range gets the prefix skipped. The caller checks
   * size and digest of what it reads.
   */
  async *blob(repository: string, desc: Pick<Descriptor, 'digest' | 'size'>, signal?: AbortSignal, onResume?: (offset: number) => void): AsyncGenerator<Buffer> {
    let offset = 0;
    let resumes = 0;
    for (;;) {
      const res = await this.send(repository, 'pull', 'GET', `/v2/${repository}/blobs/${desc.digest}`, {
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        ...(signal ? { signal } : {}),
      });
      if (res.status === 404) {
        res.body.resume();
        throw new EngineError('E_REGISTRY_ERROR', `${this.registry}/${repository} has no blob ${desc.digest} although its manifest lists it; the image is broken in the registry`);
      }
      if (res.status !== 200 && res.status !== 206) {
        const body = await readBody(res, 64 * 1024, 'the error').catch(() => Buffer.alloc(0));
        throw new EngineError('E_REGISTRY_ERROR', `${this.registry} answered HTTP ${res.status} for blob ${desc.digest}${errorDetail(body)}`);
      }
      let skip = 0;
      if (offset > 0 && res.status === 206) {
        const start = /bytes\s+(\d+)-/.exec(String(res.headers['content-range'] ?? ''))?.[1];
        if (Number(start) !== offset) {
          res.body.destroy();
          throw new EngineError('E_REGISTRY_ERROR', `${this.registry} resumed blob ${desc.digest} at the wrong offset (${res.headers['content-range']}, wanted ${offset})`);
        }
      } else if (offset > 0) {
        skip = offset;
      }
      try {
        for await (const chunk of res.body as AsyncIterable<Buffer>) {
          let data = chunk;
          if (skip > 0) {
            const drop = Math.min(skip, data.length);
            skip -= drop;
            data = data.subarray(drop);
            if (data.length === 0) continue;
          }
          offset += data.length;
          yield data;
        }
      } catch (raw) {
        if (signal?.aborted) throw new EngineError('E_CANCELLED', 'the operation was cancelled', { cause: raw });
        const err = asNetworkError(raw, this.registry);
        if (!(err instanceof NetworkError)) throw err;
        if (++resumes > MAX_RESUMES) throw new EngineError('E_REGISTRY_UNREACHABLE', `the download of ${desc.digest} broke ${resumes} times (${err.message}); try again later`);
        onResume?.(offset);
        await this.backoff(Math.min(resumes - 1, 3), undefined, signal);
        continue;
      }
      if (offset >= desc.size) return;
      // The response ended cleanly but short: a truncating proxy or server. Ask for the rest.
      if (++resumes > MAX_RESUMES) throw new EngineError('E_DIGEST_MISMATCH', `the registry keeps ending blob ${desc.digest} after ${offset} of ${desc.size} bytes`);
      onResume?.(offset);
      await this.backoff(Math.min(resumes - 1, 3), undefined, signal);
    }
  }

  /** Checks that the credentials (or anonymous access) work: for cove login. */
  async checkLogin(signal?: AbortSignal): Promise<void> {
    await this.endpoint(signal);
    if (!this.challenge) return;
    if (this.challenge.scheme === 'basic') {
      const res = await this.send('', '', 'GET', '/v2/', { ...(signal ? { signal } : {}) });
      res.body.resume();
      return;
    }
    const creds = await this.credentialsFor('');
    await fetchToken(this.challenge, [], creds, this.registry, { tls: this.tls, ...(signal ? { signal } : {}) });
  }
}

/** The first error of a registry error body ({"errors":[{code,message}]}), for messages. */
function errorDetail(body: Buffer): string {
  try {
    const data = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string; message?: string }> };
    const e = data.errors?.[0];
    if (e) return `: ${[e.code, e.message].filter(Boolean).join(' ')}`;
  } catch {
    // not JSON
  }
  return '';
}

/** One client per registry for the life of an operation, so tokens and endpoints are reused. */
export class RegistryClients {
  private readonly clients = new Map<string, RegistryClient>();
  constructor(private readonly o: ClientOptions) {}
  get(registry: string): RegistryClient {
    let c = this.clients.get(registry);
    if (!c) {
      c = new RegistryClient(registry, this.o);
      this.clients.set(registry, c);
    }
    return c;
  }
}
