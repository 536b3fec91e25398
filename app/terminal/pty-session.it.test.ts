// Terminals under node-pty, the basis of the app's terminals (issue 3):
// real containers, the real CLI, a real pty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { busyboxSandbox, cliPath, eventually, type CoveSandbox } from '../testing/harness.js';
import { PtySession } from './pty-session.js';

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox();
});
after(async () => sb?.cleanup());

function session(mode: 'exec' | 'attach', container: string): { s: PtySession; output: () => string } {
  const s = new PtySession({ cli: [process.execPath, cliPath()], mode, container, cols: 80, rows: 24, env: sb.env });
  let out = '';
  s.onData((d) => (out += Buffer.from(d).toString()));
  return { s, output: () => out };
}

test('exec -it: a shell answers, and stty size follows a resize', async () => {
  const run = await sb.cove(['run', '-d', '--name', 'term', 'busybox', 'sleep', '1000']);
  assert.equal(run.code, 0, run.stderr);
  const { s, output } = session('exec', 'term');
  try {
    s.write('echo $((6*7))\r');
    await eventually(() => /\b42\b/.test(output()), 10_000, '42 from the shell');
    s.write('stty size\r');
    await eventually(() => output().includes('24 80'), 10_000, 'stty size 24 80');
    s.resize(132, 40);
    await new Promise((r) => setTimeout(r, 100));
    s.write('stty size\r');
    await eventually(() => output().includes('40 132'), 10_000, 'stty size after resize');
    const exited = new Promise<number>((resolve) => s.onExit(resolve));
    s.write('exit 3\r');
    assert.equal(await exited, 3);
  } finally {
    s.close();
    await sb.cove(['rm', '-f', 'term']);
  }
});

test('run -it under a pty: a shell, resize, detach with ctrl-p ctrl-q, then attach again', async () => {
  const pty = await import('node-pty');
  const term = pty.spawn(process.execPath, [cliPath(), 'run', '-it', '--name', 'tty1', 'busybox', 'sh'], { cols: 80, rows: 24, env: sb.env as Record<string, string> });
  let out = '';
  term.onData((d) => (out += d));
  const exited = new Promise<number>((resolve) => term.onExit((e) => resolve(e.exitCode)));
  try {
    await eventually(() => out.includes('# '), 10_000, 'a prompt');
    term.write('echo $((6*7)); stty size\r');
    await eventually(() => /\b42\b/.test(out) && out.includes('24 80'), 10_000, '42 and the size');
    term.resize(100, 30);
    await new Promise((r) => setTimeout(r, 100));
    term.write('stty size\r');
    await eventually(() => out.includes('30 100'), 10_000, 'the new size');
    term.write('\x10\x11');
    assert.equal(await exited, 0, 'detached');
    assert.match((await sb.cove(['ps'])).stdout, /Up .*tty1/, 'still running after detach');
  } finally {
    term.kill();
  }
  const { s, output } = session('attach', 'tty1');
  try {
    const gone = new Promise<number>((resolve) => s.onExit(resolve));
    s.write('echo again-$((1+1))\r');
    await eventually(() => output().includes('again-2'), 10_000, 'output after attach');
    s.write('exit 4\r');
    assert.equal(await gone, 4, 'attach returns the container exit code');
  } finally {
    s.close();
    await sb.cove(['rm', '-f', 'tty1']);
  }
});
