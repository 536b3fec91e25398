import { test, expect } from '../support/cove-app.js';
import { ContainersPage, portLinks } from '../pages/containers-page.js';
import { ContainerDetailPage } from '../pages/container-page.js';
import { freePort } from '../../app/testing/harness.js';

test('published ports show in the list and the overview, and "open in browser" opens the container\'s page', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const port = await freePort();
  const run = await sandbox.cove(['run', '-d', '--name', 'site', '-p', `${port}:80`, 'busybox', 'sh', '-c', 'mkdir -p /www && echo served-by-site > /www/index.html && exec httpd -f -p 80 -h /www']);
  expect(run.code, run.stderr).toBe(0);

  const list = new ContainersPage(page);
  await list.open();
  const link = portLinks(list.row('site'));
  await expect(link).toHaveCount(1);
  await expect(link).toHaveAttribute('href', `http://127.0.0.1:${port}/`);
  await expect(link).toContainText(`${port}→80`);

  // The link opens a new tab on the container's page.
  const [popup] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
  await expect.poll(async () => {
    await popup.reload().catch(() => undefined);
    return (await popup.content().catch(() => '')).includes('served-by-site');
  }, { timeout: 15_000 }).toBe(true);
  expect(popup.url()).toBe(`http://127.0.0.1:${port}/`);
  await popup.close();

  // The overview has it too, with the docker-style mapping.
  const detail = new ContainerDetailPage(page);
  await detail.open('site');
  const ports = page.getByTestId('overview-ports');
  await expect(ports.getByTestId('port-link')).toContainText(`0.0.0.0:${port}->80/tcp`);
  const [second] = await Promise.all([page.context().waitForEvent('page'), ports.getByTestId('port-link').click()]);
  await expect.poll(async () => (await second.content().catch(() => '')).includes('served-by-site'), { timeout: 15_000 }).toBe(true);
  await second.close();

  // Stopped: the mapping stays visible but is no link (nothing listens).
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByTestId('container-page')).toHaveAttribute('data-state', 'exited', { timeout: 20_000 });
  await expect(ports.getByTestId('port-link')).toHaveCount(0);
  await expect(ports).toContainText(String(port));
});
