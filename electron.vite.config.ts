import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const at = (...parts: string[]): string => resolve(root, ...parts);

/**
 * The dev server injects inline scripts (React Fast Refresh) and inline
 * styles (CSS HMR), which renderer/index.html's CSP forbids. Relax it for
 * `serve` only; built files keep the strict policy.
 */
function devCsp(): Plugin {
  return {
    name: 'cove:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html
        .replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: at('out/main'),
      rolldownOptions: {
        input: { index: at('main/index.ts') },
      },
    },
  },
  preload: {
    build: {
      outDir: at('out/preload'),
      // A sandboxed preload cannot load ESM or any module but electron's, so
      // it is one self-contained CommonJS file; .cjs because package.json
      // says "type": "module".
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: at('main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: at('renderer'),
    // Relative asset URLs work from file:// (Electron) and from `cove serve`.
    base: './',
    plugins: [react(), devCsp()],
    build: {
      outDir: at('out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves output unminified; web mode serves it over HTTP.
      minify: true,
      rolldownOptions: {
        input: { index: at('renderer/index.html') },
      },
    },
  },
});
