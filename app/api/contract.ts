// The engine API: the one typed contract that Electron IPC, the web-mode
// WebSocket and the engine's unix socket all carry. This module is
// dependency-free on purpose (design.md §1): the renderer and the preload
// import it, so it may not pull in Node, zod or anything else.

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
  // engine hardening
  'E_UNSAFE_RUNTIME_DIR',
  'E_NO_SPACE',
  'E_LAYER_TOO_LARGE',
  // build
  'E_DOCKERFILE_INVALID',
  'E_BUILD_FAILED',
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
  /** Human status in docker's words: "Up 3 minutes", "Exited (0) 2 seconds ago". */
  status: string;
  exitCode: number | null;
  pid: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Published ports; host ports as bound while it runs. */
  ports?: PortMapping[];
  labels?: Record<string, string>;
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
  Config: { Env: string[]; Cmd: string[] | null; Entrypoint: string[] | null; WorkingDir: string; User: string };
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
  cpus?: number;
  pidsLimit?: number;
  /** none (default), slirp4netns, or container:<name|id> */
  network?: string;
  hostname?: string;
  /** name:ip */
  addHost?: string[];
  dns?: string[];
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

export type TaskKind = 'pull' | 'push' | 'load';
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
}

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
    Pid: number;
    ExitCode: number;
    StartedAt: string;
    FinishedAt: string;
  };
  Config: { Image: string; Hostname: string; Env: string[]; Cmd: string[]; WorkingDir: string; User: string; Tty: boolean; Labels: Record<string, string>; StopSignal: string; StopTimeout: number };
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
  Mounts: Array<{ Type: string; Source: string; Destination: string; RW: boolean }>;
}

/** One stats sample of one container (design.md §3: cgroup v2 or /proc). */
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

/** Every request the engine answers: params in, result out. */
export interface ApiMethods {
  'containers:list': { params: { all: boolean }; result: ContainerSummary[] };
  'containers:run': { params: RunOptions; result: ContainerSummary };
  'containers:start': { params: { id: string }; result: ContainerSummary };
  'containers:stop': { params: { id: string; timeoutSeconds?: number }; result: ContainerSummary };
  'containers:kill': { params: { id: string; signal?: string }; result: ContainerSummary };
  'containers:remove': { params: { id: string; force: boolean }; result: { id: string } };
  'containers:logs': { params: { id: string; tail?: number }; result: LogLine[] };
  'containers:inspect': { params: { id: string }; result: ContainerInspect };
  'containers:restart': { params: { id: string; timeoutSeconds?: number }; result: ContainerSummary };
  'images:list': { params: Record<string, never>; result: ImageSummary[] };
  'images:remove': { params: { reference: string; force: boolean }; result: { untagged: string[]; deleted: string[] } };
  /** Starts a pull; progress and the end arrive as `task` events. */
  'images:pull': { params: { reference: string; platform?: string }; result: { taskId: string } };
  'images:inspect': { params: { reference: string }; result: ImageInspect };
  'images:history': { params: { reference: string }; result: ImageHistoryEntry[] };
  'images:tag': { params: { source: string; target: string }; result: { reference: string } };
  'images:prune': { params: { all: boolean }; result: { deleted: string[]; untagged: string[] } };
  /** Starts a push; progress and the end arrive as `task` events. */
  'images:push': { params: { reference: string; destination?: string }; result: { taskId: string } };
  'tasks:list': { params: Record<string, never>; result: TaskProgress[] };
  'tasks:cancel': { params: { id: string }; result: TaskProgress };
  'system:doctor': { params: Record<string, never>; result: DoctorCheck[] };
  /** Past samples kept by the engine's sampler (at least an hour per container). */
  'stats:history': { params: { id: string; seconds?: number }; result: StatsSample[] };
  /** The latest sample of every running container. */
  'stats:current': { params: Record<string, never>; result: StatsSample[] };
  'containers:top': { params: { id: string }; result: TopProcess[] };
  /** Freezes every process (cgroup freezer where delegated, else SIGSTOP); `note` says which. */
  'containers:pause': { params: { id: string }; result: { id: string; note: string } };
  'containers:unpause': { params: { id: string }; result: { id: string } };
  'containers:rename': { params: { id: string; name: string }; result: ContainerSummary };
  'containers:prune': { params: Record<string, never>; result: { removed: string[] } };
  'volumes:list': { params: Record<string, never>; result: VolumeSummary[] };
  'volumes:create': { params: { name?: string; labels?: Record<string, string> }; result: VolumeSummary };
  'volumes:inspect': { params: { name: string }; result: VolumeSummary };
  'volumes:remove': { params: { name: string; force: boolean }; result: { name: string } };
  'volumes:prune': { params: Record<string, never>; result: { removed: string[] } };
  'settings:get': { params: Record<string, never>; result: CoveSettings };
  'settings:set': { params: Partial<CoveSettings>; result: CoveSettings };
  /** Creates without starting (docker create; the Docker API's create then start). */
  'containers:create': { params: RunOptions; result: ContainerSummary };
  /** Resolves when the container is not running; its exit code (null if it never ran). */
  'containers:wait': { params: { id: string }; result: { exitCode: number | null } };
}

