// A terminal that outlives the page showing it: xterm.js and its channel
// live here, outside React and outside the store (terminal bytes never enter
// the store), so leaving the Terminal tab and coming back
// keeps the session and its scrollback.
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { SerializeAddon } from '@xterm/addon-serialize';
import { WebLinksAddon } from '@xterm/addon-web-links';
import {
  TERMINAL_FLOW,
  TERMINAL_FRAME,
  encodeAck,
  encodeResize,
  encodeTerminalFrame,
  type TerminalControl,
  type TerminalMode,
} from '../../../app/api/contract';
import type { OpenTerminal, TerminalLink } from '../api/terminal-link';

export type SessionStatus = 'connecting' | 'open' | 'ended' | 'refused';

export interface SessionSnapshot {
  status: SessionStatus;
  /** Why it ended or was refused, e.g. "E_CONTAINER_NOT_RUNNING: …" or "exit 0". */
  detail: string | null;
  exitCode: number | null;
  /** Counts connections, so the UI can tell a reconnect happened. */
  generation: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function themeColors(): { background: string; foreground: string; cursor: string } {
  const css = getComputedStyle(document.documentElement);
  const get = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return { background: get('--term-bg', '#111316'), foreground: get('--term-fg', '#e4e7eb'), cursor: get('--accent', '#3bc9db') };
}

export class TerminalSession {
  readonly term: Terminal;
  readonly search = new SearchAddon();
  readonly serializer = new SerializeAddon();
  private readonly fit = new FitAddon();
  readonly element: HTMLDivElement;
  private opened = false;
  private link: TerminalLink | null = null;
  private unacked = 0;
  private snapshot: SessionSnapshot = { status: 'connecting', detail: null, exitCode: null, generation: 0 };
  private readonly listeners = new Set<() => void>();
  private lastSize = { cols: 0, rows: 0 };

  constructor(
    readonly container: string,
    readonly mode: TerminalMode,
    private readonly openTerminal: OpenTerminal,
  ) {
    this.term = new Terminal({
      // No blink: xterm's DOM renderer blinks with an infinite CSS animation,
      // so a frame is always pending when a key goes down, and Chromium
      // (DeferRendererTasksAfterInput) holds the echo's socket task until
      // that frame is done: every echo then waited one more frame (~17 ms).
      cursorBlink: false,
      scrollback: 10_000,
      fontFamily: "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace",
      fontSize: 13,
      theme: themeColors(),
      allowProposedApi: true,
    });
    this.term.loadAddon(this.fit);
    this.term.loadAddon(this.search);
    this.term.loadAddon(this.serializer);
    this.term.loadAddon(new WebLinksAddon());
    this.element = document.createElement('div');
    this.element.className = 'terminal-surface';
    this.term.onData((data) => this.link?.send(encodeTerminalFrame(TERMINAL_FRAME.data, encoder.encode(data))));
    this.term.onBinary((data) => {
      const bytes = Uint8Array.from(data, (ch) => ch.charCodeAt(0) & 0xff);
      this.link?.send(encodeTerminalFrame(TERMINAL_FRAME.data, bytes));
    });
  }

  get state(): SessionSnapshot {
    return this.snapshot;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(change: Partial<SessionSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...change };
    for (const l of this.listeners) l();
  }

  /** Puts the terminal into `host` (the first time opens xterm there); connects if asked and never connected. */
  attach(host: HTMLElement, connect: boolean): void {
    host.appendChild(this.element);
    if (!this.opened) {
      this.term.open(this.element);
      this.opened = true;
    }
    this.fitNow();
    if (connect && this.snapshot.generation === 0) this.connect();
    this.term.focus();
  }

  detach(): void {
    this.element.remove();
  }

  /** Fits to the host and tells the pty the new size (SIGWINCH: `stty size` follows). */
  fitNow(): void {
    if (!this.opened || !this.element.isConnected) return;
    try {
      this.fit.fit();
    } catch {
      return;
    }
    const { cols, rows } = this.term;
    if (cols === this.lastSize.cols && rows === this.lastSize.rows) return;
    this.lastSize = { cols, rows };
    if (this.snapshot.status === 'open') this.link?.send(encodeResize(cols, rows));
  }

  connect(): void {
    this.link?.close();
    this.unacked = 0;
    const generation = this.snapshot.generation + 1;
    this.set({ status: 'connecting', detail: null, exitCode: null, generation });
    const link = this.openTerminal({ container: this.container, mode: this.mode, cols: Math.max(2, this.term.cols), rows: Math.max(1, this.term.rows) });
    this.link = link;
    link.onFrame((frame) => {
      if (this.link === link) this.receive(frame);
    });
    link.onClose((reason) => {
      if (this.link !== link) return;
      this.link = null;
      if (this.snapshot.status === 'open' || this.snapshot.status === 'connecting') {
        this.set({ status: reason ? 'refused' : 'ended', detail: reason ?? this.snapshot.detail });
      }
    });
  }

  reconnect(): void {
    if (this.snapshot.generation > 0) this.term.write('\r\n\x1b[2m── reconnecting ──\x1b[0m\r\n');
    this.connect();
  }

  private receive(frame: Uint8Array): void {
    const type = frame[0];
    const payload = frame.subarray(1);
    if (type === TERMINAL_FRAME.data) {
      // Ack only what xterm has parsed: that is what keeps a flood from
      // piling up in this page (flow control, TERMINAL_FLOW).
      this.term.write(payload, () => {
        this.unacked += payload.length;
        if (this.unacked >= TERMINAL_FLOW.ackEvery) {
          this.link?.send(encodeAck(this.unacked));
          this.unacked = 0;
        }
      });
      return;
    }
    if (type !== TERMINAL_FRAME.control) return;
    let control: TerminalControl;
    try {
      control = JSON.parse(decoder.decode(payload)) as TerminalControl;
    } catch {
      return;
    }
    if (control.type === 'ready') {
      this.set({ status: 'open' });
      // The size may have changed while connecting.
      this.lastSize = { cols: 0, rows: 0 };
      this.fitNow();
      if (this.lastSize.cols === 0) this.link?.send(encodeResize(this.term.cols, this.term.rows));
    } else if (control.type === 'exit') {
      this.set({ status: 'ended', exitCode: control.code, detail: `exit ${control.code}` });
    } else if (control.type === 'error') {
      this.set({ status: 'refused', detail: `${control.error.code}: ${control.error.message}` });
    }
  }

  /** The scrollback as plain text (for copy and download). */
  text(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < buffer.length; i++) lines.push(buffer.getLine(i)?.translateToString(true) ?? '');
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  dispose(): void {
    this.link?.close();
    this.link = null;
    this.term.dispose();
    this.element.remove();
  }
}

// The registry: one session per container and mode, for the life of the page.
const sessions = new Map<string, TerminalSession>();

export function terminalSession(container: string, mode: TerminalMode, open: OpenTerminal): TerminalSession {
  const key = `${mode}:${container}`;
  let session = sessions.get(key);
  if (!session) {
    session = new TerminalSession(container, mode, open);
    sessions.set(key, session);
  }
  return session;
}

export function closeTerminalSession(container: string, mode: TerminalMode): void {
  const key = `${mode}:${container}`;
  sessions.get(key)?.dispose();
  sessions.delete(key);
}

/** Sessions of containers that no longer exist are ended (their scrollback is of no further use). */
export function pruneTerminalSessions(existing: ReadonlySet<string>): void {
  for (const [key, session] of sessions) {
    if (!existing.has(session.container)) {
      session.dispose();
      sessions.delete(key);
    }
  }
}

export function openTerminalCount(): number {
  return sessions.size;
}
