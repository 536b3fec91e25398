// The engine API: the one typed contract that Electron IPC, the web-mode
// WebSocket, the engine's unix socket and the CLI all carry. This module is
// dependency-free on purpose: the renderer and the sandboxed preload import
// it, so it may not pull in Node, zod or anything else.

export const ERROR_CODES = [
  'E_INVALID_ARGUMENT',
  'E_INVALID_REFERENCE',
  'E_IMAGE_NOT_FOUND',
  'E_IMAGE_IN_USE',
  'E_CONTAINER_NOT_FOUND',
  'E_CONTAINER_RUNNING',
  'E_CONTAINER_NOT_RUNNING',
  'E_NAME_IN_USE',
  'E_ARCHIVE_INVALID',
  'E_MANIFEST_INVALID',
  'E_DIGEST_MISMATCH',
  'E_LAYER_UNSAFE',
  'E_NO_SUBUID',
  'E_NEWUIDMAP_MISSING',
  'E_RUNTIME_MISSING',
  'E_RUNTIME_CONFIG',
  'E_RUNTIME_NAMESPACE',
  'E_RUNTIME_IDMAP',
  'E_RUNTIME_MOUNT',
  'E_RUNTIME_EXEC',
  'E_RUNTIME_CANNOT_INVOKE',
  'E_RUNTIME_FAILED',
  'E_VOLUME_NOT_FOUND',
  'E_VOLUME_IN_USE',
  'E_PORT_IN_USE',
  'E_NETWORK',
  'E_NO_CGROUP_DELEGATION',
  'E_STORE_LOCKED',
  'E_STORE_CORRUPT',
  'E_UNAUTHORIZED',
  'E_INTERNAL',
  'E_REGISTRY_UNREACHABLE',
  'E_REGISTRY_ERROR',
  'E_REGISTRY_AUTH',
  'E_REGISTRY_TLS',
  'E_MANIFEST_UNSUPPORTED',
  'E_PLATFORM_NOT_FOUND',
  'E_CANCELLED',
  'E_PATH_NOT_FOUND',
  // engine hardening
  'E_UNSAFE_RUNTIME_DIR',
  'E_NO_SPACE',
  'E_LAYER_TOO_LARGE',
  // build
  'E_DOCKERFILE_INVALID',
  'E_BUILD_FAILED',
  // The Cove VM (cove machine).
  'E_MACHINE_NOT_FOUND',
  'E_MACHINE_EXISTS',
  'E_MACHINE_RUNNING',
  'E_MACHINE_NOT_RUNNING',
  'E_MACHINE_IMAGE_MISSING',
  'E_QEMU_MISSING',
  'E_MACHINE_BOOT',
  // networks
  'E_NETWORK_NOT_FOUND',
  'E_NETWORK_IN_USE',
  // compose
  'E_COMPOSE_INVALID',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type ContainerState = 'created' | 'running' | 'paused' | 'exited';

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  imageId: string;
  command: string[];
  state: ContainerState;
  /** Human status in docker's words: "Up 3 minutes", "Exited (0) 2 seconds ago", "Restarting (3) 1 second ago". */
  status: string;
  /** Exited, and its restart policy starts it again shortly (docker's "restarting"). */
  restarting?: boolean;
  exitCode: number | null;
  pid: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Published ports; host ports as bound while it runs. */
  ports?: PortMapping[];
  labels?: Record<string, string>;
  /** Set when the container has a healthcheck and runs. */
  health?: HealthStatus;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/**
 * docker's HealthConfig (image config `Healthcheck`, `run --health-*`,
 * compose's `healthcheck`). `test`: ['NONE'] disables the image's check,
 * ['CMD', exe, ...args] or ['CMD-SHELL', command]; an empty `test` keeps the
 * image's command and overrides only the timings given. Durations are in
 * nanoseconds, as docker's API carries them; 0 or absent = docker's default.
 */
export interface HealthcheckConfig {
  test: string[];
  intervalNs?: number;
  timeoutNs?: number;
  startPeriodNs?: number;
  startIntervalNs?: number;
  retries?: number;
}

/** One probe's result, as docker's State.Health.Log keeps the last five. */
export interface HealthProbeResult {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface PortMapping {
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

export interface ImageSummary {
  /** The image ID: the digest of its config blob. */
  id: string;
  references: string[];
  /** Sum of the uncompressed layer sizes, in bytes. */
  size: number;
  createdAt: string | null;
  layers: number;
}

/** `cove image inspect`: docker's field names, for what Cove records. */
export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: string | null;
  Architecture: string | null;
  Os: string | null;
  Variant: string | null;
  Author: string | null;
  Config: { Env: string[]; Cmd: string[] | null; Entrypoint: string[] | null; WorkingDir: string; User: string; Labels: Record<string, string> | null };
  RootFS: { Type: 'layers'; Layers: string[] };
  /** Uncompressed bytes of the layers. */
  Size: number;
  Manifest: { Digest: string; Layers: Array<{ Digest: string; Size: number; MediaType: string }> };
  Metadata: { LoadedAt: string };
}

export interface ImageHistoryEntry {
  /** The image ID on the newest step, null (docker's <missing>) below it. */
  id: string | null;
  created: string | null;
  createdBy: string;
  size: number;
  comment: string;
}

export interface RunOptions {
  image: string;
  name?: string;
  command?: string[];
  env?: string[];
  /** Remove the container when it exits. */
  autoRemove?: boolean;
  /** OCI runtime: cove (default), runc, crun or an absolute path. */
  runtime?: string;
  /** docker --log-opt max-size: the log rotates to container.log.1 past this size (e.g. 10m). */
  logMaxSize?: string;
  /** docker -t: a pseudo-terminal (its output is logged as stdout). */
  tty?: boolean;
  /** docker -i: keep stdin open for attach. */
  interactive?: boolean;
  /** docker -p syntax: [ip:]hostPort:containerPort[/udp]. */
  ports?: string[];
  /** docker -P: publish every port the image exposes on a random host port. */
  publishAll?: boolean;
  /** docker -v syntax. */
  volumes?: string[];
  /** docker --mount syntax. */
  mounts?: string[];
  /** docker --tmpfs syntax. */
  tmpfs?: string[];
  workdir?: string;
  user?: string;
  entrypoint?: string[];
  labels?: Record<string, string>;
  /** no | on-failure[:N] | always | unless-stopped */
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  init?: boolean;
  readOnly?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** no-new-privileges[:true|false], seccomp=unconfined, seccomp=/path/profile.json */
  securityOpt?: string[];
  /** bytes, e.g. 512m */
  memory?: string;
  /** docker --memory-swap: memory + swap (e.g. 64m), or -1 for unlimited swap. */
  memorySwap?: string;
  cpus?: number;
  /** docker --cpu-shares: relative weight (1024 = default), cgroup v2 cpu.weight. */
  cpuShares?: number;
  pidsLimit?: number;
  /** slirp4netns (default, alias bridge), none, host, container:<name|id>, or a user-defined network's name */
  network?: string;
  /** --network-alias: more DNS names on the user-defined network */
  networkAliases?: string[];
  /** --ip: a fixed address on the user-defined network */
  ip?: string;
  /** The second and further user-defined networks (docker 28: `--network a --network b`); `network` is the first, which has the default route and the published ports. */
  extraNetworks?: NetworkAttachment[];
  hostname?: string;
  /** name:ip */
  addHost?: string[];
  dns?: string[];
  /** --health-* flags / compose healthcheck; `{ test: ['NONE'] }` is --no-healthcheck. */
  healthcheck?: HealthcheckConfig;
}

/** One more network for a new container: docker's `--network name=NET,alias=A,ip=IP`. */
export interface NetworkAttachment {
  name: string;
  aliases?: string[];
  ip?: string;
}

export interface VolumeSummary {
  name: string;
  createdAt: string;
  labels: Record<string, string>;
  anonymous: boolean;
  mountpoint: string;
  /** Names of the containers that mount it. */
  usedBy: string[];
  /** Bytes of data in it (volumes:inspect only: it walks the tree). */
  size?: number;
  /** False when part of the tree was unreadable, so `size` is a lower bound. */
  sizeComplete?: boolean;
}

export interface NetworkEndpoint {
  containerId: string;
  containerName: string;
  ip: string;
  aliases: string[];
}

export interface NetworkSummary {
  id: string;
  name: string;
  /** bridge for user-defined networks; the built-in ones: slirp4netns (docker's "bridge"), host, null. */
  driver: 'bridge' | 'slirp4netns' | 'host' | 'null';
  subnet: string | null;
  gateway: string | null;
  internal: boolean;
  labels: Record<string, string>;
  createdAt: string | null;
  builtin: boolean;
  containers: NetworkEndpoint[];
}

export interface NetworkCreateOptions {
  name: string;
  subnet?: string;
  gateway?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  driver?: string;
}

// --- the Cove VM (issue 15) ---
export type MachineRunState = 'running' | 'starting' | 'stopped';

/** A Cove VM as the app shows it: its settings and what it takes on the host now. */
export interface MachineInfo {
  name: string;
  state: MachineRunState;
  cpus: number;
  memoryMb: number;
  diskGb: number;
  /** kvm, hvf, whpx or tcg while it runs. */
  accelerator: string | null;
  readyAt: string | null;
  /** Bytes the data disk takes on the host (the qcow2 image grows as the VM writes). */
  diskUsedBytes: number;
  /** QEMU's resident memory on the host while it runs. */
  memoryUsedBytes: number | null;
}

export interface CoveSettings {
  /** Default OCI runtime for new containers: cove, runc, crun or an absolute path. */
  runtime: string;
}

export type LayerStatus = 'waiting' | 'downloading' | 'verifying' | 'extracting' | 'exists' | 'done' | 'failed';

export interface LayerProgress {
  digest: string;
  /** Compressed size from the manifest; null until known. */
  size: number | null;
  /** Bytes downloaded (or processed) so far. */
  current: number;
  status: LayerStatus;
}

export type TaskKind = 'pull' | 'push' | 'load' | 'build' | 'compose';
export type TaskState = 'running' | 'done' | 'failed' | 'cancelled';

/** A long piece of work (pull, push, load) that outlives the page that started it. */
export interface TaskProgress {
  id: string;
  kind: TaskKind;
  /** What it works on, e.g. the image reference. */
  title: string;
  state: TaskState;
  layers: LayerProgress[];
  current: number;
  total: number | null;
  etaSeconds: number | null;
  startedAt: string;
  finishedAt: string | null;
  error: ApiError | null;
  /** A pull or push that ended well: what it resolved to. */
  outcome?: { reference: string; digest: string; downloaded?: boolean };
  /** A build task's steps as they go, and the image it made. */
  build?: { steps: BuildStepProgress[]; imageId: string | null };
  /** A compose task's resources and what happened to each, in docker compose v2's words. */
  compose?: { project: string; steps: ComposeStep[] };
}

// --- build (issue 12) ---
/** cove build's options; `context` is a directory or tar file on the engine's host. */
export interface BuildParams {
  context: string;
  /** The Dockerfile: relative to the context, or absolute; default CONTEXT/Dockerfile. */
  dockerfile?: string;
  tags?: string[];
  buildArgs?: Record<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels?: Record<string, string>;
}
export type BuildStepStatus = 'running' | 'cached' | 'done' | 'failed';
/** One step as BuildKit's progress shows it: `[stage k/n] INSTRUCTION`, its output (last lines), CACHED or its time. */
export interface BuildStepProgress {
  id: number;
  label: string;
  status: BuildStepStatus;
  seconds: number | null;
  output: string[];
}
// --- end build ---

// --- compose (issue 14) ---
/** Which compose project: the files and options `docker compose` takes globally. Paths are on the engine's host. */
export interface ComposeTarget {
  /** `-f`, in order; none = compose.yaml & co. found in `projectDirectory` or `cwd`. */
  files?: string[];
  projectDirectory?: string;
  /** `-p`; alone it names a project without reading files (`down`, `ps`, `stop`...). */
  projectName?: string;
  profiles?: string[];
  envFiles?: string[];
  /** The client's environment, for interpolation (the CLI sends its own). */
  environment?: Record<string, string>;
  /** The client's working directory (absolute), for relative `-f` and discovery. */
  cwd?: string;
}
/**
 * One resource of a compose task, e.g. `Container demo-web-1` / `Network demo_default`;
 * status in docker compose v2's words: Creating, Created, Starting, Started, Waiting, Healthy,
 * Exited, Recreate, Recreated, Running, Stopping, Stopped, Removing, Removed, Building, Built,
 * Pulling, Pulled, Pushing, Pushed, Killing, Killed, Pausing, Paused, Unpausing, Unpaused,
 * Restarting, Restarted, Skipped, Error.
 */
export interface ComposeStep {
  resource: string;
  status: string;
  error?: string;
}
export interface ComposeUpParams extends ComposeTarget {
  /** Only these services (and, unless `noDeps`, what they depend on). */
  services?: string[];
  /** Build images before starting (`--build`); else only missing ones are built. */
  build?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noDeps?: boolean;
  removeOrphans?: boolean;
  /** Finish only when every service runs and is healthy (`--wait`). */
  wait?: boolean;
  /** `--scale SERVICE=N`, over `deploy.replicas`. */
  scale?: Record<string, number>;
  /** Create, do not start (`up --no-start`, `create`). */
  noStart?: boolean;
  pull?: 'always' | 'missing' | 'never';
}
export interface ComposeDownParams extends ComposeTarget {
  /** Also named volumes of the project (`-v`). */
  volumes?: boolean;
  rmi?: 'local' | 'all';
  removeOrphans?: boolean;
  timeoutSeconds?: number;
}
export type ComposeActionName = 'start' | 'stop' | 'restart' | 'kill' | 'rm' | 'pause' | 'unpause';
export interface ComposeActionParams extends ComposeTarget {
  action: ComposeActionName;
  services?: string[];
  timeoutSeconds?: number;
  signal?: string;
  /** rm: also running containers (stopped first); rm -v: their anonymous volumes. */
  force?: boolean;
  volumes?: boolean;
}
/** A container of a compose project: its summary, service, replica number and whether `compose run` made it. */
export interface ComposeContainer extends ContainerSummary {
  project: string;
  service: string;
  number: number;
  oneoff: boolean;
}
/** `docker compose ls`: status as compose prints it, e.g. `running(2), exited(1)`. */
export interface ComposeProjectSummary {
  name: string;
  status: string;
  configFiles: string[];
  workingDir: string;
}
export interface ComposeRunParams extends ComposeTarget {
  service: string;
  command?: string[];
  entrypoint?: string[];
  env?: string[];
  labels?: Record<string, string>;
  name?: string;
  user?: string;
  workdir?: string;
  rm?: boolean;
  noDeps?: boolean;
  tty?: boolean;
  interactive?: boolean;
  /** `--service-ports`: publish the service's ports (off by default, as compose). */
  servicePorts?: boolean;
  publish?: string[];
  volumes?: string[];
}
// --- end compose ---

/** docker-like `inspect` output for a container (the fields Cove knows). */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Created: string;
  Path: string;
  Args: string[];
  Image: string;
  State: {
    Status: ContainerState;
    Running: boolean;
    Paused: boolean;
    Restarting: boolean;
    Dead: boolean;
    /** The kernel's OOM killer ended it (memory.events oom_kill of its cgroup). */
    OOMKilled: boolean;
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
    /** Present when the container has a healthcheck. */
    Health?: { Status: HealthStatus; FailingStreak: number; Log: HealthProbeResult[] };
  };
  Config: {
    Image: string; Hostname: string; Env: string[]; Cmd: string[]; Entrypoint: string[] | null; WorkingDir: string; User: string; Tty: boolean; OpenStdin: boolean; Labels: Record<string, string>; StopSignal: string; StopTimeout: number;
    /** The effective healthcheck (image's merged with run's, defaults filled; durations in ns), as docker's HealthConfig. */
    Healthcheck?: { Test: string[]; Interval: number; Timeout: number; StartPeriod: number; StartInterval: number; Retries: number };
  };
  /** Ports as bound while it runs (docker: "80/tcp": [{HostIp, HostPort}]). */
  NetworkSettings: { Ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> };
  HostConfig: {
    Runtime: string;
    AutoRemove: boolean;
    NetworkMode: string;
    RestartPolicy: { Name: string; MaximumRetryCount: number };
    ReadonlyRootfs: boolean;
    Init: boolean;
    CapAdd: string[];
    PortBindings: Record<string, Array<{ HostIp: string; HostPort: string }>>;
  };
  RestartCount: number;
  LogPath: string;
  Mounts: Array<{ Type: string; Name?: string; Source: string; Destination: string; RW: boolean }>;
}

/** One stats sample of one container, read from its cgroup v2 files where delegated, else from /proc. */
export interface StatsSample {
  id: string;
  time: string;
  /** Percent of one CPU (docker's convention: 200 = two full cores). */
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  source: 'cgroup' | 'proc';
}

export interface TopProcess {
  pid: number;
  ppid: number;
  uid: number;
  cpuSeconds: number;
  rssBytes: number;
  state: string;
  command: string;
}

/** `docker diff`: A added, C changed, D deleted. */
export interface DiffEntry {
  kind: 'A' | 'C' | 'D';
  path: string;
}

export interface UsageRow {
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

/** `cove system df [-v]`: what the store holds and what removing unused things would free. */
export interface DiskUsageReport {
  images: UsageRow;
  containers: UsageRow;
  volumes: UsageRow;
  layers: { count: number; size: number };
  blobs: { count: number; size: number };
  /** `cove build`'s step cache; reclaimable: layers no image uses. */
  buildCache: { entries: number; size: number; reclaimable: number };
  /** Bytes each container wrote (its upper directory), for `-v`. */
  containerSizes: Array<{ id: string; name: string; image: string; state: ContainerState; size: number }>;
  volumeSizes: Array<{ name: string; size: number; usedBy: string[] }>;
}

/** `cove system check`: the store's consistency, and what `repair` did. */
export interface StoreCheckReport {
  blobsChecked: number;
  layersChecked: number;
  imagesChecked: number;
  problems: Array<{ kind: 'blob' | 'layer' | 'image' | 'index' | 'network'; id: string; problem: string }>;
  leftovers: string[];
  repaired: string[];
}

export interface LoadedImage {
  id: string;
  references: string[];
}

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  time: string;
  stream: LogStream;
  text: string;
}

export type DoctorStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: DoctorStatus;
  detail: string;
  /** What to do when status is not ok. */
  fix?: string;
}

