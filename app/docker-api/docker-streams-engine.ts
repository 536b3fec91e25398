// What the Docker adapter needs beyond calls: the byte streams of attach
// and exec, which the engine serves from its monitor's attach socket and its
// runtime's exec. Kept narrow so the adapter depends on no engine internals.
export interface AttachTarget {
  id: string;
  socket: string;
  tty: boolean;
  stdin: boolean;
}

export interface DockerStreams {
  /** Resolves a container (id or name) to its id without starting anything. */
  resolveId(query: string): Promise<string>;
  /** The monitor's attach socket of a running container (or of one just started, which may be gone already). */
  attachTarget(query: string, requireRunning?: boolean): Promise<AttachTarget>;
  /** Starts a created container with its output held for the first attach client. */
  startHeld(query: string): Promise<void>;
}
