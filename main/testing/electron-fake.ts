// Electron's module objects, in memory, for tests that run main's real IPC
// registration and the real preload without Electron's binary: an ipcMain /
// ipcRenderer pair joined by one fake window (webContents). Arguments and
// results are structured-cloned both ways, as Electron's IPC does.
import { EventEmitter } from 'node:events';

type Handler = (event: FakeInvokeEvent, ...args: unknown[]) => unknown;
type RendererListener = (event: { sender: unknown; ports: unknown[] }, ...args: unknown[]) => void;

class FakeWebContents extends EventEmitter {
  readonly id = 1;
  private destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    ipcRenderer.receive(channel, args.map((a) => structuredClone(a)));
  }
  postMessage(): void {
    throw new Error('MessagePorts are not part of this fake');
  }
  /** The window reloads: Electron emits did-start-navigation for the main frame. */
  reload(): void {
    this.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false, url: 'file:///index.html' });
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export interface FakeInvokeEvent {
  sender: FakeWebContents;
  senderFrame: { url: string; parent: null };
}

export const webContents = new FakeWebContents();

const handlers = new Map<string, Handler>();

export const ipcMain = {
  // Generic in the event, so main's handlers (typed for Electron's event) register here unchanged.
  handle<E>(channel: string, handler: (event: E, ...args: unknown[]) => unknown): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler as unknown as Handler);
  },
  removeHandler(channel: string): void {
    handlers.delete(channel);
  },
  get channels(): string[] {
    return [...handlers.keys()];
  },
};

const rendererListeners = new Map<string, Set<RendererListener>>();

export const ipcRenderer = {
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    const handler = handlers.get(channel);
    // Electron's own message for a channel nobody handles.
    if (!handler) throw new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`);
    const event: FakeInvokeEvent = { sender: webContents, senderFrame: { url: 'file:///index.html', parent: null } };
    return structuredClone(await handler(event, ...args.map((a) => structuredClone(a))));
  },
  on(channel: string, listener: RendererListener): void {
    let set = rendererListeners.get(channel);
    if (!set) rendererListeners.set(channel, (set = new Set()));
    set.add(listener);
  },
  removeListener(channel: string, listener: RendererListener): void {
    rendererListeners.get(channel)?.delete(listener);
  },
  receive(channel: string, args: unknown[]): void {
    for (const l of rendererListeners.get(channel) ?? []) l({ sender: null, ports: [] }, ...args);
  },
};

export const exposed: Record<string, unknown> = {};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    exposed[key] = api;
  },
};

export class MessageChannelMain {
  constructor() {
    throw new Error('MessageChannelMain is not part of this fake');
  }
}
