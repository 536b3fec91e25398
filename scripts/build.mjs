// npm run build (also run by `npm install` through "prepare"): the native
// tools with the system compiler, the CLI and unpack worker bundles, and
// the Electron main/preload/renderer (whose renderer web mode serves too).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
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
  // The CLI is one CommonJS bundle run by dist/cove.cjs (scripts/cli-loader.cjs) with a V8 code cache:
  // with the cache, a command's cost no longer grows with the code it does not run, and CommonJS is what
  // vm.Script can cache (an ESM split into chunks cannot be, and loading ~40 chunks cost more, see
  // docs/performance.md). Each module still initialises only when imported: esbuild keeps `import()` lazy.
  // `import('node:x')` of a builtin becomes a require, as vm.Script has no loader for import().
  const builtinImport = {
    name: 'builtin-dynamic-import',
    setup(b) {
      b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'dynamic-import' ? { path: args.path, namespace: 'builtin-require' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    },
  };
  // Third-party packages and the generated compose validator (2 of the CLI's 3 MB, none of it on the
  // paths of run, ps or rm) are bundles of their own in dist/cli/vendor, required when first used: the
  // loader then reads and caches a third of the code. Each is a leaf (it imports none of Cove's modules),
  // so splitting it out cannot give a module two instances. A package is required as Node would require
  // it, and esbuild's import interop is the same across the boundary as inside one bundle.
  const vendor = new Map();
  const vendorName = (spec) => spec.replace(/[^A-Za-z0-9._-]/g, '_').replace(/\.(c|m)?js$/, '') + '.cjs';
  const splitVendor = {
    name: 'split-vendor',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.path.startsWith('node:') || args.path === 'node-pty' || args.kind === 'entry-point') return undefined;
        vendor.set(args.path, { contents: `module.exports = require(${JSON.stringify(args.path)});`, resolveDir: root });
        return { path: `./vendor/${vendorName(args.path)}`, external: true };
      });
      b.onResolve({ filter: /compose-spec-validate(\.js)?$/ }, (args) => {
        vendor.set('compose-spec-validate', { contents: `module.exports = require(${JSON.stringify(path.join(args.resolveDir, args.path))});`, resolveDir: args.resolveDir });
        return { path: `./vendor/${vendorName('compose-spec-validate')}`, external: true };
      });
    },
  };
  await fs.promises.rm(path.join(root, 'dist', 'cli'), { recursive: true, force: true });
  const cliBundle = path.join(root, 'dist/cli/cove-cli.cjs');
  await esbuild.build({ ...common, plugins: [builtinImport, splitVendor], entryPoints: [path.join(root, 'app/cli/main.ts')], outfile: cliBundle });
  const cliText = await fs.promises.readFile(cliBundle, 'utf8');
  for (const [spec, stdin] of vendor) {
    const out = await esbuild.build({ ...common, metafile: true, stdin: { ...stdin, loader: 'js', sourcefile: spec }, outfile: path.join(root, 'dist/cli/vendor', vendorName(spec)) });
    // One difference the boundary makes: a default (or namespace) import of an ES module would get its
    // namespace, not its default export, as Node gives for CommonJS. Named imports are the same.
    const entry = Object.values(out.metafile.outputs).find((o) => o.entryPoint)?.entryPoint;
    const target = entry === undefined ? undefined : out.metafile.inputs[entry]?.imports[0]?.path;
    const esm = target !== undefined && out.metafile.inputs[target]?.format === 'esm';
    if (esm && cliText.includes(`__toESM(require("./vendor/${vendorName(spec)}")`)) {
      throw new Error(`${spec} is an ES module imported by default or as a namespace: import the names it exports instead`);
    }
  }
  // ASCII, so the loader reads it as latin1: a UTF-8 decode of the bundle cost ~20 ms (it makes a two-byte
  // string). esbuild escapes non-ASCII in strings but not in regular expressions or kept comments; \uXXXX
  // means the same character there (UTF-16 units, as a JavaScript source is).
  const text = await fs.promises.readFile(cliBundle, 'utf8');
  await fs.promises.writeFile(cliBundle, text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
  // The cache is keyed by the bundle's content: a rebuild never runs with bytecode of the previous one.
  const buildId = createHash('sha256').update(await fs.promises.readFile(cliBundle)).digest('hex').slice(0, 16);
  const loader = await fs.promises.readFile(path.join(root, 'scripts/cli-loader.cjs'), 'utf8');
  await fs.promises.writeFile(path.join(root, 'dist/cove.cjs'), loader.replace('__COVE_BUILD_ID__', buildId));
  await esbuild.build({ ...common, entryPoints: [path.join(root, 'app/engine/unpack/unpack-worker.ts')], outfile: path.join(root, 'dist/unpack-worker.cjs') });
}

if (want('ui')) {
  if (existsSync(path.join(root, 'electron.vite.config.ts'))) {
    run(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    });
  }
}
