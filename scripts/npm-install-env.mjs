// The environment npm start and npm test run `npm install`/`npm ci` in.
// node-pty has no prebuilt binary for linux-x64, so node-gyp compiles it
// against Node's headers, and by default downloads them from nodejs.org,
// which a machine that reaches only the npm registry cannot. Node installed
// from a package (Debian's, NodeSource's) ships the headers of that very
// version under PREFIX/include/node: node-gyp is pointed there. Electron's
// binary is not downloaded here either (npm start fetches it afterwards
// where it can; the tests never need it).
import fs from 'node:fs';
import path from 'node:path';

export function npmInstallEnv(env = process.env) {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const headers = fs.existsSync(path.join(prefix, 'include', 'node', 'node_version.h'));
  return { ...env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', ...(headers && !env.npm_config_nodedir ? { npm_config_nodedir: prefix } : {}) };
}
