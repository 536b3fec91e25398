// Every open terminal of this process, by session id, so web mode and
// Electron main share one place that opens, finds and ends them.
import crypto from 'node:crypto';
import type { ApiError, TerminalOpenParams } from '../api/contract.js';
import { PtySession } from './pty-session.js';
import { TerminalBridge, controlFrame, type TerminalChannel, type TerminalProcess } from './terminal-bridge.js';

export interface TerminalRegistryOptions {
  /** How to run the CLI, e.g. [process.execPath, 'dist/cove.cjs']. */
  cli: string[];
  env?: NodeJS.ProcessEnv;
  /** Refuses early (e.g. container not running) so the UI can say so instead of showing a CLI error. */
  precheck?(params: TerminalOpenParams): Promise<ApiError | null>;
  /** Tests and benches swap the pty for something else. */
  spawn?(params: TerminalOpenParams): TerminalProcess;
}

export class TerminalRegistry {
  private readonly bridges = new Map<string, TerminalBridge>();
  constructor(private readonly options: TerminalRegistryOptions) {}

  /** Starts a session on `channel`; on a refused precheck it sends the error and closes the channel. */
  async open(params: TerminalOpenParams, channel: TerminalChannel): Promise<TerminalBridge | null> {
    const refused = (await this.options.precheck?.(params)) ?? null;
    if (refused) {
      channel.send(controlFrame({ type: 'error', error: refused }));
      channel.close();
      return null;
    }
    const proc =
      this.options.spawn?.(params) ??
      new PtySession({ cli: this.options.cli, mode: params.mode, container: params.container, cols: params.cols, rows: params.rows, env: this.options.env });
    const session = crypto.randomBytes(9).toString('base64url');
    const bridge = new TerminalBridge(session, proc, channel);
    this.bridges.set(session, bridge);
    proc.onExit(() => this.bridges.delete(session));
    return bridge;
  }

  get(session: string): TerminalBridge | undefined {
    return this.bridges.get(session);
  }

  close(session: string): void {
    this.bridges.get(session)?.close();
    this.bridges.delete(session);
  }

  get size(): number {
    return this.bridges.size;
  }

  closeAll(): void {
    for (const b of this.bridges.values()) b.close();
    this.bridges.clear();
  }
}
