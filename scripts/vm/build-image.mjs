// Builds the Cove VM image from Debian packages, cached by a hash of its inputs:
//   vmlinuz          the kernel of linux-image-amd64 (apt-get download + dpkg-deb -x)
//   rootfs.squashfs  debootstrap --variant=minbase of the configured apt mirror, plus
//                    uidmap, slirp4netns, busybox-static, e2fsprogs, libseccomp2 and the
//                    host's Node binary (its shared libraries are all in minbase)
//   initrd.img       busybox, the kernel modules the VM needs, the init scripts, and
//                    Cove's engine bundle (dist/) and native tools (native/build/)
// The slow part (kernel + debootstrap) is keyed apart from the Cove part, so a new
// engine bundle only repacks the small initrd. Needs root (debootstrap chroots).
//
//   node scripts/vm/build-image.mjs [--cache DIR] [--print-key] [--quiet]
// Prints the image directory as its last line. The cache defaults to
// $COVE_VM_CACHE, else /var/cache/cove-vm as root, else ~/.cache/cove/vm.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quiet = args.includes('--quiet');

export const SUITE = 'bookworm';
// What the engine needs in the VM; everything else in minbase is Debian's "required" set.
export const PACKAGES = ['uidmap', 'slirp4netns', 'busybox-static', 'e2fsprogs', 'libseccomp2', 'ca-certificates', 'tzdata'];
// Kernel modules loaded at boot (their dependencies are added from each module's modinfo).
export const MODULES = [
  'virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_rng', 'virtio_console', 'virtio_balloon',
  '9pnet_virtio', '9p', 'squashfs', 'overlay', 'ext4', 'crc32c_generic', 'crc32c_intel', 'tun', 'veth', 'bridge',
];
// What the VM takes from native/build: the tools and addon the engine runs
// (install-paths.ts NATIVE_SHIPPED; a unit test keeps the two equal) and the
// VM's own pty relay. Not the test programs built beside them: the initrd's
// files end up in RAM (a tmpfs) for the VM's whole life.
export const VM_NATIVE = ['cove-runtime', 'cove-monitor', 'cove-unshare', 'cove-layer-tool', 'cove-init', 'cove-attach', 'cove-net-holder', 'cove-flock.node', 'cove-pty'];
// Trimmed from the root filesystem: documentation, translations and apt's caches.
const PRUNE = ['usr/share/doc', 'usr/share/man', 'usr/share/info', 'usr/share/locale', 'usr/share/lintian', 'var/cache/apt', 'var/lib/apt/lists', 'var/log'];

