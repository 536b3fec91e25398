// builder:build through the engine API (web mode's WebSocket): a task whose
// events carry every step, its output and CACHED markers, then the image ID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { TaskProgress } from '../../api/contract.js';
import { createSandbox, fixtures, type CoveSandbox } from '../../testing/harness.js';
import { startServe, type ServeProcess } from '../../testing/serve.js';
import { connectApi, type TestApiClient } from '../../testing/api-client.js';

let sb: CoveSandbox;
let serve: ServeProcess;
let api: TestApiClient;
let ctx: string;

before(async () => {
  sb = await createSandbox('cove-build-api-it-');
  const fx = await fixtures();
  assert.equal((await sb.cove(['load', '-q', '-i', fx.busyboxDocker])).code, 0);
  ctx = fs.mkdtempSync(path.join(path.dirname(sb.home), 'build-api-ctx-'));
  fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY f /f\nRUN echo from-run && cat /f\n');
  fs.writeFileSync(path.join(ctx, 'f'), 'file body\n');
  serve = await startServe(sb);
  api = await connectApi(serve.url);
});
after(async () => {
  api?.close();
  await serve?.stop();
  fs.rmSync(ctx, { recursive: true, force: true });
  await sb?.cleanup();
});

async function finished(taskId: string): Promise<TaskProgress> {
  for (let i = 0; i < 600; i++) {
    const last = api.events.filter((e): e is { type: 'task'; task: TaskProgress } => e.type === 'task' && e.task.id === taskId).at(-1);
    if (last && last.task.state !== 'running') return last.task;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the build task did not finish');
}

test('a build task streams its steps and output, and names the image', async () => {
  const { taskId } = await api.call('builder:build', { context: ctx, tags: ['api-built:1'] });
  const task = await finished(taskId);
  assert.equal(task.state, 'done', JSON.stringify(task.error));
  assert.equal(task.kind, 'build');
  const steps = task.build?.steps ?? [];
  assert.deepEqual(steps.map((s) => [s.label, s.status]), [
    ['[stage-0 1/3] FROM busybox', 'done'],
    ['[stage-0 2/3] COPY f /f', 'done'],
    ['[stage-0 3/3] RUN echo from-run && cat /f', 'done'],
  ]);
  assert.deepEqual(steps[2]?.output, ['from-run', 'file body']);
  const images = await api.call('images:list', {});
  const built = images.find((i) => i.references.includes('api-built:1'));
  assert.equal(built?.id, task.build?.imageId);

  const again = await finished((await api.call('builder:build', { context: ctx, tags: ['api-built:1'] })).taskId);
  assert.deepEqual(again.build?.steps.slice(1).map((s) => s.status), ['cached', 'cached']);
});

test('a failing build ends the task failed with the step, and bad parameters are refused', async () => {
  const bad = path.join(ctx, 'Dockerfile.bad');
  fs.writeFileSync(bad, 'FROM busybox\nRUN echo oops; exit 7\n');
  const task = await finished((await api.call('builder:build', { context: ctx, dockerfile: 'Dockerfile.bad', tags: ['never:1'] })).taskId);
  assert.equal(task.state, 'failed');
  assert.equal(task.error?.code, 'E_BUILD_FAILED');
  assert.match(task.error?.message ?? '', /Dockerfile\.bad:2: RUN echo oops; exit 7 failed with exit code 7/);
  assert.equal(task.build?.steps.at(-1)?.status, 'failed');
  await assert.rejects(api.call('builder:build', { context: '' }), /context/);
  const pruned = await api.call('builder:prune', {});
  assert.ok(pruned.entries >= 2, `entries forgotten: ${pruned.entries}`);
});
