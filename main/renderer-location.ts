import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where the UI is loaded from: electron-vite's dev server, or the built files. */
export type RendererLocation = { kind: 'dev'; url: string } | { kind: 'file'; path: string };

const here = dirname(fileURLToPath(import.meta.url));

export function resolveRendererLocation(isPackaged: boolean, env: NodeJS.ProcessEnv): RendererLocation {
  // ELECTRON_RENDERER_URL is set by `electron-vite dev` only; a packaged app
  // ignores it so an environment variable cannot point Cove at another page.
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (!isPackaged && devUrl) return { kind: 'dev', url: devUrl };
  return { kind: 'file', path: join(here, '../renderer/index.html') };
}

export const preloadPath = (): string => join(here, '../preload/index.cjs');

/**
 * Whether a frame URL is our own UI. IPC handlers answer only such frames
 * (Electron security checklist, "Validate the sender of all IPC messages").
 */
export function isOwnRendererUrl(frameUrl: string, location: RendererLocation): boolean {
  let url: URL;
  try {
    url = new URL(frameUrl);
  } catch {
    return false;
  }
  if (location.kind === 'dev') return url.origin === new URL(location.url).origin;
  const expected = pathToFileURL(location.path);
  return url.protocol === 'file:' && url.host === '' && url.pathname === expected.pathname;
}
