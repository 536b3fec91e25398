// One merged, interpolated, schema-valid service mapping as a ComposeService.
import path from 'node:path';
import type { ComposeBuild, ComposeService } from './compose-types.js';
import { normalizePorts } from './ports.js';
import {
  asBool, asInt, dependsOnOf, environmentOf, extraHostsOf, healthcheckOf, isMap, keyValues, scalar, serviceNetworksOf, stringList, type PartContext,
} from './service-parts.js';
import { parseDuration, shellSplit } from './units.js';
import { normalizeMount } from './volumes.js';
import { formatPath, invalid, type ModelPath, type RawMap } from './yaml-file.js';

export interface ServiceContext extends PartContext {
  warn: (message: string) => void;
}

const RESTART = /^(no|always|unless-stopped|on-failure(:\d+)?)$/;
const PULL_POLICIES: Record<string, ComposeService['pullPolicy']> = { always: 'always', never: 'never', missing: 'missing', if_not_present: 'missing', build: 'build' };

function commandOf(v: unknown, at: ModelPath, ctx: ServiceContext): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(scalar);
  return shellSplit(scalar(v), `${ctx.where(at)}: ${formatPath(at)}`);
}

function buildOf(v: unknown, ctx: ServiceContext & { service: string }): ComposeBuild | undefined {
  if (v === undefined || v === null) return undefined;
  const b = isMap(v) ? v : { context: v };
  const context = b.context === undefined ? '.' : scalar(b.context);
  // A remote context (git or https URL) is not a directory: kept as written, and said so.
  const remote = /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@');
  if (remote) ctx.warn(`${formatPath(['services', ctx.service, 'build', 'context'])}: the remote build context "${context}" is not supported by Cove`);
  return {
    context: remote ? context : path.resolve(ctx.projectDir, context),
    dockerfile: b.dockerfile === undefined ? 'Dockerfile' : scalar(b.dockerfile),
    args: keyValues(b.args, ctx.lookup),
    ...(b.target !== undefined ? { target: scalar(b.target) } : {}),
    labels: keyValues(b.labels, () => ''),
  };
}

function replicasOf(svc: RawMap, at: ModelPath, ctx: ServiceContext): number {
  const deploy = isMap(svc.deploy) ? svc.deploy : {};
  const fromDeploy = asInt(deploy.replicas, [...at, 'deploy', 'replicas'], ctx);
  const fromScale = asInt(svc.scale, [...at, 'scale'], ctx);
  if (fromDeploy !== undefined && fromScale !== undefined && fromDeploy !== fromScale) {
    throw invalid(`${ctx.where([...at, 'scale'])}: ${formatPath(at)}: scale (${fromScale}) and deploy.replicas (${fromDeploy}) differ`);
  }
  const n = fromScale ?? fromDeploy ?? 1;
  if (n < 0) throw invalid(`${ctx.where([...at, 'scale'])}: ${formatPath(at)}: the number of replicas cannot be negative`);
  return n;
}

function put<K extends keyof ComposeService>(svc: ComposeService, key: K, value: ComposeService[K] | undefined): void {
  if (value !== undefined) svc[key] = value as ComposeService[K];
}

