import { Menu, Tray } from 'electron';
import { createTrayIcon } from './tray-icon.js';
import { trayMenuTemplate, type TrayActions } from './tray-menu.js';

/** Returns null where the desktop has no tray, so the caller can fall back. */
export function createTray(actions: TrayActions): Tray | null {
  try {
    const tray = new Tray(createTrayIcon());
    tray.setToolTip('Cove');
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(actions)));
    tray.on('click', () => actions.showWindow());
    return tray;
  } catch (error) {
    console.warn('cove: no system tray available; closing the window will quit', error);
    return null;
  }
}
