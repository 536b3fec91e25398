// npm run install-cli: puts `cove` on PATH by linking this checkout's
// bin/cove.cjs into ~/.local/bin (the XDG user bin directory, on PATH in
// Debian's default ~/.profile). COVE_BIN_DIR picks another directory.
// `npm run install-cli -- /opt/Cove/resources/bin/cove` links an installed
// app's CLI instead (its launcher runs the app's own bundle).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const given = process.argv[2];
const target = given ? path.resolve(given) : path.join(root, 'bin', 'cove.cjs');
const binDir = process.env.COVE_BIN_DIR || path.join(os.homedir(), '.local', 'bin');
const link = path.join(binDir, 'cove');

if (given) {
  if (!fs.existsSync(target)) {
    console.error(`${target} does not exist: give the path of an installed Cove's resources/bin/cove`);
    process.exit(1);
  }
} else if (!fs.existsSync(path.join(root, 'dist', 'cove.cjs'))) {
  console.error('Cove is not built yet: run npm run build first');
  process.exit(1);
}
fs.mkdirSync(binDir, { recursive: true });
let existing = null;
try {
  existing = fs.readlinkSync(link);
} catch (err) {
  if (err.code === 'EINVAL') {
    console.error(`${link} exists and is not a link: remove it first if it is an older cove`);
    process.exit(1);
  }
  if (err.code !== 'ENOENT') throw err;
}
if (existing !== null && existing !== target) fs.unlinkSync(link);
if (existing !== target) fs.symlinkSync(target, link);
if (!given && (fs.statSync(target).mode & 0o111) !== 0o111) fs.chmodSync(target, 0o755);
console.log(`${link} -> ${target}`);
const onPath = (process.env.PATH ?? '').split(path.delimiter).some((d) => path.resolve(d) === path.resolve(binDir));
if (!onPath) console.log(`${binDir} is not on your PATH: add  export PATH="${binDir}:$PATH"  to ~/.profile`);
