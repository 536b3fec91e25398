// Normalisers for the service keys with several syntaxes: environment and
// env_file, labels, depends_on, networks, healthcheck, extra_hosts.
import type { HealthcheckConfig } from '../../../api/contract.js';
import type { ComposeDependency, ComposeServiceNetwork, DependsOnCondition } from './compose-types.js';
import { readEnvFile } from './env-file.js';
import type { Lookup } from './interpolate.js';
import { parseDuration } from './units.js';
import { hostPath } from './volumes.js';
import { formatPath, invalid, type ModelPath, type RawMap } from './yaml-file.js';

export interface PartContext {
  projectDir: string;
  home: string;
  lookup: Lookup;
  where: (p: ModelPath) => string;
}

export function isMap(v: unknown): v is RawMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function scalar(v: unknown): string {
  return v === null || v === undefined ? '' : String(v);
}

export function asBool(v: unknown, at: ModelPath, ctx: PartContext): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === true || v === 'true' || v === 'True' || v === 'TRUE') return true;
  if (v === false || v === 'false' || v === 'False' || v === 'FALSE') return false;
  throw invalid(`${ctx.where(at)}: ${formatPath(at)}: expected true or false, got "${String(v)}"`);
}

export function asInt(v: unknown, at: ModelPath, ctx: PartContext): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : /^-?\d+$/.test(String(v).trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw invalid(`${ctx.where(at)}: ${formatPath(at)}: expected an integer, got "${String(v)}"`);
  return n;
}

export function stringList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(scalar) : [scalar(v)];
}

/** `KEY=VALUE` list or mapping as a map; `bare` decides a key given without a value (undefined: dropped). */
export function keyValues(v: unknown, bare: (key: string) => string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, val: string | undefined) => {
    if (val !== undefined) out[k] = val;
  };
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = scalar(item);
      const eq = s.indexOf('=');
      if (eq < 0) put(s, bare(s));
      else put(s.slice(0, eq), s.slice(eq + 1));
    }
  } else if (isMap(v)) {
    for (const [k, val] of Object.entries(v)) put(k, val === null || val === undefined ? bare(k) : scalar(val));
  }
  return out;
}

/** env_file contents (in order, later files win) under `environment`. */
export function environmentOf(svc: RawMap, at: ModelPath, ctx: PartContext): Record<string, string> {
  const env: Record<string, string> = {};
  const files = svc.env_file === undefined || svc.env_file === null ? [] : Array.isArray(svc.env_file) ? svc.env_file : [svc.env_file];
  files.forEach((f, i) => {
    const entry: RawMap = isMap(f) ? f : { path: f };
    const file = hostPath(scalar(entry.path), ctx);
    const required = entry.required === undefined ? true : asBool(entry.required, [...at, 'env_file', i, 'required'], ctx);
    try {
      Object.assign(env, readEnvFile(file, ctx.lookup, entry.format === 'raw'));
    } catch (err) {
      if (required || !/not found$/.test((err as Error).message)) {
        throw invalid(`${ctx.where([...at, 'env_file', i])}: ${formatPath([...at, 'env_file', i])}: ${(err as Error).message}`);
      }
    }
  });
  Object.assign(env, keyValues(svc.environment, ctx.lookup));
  return env;
}

const CONDITIONS: DependsOnCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

export function dependsOnOf(v: unknown, at: ModelPath, ctx: PartContext): Record<string, ComposeDependency> {
  const out: Record<string, ComposeDependency> = {};
  if (Array.isArray(v)) {
    for (const name of v) out[scalar(name)] = { condition: 'service_started', restart: false, required: true };
  } else if (isMap(v)) {
    for (const [name, cfg] of Object.entries(v)) {
      const c = isMap(cfg) ? cfg : {};
      const condition = c.condition === undefined ? 'service_started' : scalar(c.condition);
      if (!CONDITIONS.includes(condition as DependsOnCondition)) {
        throw invalid(`${ctx.where([...at, name, 'condition'])}: ${formatPath([...at, name, 'condition'])}: "${condition}" is not one of ${CONDITIONS.join(', ')}`);
      }
      out[name] = {
        condition: condition as DependsOnCondition,
        restart: asBool(c.restart, [...at, name, 'restart'], ctx) ?? false,
        required: asBool(c.required, [...at, name, 'required'], ctx) ?? true,
      };
    }
  }
  return out;
}

export function serviceNetworksOf(v: unknown): Record<string, ComposeServiceNetwork> {
  const out: Record<string, ComposeServiceNetwork> = {};
  if (Array.isArray(v)) for (const n of v) out[scalar(n)] = { aliases: [] };
  else if (isMap(v)) {
    for (const [n, cfg] of Object.entries(v)) {
      const c = isMap(cfg) ? cfg : {};
      const net: ComposeServiceNetwork = { aliases: stringList(c.aliases) };
      if (c.ipv4_address !== undefined && c.ipv4_address !== null && c.ipv4_address !== '') net.ipv4Address = scalar(c.ipv4_address);
      out[n] = net;
    }
  }
  return out;
}

export function healthcheckOf(v: unknown, at: ModelPath, ctx: PartContext): HealthcheckConfig | undefined {
  if (!isMap(v)) return undefined;
  if (asBool(v.disable, [...at, 'disable'], ctx)) return { test: ['NONE'] };
  const hc: HealthcheckConfig = { test: [] };
  if (typeof v.test === 'string') hc.test = ['CMD-SHELL', v.test];
  else if (Array.isArray(v.test)) hc.test = v.test.map(scalar);
  const dur = (key: string): number | undefined => (v[key] === undefined || v[key] === null ? undefined : parseDuration(v[key], `${ctx.where([...at, key])}: ${formatPath([...at, key])}`));
  const interval = dur('interval');
  const timeout = dur('timeout');
  const startPeriod = dur('start_period');
  const startInterval = dur('start_interval');
  const retries = asInt(v.retries, [...at, 'retries'], ctx);
  if (interval !== undefined) hc.intervalNs = interval;
  if (timeout !== undefined) hc.timeoutNs = timeout;
  if (startPeriod !== undefined) hc.startPeriodNs = startPeriod;
  if (startInterval !== undefined) hc.startIntervalNs = startInterval;
  if (retries !== undefined) hc.retries = retries;
  return hc;
}

/** `name:ip` entries from `name:ip`, `name=ip` or a mapping (a list of IPs gives one entry each). */
export function extraHostsOf(v: unknown): string[] {
  if (isMap(v)) {
    return Object.entries(v).flatMap(([host, ip]) => (Array.isArray(ip) ? ip : [ip]).map((x) => `${host}:${scalar(x)}`));
  }
  return stringList(v).map((s) => {
    const eq = s.indexOf('=');
    return eq >= 0 ? `${s.slice(0, eq)}:${s.slice(eq + 1)}` : s;
  });
}
