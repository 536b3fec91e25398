// dist/cove.cjs, the cove CLI's one path (written by scripts/build.mjs from
// this file): it runs the bundle dist/cli/cove-cli.cjs with a V8 code cache.
// Compiling the CLI's JavaScript is most of what a command costs after
// Node's own start (docs/performance.md); with the cache V8 reads the
// bytecode the same command compiled last time instead of parsing again.
//
// One cache file per verb (what `cove run` compiles is not what `cove ps`
// does), made after the first run of that verb that exits 0 and remade when
// V8 rejects it (another Node or V8 flags). It lives in the Cove store
// (COVE_HOME, else $XDG_DATA_HOME/cove, else ~/.local/share/cove, as
// app/engine/paths.ts resolves it), only when that directory already exists
// and is the user's own and writable by nobody else: a cache is code, so it
// must come from where only the user can write. Anything unexpected means
// running without a cache, never failing. COVE_NO_CODE_CACHE=1 turns it off.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
// The Module class without require('node:module'), which would load Node's source-map support too.
const Module = module.constructor;

const BUILD_ID = '__COVE_BUILD_ID__';
const bundle = path.join(__dirname, 'cli', 'cove-cli.cjs');

function ownDir(dir) {
  const st = fs.lstatSync(dir);
  return st.isDirectory() && st.uid === process.getuid() && (st.mode & 0o022) === 0;
}

/** The cache file for this command, or null when there is no safe place for one. */
function cacheFile(argv, env) {
  if (env.COVE_NO_CODE_CACHE === '1' || typeof process.getuid !== 'function') return null;
  const verb = argv.find((a) => !a.startsWith('-'));
  if (!verb || !/^[a-z][a-z0-9-]{0,30}$/.test(verb)) return null;
  let home;
  if (env.COVE_HOME) home = path.resolve(env.COVE_HOME);
  else {
    const base = env.XDG_DATA_HOME || (env.HOME ? path.join(env.HOME, '.local', 'share') : null);
    if (!base) return null;
    home = path.join(base, 'cove');
  }
  try {
    if (!ownDir(home)) return null;
    const dir = path.join(home, 'cache', 'v8');
    const key = `${BUILD_ID}-${process.version}-${process.versions.v8}-${process.arch}`.replace(/[^A-Za-z0-9._-]/g, '_');
    return { dir, file: path.join(dir, `${verb}-${key}.bin`), key };
  } catch {
    return null;
  }
}

/** Writes the cache atomically (a reader sees the old file or the new one), in directories that are ours. */
function saveCache(where, data) {
  const cacheDir = path.dirname(where.dir);
  for (const d of [cacheDir, where.dir]) {
    try {
      fs.mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    if (!ownDir(d)) return;
  }
  // Caches of other builds are dead weight (the bundle they were made from is gone), and so is a
  // temporary file a killed writer left (older than a minute: not one being written now).
  for (const name of fs.readdirSync(where.dir)) {
    const file = path.join(where.dir, name);
    if (name.endsWith('.bin') && !name.endsWith(`-${where.key}.bin`)) fs.rmSync(file, { force: true });
    else if (name.endsWith('.tmp') && Date.now() - fs.lstatSync(file).mtimeMs > 60_000) fs.rmSync(file, { force: true });
  }
  const tmp = `${where.file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(tmp, where.file);
  } catch (err) {
    // A full disk leaves no partial file behind.
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

const where = cacheFile(process.argv.slice(2), process.env);
let cached;
if (where) {
  try {
    cached = fs.readFileSync(where.file);
  } catch {
    cached = undefined;
  }
}
// The bundle is ASCII (esbuild escapes the rest), so latin1 reads it without a UTF-8 decode.
const source = fs.readFileSync(bundle, 'latin1');
const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: cached });
const mod = new Module(bundle, module);
mod.filename = bundle;
mod.paths = Module._nodeModulePaths(path.dirname(bundle));
const req = (id) => mod.require(id);
req.resolve = (id, options) => Module._resolveFilename(id, mod, false, options);
req.cache = Module._cache;
req.main = require.main;
if (where && (cached === undefined || script.cachedDataRejected)) {
  process.once('exit', (code) => {
    if (code !== 0) return;
    try {
      saveCache(where, script.createCachedData());
    } catch {
      // no cache this time; the next run tries again
    }
  });
}
script.runInThisContext().call(mod.exports, mod.exports, req, mod, bundle, path.dirname(bundle));
