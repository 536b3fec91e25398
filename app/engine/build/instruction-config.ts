// Instructions that change only the image config (no layer): ENV, LABEL,
// WORKDIR, USER, EXPOSE, VOLUME, CMD, ENTRYPOINT, SHELL, HEALTHCHECK,
// STOPSIGNAL, ONBUILD, MAINTAINER, as Docker's reference describes them.
import path from 'node:path';
import type { Instruction } from './dockerfile-parser.js';
import { dockerfileError, flag } from './dockerfile-parser.js';
import { expandWord, expandWords, type VarLookup } from './dockerfile-words.js';
import { atLine, keyValues } from './dockerfile-stages.js';
import { parseDuration } from '../go-duration.js';

export interface Healthcheck {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The `config` object of an OCI/Docker image config, as a build changes it. */
export interface RunnableConfig {
  Env: string[];
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, object>;
  Volumes?: Record<string, object>;
  Labels?: Record<string, string>;
  Healthcheck?: Healthcheck;
  StopSignal?: string;
  OnBuild?: string[];
  Shell?: string[];
  [key: string]: unknown;
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];

export interface ConfigStep {
  file: string;
  escape: string;
  lookup: VarLookup;
  /** Author (MAINTAINER) goes outside `config`. */
  setAuthor(author: string): void;
  /** Whether this stage set CMD itself (an ENTRYPOINT then keeps it). */
  cmdSetInStage: boolean;
}

export function envValue(env: string[], name: string): string | undefined {
  for (let i = env.length - 1; i >= 0; i--) {
    const e = env[i] as string;
    if (e.startsWith(`${name}=`)) return e.slice(name.length + 1);
  }
  return undefined;
}

export function setEnv(env: string[], name: string, value: string): string[] {
  return [...env.filter((e) => !e.startsWith(`${name}=`) && e !== name), `${name}=${value}`];
}

// HEALTHCHECK flags take Go durations, as `run --health-*` does.
export { parseDuration };

/** CMD/ENTRYPOINT/RUN arguments: the JSON form as given, the shell form through SHELL. */
export function commandLine(ins: Instruction, shell: string[]): string[] {
  return ins.json ?? [...shell, ins.args];
}

/**
 * Applies a config-only instruction; returns the variables it read (for the
 * cache key), or null when `ins` is not one of them.
 */
export function applyConfigInstruction(ins: Instruction, cfg: RunnableConfig, step: ConfigStep): Set<string> | null {
  const { file, escape, lookup } = step;
  const used = new Set<string>();
  const word = (text: string): string => {
    const r = atLine(file, ins, () => expandWord(text, lookup, escape));
    r.used.forEach((u) => used.add(u));
    return r.word;
  };
  const words = (text: string): string[] => {
    const r = atLine(file, ins, () => expandWords(text, lookup, escape));
    r.used.forEach((u) => used.add(u));
    return r.words;
  };
  switch (ins.keyword) {
    case 'ENV': {
      const kv = keyValues(file, ins, lookup, escape);
      kv.used.forEach((u) => used.add(u));
      for (const [k, v] of kv.pairs) cfg.Env = setEnv(cfg.Env, k, v);
      return used;
    }
    case 'LABEL': {
      const kv = keyValues(file, ins, lookup, escape);
      kv.used.forEach((u) => used.add(u));
      cfg.Labels = { ...(cfg.Labels ?? {}) };
      for (const [k, v] of kv.pairs) cfg.Labels[k] = v;
      return used;
    }
    case 'MAINTAINER':
      step.setAuthor(ins.args.trim());
      return used;
    case 'WORKDIR': {
      const dir = word(ins.args.trim());
      cfg.WorkingDir = path.posix.resolve(cfg.WorkingDir || '/', dir);
      return used;
    }
    case 'USER':
      cfg.User = word(ins.args.trim());
      return used;
    case 'STOPSIGNAL':
      cfg.StopSignal = word(ins.args.trim());
      return used;
    case 'EXPOSE': {
      cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}) };
      for (const p of words(ins.args)) {
        const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(p);
        if (!m) throw dockerfileError(file, ins.line, `invalid port "${p}" for EXPOSE: use PORT[/tcp|udp] or a range like 8000-8010`);
        const from = Number(m[1]);
        const to = m[2] ? Number(m[2]) : from;
        if (from < 1 || to > 65535 || to < from) throw dockerfileError(file, ins.line, `invalid port range "${p}" for EXPOSE`);
        for (let port = from; port <= to; port++) cfg.ExposedPorts[`${port}/${(m[3] ?? 'tcp').toLowerCase()}`] = {};
      }
      return used;
    }
    case 'VOLUME': {
      cfg.Volumes = { ...(cfg.Volumes ?? {}) };
      const list = ins.json ? ins.json.map((v) => word(v)) : words(ins.args);
      for (const v of list) {
        if (v.trim() === '') throw dockerfileError(file, ins.line, 'VOLUME with an empty path');
        cfg.Volumes[v] = {};
      }
      return used;
    }
    case 'CMD':
      cfg.Cmd = commandLine(ins, cfg.Shell ?? DEFAULT_SHELL);
      step.cmdSetInStage = true;
      return used;
    case 'ENTRYPOINT':
      cfg.Entrypoint = commandLine(ins, cfg.Shell ?? DEFAULT_SHELL);
      // Docker: an ENTRYPOINT resets a CMD inherited from the base image.
      if (!step.cmdSetInStage) cfg.Cmd = null;
      return used;
    case 'SHELL':
      if (!ins.json || ins.json.length === 0) throw dockerfileError(file, ins.line, 'SHELL must be in JSON form: SHELL ["executable", "parameters"]');
      cfg.Shell = ins.json;
      return used;
    case 'ONBUILD': {
      const inner = /^\s*(\S+)/.exec(ins.args)?.[1]?.toUpperCase() ?? '';
      if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(inner)) throw dockerfileError(file, ins.line, `${inner} is not allowed as an ONBUILD trigger`);
      cfg.OnBuild = [...(cfg.OnBuild ?? []), ins.args.trim()];
      return used;
    }
    case 'HEALTHCHECK': {
      const rest = ins.args.trim();
      if (/^NONE$/i.test(rest)) {
        if (ins.flags.length) throw dockerfileError(file, ins.line, 'HEALTHCHECK NONE takes no flags');
        cfg.Healthcheck = { Test: ['NONE'] };
        return used;
      }
      const m = /^CMD\s+([\s\S]+)$/i.exec(rest);
      if (!m) throw dockerfileError(file, ins.line, 'HEALTHCHECK needs NONE or CMD command');
      const body = (m[1] as string).trim();
      let json: string[] | null = null;
      try {
        const v: unknown = JSON.parse(body);
        if (Array.isArray(v) && v.every((x) => typeof x === 'string')) json = v as string[];
      } catch {
        json = null;
      }
      const hc: Healthcheck = { Test: json ? ['CMD', ...json] : ['CMD-SHELL', body] };
      for (const [name, key] of [['interval', 'Interval'], ['timeout', 'Timeout'], ['start-period', 'StartPeriod'], ['start-interval', 'StartInterval']] as const) {
        const v = flag(ins, name);
        if (v === undefined || v === null) continue;
        const ns = parseDuration(v);
        if (ns === null) throw dockerfileError(file, ins.line, `invalid --${name}=${v}: use a duration like 30s or 1m30s`);
        hc[key] = ns;
      }
      const retries = flag(ins, 'retries');
      if (retries !== undefined && retries !== null) {
        if (!/^\d+$/.test(retries)) throw dockerfileError(file, ins.line, `invalid --retries=${retries}`);
        hc.Retries = Number(retries);
      }
      cfg.Healthcheck = hc;
      return used;
    }
    default:
      return null;
  }
}
