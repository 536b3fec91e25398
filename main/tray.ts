import { Menu, Tray } from 'electron';
import { createTrayIcon } from './tray-icon.js';
import { toMenuTemplate, trayMenuModel, trayTooltip, type TrayAction, type TrayState } from './tray-menu.js';

export interface CoveTray {
  update(state: TrayState): void;
  destroy(): void;
}

/** Returns null where the desktop has no tray, so the caller can fall back. */
export function createTray(state: TrayState, dispatch: (action: TrayAction) => void): CoveTray | null {
  try {
    const tray = new Tray(createTrayIcon());
    const update = (next: TrayState): void => {
      tray.setToolTip(trayTooltip(next));
      tray.setContextMenu(Menu.buildFromTemplate(toMenuTemplate(trayMenuModel(next), dispatch)));
    };
    update(state);
    tray.on('click', () => dispatch({ kind: 'show' }));
    return { update, destroy: () => tray.destroy() };
  } catch (error) {
    console.warn('cove: no system tray available; closing the window will quit', error);
    return null;
  }
}
