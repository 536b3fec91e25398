import type { CoveApi, DesktopPreferences, UiCommand } from '../../../app/api/contract';
import type { OpenTerminal } from './terminal-link';

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** What only the desktop app has (start at login, notifications, commands from the tray). */
export interface DesktopExtras {
  getPreferences(): Promise<DesktopPreferences>;
  setPreferences(change: Partial<DesktopPreferences>): Promise<DesktopPreferences>;
  onUiCommand(listener: (command: UiCommand) => void): () => void;
  openExternal(url: string): Promise<void>;
}

/** CoveApi plus what the store needs to know about the link itself. */
export interface Transport extends CoveApi {
  readonly kind: 'ipc' | 'websocket';
  /** Calls the listener with the current state at once, then on every change. */
  onConnection(listener: (state: ConnectionState) => void): () => void;
  /** Opens a terminal session on its own binary channel. */
  openTerminal: OpenTerminal;
  readonly desktop: DesktopExtras | null;
}
