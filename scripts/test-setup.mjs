// What the test suites need on this machine. As root on
// Debian it installs and configures it; otherwise it checks and prints
// exactly what is missing with the command that fixes it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const TEST_USER = process.env.COVE_TEST_USER || 'cove-test';

// command -> Debian package that provides it
const NEEDED = [
  ['newuidmap', 'uidmap'],
  ['newgidmap', 'uidmap'],
  ['slirp4netns', 'slirp4netns'],
  ['busybox', 'busybox-static'],
  ['docker-registry', 'docker-registry'],
  // The registry tests: bcrypt htpasswd files, a throwaway CA, zstd-compressed layers.
  ['htpasswd', 'apache2-utils'],
  ['openssl', 'openssl'],
  ['zstd', 'zstd'],
  ['chromium', 'chromium'],
  ['cc', 'gcc'],
  ['make', 'make'],
  ['pkg-config', 'pkg-config'],
  ['runc', 'runc'],
  // The Docker API suites drive Cove with Debian's docker-compose (1.29, speaks the API).
  ['docker-compose', 'docker-compose'],
  ['ip', 'iproute2'],
  ['runuser', 'util-linux'],
  // The Cove VM: QEMU, and what scripts/vm/build-image.mjs builds its image with.
  ['qemu-system-x86_64', 'qemu-system-x86'],
  ['qemu-img', 'qemu-utils'],
  ['debootstrap', 'debootstrap'],
  ['mksquashfs', 'squashfs-tools'],
  // The session keyring test (a key the caller adds must not be visible in containers).
  ['keyctl', 'keyutils'],
  // The smoke test that slows a container's init with strace's fault injection (the create race).
  ['strace', 'strace'],
];
const HEADERS = [['/usr/include/seccomp.h', 'libseccomp-dev']];

function sh(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', ...opts });
}

function have(cmd) {
  return sh('sh', ['-c', `command -v ${cmd} || test -x /usr/sbin/${cmd} || test -x /sbin/${cmd}`]).status === 0;
}

function missingPackages() {
  const pkgs = new Set();
  for (const [cmd, pkg] of NEEDED) if (!have(cmd)) pkgs.add(pkg);
  for (const [file, pkg] of HEADERS) if (!fs.existsSync(file)) pkgs.add(pkg);
  // busybox must be the static one: its binary goes into images.
  if (have('busybox') && !/statically linked|static-pie/.test(sh('file', ['-L', '/bin/busybox']).stdout ?? 'statically linked')) pkgs.add('busybox-static');
  return [...pkgs];
}

function userExists(name) {
  return sh('id', ['-u', name]).status === 0;
}

function hasRange(file, name) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').some((l) => l.split(':')[0] === name && Number(l.split(':')[2]) >= 65536);
  } catch {
    return false;
  }
}

function tunUsable(asUser) {
  if (!fs.existsSync('/dev/net/tun')) return false;
  const mode = fs.statSync('/dev/net/tun').mode & 0o777;
  return asUser ? (mode & 0o006) === 0o006 : true;
}

function log(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

/** Returns the user the rootless suites run as. Throws with a fix list when something is missing. */
export function setupMachine() {
  const isRoot = process.getuid() === 0;
  if (!isRoot) {
    const problems = [];
    const pkgs = missingPackages();
    if (pkgs.length) problems.push(`missing packages: ${pkgs.join(' ')}\n    fix: sudo apt-get install -y ${pkgs.join(' ')}`);
    const me = sh('id', ['-un']).stdout.trim();
    for (const file of ['/etc/subuid', '/etc/subgid']) {
      if (!hasRange(file, me)) problems.push(`no range of at least 65536 ids for ${me} in ${file}\n    fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${me}`);
    }
    if (!tunUsable(true)) problems.push('/dev/net/tun is not usable by you\n    fix: sudo chmod 0666 /dev/net/tun');
    if (problems.length) throw new Error(`this machine is not ready for the tests:\n  - ${problems.join('\n  - ')}`);
    return null;
  }
  const pkgs = missingPackages();
  if (pkgs.length) {
    log(`installing ${pkgs.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    let r = sh('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('apt-get update failed');
    r = sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs, 'file'], { env, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`apt-get install ${pkgs.join(' ')} failed`);
  }
  if (!userExists(TEST_USER)) {
    log(`creating the test user ${TEST_USER}`);
    const r = sh('useradd', ['--create-home', '--shell', '/bin/sh', TEST_USER]);
    if (r.status !== 0) throw new Error(`useradd ${TEST_USER} failed: ${r.stderr}`);
  }
  if (!hasRange('/etc/subuid', TEST_USER) || !hasRange('/etc/subgid', TEST_USER)) {
    log(`giving ${TEST_USER} a subordinate id range`);
    const r = sh('usermod', ['--add-subuids', '200000-265535', '--add-subgids', '200000-265535', TEST_USER]);
    if (r.status !== 0) throw new Error(`usermod --add-subuids failed: ${r.stderr}`);
  }
  if (fs.existsSync('/dev/net/tun') && !tunUsable(true)) {
    log('making /dev/net/tun usable by unprivileged users (0666, as on desktops)');
    fs.chmodSync('/dev/net/tun', 0o666);
  }
  return TEST_USER;
}