/** "Use Cove for docker": the docker CLI context named cove (app/engine/docker-context.ts). */
export interface DockerContextState {
  name: 'cove';
  /** The docker CLI's config directory the context lives in ($DOCKER_CONFIG or ~/.docker). */
  configDir: string;
  /** Where the context sends docker: this engine's docker.sock. */
  host: string;
  exists: boolean;
  /** It exists and points at this engine's socket. */
  ours: boolean;
  /** It is docker's current context (config.json currentContext). */
  current: boolean;
}

// ---- The method table: the one list of what the engine answers ----
//
// Every transport and client is derived from API below: Electron's IPC
// handlers and the preload's allowlist (main/), the WebSocket and unix-socket
// servers and their validators (app/transport/), the engine's handler map
// (app/engine/handlers/, a mapped type: a missing handler does not compile)
// and docs/api.md (checked by a test). A method added here is reachable from
// every client, or the build fails until it is.
//
// Kinds:
// - call: one request, one response.
// - subscription: the response carries a `subscription` id; events for it
//   follow (EngineEvent frames tagged with that id) until
//   `subscriptions:close`, the engine ends it, or the connection that opened
//   it closes. Only the opening connection receives them.
// - stream: a subscription whose events are `data` chunks (base64) ending
//   with `ended: true`; used where bytes flow (a container's tar export).

