// Terminals under node-pty, the basis of the app's terminals (issue 3):
// real containers, the real CLI, a real pty.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cliPath, createSandbox, eventually, fixtures, type CoveSandbox } from '../testing/harness.js';
import { PtySession } from './pty-session.js';

let sb: CoveSandbox;
before(async () => {
  sb = await createSandbox();
  const fx = await fixtures();
  assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
});
after(async () => sb?.cleanup());

function session(mode: 'exec' | 'attach', container: string): { s: PtySession; output: () => string } {
  const s = new PtySession({ cli: [process.execPath, cliPath()], mode, container, cols: 80, rows: 24, env: sb.env });
  let out = '';
  s.onData((d) => (out += d));
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
