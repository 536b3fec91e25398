// /_ping, /version, /info, /events, /system/df: what every docker client
// asks first, and the system views.
import os from 'node:os';
import type http from 'node:http';
import type { EngineEvent } from '../api/contract.js';
import { DOCKER_API_MIN_VERSION, DOCKER_API_VERSION, parseFilters, queryInt, sendJson, serverHeaders } from './docker-http.js';
import type { DockerEngine } from './docker-engine.js';
import type { Route } from './docker-router.js';
import { imageListEntry, volumeEntry, containerListEntry } from './docker-shapes.js';
import { cgroupMode } from '../engine/doctor.js';
import { COVE_VERSION } from '../engine/version.js';


function ping(res: http.ServerResponse, head: boolean): void {
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1', ...serverHeaders() });
  res.end(head ? undefined : 'OK');
}

function versionBody(): Record<string, unknown> {
  const details = { ApiVersion: DOCKER_API_VERSION, MinAPIVersion: DOCKER_API_MIN_VERSION, Os: 'linux', Arch: goArch(), KernelVersion: os.release(), GitCommit: '', GoVersion: `node ${process.version}`, BuildTime: '' };
  return {
    Platform: { Name: `Cove ${COVE_VERSION}` },
    Components: [{ Name: 'Engine', Version: COVE_VERSION, Details: details }],
    Version: COVE_VERSION,
    ...details,
  };
}

function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', ia32: '386' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** docker's event shape for an engine event (containers, images, volumes). */
export function dockerEvent(e: EngineEvent): Record<string, unknown> | null {
  if (e.type !== 'container' && e.type !== 'image' && e.type !== 'volume') return null;
  const ms = Date.parse(e.time);
  const type = e.type;
  // docker names a health change with its new status: "health_status: healthy".
  const action = e.type === 'container' && e.action === 'health_status' && e.health ? `health_status: ${e.health}` : e.action === 'remove' && type === 'container' ? 'destroy' : e.action;
  return {
    Type: type,
    Action: action,
    Actor: { ID: e.id, Attributes: {} },
    scope: 'local',
    time: Math.floor(ms / 1000),
    timeNano: ms * 1_000_000,
    ...(type === 'container' ? { status: e.action === 'health_status' ? action : e.action, id: e.id } : {}),
  };
}

function eventMatches(ev: Record<string, unknown>, filters: Map<string, string[]>): boolean {
  const actor = ev.Actor as { ID: string };
  for (const [key, values] of filters) {
    if (values.length === 0) continue;
    const ok =
      key === 'type' ? values.includes(String(ev.Type))
      // moby's filter: "health_status" also matches "health_status: healthy".
      : key === 'event' ? values.includes(String(ev.Action)) || values.includes(String(ev.Action).split(':')[0] as string)
      : key === 'container' || key === 'image' || key === 'volume' ? ev.Type === key && values.some((v) => actor.ID.startsWith(v))
      : true;
    if (!ok) return false;
  }
  return true;
}

