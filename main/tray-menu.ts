import type { MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  showWindow(): void;
  quit(): void;
}

/** Pure, so it can be unit-tested without Electron; engine state joins it later. */
export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Show Cove', click: () => actions.showWindow() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}
