import { test, expect } from '../support/cove-app.js';
import { RunDialog } from '../pages/run-dialog.js';
import { freePort } from '../../app/testing/harness.js';
import { fetchText } from '../support/fetch-text.js';

test('run with a published port from the dialog and fetch a page through it; a port in use is a readable error', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const port = await freePort();
  const dialog = new RunDialog(page);
  await dialog.openFromContainers();
  await dialog.fill({ image: 'busybox', name: 'web', command: `sh -c "mkdir -p /www && echo hello-from-cove > /www/index.html && exec httpd -f -p 80 -h /www"` });
  await dialog.root().getByLabel(/^Ports/).fill(`${port}:80`);
  await dialog.submit();
  await expect(page.locator('[data-testid="container-page"][data-name="web"]')).toHaveAttribute('data-state', 'running');
  await expect.poll(() => fetchText(port).catch((e: Error) => e.message), { timeout: 15_000 }).toContain('hello-from-cove');

  // The same host port again: the engine's code, readably, in the dialog.
  await dialog.openFromContainers();
  await dialog.fill({ image: 'busybox', name: 'web2', command: 'sleep 1000' });
  await dialog.root().getByLabel(/^Ports/).fill(`${port}:80`);
  await dialog.submit();
  await expect(dialog.error()).toHaveAttribute('data-code', /^E_/);
  await expect(dialog.error()).toContainText(String(port));
  await expect(dialog.error()).not.toContainText(/at .*\.(js|ts):\d+/);
});
