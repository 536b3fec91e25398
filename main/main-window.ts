import { BrowserWindow, nativeTheme } from 'electron';
import { preloadPath, type RendererLocation } from './renderer-location.js';

export function createMainWindow(location: RendererLocation): BrowserWindow {
  const window = new BrowserWindow({
    width: 1180,
    height: 760,
    minWidth: 760,
    minHeight: 480,
    title: 'Cove',
    show: false,
    autoHideMenuBar: true,
    // Matches styles.css so the first frame does not flash the wrong theme.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#15171b' : '#f6f7f9',
    webPreferences: {
      preload: preloadPath(),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (location.kind === 'dev') void window.loadURL(location.url);
  else void window.loadFile(location.path);
  return window;
}
