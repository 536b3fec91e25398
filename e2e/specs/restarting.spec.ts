import { test, expect } from '../support/cove-app.js';
import { ContainersPage } from '../pages/containers-page.js';

test('a --restart always container that keeps dying shows Restarting, as docker ps does', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  expect((await sandbox.cove(['run', '-d', '--name', 'crashy', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 1; exit 3'])).code).toBe(0);
  const list = new ContainersPage(page);
  await list.open();
  // Between two runs it is down for the policy's back-off: the badge and the status say it comes back.
  await expect(list.state('crashy')).toContainText('restarting', { timeout: 30_000 });
  await expect(list.row('crashy').getByTestId('container-status')).toContainText(/Restarting \(3\)/);
  expect((await sandbox.cove(['ps', '-a'])).stdout).toMatch(/Restarting \(3\).*crashy|crashy.*Restarting \(3\)|Up .*crashy/);
  // Stopped by the user: no longer restarting.
  expect((await sandbox.cove(['stop', 'crashy'])).code).toBe(0);
  await expect(list.state('crashy')).toContainText('exited', { timeout: 20_000 });
  await expect(list.row('crashy').getByTestId('container-status')).toContainText(/Exited/);
});
