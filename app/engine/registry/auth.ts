import { EngineError } from '../errors.js';
import type { Credentials } from './credentials.js';
import { httpRequest, readBody, type HttpRequestOptions } from './http.js';

export interface Challenge {
  scheme: 'bearer' | 'basic';
  params: Record<string, string>;
}

/** Parses WWW-Authenticate (RFC 7235 §4.1); only Bearer and Basic matter to registries. */
export function parseChallenge(header: string | undefined): Challenge | null {
  if (!header) return null;
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'basic') return null;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2] ?? '')) !== null) params[(p[1] ?? '').toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
  return { scheme, params };
}

export function basicHeader(creds: Credentials): string {
  return 'Basic ' + Buffer.from(`${creds.username}:${creds.password}`).toString('base64');
}

export interface Token {
  value: string;
  expiresAt: number;
}

/**
 * Gets a bearer token from the challenge's realm (Docker Registry token
 * authentication spec): GET realm?service=&scope=, with Basic credentials
 * when we have some, anonymously otherwise.
 */
export async function fetchToken(challenge: Challenge, scopes: string[], creds: Credentials | undefined, registry: string, http: Pick<HttpRequestOptions, 'tls' | 'signal' | 'idleTimeoutMs'>): Promise<Token> {
  const realm = challenge.params.realm;
  if (!realm) throw new EngineError('E_REGISTRY_AUTH', `${registry} asked for a bearer token but named no token server (realm)`);
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new EngineError('E_REGISTRY_AUTH', `${registry} named an invalid token server: ${realm}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new EngineError('E_REGISTRY_AUTH', `${registry} named a token server that is not http(s): ${realm}`);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  for (const s of scopes) url.searchParams.append('scope', s);
  const res = await httpRequest({ method: 'GET', url, headers: creds ? { authorization: basicHeader(creds) } : {}, ...http });
  const body = await readBody(res, 1024 * 1024, 'the token response');
  if (res.status === 401 || res.status === 403) {
    throw new EngineError(
      'E_REGISTRY_AUTH',
      creds
        ? `${registry} refused the credentials for ${creds.username}; log in again with: cove login ${registry}`
        : `${registry} needs credentials for ${scopes.join(' ')}; log in with: cove login ${registry}`,
    );
  }
  if (res.status !== 200) throw new EngineError('E_REGISTRY_AUTH', `the token server of ${registry} answered HTTP ${res.status}: ${body.toString('utf8').slice(0, 200)}`);
  let data: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    data = JSON.parse(body.toString('utf8')) as typeof data;
  } catch {
    throw new EngineError('E_REGISTRY_AUTH', `the token server of ${registry} answered something that is not JSON`);
  }
  const value = typeof data.token === 'string' ? data.token : typeof data.access_token === 'string' ? data.access_token : '';
  if (!value) throw new EngineError('E_REGISTRY_AUTH', `the token server of ${registry} answered no token`);
  // The spec's default lifetime is 60 s; renew a little early.
  const ttl = typeof data.expires_in === 'number' && data.expires_in > 0 ? data.expires_in : 60;
  return { value, expiresAt: Date.now() + Math.max(5, ttl - 10) * 1000 };
}