export type MethodKind = 'call' | 'stream' | 'subscription';

/** One row of the table. `types` only carries the params and result types for the compiler; it is never set. */
export interface MethodSpec<P = unknown, R = unknown, K extends MethodKind = MethodKind> {
  readonly kind: K;
  /** One line for docs/api.md. */
  readonly doc: string;
  readonly types?: (params: P) => R;
}

const call = <P, R>(doc: string): MethodSpec<P, R, 'call'> => ({ kind: 'call', doc });
const subscription = <P, R extends { subscription: string }>(doc: string): MethodSpec<P, R, 'subscription'> => ({ kind: 'subscription', doc });
const stream = <P>(doc: string): MethodSpec<P, { subscription: string }, 'stream'> => ({ kind: 'stream', doc });

type NoParams = Record<string, never>;

export const API = {
  'containers:list': call<{ all: boolean }, ContainerSummary[]>('Containers; `all` includes stopped ones.'),
  'containers:run': call<RunOptions, ContainerSummary>('Create and start a container; a failed start of an `autoRemove` container removes it.'),
  'containers:start': call<{ id: string }, ContainerSummary>('Start a created or stopped container.'),
  'containers:stop': call<{ id: string; timeoutSeconds?: number }, ContainerSummary>('Stop signal, then SIGKILL after the timeout.'),
  'containers:kill': call<{ id: string; signal?: string }, ContainerSummary>('Send a signal (default SIGKILL).'),
  'containers:remove': call<{ id: string; force: boolean; volumes?: boolean }, { id: string }>('Remove a container; `force` kills a running one first, `volumes` removes its anonymous volumes.'),
  'containers:logs': call<{ id: string; tail?: number }, LogLine[]>('The logged lines, the last `tail` of them if given.'),
  'containers:inspect': call<{ id: string }, ContainerInspect>('Docker-like inspect document.'),
  'containers:restart': call<{ id: string; timeoutSeconds?: number }, ContainerSummary>('Stop (if running) and start.'),
  'containers:top': call<{ id: string }, TopProcess[]>('The processes of a running container.'),
  'containers:pause': call<{ id: string }, { id: string; note: string }>('Freeze every process (cgroup freezer where delegated, else SIGSTOP); `note` says which.'),
  'containers:unpause': call<{ id: string }, { id: string }>('Thaw a paused container.'),
  'containers:rename': call<{ id: string; name: string }, ContainerSummary>('Give a container a new name.'),
  'containers:prune': call<NoParams, { removed: string[] }>('Remove every stopped container.'),
  'images:list': call<NoParams, ImageSummary[]>('Images in the store.'),
  'images:remove': call<{ reference: string; force: boolean }, { untagged: string[]; deleted: string[] }>('Untag, and delete what no reference or container keeps.'),
  'images:pull': call<{ reference: string; platform?: string; tlsVerify?: boolean }, { taskId: string }>('Start a pull task; its progress arrives as `task` events. `tlsVerify: false` accepts a registry\'s unverified certificate or plain HTTP.'),
  'images:inspect': call<{ reference: string }, ImageInspect>('Docker-like image inspect document.'),
  'images:history': call<{ reference: string }, ImageHistoryEntry[]>('The steps that built the image.'),
  'images:tag': call<{ source: string; target: string }, { reference: string }>('Add a reference to an image.'),
  'images:prune': call<{ all: boolean }, { deleted: string[]; untagged: string[] }>('Delete dangling images (`all`: every image no container uses).'),
  'images:push': call<{ reference: string; destination?: string; tlsVerify?: boolean }, { taskId: string }>('Start a push task; its progress arrives as `task` events.'),
  'tasks:list': call<NoParams, TaskProgress[]>('Pulls, pushes and loads, running or recently ended.'),
  'tasks:cancel': call<{ id: string }, TaskProgress>('Cancel a running task.'),
  'system:doctor': call<NoParams, DoctorCheck[]>('What rootless containers need on this host, and how to fix what is missing.'),
  'system:dockerContext': call<NoParams, DockerContextState>('Whether the docker CLI has a context named cove pointing at this engine\'s Docker API socket, and whether it is current.'),
  'system:useDockerContext': call<{ enabled: boolean }, DockerContextState>('"Use Cove for docker": create the docker context cove and make it current, or remove it and return docker to its default.'),
  'stats:history': call<{ id: string; seconds?: number }, StatsSample[]>('Past samples the engine kept (at least an hour per container).'),
  'stats:current': call<NoParams, StatsSample[]>('The latest sample of every running container.'),
  'volumes:list': call<NoParams, VolumeSummary[]>('Volumes.'),
  'volumes:create': call<{ name?: string; labels?: Record<string, string> }, VolumeSummary>('Create a volume (a random name when none is given).'),
  'volumes:inspect': call<{ name: string }, VolumeSummary>('One volume.'),
  'volumes:remove': call<{ name: string; force: boolean }, { name: string }>('Remove a volume; refused while a container uses it unless `force`.'),
  'volumes:prune': call<NoParams, { removed: string[] }>('Remove every volume no container uses.'),
  'networks:list': call<NoParams, NetworkSummary[]>('Networks: the built-in ones (bridge = slirp4netns, host, none) and the user-defined ones with their containers.'),
  'networks:create': call<NetworkCreateOptions, NetworkSummary>('Create a user-defined network (a subnet of 10.89.0.0/16 unless one is given).'),
  'networks:inspect': call<{ name: string }, NetworkSummary>('One network, by name or ID prefix.'),
  'networks:remove': call<{ name: string; force?: boolean }, { name: string }>('Remove a user-defined network; refused while containers are on it, unless `force`, which disconnects them first.'),
  'networks:prune': call<NoParams, { removed: string[] }>('Remove every user-defined network no container is on.'),
  'networks:connect': call<{ network: string; container: string; aliases?: string[]; ip?: string }, NetworkSummary>('Put a container on a network (live if it runs).'),
  'networks:disconnect': call<{ network: string; container: string }, NetworkSummary>('Take a container off a network; its names stop resolving there.'),
  'machines:list': call<NoParams, MachineInfo[]>("This user's Cove VMs (`cove machine ls`): state, CPUs, memory and disk, with what they take on the host."),
  'machines:start': call<{ name?: string }, MachineInfo>('Start a machine (default `cove`) and resolve once its engine answers; E_MACHINE_BOOT with the console tail if it does not.'),
  'machines:stop': call<{ name?: string }, { name: string; stopped: boolean }>('Stop a machine; `stopped` is false when it was not running.'),
  'settings:get': call<NoParams, CoveSettings>('Engine settings.'),
  'settings:set': call<Partial<CoveSettings>, CoveSettings>('Change engine settings.'),
  'containers:create': call<RunOptions, ContainerSummary>('Create a container without starting it.'),
  'containers:wait': call<{ id: string }, { exitCode: number | null }>('Wait until the container stops; its exit code.'),
  'containers:diff': call<{ id: string }, DiffEntry[]>('What the container changed in its filesystem.'),
  'containers:port': call<{ id: string }, PortMapping[]>('Published ports as bound (random host ports filled in).'),
  'containers:export': stream<{ id: string }>('The container\'s filesystem as a tar, as `data` events.'),
  'containers:copyTo': call<{ id: string; hostPath: string; path: string }, { id: string }>('Copy a host file or directory (absolute path) into a running container.'),
  'containers:copyFrom': call<{ id: string; path: string; hostPath: string }, { id: string }>('Copy a file or directory of a running container to the host (absolute path).'),
  'containers:update': call<{ id: string } & Pick<RunOptions, 'memory' | 'memorySwap' | 'cpus' | 'cpuShares' | 'pidsLimit'>, { id: string }>('Change a container\'s resource limits (`cove update`).'),
  'containers:archive': stream<{ id: string; path: string }>('A tar of a path in a running container, as `data` events (`cove cp C:PATH -`).'),
  'containers:extract': call<{ id: string; hostPath: string; path: string }, { id: string }>('Unpack a tar (absolute host path) into a directory of a running container (`cove cp - C:PATH`).'),
  'images:load': call<{ path: string }, LoadedImage[]>('Load a docker-archive, oci-archive or OCI layout directory (absolute host path).'),
  'images:save': call<{ references: string[]; path: string; format: 'docker-archive' | 'oci-archive' }, { path: string }>('Write images to an archive (absolute host path).'),
  'images:import': call<{ path: string; reference?: string; changes?: string[]; message?: string }, LoadedImage>('An image from a rootfs tarball (absolute host path); `changes` are Dockerfile lines (CMD, ENTRYPOINT, ENV, WORKDIR, USER).'),
  'registries:login': call<{ registry: string; username: string; password: string; tlsVerify?: boolean }, { registry: string; file: string }>('Check credentials with the registry and save them.'),
  'registries:logout': call<{ registry: string }, { registry: string; removed: string[]; elsewhere: string[] }>('Forget saved credentials; `elsewhere` lists files Cove does not own that still hold some.'),
  'system:df': call<NoParams, DiskUsageReport>('Disk use of images, containers and volumes.'),
  'system:check': call<{ repair: boolean; deep: boolean }, StoreCheckReport>('Check the store; `repair` fixes what it can, `deep` compares every layer with its blob.'),
  'logs:follow': subscription<{ id: string; tail?: number }, LogFollowResult>('The last `tail` lines now, then new ones as `logs` events, across rotations, until the container is removed.'),
  'events:subscribe': subscription<{ types?: EventType[] }, { subscription: string }>('Engine events (container, image, volume, task, stats) as they happen; all types unless `types` narrows them.'),
  'subscriptions:close': call<{ subscription: string }, { subscription: string }>('End a subscription or stream this connection opened.'),
  'builder:build': call<BuildParams, { taskId: string }>('Start a build task; its steps, their output and CACHED markers arrive as `task` events (`task.build`), then the image ID.'),
  'builder:prune': call<NoParams, { entries: number; reclaimed: number }>('Forget the build cache; remove the layers no image uses.'),
  // compose (issue 14): orchestration runs in the engine; mutations are tasks whose steps arrive as `task` events (`task.compose`).
  'compose:config': call<ComposeTarget, { name: string; yaml: string; services: string[]; warnings: string[] }>('Load, interpolate, merge and validate a compose project: the resolved model as YAML, its services and the warnings.'),
  'compose:up': call<ComposeUpParams, { taskId: string }>('Create or recreate (by config hash) and start a project\'s networks, volumes and containers in dependency order; a `compose` task.'),
  'compose:down': call<ComposeDownParams, { taskId: string }>('Stop and remove the project\'s containers and networks (volumes with `volumes`, images with `rmi`); a project name alone is enough.'),
  'compose:action': call<ComposeActionParams, { taskId: string }>('start, stop, restart, kill, rm, pause or unpause a project\'s containers (or some services); a `compose` task.'),
  'compose:build': call<ComposeTarget & { services?: string[]; noCache?: boolean; pull?: boolean }, { taskId: string }>('Build the services that have a `build` section, as `<project>-<service>` unless they name an image.'),
  'compose:pull': call<ComposeTarget & { services?: string[]; ignoreFailures?: boolean }, { taskId: string }>('Pull the services\' images.'),
  'compose:push': call<ComposeTarget & { services?: string[] }, { taskId: string }>('Push the images of services that have a `build` section.'),
  'compose:ps': call<ComposeTarget & { all?: boolean; services?: string[] }, ComposeContainer[]>('The project\'s containers (`all`: also stopped and one-off ones).'),
  'compose:ls': call<{ all?: boolean }, ComposeProjectSummary[]>('Compose projects known by their containers\' labels (`all`: also stopped ones).'),
  'compose:run': call<ComposeRunParams, ContainerSummary>('Start the service\'s dependencies and create (not start) a one-off container of the service; the client starts and attaches to it.'),
} as const satisfies Record<string, MethodSpec<never, unknown>>;

