// Live stats from /proc on this machine (hybrid cgroups, nothing delegated),
// through the long-lived engine's one sampler (issue 5).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSandbox, eventually, fixtures, type CoveSandbox } from '../../testing/harness.js';
import { startServe, type ServeProcess } from '../../testing/serve.js';
import { connectApi } from '../../testing/api-client.js';

let sb: CoveSandbox;
let serve: ServeProcess | undefined;
before(async () => {
  sb = await createSandbox();
  const fx = await fixtures();
  assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
});
after(async () => {
  await serve?.stop();
  await sb?.cleanup();
});

test('stats move with CPU and memory use, history keeps past samples, top lists processes', async () => {
  serve = await startServe(sb);
  const api = await connectApi(serve.url);
  try {
    const idle = await api.call('containers:run', { image: 'busybox', name: 'idle', command: ['sleep', '1000'] });
    const busy = await api.call('containers:run', {
      image: 'busybox',
      name: 'busy',
      // ~40 MB held in a shell variable, then a busy loop.
      command: ['sh', '-c', 'x=$(head -c 40000000 /dev/zero | tr "\\0" y); while true; do :; done'],
    });
    const samples = await eventually(async () => {
      const h = await api.call('stats:history', { id: busy.id });
      return h.length >= 3 && h[h.length - 1]!.memoryBytes > 30_000_000 ? h : undefined;
    }, 20_000, 'three samples of the busy container with its memory');
    const last = samples[samples.length - 1]!;
    assert.ok(last.cpuPercent > 30, `a busy loop shows CPU use: ${last.cpuPercent}`);
    assert.ok(last.memoryBytes > 30_000_000, `memory shows the allocation: ${last.memoryBytes}`);
    assert.ok(last.memoryLimitBytes >= last.memoryBytes);
    assert.equal(last.source, 'proc');
    assert.ok(last.pids >= 1);
    assert.ok(Date.parse(samples[0]!.time) < Date.parse(last.time), 'history is ordered, oldest first');
    const idleStats = await api.call('stats:history', { id: idle.id });
    assert.ok(idleStats.length > 0);
    assert.ok(idleStats[idleStats.length - 1]!.cpuPercent < 10, 'sleep uses no CPU');
    assert.ok(api.events.some((e) => e.type === 'stats'), 'samples are pushed as events');
    const current = await api.call('stats:current', {});
    assert.deepEqual(new Set(current.map((s) => s.id)), new Set([idle.id, busy.id]));
    const top = await api.call('containers:top', { id: 'busy' });
    assert.ok(top.some((p) => p.command.startsWith('sh -c x=$(head')), JSON.stringify(top));
    const cliTop = await sb.cove(['top', 'idle']);
    assert.match(cliTop.stdout, /sleep 1000/);
    const once = await sb.cove(['stats', '--no-stream']);
    assert.match(once.stdout, /CPU %/);
    assert.match(once.stdout, /busy/);
  } finally {
    api.close();
  }
});
