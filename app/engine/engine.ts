import fs from 'node:fs';
import path from 'node:path';
import type { ApiMethod, ApiParams, ApiResult, EngineEvent, EventType, ImageAction } from '../api/contract.js';
import { ContainerEventDeriver } from './container-events.js';
import type { Delivery, EngineConnection, EngineHandle } from './engine-api.js';
import { EngineError } from './errors.js';
import { prepareDirs, resolvePaths, type CovePaths } from './paths.js';
import { EventBus } from './event-bus.js';
import { Connections, type CallContext } from './subscriptions.js';
import { eventHandlers } from './handlers/event-handlers.js';
import { currentIdMappings, type IdMappings } from './idmap.js';
import { BlobStore } from './store/blob-store.js';
import { LayerStore } from './store/layer-store.js';
import { ImageIndex } from './store/image-index.js';
import { ImageService } from './image-service.js';
import { ContainerStore } from './container/container-store.js';
import { ContainerService } from './container/container-service.js';
import { oomKilledAtExit } from './container/cgroup-limits.js';
import { machineHandlers } from './handlers/machine-handlers.js';
import { StoreWatcher } from './store-watcher.js';
import { TaskRegistry } from './tasks.js';
import type { AllHandlers } from './handlers/handler-types.js';
import { containerHandlers } from './handlers/container-handlers.js';
import { imageHandlers, registryHandlers } from './handlers/image-handlers.js';
import { settingsHandlers, systemHandlers, taskHandlers } from './handlers/system-handlers.js';
import { SettingsStore } from './settings.js';
import { VolumeService } from './volume/volume-service.js';
import { volumeHandlers } from './handlers/volume-handlers.js';
import { statsHandlers } from './handlers/stats-handlers.js';
import { StatsSampler } from './stats/stats-sampler.js';
import { logHandlers } from './handlers/log-handlers.js';
import type { Builder } from './build/builder.js';
import { buildHandlers } from './handlers/build-handlers.js';
import { networkHandlers } from './handlers/network-handlers.js';
import { composeHandlers } from './handlers/compose-handlers.js';
import { NetHolder } from './network/net-holder.js';
import { isUserNetwork, NetworkService } from './network/network-service.js';
import { checkedContainer, checkNetworks, type CheckedContainer } from './network/network-check.js';
import { NetworkStateFile } from './network/network-state.js';

export interface EngineOptions {
  home?: string;
  /** Watch the store for other processes' changes (GUI, web mode); the CLI does not need to. */
  watch?: boolean;
}

/**
 * The facade every transport talks to: one handler per method of the API
 * table, reached through connections that own their subscriptions. Services
 * are built here and passed their dependencies.
 */
export class Engine implements EngineHandle {
  readonly images: ImageService;
  readonly containers: ContainerService;
  private readonly bus = new EventBus();
  private readonly connections: Connections;
  private readonly closeLogs: () => void;
  private watcher: StoreWatcher | undefined;
  private containerEvents: ContainerEventDeriver | undefined;
  private watchStart: Promise<void> | undefined;
  private alwaysWatch = false;
  private watchUsers = 0;
  readonly tasks: TaskRegistry;
  readonly settings: SettingsStore;
  readonly volumes: VolumeService;
  readonly networks: NetworkService;
  readonly stats: StatsSampler;
  private readonly handlers: AllHandlers;
  private builderInstance: Promise<Builder> | undefined;
  private readonly index: ImageIndex;