export type ApiTable = typeof API;
export type ApiMethod = keyof ApiTable;
export type ApiParams<M extends ApiMethod> = ApiTable[M] extends MethodSpec<infer P, unknown> ? P : never;
export type ApiResult<M extends ApiMethod> = ApiTable[M] extends MethodSpec<never, infer R> ? R : never;
export type ApiKind<M extends ApiMethod> = ApiTable[M]['kind'];
/** The methods of one kind, e.g. `MethodsOfKind<'subscription'>`. */
export type MethodsOfKind<K extends MethodKind> = { [M in ApiMethod]: ApiTable[M]['kind'] extends K ? M : never }[ApiMethod];

/** Every method name, in table order. */
export const API_METHODS = Object.keys(API) as ApiMethod[];

export function isApiMethod(value: unknown): value is ApiMethod {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(API, value);
}

export type ContainerAction = 'create' | 'start' | 'die' | 'oom' | 'remove' | 'pause' | 'unpause' | 'rename' | 'update' | 'health_status';
export type ImageAction = 'load' | 'tag' | 'untag' | 'delete';
export type VolumeAction = 'create' | 'remove';

/** Events the engine pushes; the UI is driven by these, never by polling. */
export type EngineEvent =
  /** `health`: the new status, on `health_status` (docker's "health_status: healthy"). */
  | { type: 'container'; action: ContainerAction; id: string; time: string; health?: HealthStatus }
  | { type: 'image'; action: ImageAction; id: string; time: string }
  | { type: 'task'; task: TaskProgress }
  | { type: 'logs'; subscription: string; lines: LogLine[]; ended?: boolean }
  | { type: 'volume'; action: VolumeAction; id: string; time: string }
  | { type: 'stats'; samples: StatsSample[] }
  /** A chunk of a stream (base64); the last one has `ended`, and `error` if the stream failed. */
  | { type: 'data'; subscription: string; data: string; ended?: boolean; error?: ApiError }
  /** Something done differently from what was asked, e.g. device nodes a rootless unpack cannot create. */
  | { type: 'warning'; source: 'image' | 'container'; id: string; message: string; time: string };

