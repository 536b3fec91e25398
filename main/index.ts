import { app, BrowserWindow, type IpcMainInvokeEvent, type Tray } from 'electron';
import type { EngineHandle } from '../app/engine/engine-api.js';
import { openEngine } from '../app/engine/open-engine.js';
import { forwardEngineEvents, registerEngineIpc } from './ipc.js';
import { createMainWindow } from './main-window.js';
import { isOwnRendererUrl, resolveRendererLocation } from './renderer-location.js';
import { hardenApp, hardenSession } from './security.js';
import { createTray } from './tray.js';

// Two instances would open two engines on one store; the second one just
// brings the first one's window forward.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  start();
}

function start(): void {
  app.enableSandbox();
  hardenApp();

  const location = resolveRendererLocation(app.isPackaged, process.env);
  let window: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let quitting = false;
  let engine: EngineHandle | null = null;
  let engineClosed = false;

  const showWindow = (): void => {
    if (!window || window.isDestroyed()) {
      if (!app.isReady()) return;
      window = openWindow();
    }
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  const openWindow = (): BrowserWindow => {
    const created = createMainWindow(location);
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

  const isTrustedSender = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    if (!window || window.isDestroyed() || event.sender !== window.webContents) return false;
    return isOwnRendererUrl(frame.url, location);
  };

  const engineReady = openEngine();
  // A failed open is not fatal here: every IPC call answers with the
  // engine's error code, so the UI shows what to fix (e.g. E_NO_SUBUID).
  engineReady.then(
    (opened: EngineHandle) => {
      engine = opened;
      forwardEngineEvents(opened, () => (window && !window.isDestroyed() ? window.webContents : null));
    },
    (error: unknown) => console.error('cove: the engine did not open', error),
  );
  registerEngineIpc({ engine: engineReady, isTrustedSender });

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (!tray) app.quit();
  });
  app.on('will-quit', (event) => {
    if (!engine || engineClosed) return;
    // Close the engine (locks, sockets) before exiting; containers stay up.
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
    window = openWindow();
    tray = createTray({
      showWindow,
      quit: () => {
        quitting = true;
        app.quit();
      },
    });
  });
}
