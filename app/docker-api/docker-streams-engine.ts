// What the Docker adapter needs beyond calls: the byte streams of attach
// and exec, which the engine serves from its monitor's attach socket and its
// runtime's exec. Kept narrow so the adapter depends on no engine internals.
export interface AttachTarget {
  id: string;
  socket: string;
  tty: boolean;
  stdin: boolean;
}

export interface ExecSpec {
  command: string[];
  tty: boolean;
  interactive: boolean;
  user?: string;
  cwd?: string;
  env?: string[];
}

/** A running exec: output per stream (1 stdout or a tty, 2 stderr), input, size, exit status. */
export interface ExecHandle {
  pid: number;
  onData(listener: (stream: 1 | 2, data: Buffer) => void): void;
  write(data: Buffer): void;
  closeStdin(): void;
  resize(cols: number, rows: number): void;
  exit: Promise<number>;
}

export interface PathStatView {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

export interface DockerStreams {
  /** What a path in a running container is (docker cp asks first). */
  statPath(query: string, path: string): Promise<PathStatView>;
  /** A tar of a path in a running container, made by the container's own tar. */
  archiveOut(query: string, path: string, out: NodeJS.WritableStream): Promise<void>;
  /** A tar extracted into a directory of a running container, by the container's own tar. */
  archiveIn(query: string, archive: NodeJS.ReadableStream, dir: string): Promise<void>;
  /** The container's whole filesystem as a tar. */
  exportFs(query: string, out: NodeJS.WritableStream): Promise<void>;
  /** Runs a command in a running container with its stdio relayed by us. */
  exec(query: string, spec: ExecSpec, size?: { cols: number; rows: number }): Promise<ExecHandle>;
  /** Resolves a container (id or name) to its id without starting anything. */
  resolveId(query: string): Promise<string>;
  /** The monitor's attach socket of a running container (or of one just started, which may be gone already). */
  attachTarget(query: string, requireRunning?: boolean): Promise<AttachTarget>;
  /** Starts a created container with its output held for the first attach client. */
  startHeld(query: string): Promise<void>;
}
