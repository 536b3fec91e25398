import { BrowserWindow, nativeTheme, screen } from 'electron';
import { preloadPath, type RendererLocation } from './renderer-location.js';
import { MIN_SIZE, placeWindow, readWindowState, writeWindowState } from './window-state.js';

export interface MainWindowOptions {
  location: RendererLocation;
  /** Where size and position are remembered. */
  stateFile: string;
  /** Started at login: stay in the tray until asked. */
  hidden: boolean;
}

export function createMainWindow({ location, stateFile, hidden }: MainWindowOptions): BrowserWindow {
  const placed = placeWindow(
    readWindowState(stateFile),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const window = new BrowserWindow({
    ...placed.bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
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
  if (placed.maximized) window.maximize();
  if (!hidden) window.once('ready-to-show', () => window.show());

  let saveTimer: NodeJS.Timeout | undefined;
  const save = (): void => {
    clearTimeout(saveTimer);
    if (window.isDestroyed() || window.isMinimized()) return;
    try {
      writeWindowState(stateFile, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
    } catch (error) {
      console.warn('cove: could not save the window state', error);
    }
  };
  const saveSoon = (): void => {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 400);
  };
  window.on('resize', saveSoon);
  window.on('move', saveSoon);
  window.on('close', save);

  if (location.kind === 'dev') void window.loadURL(location.url);
  else void window.loadFile(location.path);
  return window;
}
