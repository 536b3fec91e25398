// npm run build (also run by `npm install` through "prepare"): the native
// tools with the system compiler, the CLI and unpack worker bundles, and
// the Electron main/preload/renderer (whose renderer web mode serves too).
import { spawnSync } from 'node:child_process';
import fs, { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const want = (part) => only.length === 0 || only.includes(part);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed with exit ${r.status}`);
}

function have(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

if (want('native')) {
  if (have('cc') && have('make')) run('make', ['-s', '-C', 'native']);
  else console.warn('warning: native tools not built: install a C compiler and make (sudo apt-get install gcc make libseccomp-dev)');
}

if (want('cli')) {
  const esbuild = await import('esbuild');
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Native addons load their .node file relative to their own package.
    external: ['node-pty'],
    // The bundle is CommonJS: give import.meta.url its file URL back.
    define: { 'import.meta.url': '__coveImportMetaUrl' },
    banner: { js: "const __coveImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  };
  // The CLI is ESM split into chunks, so each verb compiles and runs only
  // what it imports (V8 compiling one 1 MB bundle cost ~17 ms per command).
  // Bundled CommonJS dependencies get a real `require` from the banner.
  await fs.promises.rm(path.join(root, 'dist', 'cli'), { recursive: true, force: true });
  await esbuild.build({
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    splitting: true,
    sourcemap: 'linked',
    logLevel: 'warning',
    external: ['node-pty'],
    entryPoints: { main: path.join(root, 'app/cli/main.ts') },
    outdir: path.join(root, 'dist/cli'),
    outExtension: { '.js': '.mjs' },
    banner: { js: "import { createRequire as __coveCreateRequire } from 'node:module'; const require = __coveCreateRequire(import.meta.url);" },
  });
  // dist/cove.cjs stays the CLI's one path (tests, the monitor's exit command, bin/cove.js).
  await fs.promises.writeFile(
    path.join(root, 'dist/cove.cjs'),
    "// The cove CLI: a CommonJS door into the code-split ESM build in dist/cli.\n" +
      "import(require('node:url').pathToFileURL(require('node:path').join(__dirname, 'cli', 'main.mjs')).href).catch((err) => {\n" +
      "  process.stderr.write(`Error: ${err && err.stack ? err.stack : err} [E_INTERNAL]\\n`);\n" +
      '  process.exitCode = 125;\n' +
      '});\n',
  );
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'app/engine/unpack/unpack-worker.ts')], outfile: path.join(root, 'dist/unpack-worker.cjs') });
}

if (want('ui')) {
  if (existsSync(path.join(root, 'electron.vite.config.ts'))) {
    run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
  }
}