/** The event types `events:subscribe` carries (the others belong to one subscription each). */
export type EventType = 'container' | 'image' | 'volume' | 'task' | 'stats' | 'warning';
export const EVENT_TYPES: readonly EventType[] = ['container', 'image', 'volume', 'task', 'stats', 'warning'];

/** Wire messages shared by the WebSocket and unix-socket transports. */
export type ClientMessage = {
  [M in ApiMethod]: { kind: 'request'; id: number; method: M; params: ApiParams<M> };
}[ApiMethod];

export type ServerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: ApiError }
  /** An event of the subscription `subscription`, sent only to the connection that opened it. */
  | { kind: 'event'; subscription: string; event: EngineEvent };

/** What the renderer sees, whatever the transport (window.cove in Electron). */
export interface CoveApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  /** Events of this connection's subscriptions, with the subscription they belong to. */
  onEvent(listener: (event: EngineEvent, subscription: string) => void): () => void;
}

/** The error a transport rejects with: it keeps the engine's code. */
export class CoveApiError extends Error {
  readonly code: ErrorCode;
  constructor(error: ApiError) {
    super(error.message);
    this.name = 'CoveApiError';
    this.code = error.code;
  }
}

/** `logs:follow` answers the last lines now; later ones arrive as `logs` events for `subscription`. */
export interface LogFollowResult {
  subscription: string;
  lines: LogLine[];
}

