// Small HTTP helpers for the Docker Engine API adapter: the request as the
// routes see it, JSON and error replies in docker's shapes, and the version
// prefix docker clients put on every path (/v1.50/containers/json).
import type http from 'node:http';
import type { ApiError, ErrorCode } from '../api/contract.js';

/** The API versions this adapter answers: docker's minimum for current clients up to docker CLI 28's. */
export const DOCKER_API_VERSION = '1.50';
export const DOCKER_API_MIN_VERSION = '1.24';

export interface DockerRequest {
  method: string;
  /** The path without the version prefix, e.g. /containers/json. */
  path: string;
  /** The version the client asked for in the path, or the server's when it gave none. */
  version: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** Path parameters from the route pattern, e.g. {id}. */
  params: Record<string, string>;
  /** The request itself, for endpoints whose body is a stream (archives, build contexts, image loads). */
  raw: http.IncomingMessage;
  /** Reads the body (bounded); JSON bodies through json(). */
  body(): Promise<Buffer>;
  json<T>(): Promise<T | undefined>;
}

/** A thrown reply: status + docker's {"message": ...} body. */
export class DockerHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'DockerHttpError';
  }
}

// Docker's status for each kind of failure (the API reference: 404 no such
// object, 409 conflict, 400 bad parameter, 401 auth, 500 server error).
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  E_INVALID_ARGUMENT: 400,
  E_INVALID_REFERENCE: 400,
  E_IMAGE_NOT_FOUND: 404,
  E_CONTAINER_NOT_FOUND: 404,
  E_VOLUME_NOT_FOUND: 404,
  E_PLATFORM_NOT_FOUND: 404,
  E_NAME_IN_USE: 409,
  E_CONTAINER_RUNNING: 409,
  E_CONTAINER_NOT_RUNNING: 409,
  E_IMAGE_IN_USE: 409,
  E_VOLUME_IN_USE: 409,
  E_REGISTRY_AUTH: 401,
  E_UNAUTHORIZED: 401,
};

/** docker's status for an engine error; codes added later follow the naming rule (_NOT_FOUND, _IN_USE). */
export function apiErrorStatus(error: ApiError): number {
  const known = STATUS_BY_CODE[error.code];
  if (known) return known;
  if (error.code.endsWith('_NOT_FOUND')) return 404;
  if (error.code.endsWith('_IN_USE') || error.code.endsWith('_EXISTS')) return 409;
  return 500;
}

const VERSION_PREFIX = /^\/v(\d+\.\d+)(\/.*)$/;

/** Splits /v1.50/x into ("1.50", "/x"); refuses versions outside what this server speaks. */
export function splitVersion(rawPath: string): { version: string; path: string } {
  const m = VERSION_PREFIX.exec(rawPath);
  if (!m) return { version: DOCKER_API_VERSION, path: rawPath };
  const version = m[1] as string;
  if (compareVersions(version, DOCKER_API_VERSION) > 0) {
    throw new DockerHttpError(400, `client version ${version} is too new. Maximum supported API version is ${DOCKER_API_VERSION}`);
  }
  if (compareVersions(version, DOCKER_API_MIN_VERSION) < 0) {
    throw new DockerHttpError(400, `client version ${version} is too old. Minimum supported API version is ${DOCKER_API_MIN_VERSION}, please upgrade your client to a newer version`);
  }
  return { version, path: m[2] as string };
}

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...serverHeaders() });
  res.end(text);
}

export function sendError(res: http.ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { message });
}

export function sendEmpty(res: http.ServerResponse, status: number): void {
  res.writeHead(status, serverHeaders());
  res.end();
}

/** Headers docker sends on every reply; clients negotiate their version from API-Version. */
export function serverHeaders(): Record<string, string> {
  return {
    'Api-Version': DOCKER_API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Cove/${DOCKER_API_VERSION} (linux)`,
  };
}

/** docker's boolean query parameters: 1/true/True, anything else false. */
export function queryBool(q: URLSearchParams, name: string, fallback = false): boolean {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  return v === '1' || v.toLowerCase() === 'true';
}

export function queryInt(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new DockerHttpError(400, `invalid value for ${name}: ${v}`);
  return n;
}

/** docker's `filters` query parameter: JSON of name -> [values] (or name -> {value: true} in old clients). */
export function parseFilters(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new DockerHttpError(400, `invalid filter: ${raw}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new DockerHttpError(400, `invalid filter: ${raw}`);
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(v)) out.set(k, v.map(String));
    else if (typeof v === 'object' && v !== null) out.set(k, Object.keys(v).filter((key) => (v as Record<string, unknown>)[key] === true));
    else throw new DockerHttpError(400, `invalid filter '${k}'`);
  }
  return out;
}