export function systemRoutes(engine: DockerEngine): Route[] {
  return [
    { method: 'GET', pattern: '/_ping', handler: async (_req, res) => ping(res, false) },
    { method: 'HEAD', pattern: '/_ping', handler: async (_req, res) => ping(res, true) },
    { method: 'GET', pattern: '/version', handler: async (_req, res) => sendJson(res, 200, versionBody()) },
    {
      method: 'GET',
      pattern: '/info',
      handler: async (_req, res) => {
        const [containers, images] = await Promise.all([engine.call('containers:list', { all: true }), engine.call('images:list', {})]);
        const count = (s: string) => containers.filter((c) => c.state === s).length;
        const cg = cgroupMode();
        sendJson(res, 200, {
          ID: `cove-${os.hostname()}`,
          Containers: containers.length,
          ContainersRunning: count('running'),
          ContainersPaused: count('paused'),
          ContainersStopped: containers.length - count('running') - count('paused'),
          Images: images.length,
          Driver: 'overlay',
          DriverStatus: [['Backing Filesystem', 'overlayfs (userxattr)']],
          Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'none', 'slirp4netns'], Authorization: null, Log: ['json-file'] },
          MemoryLimit: cg.mode === 'v2-delegated',
          SwapLimit: cg.mode === 'v2-delegated',
          CpuCfsPeriod: cg.mode === 'v2-delegated',
          CpuCfsQuota: cg.mode === 'v2-delegated',
          PidsLimit: cg.mode === 'v2-delegated',
          OomKillDisable: false,
          IPv4Forwarding: true,
          Debug: false,
          NFd: 0,
          NGoroutines: 0,
          SystemTime: new Date().toISOString(),
          LoggingDriver: 'json-file',
          CgroupDriver: cg.mode === 'v2-delegated' ? 'cgroupfs' : 'none',
          CgroupVersion: cg.mode.startsWith('v2') ? '2' : '1',
          NEventsListener: 0,
          KernelVersion: os.release(),
          OperatingSystem: 'Cove (rootless)',
          OSVersion: '',
          OSType: 'linux',
          Architecture: os.machine(),
          NCPU: os.cpus().length,
          MemTotal: os.totalmem(),
          IndexServerAddress: 'https://index.docker.io/v1/',
          RegistryConfig: { IndexConfigs: {}, InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: [] },
          Name: os.hostname(),
          Labels: [],
          ExperimentalBuild: false,
          ServerVersion: COVE_VERSION,
          Runtimes: { cove: { path: 'cove-runtime' }, runc: { path: 'runc' }, crun: { path: 'crun' } },
          DefaultRuntime: 'cove',
          Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
          LiveRestoreEnabled: true,
          Isolation: '',
          InitBinary: 'cove-init',
          SecurityOptions: ['name=seccomp,profile=builtin', 'name=rootless'],
          Warnings: cg.mode === 'v2-delegated' ? [] : [`WARNING: no delegated cgroup v2 subtree (${cg.mode}): memory, CPU and pids limits are not available`],
        });
      },
    },
    {
      method: 'GET',
      pattern: '/events',
      handler: async (req, res) => {
        const filters = parseFilters(req.query);
        const until = queryInt(req.query, 'until');
        res.writeHead(200, { 'Content-Type': 'application/json', ...serverHeaders() });
        // docker flushes headers at once: clients (docker events, compose) wait for them before reading.
        res.flushHeaders();
        const stop = engine.subscribe((e) => {
          const ev = dockerEvent(e);
          if (ev && eventMatches(ev, filters)) res.write(`${JSON.stringify(ev)}\n`);
        });
        let timer: NodeJS.Timeout | undefined;
        const end = (): void => {
          stop();
          if (timer) clearTimeout(timer);
          if (!res.writableEnded) res.end();
        };
        if (until !== undefined) timer = setTimeout(end, Math.max(0, until * 1000 - Date.now()));
        res.on('close', end);
      },
    },
    {
      method: 'GET',
      pattern: '/system/df',
      handler: async (_req, res) => {
        const [containers, images, volumes] = await Promise.all([engine.call('containers:list', { all: true }), engine.call('images:list', {}), engine.call('volumes:list', {})]);
        const used = new Set(containers.map((c) => c.imageId));
        sendJson(res, 200, {
          LayersSize: images.reduce((n, i) => n + i.size, 0),
          Images: images.map((i) => ({ ...imageListEntry(i), Containers: containers.filter((c) => c.imageId === i.id).length, SharedSize: 0, InUse: used.has(i.id) })),
          Containers: containers.map((c) => ({ ...containerListEntry(c), SizeRw: 0, SizeRootFs: 0 })),
          Volumes: volumes.map(volumeEntry),
          BuildCache: [],
        });
      },
    },
  ];
}