export function normalizeService(name: string, raw: RawMap, ctx: ServiceContext): ComposeService {
  const at: ModelPath = ['services', name];
  const sub = (...k: Array<string | number>): ModelPath => [...at, ...k];
  const str = (k: string): string | undefined => (raw[k] === undefined || raw[k] === null ? undefined : scalar(raw[k]));
  if (raw.image === undefined && raw.build === undefined) {
    throw invalid(`${ctx.where(at)}: service "${name}" has neither an image nor a build context specified`);
  }
  if (raw.network_mode !== undefined && raw.networks !== undefined) {
    throw invalid(`${ctx.where(sub('network_mode'))}: service "${name}" declares mutually exclusive network_mode and networks`);
  }
  const svc: ComposeService = {
    name,
    environment: environmentOf(raw, at, ctx),
    ports: normalizePorts(Array.isArray(raw.ports) ? raw.ports : [], sub('ports'), ctx.where),
    expose: stringList(raw.expose),
    volumes: (Array.isArray(raw.volumes) ? raw.volumes : []).flatMap((v, i) => normalizeMount(v, sub('volumes', i), ctx) ?? []),
    networks: raw.network_mode === undefined ? serviceNetworksOf(raw.networks ?? ['default']) : {},
    dependsOn: dependsOnOf(raw.depends_on, sub('depends_on'), ctx),
    labels: keyValues(raw.labels, () => ''),
    capAdd: stringList(raw.cap_add),
    capDrop: stringList(raw.cap_drop),
    securityOpt: stringList(raw.security_opt),
    tmpfs: stringList(raw.tmpfs),
    profiles: stringList(raw.profiles),
    replicas: replicasOf(raw, at, ctx),
    extraHosts: extraHostsOf(raw.extra_hosts),
    dns: stringList(raw.dns),
    tty: asBool(raw.tty, sub('tty'), ctx) ?? false,
    stdinOpen: asBool(raw.stdin_open, sub('stdin_open'), ctx) ?? false,
    extensions: Object.fromEntries(Object.entries(raw).filter(([k]) => k.startsWith('x-'))),
  };
  // links imply a start-order dependency, as in compose.
  for (const link of stringList(raw.links)) {
    const target = link.split(':')[0] as string;
    svc.dependsOn[target] ??= { condition: 'service_started', restart: false, required: true };
  }
  put(svc, 'image', str('image'));
  put(svc, 'build', buildOf(raw.build, { ...ctx, service: name }));
  put(svc, 'command', commandOf(raw.command, sub('command'), ctx));
  put(svc, 'entrypoint', commandOf(raw.entrypoint, sub('entrypoint'), ctx));
  put(svc, 'networkMode', str('network_mode'));
  put(svc, 'healthcheck', healthcheckOf(raw.healthcheck, sub('healthcheck'), ctx));
  const restart = str('restart');
  if (restart !== undefined && !RESTART.test(restart)) {
    throw invalid(`${ctx.where(sub('restart'))}: ${formatPath(sub('restart'))}: "${restart}" is not one of no, always, on-failure[:N], unless-stopped`);
  }
  put(svc, 'restart', restart);
  put(svc, 'containerName', str('container_name'));
  if (svc.containerName !== undefined && svc.replicas > 1) {
    throw invalid(`${ctx.where(sub('container_name'))}: service "${name}" has container_name "${svc.containerName}" and ${svc.replicas} replicas: a container name must be unique`);
  }
  put(svc, 'workingDir', str('working_dir'));
  put(svc, 'user', str('user'));
  put(svc, 'hostname', str('hostname'));
  put(svc, 'init', asBool(raw.init, sub('init'), ctx));
  put(svc, 'readOnly', asBool(raw.read_only, sub('read_only'), ctx));
  put(svc, 'stopSignal', str('stop_signal'));
  if (raw.stop_grace_period !== undefined && raw.stop_grace_period !== null) {
    svc.stopGracePeriodSeconds = parseDuration(raw.stop_grace_period, `${ctx.where(sub('stop_grace_period'))}: ${formatPath(sub('stop_grace_period'))}`) / 1e9;
  }
  if (isMap(raw.logging)) {
    const driver = raw.logging.driver === undefined ? undefined : scalar(raw.logging.driver);
    const options: Record<string, string> = isMap(raw.logging.options) && raw.logging.options['max-size'] !== undefined ? { 'max-size': scalar(raw.logging.options['max-size']) } : {};
    svc.logging = driver === undefined || driver === 'json-file' || driver === 'local' ? { ...(driver ? { driver } : {}), options } : { options: {} };
  }
  const pull = str('pull_policy');
  if (pull !== undefined) svc.pullPolicy = PULL_POLICIES[pull] ?? 'missing';
  return svc;
}
