import fs from 'node:fs';
import path from 'node:path';

export interface StoreWatcherCallbacks {
  containerChanged(id: string): void;
  imagesChanged(): void;
  /**
   * Every event in the containers directory (`listChanged`) or in a
   * container's, as it is read, before the debounce; `id` null when the
   * event cannot be tied to one container. The list cache drops entries here.
   */
  fileChanged?(id: string | null, listChanged: boolean): void;
}

/**
 * Turns changes that other processes make to the store (the CLI while the
 * GUI runs, the monitor writing exit.json) into engine events, so every
 * window and CLI sees them live without polling. inotify
 * through fs.watch, one watch per container directory, never recursive:
 * upper/ trees belong to subordinate ids and may be huge.
 */
export class StoreWatcher {
  private readonly watchers = new Map<string, fs.FSWatcher>();
  private root: fs.FSWatcher | undefined;
  private home: fs.FSWatcher | undefined;
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private rootFailed = false;

  constructor(
    private readonly homeDir: string,
    private readonly containersDir: string,
    private readonly callbacks: StoreWatcherCallbacks,
  ) {}

  start(): void {
    const self = path.basename(this.containersDir);
    const watched = fs.statSync(this.containersDir);
    this.root = fs.watch(this.containersDir, (_event, name) => {
      if (typeof name !== 'string' || !/^[a-f0-9]{64}$/.test(name)) {
        // An event of the directory itself carries its own name (libuv reports a
        // chmod as "rename" too): if it moved or went, nothing in it is watched any more.
        if (typeof name !== 'string' || name === self) {
          const now = fs.statSync(this.containersDir, { throwIfNoEntry: false });
          if (!now || now.ino !== watched.ino || now.dev !== watched.dev) this.failRoot();
        }
        return;
      }
      this.watchContainer(name);
      this.callbacks.fileChanged?.(name, true);
      this.debounce(name, () => this.callbacks.containerChanged(name));
    });
    this.root.on('error', () => this.failRoot());
    this.home = fs.watch(this.homeDir, (_event, name) => {
      if (name === 'images.json') this.debounce('images', () => this.callbacks.imagesChanged());
    });
    this.home.on('error', () => undefined);
    for (const name of fs.readdirSync(this.containersDir)) if (/^[a-f0-9]{64}$/.test(name)) this.watchContainer(name);
  }

  private watchContainer(id: string): void {
    const dir = path.join(this.containersDir, id);
    if (this.watchers.has(id)) {
      if (!fs.existsSync(dir)) {
        this.watchers.get(id)?.close();
        this.watchers.delete(id);
      }
      return;
    }
    try {
      const w = fs.watch(dir, (_event, name) => {
        // The log, and the healthcheck prober's temporary and pid files (health.json itself counts).
        if (name === 'container.log' || name === 'health.json.tmp' || name === 'health.json.pid') return;
        this.callbacks.fileChanged?.(id, false);
        this.debounce(id, () => this.callbacks.containerChanged(id));
      });
      w.on('error', () => {
        w.close();
        this.watchers.delete(id);
        this.callbacks.fileChanged?.(id, false);
      });
      this.watchers.set(id, w);
    } catch {
      // Removed between the event and the watch.
    }
  }

  /** False once the containers directory's own watch failed: changes may go unseen. */
  complete(): boolean {
    return this.root !== undefined && !this.rootFailed;
  }

  /** True while container `id`'s directory is watched: its changes are reported. */
  watching(id: string): boolean {
    return this.watchers.has(id);
  }

  private failRoot(): void {
    this.rootFailed = true;
    this.callbacks.fileChanged?.(null, true);
  }

  private debounce(key: string, fn: () => void): void {
    const prev = this.pending.get(key);
    if (prev) clearTimeout(prev);
    this.pending.set(
      key,
      setTimeout(() => {
        this.pending.delete(key);
        fn();
      }, 30),
    );
  }

  close(): void {
    this.root?.close();
    this.root = undefined;
    this.home?.close();
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }
}