  private constructor(
    readonly paths: CovePaths,
    readonly mappings: IdMappings,
    readonly tmpDir: string,
    private readonly blobs: BlobStore,
    private readonly layers: LayerStore,
    private readonly containerStore: ContainerStore,
  ) {
    const index = new ImageIndex(paths.home);
    this.index = index;
    layers.onWarning = (chainId, message) => this.emit({ type: 'warning', source: 'image', id: chainId, message, time: new Date().toISOString() });
    this.settings = new SettingsStore(paths.home);
    this.volumes = new VolumeService(paths.home, mappings, (name) => this.containers.usersOfVolume(name), {
      volumeChanged: (action, name) => this.emit({ type: 'volume', action, id: name, time: new Date().toISOString() }),
    });
    this.images = new ImageService(blobs, layers, index, this.tmpDir, {
      imageChanged: (action, id) => this.emit({ type: 'image', action, id, time: new Date().toISOString() }),
    });
    const netState = new NetworkStateFile(paths.home);
    this.networks = new NetworkService(netState, new NetHolder(paths.runtime, netState.file, mappings), {
      resolve: async (query) => {
        const r = await this.containers.resolve(query);
        return { id: r.id, name: r.name, network: r.config?.network ?? null };
      },
      runningPid: async (id) => {
        const s = await this.containers.status(id);
        return s.state === 'running' || s.state === 'paused' ? s.pid : null;
      },
      runningOnNetworks: async () => {
        const out: Array<{ id: string; pid: number }> = [];
        for (const r of await containerStore.records()) {
          if (!r.config || !isUserNetwork(r.config.network)) continue;
          const s = await containerStore.status(r.id).catch(() => undefined);
          if ((s?.state === 'running' || s?.state === 'paused') && s.pid !== null) out.push({ id: r.id, pid: s.pid });
        }
        return out;
      },
      exists: async (id) => fs.existsSync(containerStore.paths(id).root),
    });
    this.containers = new ContainerService({
      store: containerStore,
      images: this.images,
      mappings,
      runtimeRoot: path.join(paths.runtime, 'runtime'),
      lockFile: path.join(paths.home, 'containers.lock'),
      settings: this.settings,
      volumes: this.volumes,
      networks: this.networks,
      events: {
        containerChanged: (action, id) => {
          this.emit({ type: 'container', action, id, time: new Date().toISOString() });
          // Reported here: the watcher must not report the same change again.
          void this.containerEvents?.note(id);
        },
      },
    });
    this.tasks = new TaskRegistry((task) => this.emit({ type: 'task', task }));
    this.stats = new StatsSampler(() => this.containers.running(), (samples) => this.emit({ type: 'stats', samples }));
    const { close: closeLogs, ...logs } = logHandlers(this.containers);
    this.closeLogs = closeLogs;
    this.handlers = {
      ...containerHandlers(this.containers, this.tmpDir),
      ...imageHandlers(this.images, this.containers, this.tasks),
      ...registryHandlers(this.images),
      ...taskHandlers(this.tasks),
      ...systemHandlers({ scratch: this.tmpDir, runtime: paths.runtime, containers: this.containers, images: this.images, volumes: this.volumes, buildCacheUsage: async () => (await this.builder()).cache.usage(), checkNetworks: async (repair) => {
          const listed = async (): Promise<CheckedContainer[]> => Promise.all((await containerStore.ids()).map(async (id) => {
            const r = await containerStore.readRecord(id).catch(() => undefined);
            return r ? checkedContainer(r) : { id, name: '', networks: [], ports: [], partial: true };
          }));
          const r = await checkNetworks(netState, listed, repair);
          if (r.changed) await this.networks.holder.syncIfRunning().catch(() => undefined);
          return r;
        } }),
      ...settingsHandlers(this.settings),
      ...volumeHandlers(this.volumes),
      ...statsHandlers(this.stats, this.containers),
      ...logs,
      ...eventHandlers(this.bus, (types) => this.acquireSources(types)),
      ...buildHandlers(() => this.builder(), this.tasks),
      ...networkHandlers(this.networks),
      ...composeHandlers(
        {
          call: (method, params) => this.handle(method, params),
          listen: (listener) => this.bus.listen(listener),
          watch: () => {
            const release = this.acquireSources(new Set(['container']));
            return { release, ready: this.ensureWatcher().catch(() => undefined) };
          },
          // The model (YAML, schema, interpolation) is loaded when compose is first used.
          load: async (options) => (await import('./compose/model/load-project.js')).loadComposeProject(options),
          render: async (project) => (await import('./compose/model/render-config.js')).renderComposeConfig(project),
        },
        this.tasks,
      ),
      ...machineHandlers({ ...process.env, COVE_HOME: paths.home }),
    };
    this.connections = new Connections((method, params, ctx) => this.dispatch(method, params, ctx));
  }

  static async open(options: EngineOptions = {}): Promise<Engine> {
    const paths = resolvePaths(process.env, options.home);
    prepareDirs(paths);
    const mappings = currentIdMappings();
    const tmp = path.join(paths.home, 'tmp');
    const blobs = new BlobStore(paths.home, tmp);
    const layers = new LayerStore(paths.home, mappings);
    const containers = new ContainerStore(paths.home);
    await Promise.all([blobs.init(), layers.init(), containers.init()]);
    const engine = new Engine(paths, mappings, tmp, blobs, layers, containers);
    await engine.volumes.init();
    if (options.watch) {
      await engine.startWatching();
      engine.stats.start();
      // "Applied on Cove's start": always/unless-stopped containers that are down (after a reboot) come back.
      await engine.containers.applyRestartPolicies();
    }
    return engine;
  }

