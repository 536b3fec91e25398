// What a hostile container may not reach of the user who runs it (issue 9):
// the caller's terminal (TIOCSTI, /dev/tty), the host's root through
// /proc/PID/root of a half-joined exec child, the caller's session keyring,
// and setuid semantics; plus docker's exit codes when the process cannot start.
// The hostile program is native/tests/hostile.c, copied into a test image.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { spawn as spawnPty, type IPty } from 'node-pty';
import { installPaths } from '../install-paths.js';
import { cliPath, createSandbox, eventually, type CoveSandbox } from '../../testing/harness.js';
import { busyboxRootfsEntries, writeDockerArchive } from '../../testing/image-fixtures.js';

const IMAGE = 'localhost/hostile:1';
let sb: CoveSandbox;

before(async () => {
  sb = await createSandbox('cove-it-hostile-');
  const hostile = await fs.promises.readFile(path.join(installPaths().nativeDir, 'hostile'));
  const archive = path.join(sb.home, 'hostile.tar');
  await writeDockerArchive(archive, {
    references: [IMAGE],
    layers: [[
      ...(await busyboxRootfsEntries()),
      { name: 'hostile', content: hostile, mode: 0o755 },
      // Owned by the image's root, so by the container's mapped root.
      { name: 'hostile-suid', content: hostile, mode: 0o4755 },
    ]],
  });
  const r = await sb.cove(['load', '-q', '-i', archive]);
  assert.equal(r.code, 0, r.stderr);
});
after(async () => sb?.cleanup());

/** An interactive bash on a real pty, as a user's terminal. */
class Terminal {
  private readonly pty: IPty;
  output = '';
  private seq = 0;

  constructor(env: NodeJS.ProcessEnv) {
    this.pty = spawnPty('bash', ['--norc', '--noprofile', '-i'], { cols: 120, rows: 40, cwd: sb.home, env: { ...env, PS1: '$ ', HISTFILE: '/dev/null' } as Record<string, string> });
    this.pty.onData((d) => (this.output += d));
  }

  /** Types a command line and resolves with its exit status and what the terminal showed meanwhile. */
  async run(line: string, timeoutMs = 60_000): Promise<{ code: number; shown: string }> {
    const mark = `DONE${++this.seq}X`;
    const from = this.output.length;
    this.pty.write(`${line}; echo ${mark}=$?\r`);
    const m = await eventually(() => new RegExp(`${mark}=(\\d+)`).exec(this.output.slice(from)) ?? undefined, timeoutMs, `"${line}" to finish`);
    return { code: Number(m[1]), shown: this.output.slice(from) };
  }

  kill(): void {
    this.pty.kill();
  }
}

function cove(): string {
  return `'${process.execPath}' '${cliPath()}'`;
}

test('container processes cannot type into the caller\'s shell (run, exec, exec -it, cp)', async () => {
  const pwned = path.join(sb.home, 'pwned');
  // What the attack types: if the shell ever reads it, the file appears.
  const inject = `echo INJECTED > ${pwned}\\n`;
  const term = new Terminal(sb.env);
  try {
    const run = await term.run(`${cove()} run --rm ${IMAGE} /hostile tiocsti '${inject}' 300; sleep 1`);
    assert.equal(run.code, 0, `every TIOCSTI from run failed: ${run.shown}`);
    assert.match(run.shown, /open \/dev\/tty: No such device or address/, 'no controlling terminal inside');

    const started = await term.run(`${cove()} run -d --name victim ${IMAGE} sleep 1000`);
    assert.equal(started.code, 0, started.shown);
    const exec = await term.run(`${cove()} exec victim /hostile tiocsti '${inject}' 300; sleep 1`);
    assert.equal(exec.code, 0, `every TIOCSTI from exec failed: ${exec.shown}`);
    // With a pty of its own the process may type into that pty: it must not reach ours.
    await term.run(`${cove()} exec -it victim /hostile tiocsti '${inject}' 300; sleep 1`);
    const tty = await term.run(`${cove()} exec -it victim sh -c 'echo "tty=$(tty) TERM=$TERM"'`);
    assert.equal(tty.code, 0, tty.shown);
    assert.match(tty.shown, /tty=\/dev\/pts\/\d+ TERM=xterm/);

    // cp runs the container's own tar: a hostile image replaces it.
    const tar = `#!/bin/sh\n/hostile tiocsti '${inject}' 300 > /tmp/cp-inject.out 2>&1\nexec /bin/busybox tar "$@"\n`;
    const swap = await sb.cove(['exec', '-i', 'victim', 'sh', '-c', 'rm /bin/tar && cat > /bin/tar && chmod 755 /bin/tar && echo hi > /x'], { input: tar });
    assert.equal(swap.code, 0, swap.stderr);
    const cp = await term.run(`${cove()} cp victim:/x ${path.join(sb.home, 'x')}; sleep 1`);
    assert.equal(cp.code, 0, cp.shown);
    assert.equal(fs.readFileSync(path.join(sb.home, 'x'), 'utf8'), 'hi\n');
    const injected = await sb.cove(['exec', 'victim', 'cat', '/tmp/cp-inject.out']);
    assert.match(injected.stdout, /TIOCSTI fd 0: /, 'the replaced tar ran the injector');
    assert.doesNotMatch(injected.stdout, /INJECTED/);

    await term.run('sleep 1');
    assert.ok(!fs.existsSync(pwned), `a container typed a command into the caller's shell:\n${term.output}`);
    assert.doesNotMatch(term.output, /TIOCSTI (\/dev\/tty|fd \d): INJECTED[\s\S]*DONE1X/, 'foreground run injected nothing');
  } finally {
    term.kill();
    await sb.cove(['rm', '-f', 'victim']);
  }
});

