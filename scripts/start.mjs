// npm start: Cove as a desktop app where an Electron binary exists (and a
// display), otherwise web mode (`cove serve`), printing the URL to open.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { npmInstallEnv } from './npm-install-env.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// npm install must not fail where Electron's binary cannot be downloaded; ensureElectron tries it afterwards.
const env = npmInstallEnv();

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) run('npm', ['install', '--no-audit', '--no-fund']);
const built = ['dist/cove.cjs', 'out/renderer/index.html', 'out/main/index.js', 'native/build/cove-runtime'].every((f) => fs.existsSync(path.join(root, f)));
if (!built) run(process.execPath, ['scripts/build.mjs']);

function electronBinary() {
  try {
    const bin = createRequire(import.meta.url)('electron');
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

/**
 * npm 11 does not run install scripts unless allowed, so Electron's binary
 * is fetched here, once, where the network allows it (a quick failure
 * otherwise, and then web mode).
 */
function ensureElectron() {
  const found = electronBinary();
  if (found || process.env.ELECTRON_SKIP_BINARY_DOWNLOAD === '1' || !fs.existsSync(path.join(root, 'node_modules/electron/install.js'))) return found;
  spawnSync(process.execPath, [path.join(root, 'node_modules/electron/install.js')], { cwd: root, stdio: 'ignore', timeout: 120_000 });
  return electronBinary();
}

const electron = ensureElectron();
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const args = process.argv.slice(2);
let child;
if (electron && hasDisplay && !args.includes('--web')) {
  child = spawn(electron, [path.join(root, 'out/main/index.js')], { cwd: root, stdio: 'inherit', env });
} else {
  const why = !electron ? 'no Electron binary here' : !hasDisplay ? 'no display' : '--web';
  process.stdout.write(`Starting Cove in web mode (${why}). Open the URL below in a browser; Ctrl-C stops the UI, never the containers.\n`);
  child = spawn(process.execPath, [path.join(root, 'dist/cove.cjs'), 'serve', ...args.filter((a) => a !== '--web')], { cwd: root, stdio: 'inherit', env });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