// ---- Terminals (issue 6) ----
// A terminal is a byte stream, not a request: web mode carries it on its own
// binary WebSocket (`/term`), Electron on a MessagePort per session. Both use
// the frames below: one type byte, then the payload.

export type TerminalMode = 'exec' | 'attach';

export interface TerminalOpenParams {
  container: string;
  mode: TerminalMode;
  cols: number;
  rows: number;
}

export const TERMINAL_FRAME = {
  /** Both ways: terminal bytes (UTF-8). */
  data: 0,
  /** Client to server: uint16 cols, uint16 rows, big-endian. */
  resize: 1,
  /** Client to server: uint32 count of data bytes the terminal has rendered. */
  ack: 2,
  /** Server to client: a TerminalControl as JSON. */
  control: 3,
} as const;

export type TerminalControl =
  | { type: 'ready'; session: string }
  | { type: 'exit'; code: number }
  | { type: 'error'; error: ApiError };

/**
 * Flow control (xterm.js's "flow control" guide): the server pauses the pty
 * once more than `high` bytes are unacknowledged or queued on the socket, and
 * resumes below `low`; the client acks every `ackEvery` bytes it has rendered.
 */
export const TERMINAL_FLOW = { high: 2048 * 1024, low: 512 * 1024, ackEvery: 64 * 1024 } as const;

