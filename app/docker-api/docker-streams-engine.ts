// What the Docker adapter needs beyond calls: the byte streams of attach
// and exec, which the engine serves from its monitor's attach socket and its
// runtime's exec. Kept narrow: the adapter reaches the container service only through these.
import type { ExecOptions } from '../engine/container/container-process.js';
import type { ExecSession } from '../engine/container/exec-session.js';
import type { PathStat } from '../engine/container/path-stat.js';

export interface AttachTarget {
  id: string;
  socket: string;
  tty: boolean;
  stdin: boolean;
}

/** A running exec: output per stream (1 stdout or a tty, 2 stderr), input, size, exit status. */
export type ExecHandle = ExecSession;

export interface DockerStreams {
  /** What a path in a running container is (docker cp asks first). */
  statPath(query: string, path: string): Promise<PathStat>;
  /** A tar of a path in a running container, made by the container's own tar. */
  archiveOut(query: string, path: string, out: NodeJS.WritableStream): Promise<void>;
  /** A tar extracted into a directory of a running container, by the container's own tar. */
  archiveIn(query: string, archive: NodeJS.ReadableStream, dir: string): Promise<void>;
  /** The container's whole filesystem as a tar. */
  exportFs(query: string, out: NodeJS.WritableStream): Promise<void>;
  /** Runs a command in a running container with its stdio relayed by us. */
  exec(query: string, spec: ExecOptions, size?: { cols: number; rows: number }): Promise<ExecHandle>;
  /** Resolves a container (id or name) to its id without starting anything. */
  resolveId(query: string): Promise<string>;
  /** The monitor's attach socket of a running container (or of one just started, which may be gone already). */
  attachTarget(query: string, requireRunning?: boolean): Promise<AttachTarget>;
  /** Starts a created container with its output held for the first attach client. */
  startHeld(query: string): Promise<void>;
}