test('exec children cannot be caught half-joined through /proc/PID/root (CVE-2016-9962)', async () => {
  const r = await sb.cove(['run', '-d', '--name', 'racer', '--cap-add', 'SYS_PTRACE', IMAGE, 'sh', '-c', '/hostile procroot 120000 > /tmp/race.out; echo rc=$? >> /tmp/race.out; sleep 1000']);
  assert.equal(r.code, 0, r.stderr);
  try {
    for (let i = 0; i < 40; i++) {
      const e = await sb.cove(['exec', 'racer', 'true']);
      assert.equal(e.code, 0, e.stderr);
    }
    await sb.cove(['exec', 'racer', 'touch', '/tmp/hostile-stop']);
    const out = await eventually(async () => {
      const c = await sb.cove(['exec', 'racer', 'cat', '/tmp/race.out']);
      return /rc=\d/.test(c.stdout) ? c.stdout : undefined;
    }, 20_000, 'the racer to stop');
    assert.match(out, /escapes 0\nrc=0/, out);
    assert.doesNotMatch(out, /ESCAPE/);
    const opened = Number(/opened (\d+)/.exec(out)?.[1] ?? 0);
    assert.ok(opened > 0, `the racer could open other processes' roots at all: ${out}`);
  } finally {
    await sb.cove(['rm', '-f', 'racer']);
  }
});

/** Runs a shell line in a new anonymous session keyring holding one secret key (keyutils' keyctl). */
function withKey(script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('keyctl', ['session', '-', 'sh', '-c', `id=$(keyctl add user cove-secret hunter2 @s) || exit 99; keyctl print "$id" || exit 98; ${script}`], {
      env: { ...sb.env, COVE: cove() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

test('the caller\'s session keyring is not reachable from run or exec', { skip: fs.existsSync('/usr/bin/keyctl') ? false : 'keyctl (Debian keyutils) is not installed' }, async () => {
  const started = await sb.cove(['run', '-d', '--name', 'keys', IMAGE, 'sleep', '1000']);
  assert.equal(started.code, 0, started.stderr);
  try {
    const run = await withKey(`eval "$COVE run --rm ${IMAGE} /hostile key $id cove-secret"`);
    assert.match(run.out, /^hunter2$/m, 'the key is readable by the caller itself');
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /read key \d+: Permission denied/);
    assert.match(run.out, /search cove-secret: Required key not available/);
    const exec = await withKey(`eval "$COVE exec keys /hostile key $id cove-secret"`);
    assert.equal(exec.code, 0, exec.out);
    assert.match(exec.out, /read key \d+: Permission denied/);
  } finally {
    await sb.cove(['rm', '-f', 'keys']);
  }
});

test('no_new_privs only with --security-opt no-new-privileges; setuid binaries work by default', async () => {
  const status = 'grep ^NoNewPrivs: /proc/self/status | tr -d "\\t "';
  const def = await sb.cove(['run', '--rm', '--user', '1000', IMAGE, 'sh', '-c', `${status}; /hostile-suid euid`]);
  assert.equal(def.code, 0, def.stderr);
  assert.equal(def.stdout, 'NoNewPrivs:0\n0\n', 'setuid to the image\'s root works');
  const nnp = await sb.cove(['run', '--rm', '--user', '1000', '--security-opt', 'no-new-privileges', IMAGE, 'sh', '-c', `${status}; /hostile-suid euid`]);
  assert.equal(nnp.code, 0, nnp.stderr);
  assert.equal(nnp.stdout, 'NoNewPrivs:1\n1000\n');
});

test('a process that cannot start exits 127/126/125 with the runtime\'s message, foreground and -d', async () => {
  const envFile = path.join(sb.home, 'big.env');
  // 20 strings of 120 KB: each under MAX_ARG_STRLEN, together over the 2 MiB execve(2) limit.
  fs.writeFileSync(envFile, Array.from({ length: 20 }, (_, i) => `BIG${i}=${'x'.repeat(120_000)}\n`).join(''));
  const cases: Array<{ args: string[]; code: number; message: RegExp }> = [
    { args: [IMAGE, '/no/such/file'], code: 127, message: /exec "\/no\/such\/file": No such file or directory.*\[E_RUNTIME_EXEC\]/ },
    { args: [IMAGE, '/etc'], code: 126, message: /exec "\/etc": Permission denied.*\[E_RUNTIME_CANNOT_INVOKE\]/ },
    { args: ['-w', '/etc/passwd', IMAGE, 'true'], code: 127, message: /chdir to cwd "\/etc\/passwd": Not a directory/ },
    { args: ['--env-file', envFile, IMAGE, 'true'], code: 125, message: /exec "true": Argument list too long/ },
  ];
  for (const c of cases) {
    for (const mode of [['--rm'], ['-d']]) {
      const r = await sb.cove(['run', ...mode, ...c.args]);
      assert.equal(r.code, c.code, `run ${mode.join(' ')} ${c.args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.equal(r.stdout, '', 'no container id printed for a container that did not start');
    }
  }
  const started = await sb.cove(['run', '-d', '--name', 'target', IMAGE, 'sleep', '1000']);
  assert.equal(started.code, 0, started.stderr);
  try {
    const missing = await sb.cove(['exec', 'target', '/no/such/file']);
    assert.equal(missing.code, 127, missing.stderr);
    assert.match(missing.stderr, /No such file or directory/);
    const denied = await sb.cove(['exec', 'target', '/etc']);
    assert.equal(denied.code, 126, denied.stderr);
    assert.match(denied.stderr, /Permission denied/);
  } finally {
    await sb.cove(['rm', '-f', 'target']);
  }
});