function log(msg) {
  if (!quiet) process.stderr.write(`[vm-image] ${msg}\n`);
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${(r.stderr ?? '').slice(-2000)}`);
  return r.stdout ?? '';
}

export function defaultCacheDir() {
  if (process.env.COVE_VM_CACHE) return process.env.COVE_VM_CACHE;
  if (process.getuid?.() === 0) return '/var/cache/cove-vm';
  return path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'cove', 'vm');
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function hashFile(file, h = createHash('sha256')) {
  h.update(path.basename(file));
  h.update(fs.readFileSync(file));
  return h;
}

function hashTree(dir, h) {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) hashTree(p, h);
    else if (e.isFile() && !e.name.endsWith('.map') && !e.name.endsWith('.o')) hashFile(p, h);
  }
}

/** The apt mirror the machine is configured with (deb822 or one-line sources). */
function mirror() {
  const files = ['/etc/apt/sources.list', ...fs.readdirSync('/etc/apt/sources.list.d').map((f) => path.join('/etc/apt/sources.list.d', f))];
  for (const f of files) {
    let text;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    const m = /^URIs:\s*(\S+)/m.exec(text) ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+bookworm\s/m.exec(text);
    if (m && !m[1].includes('security')) return m[1];
  }
  return 'http://deb.debian.org/debian';
}

/** The exact kernel package linux-image-amd64 points at, and its version (part of the key). */
function kernelPackage() {
  const deps = run('apt-cache', ['depends', 'linux-image-amd64']);
  const name = /Depends:\s*(linux-image-\S+)/.exec(deps)?.[1];
  if (!name) throw new Error('apt-cache knows no linux-image-amd64: run apt-get update');
  const version = /Candidate:\s*(\S+)/.exec(run('apt-cache', ['policy', name]))?.[1] ?? 'unknown';
  return { name, version };
}

/** Module name -> file, and its dependencies from the .modinfo "depends=" string. */
function moduleIndex(modRoot) {
  const index = new Map();
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ko')) index.set(e.name.slice(0, -3).replace(/-/g, '_'), p);
    }
  };
  walk(path.join(modRoot, 'kernel'));
  return index;
}

function moduleDeps(file) {
  const buf = fs.readFileSync(file);
  const at = buf.indexOf('\0depends=');
  if (at < 0) return [];
  const end = buf.indexOf(0, at + 1);
  const list = buf.subarray(at + 9, end).toString();
  return list ? list.split(',').map((d) => d.replace(/-/g, '_')) : [];
}

/** Modules in load order (dependencies first). */
export function resolveModules(index, wanted, builtin) {
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name)) return;
    seen.add(name);
    const file = index.get(name);
    if (!file) {
      if (builtin.has(name)) return;
      throw new Error(`kernel module ${name} not found`);
    }
    for (const d of moduleDeps(file)) visit(d);
    order.push(name);
  };
  for (const w of wanted) visit(w);
  return order;
}

function baseKey(kernel, nodeHash) {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: 1, suite: SUITE, mirror: mirror(), packages: PACKAGES, kernel, nodeHash, prune: PRUNE }));
  return h.digest('hex').slice(0, 16);
}

function appKey(base) {
  const h = createHash('sha256');
  h.update(`${base}\n${JSON.stringify(MODULES)}`);
  for (const f of ['init.sh', 'vm-init.sh', 'build-image.mjs']) hashFile(path.join(here, f), h);
  hashTree(path.join(root, 'dist'), h);
  for (const f of VM_NATIVE) hashFile(path.join(root, 'native', 'build', f), h);
  hashFile('/bin/busybox', h);
  return h.digest('hex').slice(0, 16);
}

function buildBase(dir, kernel) {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  log(`kernel: apt-get download ${kernel.name}=${kernel.version}`);
  run('apt-get', ['download', '-q', `${kernel.name}=${kernel.version}`], { cwd: tmp });
  const deb = fs.readdirSync(tmp).find((f) => f.endsWith('.deb'));
  run('dpkg-deb', ['-x', path.join(tmp, deb), path.join(tmp, 'kernel')]);
  fs.rmSync(path.join(tmp, deb));
  const rootfs = path.join(tmp, 'rootfs');
  log(`root filesystem: debootstrap --variant=minbase ${SUITE} from ${mirror()} (a few minutes)`);
  run('debootstrap', ['--variant=minbase', `--include=${PACKAGES.join(',')}`, SUITE, rootfs, mirror()], { stdio: ['ignore', 'ignore', 'pipe'] });
  for (const p of PRUNE) fs.rmSync(path.join(rootfs, p), { recursive: true, force: true });
  for (const p of PRUNE) fs.mkdirSync(path.join(rootfs, p), { recursive: true });
  // Node: the host's binary; its libraries (libc, libstdc++, libgcc_s) are in minbase.
  fs.copyFileSync(process.execPath, path.join(rootfs, 'usr/bin/node'));
  fs.chmodSync(path.join(rootfs, 'usr/bin/node'), 0o755);
  const missing = run('chroot', [rootfs, '/usr/bin/node', '-e', 'process.stdout.write(process.version)']);
  log(`node ${missing} runs in the root filesystem`);
  fs.mkdirSync(path.join(rootfs, 'opt/cove'), { recursive: true });
  fs.mkdirSync(path.join(rootfs, 'mnt/cove-config'), { recursive: true });
  log('squashfs (zstd)');
  run('mksquashfs', [rootfs, path.join(tmp, 'rootfs.squashfs'), '-comp', 'zstd', '-Xcompression-level', '19', '-noappend', '-quiet', '-no-progress', '-mkfs-time', '0', '-all-time', '0']);
  fs.rmSync(rootfs, { recursive: true, force: true });
  fs.renameSync(tmp, dir);
}

/** A newc cpio (the initramfs format, Documentation/driver-api/early-userspace/buffer-format.rst) of srcDir, gzipped; owners root, times zero. */
function cpioInitrd(srcDir, out) {
  const parts = [];
  let ino = 1;
  const hex = (n) => n.toString(16).padStart(8, '0');
  const pad4 = (n) => Buffer.alloc((4 - (n % 4)) % 4);
  const entry = (name, mode, data) => {
    const nameBuf = Buffer.from(`${name}\0`);
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, nameBuf.length, 0];
    const head = Buffer.from(`070701${fields.map(hex).join('')}`);
    parts.push(head, nameBuf, pad4(head.length + nameBuf.length), data, pad4(data.length));
  };
  const walk = (rel) => {
    const abs = path.join(srcDir, rel);
    for (const name of fs.readdirSync(abs).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const st = fs.lstatSync(path.join(srcDir, r));
      if (st.isDirectory()) {
        entry(r, 0o040000 | (st.mode & 0o7777), Buffer.alloc(0));
        walk(r);
      } else if (st.isSymbolicLink()) entry(r, 0o120000 | 0o777, Buffer.from(fs.readlinkSync(path.join(srcDir, r))));
      else if (st.isFile()) entry(r, 0o100000 | (st.mode & 0o7777), fs.readFileSync(path.join(srcDir, r)));
    }
  };
  walk('');
  entry('TRAILER!!!', 0, Buffer.alloc(0));
  fs.writeFileSync(out, gzipSync(Buffer.concat(parts), { level: 9 }));
}

function buildApp(dir, baseDir) {
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const ird = path.join(tmp, 'initrd');
  for (const d of ['bin', 'dev', 'proc', 'sys', 'newroot', 'lib/modules', 'cove/dist', 'cove/native']) fs.mkdirSync(path.join(ird, d), { recursive: true });
  fs.copyFileSync('/bin/busybox', path.join(ird, 'bin/busybox'));
  fs.chmodSync(path.join(ird, 'bin/busybox'), 0o755);
  fs.symlinkSync('busybox', path.join(ird, 'bin/sh'));
  fs.copyFileSync(path.join(here, 'init.sh'), path.join(ird, 'init'));
  fs.chmodSync(path.join(ird, 'init'), 0o755);
  fs.copyFileSync(path.join(here, 'vm-init.sh'), path.join(ird, 'cove/vm-init.sh'));
  fs.chmodSync(path.join(ird, 'cove/vm-init.sh'), 0o755);
  const modRoot = path.join(baseDir, 'kernel/lib/modules', fs.readdirSync(path.join(baseDir, 'kernel/lib/modules'))[0]);
  const builtin = new Set(fs.readFileSync(path.join(modRoot, 'modules.builtin'), 'utf8').split('\n').map((l) => path.basename(l, '.ko').replace(/-/g, '_')));
  const index = moduleIndex(modRoot);
  const order = resolveModules(index, MODULES, builtin);
  for (const m of order) fs.copyFileSync(index.get(m), path.join(ird, 'lib/modules', `${m}.ko`));
  fs.writeFileSync(path.join(ird, 'lib/modules/order'), `${order.join('\n')}\n`);
  fs.cpSync(path.join(root, 'dist'), path.join(ird, 'cove/dist'), { recursive: true, filter: (s) => !s.endsWith('.map') });
  fs.mkdirSync(path.join(ird, 'cove/native/build'), { recursive: true });
  for (const f of VM_NATIVE) fs.copyFileSync(path.join(root, 'native/build', f), path.join(ird, 'cove/native/build', f));
  fs.writeFileSync(path.join(ird, 'cove/package.json'), JSON.stringify({ name: 'cove', type: 'module' }));
  cpioInitrd(ird, path.join(tmp, 'initrd.img'));
  fs.rmSync(ird, { recursive: true, force: true });
  const boot = path.join(baseDir, 'kernel/boot');
  fs.copyFileSync(path.join(boot, fs.readdirSync(boot).find((f) => f.startsWith('vmlinuz-'))), path.join(tmp, 'vmlinuz'));
  fs.renameSync(tmp, dir);
}

export function buildImage(cacheDir = defaultCacheDir()) {
  fs.mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
  const kernel = kernelPackage();
  const nodeHash = sha256(fs.readFileSync(process.execPath)).slice(0, 16);
  const bKey = baseKey(kernel, nodeHash);
  const baseDir = path.join(cacheDir, `base-${bKey}`);
  if (!fs.existsSync(baseDir)) buildBase(baseDir, kernel);
  else log(`base ${bKey} cached`);
  const aKey = appKey(bKey);
  const imageDir = path.join(cacheDir, `image-${aKey}`);
  if (!fs.existsSync(imageDir)) {
    log(`image ${aKey}: initrd with the engine bundle`);
    buildApp(path.join(cacheDir, `app-${aKey}`), baseDir);
    // The image directory: the app part plus hard links to the base's squashfs (no copy).
    const tmp = `${imageDir}.tmp-${process.pid}`;
    fs.renameSync(path.join(cacheDir, `app-${aKey}`), tmp);
    fs.linkSync(path.join(baseDir, 'rootfs.squashfs'), path.join(tmp, 'rootfs.squashfs'));
    const sizes = Object.fromEntries(['vmlinuz', 'initrd.img', 'rootfs.squashfs'].map((f) => [f, fs.statSync(path.join(tmp, f)).size]));
    const manifest = { key: aKey, base: bKey, kernel, suite: SUITE, packages: PACKAGES, node: process.version, sizes, totalBytes: Object.values(sizes).reduce((a, b) => a + b, 0), arch: 'amd64' };
    fs.writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    fs.renameSync(tmp, imageDir);
  } else log(`image ${aKey} cached`);
  // "current" names the newest image; written temp + rename so a reader never sees half of it.
  const cur = path.join(cacheDir, `current.tmp-${process.pid}`);
  fs.writeFileSync(cur, `image-${aKey}\n`);
  fs.renameSync(cur, path.join(cacheDir, 'current'));
  pruneCache(cacheDir, `image-${aKey}`);
  return imageDir;
}

/** Keeps the current image and the two newest others (a running VM may still use one); bases stay (they are the slow part). */
function pruneCache(cacheDir, current) {
  const old = fs
    .readdirSync(cacheDir)
    .filter((n) => /^image-[0-9a-f]+$/.test(n) && n !== current)
    .map((n) => ({ n, t: fs.statSync(path.join(cacheDir, n)).mtimeMs }))
    .sort((a, b) => b.t - a.t)
    .slice(2);
  for (const { n } of old) fs.rmSync(path.join(cacheDir, n), { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const cacheDir = flag('--cache') ?? defaultCacheDir();
  if (args.includes('--print-key')) {
    process.stdout.write(`${appKey(baseKey(kernelPackage(), sha256(fs.readFileSync(process.execPath)).slice(0, 16)))}\n`);
  } else {
    const t0 = Date.now();
    const dir = buildImage(cacheDir);
    log(`done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    process.stdout.write(`${dir}\n`);
  }
}