export type ApiMethod = keyof ApiMethods;
export type ApiParams<M extends ApiMethod> = ApiMethods[M]['params'];
export type ApiResult<M extends ApiMethod> = ApiMethods[M]['result'];

export const API_METHODS: readonly ApiMethod[] = [
  'containers:list',
  'containers:run',
  'containers:start',
  'containers:stop',
  'containers:kill',
  'containers:remove',
  'containers:logs',
  'containers:inspect',
  'containers:restart',
  'images:list',
  'images:remove',
  'images:pull',
  'images:inspect',
  'images:history',
  'images:tag',
  'images:prune',
  'images:push',
  'tasks:list',
  'tasks:cancel',
  'system:doctor',
  'settings:get',
  'settings:set',
  'logs:follow',
  'logs:unfollow',
  'containers:create',
  'containers:wait',
];

export type ContainerAction = 'create' | 'start' | 'die' | 'remove' | 'update';
export type ImageAction = 'load' | 'tag' | 'untag' | 'delete';
export type VolumeAction = 'create' | 'remove';

/** Events the engine pushes; the UI is driven by these, never by polling. */
export type EngineEvent =
  | { type: 'container'; action: ContainerAction; id: string; time: string }
  | { type: 'image'; action: ImageAction; id: string; time: string }
  | { type: 'task'; task: TaskProgress }
  | { type: 'logs'; subscription: string; lines: LogLine[]; ended?: boolean }
  | { type: 'volume'; action: VolumeAction; id: string; time: string }
  | { type: 'stats'; samples: StatsSample[] };

/** Wire messages shared by the WebSocket and unix-socket transports. */
export type ClientMessage = {
  [M in ApiMethod]: { kind: 'request'; id: number; method: M; params: ApiParams<M> };
}[ApiMethod];

export type ServerMessage =
  | { kind: 'response'; id: number; ok: true; result: unknown }
  | { kind: 'response'; id: number; ok: false; error: ApiError }
  | { kind: 'event'; event: EngineEvent };

/** What the renderer sees, whatever the transport (window.cove in Electron). */
export interface CoveApi {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  onEvent(listener: (event: EngineEvent) => void): () => void;
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

// ---- Log following (issue 6) ----

/** `logs:follow` answers the last lines now; later ones arrive as `logs` events for `subscription`. */
export interface LogFollowResult {
  subscription: string;
  lines: LogLine[];
}

// Declaration merging keeps the methods above untouched.
export interface ApiMethods {
  'logs:follow': { params: { id: string; tail?: number }; result: LogFollowResult };
  'logs:unfollow': { params: { subscription: string }; result: { subscription: string } };
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
