// Runtime validation of every API input that crosses a trust boundary
// (Electron IPC from the renderer, WebSocket frames from a browser, the unix
// socket). The method table in the contract gives the types; PARAM_SCHEMAS is
// keyed by it (a mapped type: a method without a schema does not compile,
// nor does a schema whose type differs from the table's params).
import { z } from 'zod';
import { EVENT_TYPES, isApiMethod, type ApiMethod, type ComposeTarget, type EventType, type ApiParams, type DesktopPreferences, type RunOptions, type TerminalOpenParams } from '../api/contract.js';

import { encodedSize, MAX_PARAMS_BYTES } from './frame-limits.js';

export { isApiMethod };

const containerId = z.string().min(1).max(128).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'not a container id or name');
const reference = z.string().min(1).max(512);
const empty = z.object({}).strict();
const volumeName = z.string().min(1).max(128).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'not a volume name');
const networkName = z.string().min(1).max(128).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'not a network name or id');
// validateName in app/engine/machine/machine-store.ts says the same, with its own message.
const machineName = z.string().min(1).max(63).regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'not a machine name');
const strings = (max = 256) => z.array(z.string().min(1).max(4096)).max(max);

// Health durations travel in nanoseconds (docker's API unit); a day is plenty and stays a safe integer.
const durationNs = z.number().int().min(0).max(86_400e9);

