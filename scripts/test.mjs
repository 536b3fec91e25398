// npm test: the one command that passes every test on a fresh Debian 12
// machine. As root it installs what is missing and runs the rootless suites
// as an unprivileged test user; otherwise it checks and says what is missing.
// Prints "N passed, N failed" as its last line.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { npmInstallEnv } from './npm-install-env.mjs';
import { setupMachine } from './test-setup.mjs';
import { setupTestNetwork, teardownTestNetwork } from './test-network.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const only = process.argv.slice(2);
const want = (phase) => only.length === 0 || only.includes(phase);
const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];
const started = Date.now();

function log(msg) {
  process.stdout.write(`\n=== ${msg}\n`);
}

function runSync(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  return r.status === 0;
}

/** Runs a phase, streaming its output, and counts results with `parse`. */
function phase(name, cmd, args, { env, parse, user, timeoutMinutes } = {}) {
  return new Promise((resolve) => {
    log(`${name}${user ? ` (as ${user})` : ''}`);
    const t0 = Date.now();
    const [c, a] = user ? asUser(user, cmd, args, env) : [cmd, args];
    // Its own process group, so a phase that hangs can be ended whole (by its group id) instead of wedging CI.
    const child = spawn(c, a, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const limitMs = (timeoutMinutes ?? 15) * 60_000;
    const timer = setTimeout(() => {
      process.stderr.write(`\n=== ${name}: still running after ${limitMs / 60_000} minutes; ending it\n`);
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, limitMs);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('close', (code) => {
      clearTimeout(timer);
      const counts = parse ? parse(out) : { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
      if (code !== 0 && counts.failed === 0) counts.failed = 1;
      totals.passed += counts.passed;
      totals.failed += counts.failed;
      totals.skipped += counts.skipped ?? 0;
      if (code !== 0) failures.push(name);
      process.stdout.write(`=== ${name}: ${counts.passed} passed, ${counts.failed} failed (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
      resolve(code === 0);
    });
  });
}

const parseNodeTap = (out) => ({
  passed: Number(/^# pass (\d+)/m.exec(out)?.[1] ?? 0),
  failed: Number(/^# fail (\d+)/m.exec(out)?.[1] ?? 0) + Number(/^# cancelled (\d+)/m.exec(out)?.[1] ?? 0),
  skipped: Number(/^# skipped (\d+)/m.exec(out)?.[1] ?? 0),
});
const parseTap = (out) => ({
  passed: (out.match(/^ok \d+/gm) ?? []).length,
  failed: (out.match(/^not ok \d+/gm) ?? []).length,
  skipped: (out.match(/^ok \d+ .*# SKIP/gm) ?? []).length,
});
const parsePlaywright = (out) => ({
  passed: Number(/(\d+) passed/.exec(out)?.[1] ?? 0),
  failed: Number(/(\d+) failed/.exec(out)?.[1] ?? 0) + Number(/(\d+) flaky/.exec(out)?.[1] ?? 0),
  skipped: Number(/(\d+) skipped/.exec(out)?.[1] ?? 0),
});

let userEnv = {};
function asUser(user, cmd, args, env = {}) {
  const pairs = Object.entries({ ...userEnv, ...env }).map(([k, v]) => `${k}=${v}`);
  return ['runuser', ['-u', user, '--', 'env', ...pairs, cmd, ...args]];
}

function findTests(dirs, suffix, excludes = []) {
  const out = [];
  const walk = (dir) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(suffix) && !excludes.some((x) => e.name.endsWith(x))) out.push(path.relative(root, p));
    }
  };
  for (const d of dirs) if (fs.existsSync(d)) walk(path.join(root, d));
  // COVE_TEST_ONLY=regex narrows the unit, integration and e2e phases to matching files (for a quick local loop).
  const only = process.env.COVE_TEST_ONLY ? new RegExp(process.env.COVE_TEST_ONLY) : null;
  return out.filter((f) => !only || only.test(f)).sort();
}

function userHome(user) {
  return spawnSync('sh', ['-c', `getent passwd ${user} | cut -d: -f6`], { encoding: 'utf8' }).stdout.trim() || '/tmp';
}

function canReach(user, file) {
  return spawnSync('runuser', ['-u', user, '--', 'test', '-r', file], { stdio: 'ignore' }).status === 0;
}

async function main() {
  let user = null;
  {
    // Always: every later phase needs to know the test user (setup is idempotent and quick once done).
    log('machine setup');
    try {
      user = setupMachine();
    } catch (err) {
      process.stderr.write(`\n${err.message}\n`);
      process.stdout.write('\n0 passed, 1 failed\n');
      process.exit(1);
    }
  }
  if (!fs.existsSync(path.join(root, 'node_modules', '.package-lock.json'))) {
    log('npm ci');
    if (!runSync('npm', ['ci', '--no-audit', '--no-fund'], { env: npmInstallEnv() })) {
      process.stdout.write('\n0 passed, 1 failed\n');
      process.exit(1);
    }
  } else if (want('build')) {
    log('build');
    if (!runSync(process.execPath, ['scripts/build.mjs'])) failures.push('build');
  }

  // Scratch space the suites own: fixtures, artifacts, XDG_RUNTIME_DIR.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-test-'));
  fs.chmodSync(scratch, 0o755);
  const artifacts = path.join(root, 'test-output');
  fs.mkdirSync(artifacts, { recursive: true });
  const xdg = path.join(scratch, 'xdg');
  fs.mkdirSync(xdg, { mode: 0o700 });
  fs.mkdirSync(path.join(scratch, 'fixtures'));
  if (user) {
    if (!canReach(user, path.join(root, 'package.json')) || !canReach(user, path.join(root, 'node_modules', '.package-lock.json'))) {
      process.stderr.write(`\nthe test user ${user} cannot read ${root}: every parent directory must be world-executable (chmod o+x), or clone under /tmp or /work\n`);
      process.stdout.write('\n0 passed, 1 failed\n');
      process.exit(1);
    }
    for (const d of [scratch, xdg, path.join(scratch, 'fixtures'), artifacts]) spawnSync('chown', ['-R', user, d]);
    userEnv = {
      HOME: userHome(user),
      USER: user,
      LOGNAME: user,
      PATH: `${path.dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      XDG_RUNTIME_DIR: xdg,
      TMPDIR: scratch,
      npm_config_cache: path.join(scratch, 'npm-cache'),
    };
  }
  const suiteEnv = { COVE_FIXTURES_DIR: path.join(scratch, 'fixtures'), COVE_ARTIFACTS_DIR: artifacts, CI: process.env.CI ?? '' };
  // A small filesystem the test user can fill, for the full-disk (E_NO_SPACE) tests: a tmpfs only root can mount.
  const smallFs = path.join(scratch, 'smallfs');
  let smallFsMounted = false;
  if (user && want('integration')) {
    fs.mkdirSync(smallFs, { mode: 0o700 });
    const uid = spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim();
    smallFsMounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=48m,mode=0700,uid=${uid},gid=${gid}`, 'cove-test-smallfs', smallFs]).status === 0;
    if (smallFsMounted) suiteEnv.COVE_TEST_SMALL_FS = smallFs;
  }
  const runAs = user ?? undefined;

  if (want('lint')) {
    await phase('lint', process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
    await phase('typecheck (node)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']);
    await phase('typecheck (renderer)', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'renderer/tsconfig.json', '--noEmit']);
  }
  if (want('unit')) {
    const files = findTests(['app', 'main'], '.test.ts', ['.it.test.ts', '.vm.test.ts']);
    // node --test with no file would discover every test, this script included: only with files.
    if (!files.length) log('unit tests: no file matches COVE_TEST_ONLY');
    else await phase('unit tests', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files], { parse: parseNodeTap, user: runAs, env: suiteEnv });
  }
  if (want('native')) {
    await phase('native unit tests (TAP)', 'make', ['-s', '-C', 'native', 'test'], { parse: parseTap, env: suiteEnv });
    // The smoke suite switches to the test user itself (runuser), so it needs root to start.
    if (user) await phase('native smoke tests: real rootless containers (TAP)', 'bash', ['native/tests/smoke.sh'], { parse: parseTap, env: { ...suiteEnv, COVE_TEST_USER: user } });
    else log('native smoke tests skipped: they need root to switch to a test user (the rootless integration tests below cover the same paths)');
  }
  if (want('integration')) {
    const files = findTests(['app', 'main'], '.it.test.ts');
    if (!files.length) log('rootless integration tests: no file matches COVE_TEST_ONLY');
    else {
      // COVE_SKIP_TEST_NETNS=1 leaves the shared test namespace alone (for several local runs at once).
      const net = process.env.COVE_SKIP_TEST_NETNS === '1' ? { env: null, reason: 'COVE_SKIP_TEST_NETNS=1', state: null } : setupTestNetwork();
      if (!net.env) log(`network tests against a test namespace will be skipped: ${net.reason}`);
      try {
        await phase('rootless integration tests', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', ...files], {
          parse: parseNodeTap,
          user: runAs,
          env: { ...suiteEnv, ...(net.env ?? {}) },
          // It outgrew the default 15 minutes on a busy 2-core machine (other work sharing the cores).
          timeoutMinutes: 25,
        });
      } finally {
        if (net.state !== null) teardownTestNetwork(net.state);
      }
    }
  }
  if (want('vm')) {
    // The Cove VM: its image is built once per machine (cached by the hash of its inputs), then QEMU boots it.
    if (user) {
      log('vm image (cached by content)');
      if (!runSync(process.execPath, ['scripts/vm/build-image.mjs', '--quiet'])) failures.push('vm image');
    } else log('vm image not built: building it needs root (debootstrap); the vm tests skip without one');
    const vmFiles = findTests(['app'], '.vm.test.ts');
    // node --test with no file would run every test it finds: only with files.
    if (vmFiles.length) {
      await phase('vm: Cove VM under QEMU (machine, connection, cgroup v2 limits)', process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', ...vmFiles], {
        parse: parseNodeTap,
        user: runAs,
        env: suiteEnv,
        timeoutMinutes: 15,
      });
    }
  }
  if (want('e2e')) {
    await phase('e2e (Playwright, Chromium, web mode)', process.execPath, ['node_modules/@playwright/test/cli.js', 'test', '--reporter=list', ...(process.env.COVE_TEST_ONLY ? [process.env.COVE_TEST_ONLY] : [])], {
      parse: parsePlaywright,
      user: runAs,
      env: suiteEnv,
    });
  }
  if (smallFsMounted) spawnSync('umount', ['-l', smallFs]);
  fs.rmSync(scratch, { recursive: true, force: true });
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(`\n=== done in ${secs}s${failures.length ? `; failed phases: ${failures.join(', ')}` : ''}\n`);
  process.stdout.write(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}\n`);
  process.exit(failures.length === 0 && totals.failed === 0 ? 0 : 1);
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.stdout.write('0 passed, 1 failed\n');
  process.exit(1);
});
