import path from 'node:path';
import { app, BrowserWindow, ipcMain, Notification, shell, type IpcMainInvokeEvent } from 'electron';
import type { ContainerSummary, DesktopPreferences, RunOptions } from '../app/api/contract.js';
import type { EngineHandle } from '../app/engine/engine-api.js';
import { openEngine } from '../app/engine/open-engine.js';
import { followEngineState } from './engine-state.js';
import { isLoopbackHttpUrl } from '../app/api/port-url.js';
import { registerEngineIpc, sendUiCommand } from './ipc.js';
import { linuxAutostartEnabled, setLinuxAutostart } from './login-item.js';
import { createMainWindow } from './main-window.js';
import { exitNotifications, taskNotification, type NotificationSpec } from './notifications.js';
import { PreferencesFile } from './preferences.js';
import { resolveRendererLocation } from './renderer-location.js';
import { hardenApp, hardenSession } from './security.js';
import { isTrustedSender } from './sender-check.js';
import { disableInputTaskDeferral } from './input-deferral.js';
import { createDesktopTerminals } from './terminals.js';
import { createTray, type CoveTray } from './tray.js';
import { trayContainer, type TrayAction, type TrayState } from './tray-menu.js';

// Two instances would open two engines on one store; the second one just
// brings the first one's window forward.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  app.enableSandbox();
  // Before the app is ready: Chromium reads its features once, at start.
  disableInputTaskDeferral(app.commandLine);
  hardenApp();

  const location = resolveRendererLocation(app.isPackaged, process.env);
  const userData = app.getPath('userData');
  const preferences = new PreferencesFile(path.join(userData, 'preferences.json'));
  const startHidden = process.argv.includes('--hidden');
  let window: BrowserWindow | null = null;
  let tray: CoveTray | null = null;
  let quitting = false;
  let engine: EngineHandle | null = null;
  let engineClosed = false;
  let trayState: TrayState = { containers: [], machines: [], lastRun: preferences.get().lastRun, engineError: null };

  const contents = () => (window && !window.isDestroyed() ? window.webContents : null);

  const showWindow = (): void => {
    if (!window || window.isDestroyed()) {
      if (!app.isReady()) return;
      window = openWindow(false);
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const navigate = (hash: string): void => {
    showWindow();
    sendUiCommand(contents(), { type: 'navigate', hash });
  };

  const openWindow = (hidden: boolean): BrowserWindow => {
    const created = createMainWindow({ location, stateFile: path.join(userData, 'window-state.json'), hidden });
    created.on('close', (event) => {
      // With a tray the app lives on after the window closes, as Docker
      // Desktop does; containers keep running either way.
      if (tray && !quitting) {
        event.preventDefault();
        created.hide();
      }
    });
    created.on('closed', () => {
      if (window === created) window = null;
    });
    return created;
  };

  const trusted = (event: IpcMainInvokeEvent): boolean => isTrustedSender(event, contents(), location);

  // Linux runs containers itself; on macOS and Windows they run in the Cove VM,
  // created and started on demand (its progress leads the tray menu).
  const engineReady =
    process.platform === 'linux'
      ? openEngine({ warn: (message) => console.warn(`cove: ${message}`) })
      : import('../app/engine/machine/machine-engine.js')
          .then(({ openMachineEngine }) => openMachineEngine({ progress: (line) => updateTray({ notice: `${line}…` }) }))
          .finally(() => updateTray({ notice: null }));
  const terminals = createDesktopTerminals(engineReady);

  const notify = (spec: NotificationSpec): void => {
    if (!preferences.get().notifications || !Notification.isSupported()) return;
    const n = new Notification({ title: spec.title, body: spec.body, silent: false });
    n.on('click', () => navigate(spec.hash));
    n.show();
  };

  const updateTray = (change: Partial<TrayState>): void => {
    trayState = { ...trayState, ...change };
    tray?.update(trayState);
  };

  // Machines have no events (their state is QEMU's): the tray re-reads them.
  const refreshMachines = async (): Promise<void> => {
    try {
      const list = await (await engineReady).handle('machines:list', {});
      updateTray({ machines: list.map((m) => ({ name: m.name, state: m.state, cpus: m.cpus, memoryMb: m.memoryMb })) });
    } catch {
      // the engine's own error is shown already
    }
  };
  const machinesTimer = setInterval(() => void refreshMachines(), 5000);
  machinesTimer.unref();

  const act = async (action: TrayAction): Promise<void> => {
    const run = async (work: (e: EngineHandle) => Promise<unknown>): Promise<void> => {
      try {
        await work(await engineReady);
      } catch (err) {
        const { code, message } = err as { code?: string; message?: string };
        notify({ title: 'Cove could not do that', body: `${message ?? String(err)} (${code ?? 'E_INTERNAL'})`, hash: '#/containers' });
      }
    };
    switch (action.kind) {
      case 'show':
        return showWindow();
      case 'quit':
        quitting = true;
        return app.quit();
      case 'start':
        return run((e) => e.handle('containers:start', { id: action.id }));
      case 'stop':
        return run((e) => e.handle('containers:stop', { id: action.id }));
      case 'restart':
        return run((e) => e.handle('containers:restart', { id: action.id }));
      case 'shell':
        return navigate(`#/containers/${action.id}/terminal`);
      case 'rerun': {
        const last = trayState.lastRun;
        if (last) await run((e) => e.handle('containers:run', { ...last, name: undefined }));
        return;
      }
      case 'machine-start':
        // Booting takes a while (minutes without an accelerator): the menu says "starting" meanwhile.
        updateTray({ machines: trayState.machines.map((m) => (m.name === action.name ? { ...m, state: 'starting' } : m)) });
        await run((e) => e.handle('machines:start', { name: action.name }));
        return refreshMachines();
      case 'machine-stop':
        await run((e) => e.handle('machines:stop', { name: action.name }));
        return refreshMachines();
      case 'open-url':
        // Only what the model builds: a published port on this machine.
        if (isLoopbackHttpUrl(action.url)) void shell.openExternal(action.url);
        return;
    }
  };

  const setOpenAtLogin = (enabled: boolean): void => {
    if (process.platform === 'linux') {
      const exec = app.isPackaged ? [process.env.APPIMAGE ?? process.execPath] : [process.execPath, app.getAppPath()];
      setLinuxAutostart(enabled, exec);
    } else {
      app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    }
  };

  const desktopPreferences = {
    get: (): DesktopPreferences => {
      const p = preferences.get();
      const openAtLogin = process.platform === 'linux' ? linuxAutostartEnabled() : app.getLoginItemSettings().openAtLogin;
      return { openAtLogin, notifications: p.notifications };
    },
    set: (change: Partial<DesktopPreferences>): DesktopPreferences => {
      if (change.openAtLogin !== undefined) setOpenAtLogin(change.openAtLogin);
      preferences.update(change);
      return desktopPreferences.get();
    },
  };

  engineReady.then(
    (opened: EngineHandle) => {
      engine = opened;
      void refreshMachines();
      followEngineState(opened, {
        containers: (before: ContainerSummary[], after: ContainerSummary[]) => {
          updateTray({ containers: after.map(trayContainer) });
          for (const spec of exitNotifications(before, after)) notify(spec);
        },
        event: (event) => {
          const spec = taskNotification(event);
          if (spec) notify(spec);
        },
        error: (message) => updateTray({ engineError: message }),
      });
    },
    (error: unknown) => {
      // Not fatal: every IPC call answers with the engine's error code, so
      // the UI shows what to fix (e.g. E_NO_SUBUID).
      console.error('cove: the engine did not open', error);
      const { code } = error as { code?: string };
      updateTray({ engineError: code ?? 'E_INTERNAL' });
    },
  );
  registerEngineIpc({
    ipcMain,
    engine: engineReady,
    isTrustedSender: trusted,
    terminals,
    preferences: desktopPreferences,
    openExternal: (url) => shell.openExternal(url),
    observe: (method, params) => {
      if (method !== 'containers:run') return;
      const lastRun = params as RunOptions;
      preferences.update({ lastRun });
      updateTray({ lastRun });
    },
  });

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (!tray) app.quit();
  });
  app.on('will-quit', (event) => {
    // Terminals end with the UI; containers never do (each has its own monitor process).
    terminals.closeAll();
    if (!engine || engineClosed) return;
    event.preventDefault();
    const closing = engine;
    engineClosed = true;
    void closing
      .close()
      .catch((error: unknown) => console.error('cove: engine close failed', error))
      .finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    hardenSession();
    tray = createTray(trayState, (action) => void act(action));
    // Started at login with a tray: stay there. Without one, show the window.
    window = openWindow(startHidden && tray !== null);
  });
}