const runOptionsObject = z
  .object({
    image: reference,
    name: containerId.optional(),
    command: z.array(z.string().max(65536)).max(4096).optional(),
    env: z.array(z.string().min(1).max(65536).regex(/^[^=]+(=|$)/, 'env entries are KEY=VALUE')).max(4096).optional(),
    autoRemove: z.boolean().optional(),
    runtime: z.string().min(1).max(4096).optional(),
    logMaxSize: z.string().max(32).optional(),
    tty: z.boolean().optional(),
    interactive: z.boolean().optional(),
    ports: strings().optional(),
    publishAll: z.boolean().optional(),
    volumes: strings().optional(),
    mounts: strings().optional(),
    tmpfs: strings().optional(),
    workdir: z.string().min(1).max(4096).optional(),
    user: z.string().min(1).max(256).optional(),
    entrypoint: z.array(z.string().max(65536)).max(4096).optional(),
    labels: z.record(z.string().max(256), z.string().max(4096)).optional(),
    restart: z.string().max(64).optional(),
    stopSignal: z.string().max(16).optional(),
    stopTimeout: z.number().int().min(0).max(3600).optional(),
    init: z.boolean().optional(),
    readOnly: z.boolean().optional(),
    capAdd: strings(64).optional(),
    capDrop: strings(64).optional(),
    securityOpt: strings(16).optional(),
    memory: z.string().max(32).optional(),
    memorySwap: z.string().max(32).optional(),
    cpus: z.number().positive().max(1024).optional(),
    cpuShares: z.number().int().min(2).max(262_144).optional(),
    pidsLimit: z.number().int().min(-1).max(4_194_304).optional(),
    network: z.string().min(1).max(256).optional(),
    networkAliases: strings(16).optional(),
    ip: z.string().min(7).max(15).optional(),
    extraNetworks: z.array(z.object({ name: networkName, aliases: strings(16).optional(), ip: z.string().min(7).max(15).optional() }).strict()).max(15).optional(),
    hostname: z.string().min(1).max(253).optional(),
    addHost: strings().optional(),
    dns: strings(16).optional(),
    healthcheck: z
      .object({
        test: z.array(z.string().max(65536)).max(4096),
        intervalNs: durationNs.optional(),
        timeoutNs: durationNs.optional(),
        startPeriodNs: durationNs.optional(),
        startIntervalNs: durationNs.optional(),
        retries: z.number().int().min(0).max(1_000_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

// Optional fields make z.ZodType<RunOptions> accept a schema that lacks some: check the keys too, so a
// run option added to the contract without a rule here does not compile (and is not refused at run time).
type MissingRules = Exclude<keyof RunOptions, keyof z.infer<typeof runOptionsObject>>;
const everyRunOptionHasARule: [MissingRules] extends [never] ? true : MissingRules = true;
void everyRunOptionHasARule;
const runOptions: z.ZodType<RunOptions> = runOptionsObject;

// Host paths name files of the engine's host: absolute, since the engine's working directory is not the client's.
const hostPath = z.string().min(1).max(4096).regex(/^\//, 'host paths are absolute');
const containerPath = z.string().min(1).max(4096);

const subscriptionId = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'not a subscription id');

// compose (issue 14): a target names files on the engine's host; the client's environment travels for interpolation.
const serviceName = z.string().min(1).max(256).regex(/^[a-zA-Z0-9._-]+$/, 'not a service name');
const services = z.array(serviceName).max(256).optional();
const composeTargetShape = {
  files: z.array(z.string().min(1).max(4096)).max(64).optional(),
  projectDirectory: z.string().min(1).max(4096).optional(),
  projectName: z.string().min(1).max(256).regex(/^[a-z0-9][a-z0-9_-]*$/, 'project names are lowercase letters, digits, dashes and underscores, starting with a letter or digit').optional(),
  profiles: z.array(z.string().min(1).max(256)).max(64).optional(),
  envFiles: z.array(z.string().min(1).max(4096)).max(64).optional(),
  environment: z.record(z.string().max(4096), z.string().max(131_072)).optional(),
  cwd: hostPath.optional(),
};
const composeTarget: z.ZodType<ComposeTarget> = z.object(composeTargetShape).strict();
const timeoutSeconds = z.number().int().min(0).max(3600).optional();

export const PARAM_SCHEMAS: { [M in ApiMethod]: z.ZodType<ApiParams<M>> } = {
  'containers:list': z.object({ all: z.boolean() }).strict(),
  'containers:run': runOptions,
  'containers:create': runOptions,
  'containers:start': z.object({ id: containerId }).strict(),
  'containers:stop': z.object({ id: containerId, timeoutSeconds: z.number().int().min(0).max(3600).optional() }).strict(),
  'containers:kill': z
    .object({ id: containerId, signal: z.string().regex(/^(SIG)?[A-Z0-9]+$|^[0-9]{1,2}$/).optional() })
    .strict(),
  'containers:remove': z.object({ id: containerId, force: z.boolean(), volumes: z.boolean().optional() }).strict(),
  'containers:logs': z.object({ id: containerId, tail: z.number().int().min(0).max(1_000_000).optional() }).strict(),
  'containers:inspect': z.object({ id: containerId }).strict(),
  'containers:restart': z.object({ id: containerId, timeoutSeconds: z.number().int().min(0).max(3600).optional() }).strict(),
  'images:list': empty,
  'images:remove': z.object({ reference, force: z.boolean() }).strict(),
  'images:pull': z
    .object({ reference, platform: z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, 'platform is os/arch[/variant]').optional(), tlsVerify: z.boolean().optional() })
    .strict(),
  'images:inspect': z.object({ reference }).strict(),
  'images:history': z.object({ reference }).strict(),
  'images:tag': z.object({ source: reference, target: reference }).strict(),
  'images:prune': z.object({ all: z.boolean() }).strict(),
  'images:push': z.object({ reference, destination: reference.optional(), tlsVerify: z.boolean().optional() }).strict(),
  'tasks:list': empty,
  'tasks:cancel': z.object({ id: z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/) }).strict(),
  'system:doctor': empty,
  'system:dockerContext': empty,
  'system:useDockerContext': z.object({ enabled: z.boolean() }).strict(),
  'volumes:list': empty,
  'stats:history': z.object({ id: containerId, seconds: z.number().int().min(1).max(86_400).optional() }).strict(),
  'stats:current': empty,
  'containers:top': z.object({ id: containerId }).strict(),
  'containers:pause': z.object({ id: containerId }).strict(),
  'containers:unpause': z.object({ id: containerId }).strict(),
  'containers:rename': z.object({ id: containerId, name: containerId }).strict(),
  'containers:prune': empty,
  'volumes:create': z.object({ name: volumeName.optional(), labels: z.record(z.string().max(256), z.string().max(4096)).optional() }).strict(),
  'volumes:inspect': z.object({ name: volumeName }).strict(),
  'volumes:remove': z.object({ name: volumeName, force: z.boolean() }).strict(),
  'volumes:prune': empty,
  'networks:list': empty,
  'networks:create': z
    .object({
      name: networkName,
      subnet: z.string().min(9).max(18).optional(),
      gateway: z.string().min(7).max(15).optional(),
      internal: z.boolean().optional(),
      labels: z.record(z.string().max(256), z.string().max(4096)).optional(),
      driver: z.string().min(1).max(64).optional(),
    })
    .strict(),
  'networks:inspect': z.object({ name: networkName }).strict(),
  'networks:remove': z.object({ name: networkName, force: z.boolean().optional() }).strict(),
  'networks:prune': empty,
  'networks:connect': z.object({ network: networkName, container: containerId, aliases: strings(16).optional(), ip: z.string().min(7).max(15).optional() }).strict(),
  'networks:disconnect': z.object({ network: networkName, container: containerId }).strict(),
  'machines:list': empty,
  'machines:start': z.object({ name: machineName.optional() }).strict(),
  'machines:stop': z.object({ name: machineName.optional() }).strict(),
  'settings:get': empty,
  'settings:set': z.object({ runtime: z.string().min(1).max(4096).optional() }).strict(),
  'builder:build': z
    .object({
      context: z.string().min(1).max(4096),
      dockerfile: z.string().min(1).max(4096).optional(),
      tags: z.array(reference).max(64).optional(),
      buildArgs: z.record(z.string().min(1).max(256), z.string().max(65_536)).optional(),
      target: z.string().min(1).max(128).optional(),
      noCache: z.boolean().optional(),
      pull: z.boolean().optional(),
      labels: z.record(z.string().min(1).max(256), z.string().max(4096)).optional(),
    })
    .strict(),
  'builder:prune': empty,
  'logs:follow': z.object({ id: containerId, tail: z.number().int().min(0).max(100_000).optional() }).strict(),
  'events:subscribe': z.object({ types: z.array(z.enum(EVENT_TYPES as readonly [EventType, ...EventType[]])).max(EVENT_TYPES.length).optional() }).strict(),
  'subscriptions:close': z.object({ subscription: subscriptionId }).strict(),
  'containers:wait': z.object({ id: containerId }).strict(),
  'containers:diff': z.object({ id: containerId }).strict(),
  'containers:port': z.object({ id: containerId }).strict(),
  'containers:export': z.object({ id: containerId }).strict(),
  'containers:copyTo': z.object({ id: containerId, hostPath, path: containerPath }).strict(),
  'containers:copyFrom': z.object({ id: containerId, path: containerPath, hostPath }).strict(),
  'containers:update': z
    .object({ id: containerId, memory: z.string().max(32).optional(), memorySwap: z.string().max(32).optional(), cpus: z.number().positive().max(1024).optional(), cpuShares: z.number().int().min(2).max(262_144).optional(), pidsLimit: z.number().int().min(-1).max(4_194_304).optional() })
    .strict(),
  'containers:archive': z.object({ id: containerId, path: containerPath }).strict(),
  'containers:extract': z.object({ id: containerId, hostPath, path: containerPath }).strict(),
  'images:load': z.object({ path: hostPath }).strict(),
  'images:save': z.object({ references: z.array(reference).min(1).max(256), path: hostPath, format: z.enum(['docker-archive', 'oci-archive']) }).strict(),
  'images:import': z.object({ path: hostPath, reference: reference.optional(), changes: strings(64).optional(), message: z.string().max(4096).optional() }).strict(),
  'registries:login': z.object({ registry: z.string().min(1).max(512), username: z.string().min(1).max(512), password: z.string().min(1).max(65536), tlsVerify: z.boolean().optional() }).strict(),
  'registries:logout': z.object({ registry: z.string().min(1).max(512) }).strict(),
  'system:df': empty,
  'system:check': z.object({ repair: z.boolean(), deep: z.boolean() }).strict(),
  'compose:config': composeTarget,
  'compose:up': z
    .object({
      ...composeTargetShape,
      services,
      build: z.boolean().optional(),
      forceRecreate: z.boolean().optional(),
      noRecreate: z.boolean().optional(),
      noDeps: z.boolean().optional(),
      removeOrphans: z.boolean().optional(),
      wait: z.boolean().optional(),
      scale: z.record(serviceName, z.number().int().min(0).max(1000)).optional(),
      noStart: z.boolean().optional(),
      pull: z.enum(['always', 'missing', 'never']).optional(),
    })
    .strict(),
  'compose:down': z.object({ ...composeTargetShape, volumes: z.boolean().optional(), rmi: z.enum(['local', 'all']).optional(), removeOrphans: z.boolean().optional(), timeoutSeconds }).strict(),
  'compose:action': z
    .object({
      ...composeTargetShape,
      action: z.enum(['start', 'stop', 'restart', 'kill', 'rm', 'pause', 'unpause']),
      services,
      timeoutSeconds,
      signal: z.string().regex(/^(SIG)?[A-Z0-9]+$|^[0-9]{1,2}$/).optional(),
      force: z.boolean().optional(),
      volumes: z.boolean().optional(),
    })
    .strict(),
  'compose:build': z.object({ ...composeTargetShape, services, noCache: z.boolean().optional(), pull: z.boolean().optional() }).strict(),
  'compose:pull': z.object({ ...composeTargetShape, services, ignoreFailures: z.boolean().optional() }).strict(),
  'compose:push': z.object({ ...composeTargetShape, services }).strict(),
  'compose:ps': z.object({ ...composeTargetShape, all: z.boolean().optional(), services }).strict(),
  'compose:ls': z.object({ all: z.boolean().optional() }).strict(),
  'compose:run': z
    .object({
      ...composeTargetShape,
      service: serviceName,
      command: z.array(z.string().max(65536)).max(4096).optional(),
      entrypoint: z.array(z.string().max(65536)).max(4096).optional(),
      env: z.array(z.string().min(1).max(65536).regex(/^[^=]+(=|$)/, 'env entries are KEY=VALUE')).max(4096).optional(),
      labels: z.record(z.string().max(256), z.string().max(4096)).optional(),
      name: containerId.optional(),
      user: z.string().min(1).max(256).optional(),
      workdir: z.string().min(1).max(4096).optional(),
      rm: z.boolean().optional(),
      noDeps: z.boolean().optional(),
      tty: z.boolean().optional(),
      interactive: z.boolean().optional(),
      servicePorts: z.boolean().optional(),
      publish: strings().optional(),
      volumes: strings().optional(),
    })
    .strict(),
};

export type ValidationResult<M extends ApiMethod> = { ok: true; params: ApiParams<M> } | { ok: false; message: string };

/** Checks params for a method; the message names the offending field. */
export function validateParams<M extends ApiMethod>(method: M, params: unknown): ValidationResult<M> {
  const size = encodedSize(params);
  if (size > MAX_PARAMS_BYTES) return { ok: false, message: `invalid ${method} request: ${size} bytes of parameters, more than the ${MAX_PARAMS_BYTES} a request may carry` };
  const schema = PARAM_SCHEMAS[method] as z.ZodType<ApiParams<M>>;
  const parsed = schema.safeParse(params ?? {});
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') + ': ' : '';
  return { ok: false, message: `invalid ${method} request: ${where}${issue?.message ?? 'bad input'}` };
}

// ---- Terminals and desktop preferences (issue 6): inputs outside ApiMethods ----

const terminalOpen: z.ZodType<TerminalOpenParams> = z
  .object({
    container: containerId,
    mode: z.enum(['exec', 'attach']),
    cols: z.number().int().min(2).max(1000),
    rows: z.number().int().min(1).max(1000),
  })
  .strict();

const preferences: z.ZodType<Partial<DesktopPreferences>> = z
  .object({ openAtLogin: z.boolean().optional(), notifications: z.boolean().optional() })
  .strict();

function check<T>(schema: z.ZodType<T>, what: string, value: unknown): { ok: true; value: T } | { ok: false; message: string } {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') + ': ' : '';
  return { ok: false, message: `invalid ${what}: ${where}${issue?.message ?? 'bad input'}` };
}

export const validateTerminalOpen = (value: unknown) => check(terminalOpen, 'terminal request', value);
export const validatePreferences = (value: unknown) => check(preferences, 'preferences', value);