export function encodeTerminalFrame(type: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + 1);
  frame[0] = type;
  frame.set(payload, 1);
  return frame;
}

export function encodeResize(cols: number, rows: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint16(0, cols);
  new DataView(payload.buffer).setUint16(2, rows);
  return encodeTerminalFrame(TERMINAL_FRAME.resize, payload);
}

export function encodeAck(bytes: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, bytes);
  return encodeTerminalFrame(TERMINAL_FRAME.ack, payload);
}

// ---- Desktop-only extras (issue 6): Electron's preload adds these to window.cove ----

export interface DesktopPreferences {
  openAtLogin: boolean;
  notifications: boolean;
}

/** Things main asks the UI to do, e.g. from the tray ("open a shell" shows the Terminal tab). */
export type UiCommand = { type: 'navigate'; hash: string };

export interface CoveDesktopApi extends CoveApi {
  /** Opens a terminal; its MessagePort arrives as a window message {type: 'cove:terminal-port', session}. */
  openTerminal(params: TerminalOpenParams): Promise<{ session: string }>;
  getPreferences(): Promise<DesktopPreferences>;
  setPreferences(change: Partial<DesktopPreferences>): Promise<DesktopPreferences>;
  onUiCommand(listener: (command: UiCommand) => void): () => void;
  /** Opens a published port's page in the system browser (main accepts loopback http URLs only). */
  openExternal(url: string): Promise<void>;
}

export const TERMINAL_PORT_MESSAGE = 'cove:terminal-port';
