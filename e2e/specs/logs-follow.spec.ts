import { test, expect } from '../support/cove-app.js';
import { ContainerDetailPage, LogsPanel } from '../pages/container-page.js';

test('logs follow new lines live, and can be searched and timestamped', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const run = await sandbox.cove(['run', '-d', '--name', 'chatty', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done']);
  expect(run.code, run.stderr).toBe(0);

  const detail = new ContainerDetailPage(page);
  const logs = new LogsPanel(page);
  await detail.open('chatty');
  await detail.tab('Logs');
  await expect(logs.lines().first()).toContainText(/tick-\d+/);
  const firstCount = await logs.lines().count();
  const last = Number(/tick-(\d+)/.exec(await logs.lines().last().innerText())?.[1]);
  // Lines written after the tab opened arrive without a reload.
  await expect(logs.view()).toContainText(`tick-${last + 5}`);
  expect(await logs.lines().count()).toBeGreaterThan(firstCount);

  await logs.search(`tick-${last + 5}`);
  await expect(logs.lines()).toHaveCount(1);
  await logs.showTimestamps(true);
  await expect(logs.lines().first()).toContainText(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  await expect(page.getByRole('button', { name: 'Download' })).toBeEnabled();
});
