import { test, expect } from '../support/cove-app.js';
import { NetworksPage } from '../pages/networks-page.js';

test('the Networks page creates a network, shows its containers with address and alias, and removes it', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const networks = new NetworksPage(page);
  await networks.open();
  await expect(networks.row('bridge')).toContainText('built-in');

  await networks.create('webnet', '10.89.77.0/24');
  await expect(networks.row('webnet')).toContainText('10.89.77.0/24');
  expect((await sandbox.cove(['network', 'ls', '--format', '{{.Name}}'])).stdout).toContain('webnet');

  const made = await sandbox.cove(['create', '--name', 'api', '--network', 'webnet', '--network-alias', 'backend', 'busybox', 'true']);
  expect(made.code, made.stderr).toBe(0);
  await networks.open();
  await expect(networks.row('webnet')).toContainText('api 10.89.77.2');
  await expect(networks.row('webnet')).toContainText('backend');

  // With a container on it the engine refuses, and the page says why.
  await networks.remove('webnet');
  await expect(page.getByText(/has containers on it/)).toBeVisible();
  expect((await sandbox.cove(['rm', 'api'])).code).toBe(0);
  await networks.open();
  await networks.remove('webnet');
  await expect(networks.row('webnet')).toHaveCount(0);
  expect((await sandbox.cove(['network', 'ls', '--format', '{{.Name}}'])).stdout).not.toContain('webnet');
});
