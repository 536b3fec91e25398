import { test, expect } from '../support/cove-app.js';
import { RunDialog } from '../pages/run-dialog.js';
import { ContainerDetailPage } from '../pages/container-page.js';

test('the run dialog puts a container on two user-defined networks with an alias; its overview shows both with addresses', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  for (const [name, subnet] of [['front', '10.89.78.0/24'], ['back', '10.89.79.0/24']] as const) {
    const made = await sandbox.cove(['network', 'create', '--subnet', subnet, name]);
    expect(made.code, made.stderr).toBe(0);
  }
  const dialog = new RunDialog(page);
  await dialog.openFromContainers();
  await dialog.fill({ image: 'busybox', name: 'multi', command: 'sleep 1000' });
  await dialog.network('front', { aliases: 'api, web', alsoOn: ['back'] });
  await dialog.submit();
  await expect(dialog.root()).toHaveCount(0);
  const detail = new ContainerDetailPage(page);
  await detail.waitState('running', 'multi');
  await expect(detail.network('front')).toContainText('10.89.78.2/24');
  await expect(detail.network('front')).toContainText('aliases: api, web');
  await expect(detail.network('back')).toContainText('10.89.79.2/24');
  // The engine agrees: on both networks, the first with the default route.
  const route = await sandbox.cove(['exec', 'multi', 'ip', 'route']);
  expect(route.stdout).toMatch(/default via 10\.89\.78\.1 dev eth0/);
  expect(route.stdout).toMatch(/10\.89\.79\.0\/24 dev eth1/);

  // Taken off one network, the overview shows only the other.
  expect((await sandbox.cove(['network', 'disconnect', 'back', 'multi'])).code).toBe(0);
  await detail.open('multi');
  await expect(detail.network('front')).toBeVisible();
  await expect(detail.network('back')).toHaveCount(0);

  // A container on a built-in mode says which.
  expect((await sandbox.cove(['create', '--name', 'plain', '--network', 'none', 'busybox', 'true'])).code).toBe(0);
  await detail.open('plain');
  await expect(page.getByTestId('overview-networks')).toContainText('none: loopback only');
  expect((await sandbox.cove(['rm', '-f', 'multi', 'plain'])).code).toBe(0);
  expect((await sandbox.cove(['network', 'rm', 'front', 'back'])).code).toBe(0);
});
