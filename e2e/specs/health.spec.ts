import { test, expect } from '../support/cove-app.js';
import { ContainersPage } from '../pages/containers-page.js';
import { ContainerDetailPage } from '../pages/container-page.js';

test("a container's healthcheck verdict shows beside its state and follows its probes live", async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const run = await sandbox.cove(['run', '-d', '--name', 'probed', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '300ms', '--health-retries', '1', '--health-start-period', '60s', '--health-start-interval', '300ms', 'busybox', 'sleep', '1000']);
  expect(run.code).toBe(0);
  const list = new ContainersPage(page);
  await list.open();
  await expect(list.state('probed').getByTestId('container-health')).toHaveText('health: starting');
  await expect(list.row('probed').getByTestId('container-status')).toContainText('(health: starting)');
  // Changed by another process (the monitor's prober): the list follows through the health_status event.
  expect((await sandbox.cove(['exec', 'probed', 'touch', '/tmp/ok'])).code).toBe(0);
  await expect(list.state('probed').getByTestId('container-health')).toHaveText('healthy', { timeout: 15_000 });
  await expect(list.row('probed').getByTestId('container-status')).toContainText('(healthy)');
  const detail = new ContainerDetailPage(page);
  await detail.open('probed');
  await expect(page.getByTestId('overview-health')).toHaveText('healthy');
  expect((await sandbox.cove(['exec', 'probed', 'rm', '/tmp/ok'])).code).toBe(0);
  await expect(page.getByTestId('overview-health')).toHaveText('unhealthy', { timeout: 15_000 });
  expect((await sandbox.cove(['rm', '-f', 'probed'])).code).toBe(0);
});