  /** The image builder (cove build), loaded when first used. */
  builder(): Promise<Builder> {
    this.builderInstance ??= import('./build/builder.js').then(
      ({ Builder }) =>
        new Builder({
          home: this.paths.home,
          tmpDir: this.tmpDir,
          runtimeDir: this.paths.runtime,
          mappings: this.mappings,
          blobs: this.blobs,
          layers: this.layers,
          index: this.index,
          images: this.images,
          imageChanged: (id) => this.emit({ type: 'image', action: 'load', id, time: new Date().toISOString() }),
        }),
    );
    return this.builderInstance;
  }

  private startWatching(): Promise<void> {
    this.alwaysWatch = true;
    return this.ensureWatcher();
  }

  private ensureWatcher(): Promise<void> {
    this.watchStart ??= this.openWatcher();
    return this.watchStart;
  }

  private async openWatcher(): Promise<void> {
    const deriver = new ContainerEventDeriver(async (id) => {
      // The watcher's ids are directory names, full IDs: one read, not a scan of every record when it is gone.
      const rec = await this.containerStore.readRecord(id).catch(() => undefined);
      if (!rec) return null;
      const s = await this.containers.summary(rec);
      const down = s.state !== 'running' && s.state !== 'paused';
      const oom = down && oomKilledAtExit(rec.id, this.containerStore.paths(rec.id).bundle);
      return { state: s.state, name: s.name, startedAt: s.startedAt, restarting: s.restarting === true, ...(s.health ? { health: s.health } : {}), ...(oom ? { oomKilled: true } : {}) };
    });
    await deriver.prime((await this.containers.list(true)).map((c) => c.id));
    // Released (or started by another caller) while priming.
    if (this.watcher || (!this.alwaysWatch && this.watchUsers === 0)) return;
    this.containerEvents = deriver;
    this.watcher = new StoreWatcher(this.paths.home, this.containerStore.dir, {
      // Changes by other processes (the CLI, the monitor), named after what changed.
      containerChanged: (id) =>
        void deriver.derive(id).then((actions) => {
          for (const action of actions) {
            const health = action === 'health_status' ? deriver.health(id) : undefined;
            this.emit({ type: 'container', action, id, time: new Date().toISOString(), ...(health ? { health } : {}) });
          }
        }),
      imagesChanged: () => this.emit({ type: 'image', action: 'load' satisfies ImageAction, id: '', time: new Date().toISOString() }),
      fileChanged: (id, listChanged) => this.containers.records.listCache.fileChanged(id, listChanged),
    });
    this.watcher.start();
    this.containers.records.listCache.attach(this.watcher);
  }

  private stopWatcher(): void {
    this.containers.records.listCache.detach();
    this.watcher?.close();
    this.watcher = undefined;
    this.containerEvents = undefined;
    this.watchStart = undefined;
  }

  /**
   * What an `events:subscribe` subscription needs running while it lives:
   * the store watcher for container and image events (other processes'
   * changes, e.g. a container's exit written by its monitor), the sampler
   * for stats. A long-lived engine runs both anyway; the CLI's only on demand.
   */
  private acquireSources(types: ReadonlySet<EventType>): () => void {
    const store = types.has('container') || types.has('image');
    const stats = types.has('stats');
    if (store) {
      this.watchUsers++;
      void this.ensureWatcher().catch(() => undefined);
    }
    if (stats) this.stats.acquire();
    return () => {
      if (store && --this.watchUsers === 0 && !this.alwaysWatch) this.stopWatcher();
      if (stats) this.stats.release();
    };
  }

  private emit(event: EngineEvent): void {
    this.bus.emit(event);
  }

  private async dispatch(method: ApiMethod, params: unknown, ctx: CallContext): Promise<unknown> {
    const handler = (this.handlers as Record<string, ((p: unknown, c: CallContext) => Promise<unknown>) | undefined>)[method];
    if (!handler) throw new EngineError('E_INVALID_ARGUMENT', `unknown method ${String(method)}`);
    return handler(params, ctx);
  }

  connect(deliver: (delivery: Delivery) => void): EngineConnection {
    return this.connections.connect(deliver);
  }

  handle<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    return this.connections.handle(method, params);
  }

  /** Subscriptions open across all connections (tests check that closing a connection releases its own). */
  get openSubscriptions(): number {
    return this.connections.openCount;
  }

  async close(): Promise<void> {
    this.connections.closeAll();
    this.closeLogs();
    this.containers.records.listCache.detach();
    this.watcher?.close();
    this.stats.stop();
    this.bus.clear();
  }
}
