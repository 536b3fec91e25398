import { app, session } from 'electron';

/**
 * App-wide hardening from Electron's security checklist: the UI never
 * navigates, never opens windows, never embeds webviews and never gets a
 * permission prompt (camera, notifications, ...): Cove needs none of them.
 */
export function hardenApp(): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}

export function hardenSession(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
}
