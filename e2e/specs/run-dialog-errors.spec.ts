import { test, expect } from '../support/cove-app.js';
import { RunDialog } from '../pages/run-dialog.js';

test('the run dialog shows readable engine errors: a bad reference, then a missing image; a good run opens the container', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const dialog = new RunDialog(page);
  await dialog.openFromContainers();

  await dialog.fill({ image: 'Not A Valid/Ref!!' });
  await dialog.submit();
  await expect(dialog.error()).toHaveAttribute('data-code', 'E_INVALID_REFERENCE');
  await expect(dialog.error()).toContainText('E_INVALID_REFERENCE');
  await expect(dialog.error()).not.toContainText(/at .*\.(js|ts):\d+/);

  await dialog.fill({ image: 'no-such-image:1.0' });
  await dialog.submit();
  await expect(dialog.error()).toHaveAttribute('data-code', 'E_IMAGE_NOT_FOUND');

  await dialog.fill({ image: 'busybox', name: 'from-dialog', command: 'sh -c "echo $GREETING; sleep 1000"', env: 'GREETING=hello-dialog' });
  await dialog.submit();
  await expect(dialog.root()).toHaveCount(0);
  await expect(page.locator('[data-testid="container-page"][data-name="from-dialog"]')).toHaveAttribute('data-state', 'running');
  await expect(page.getByTestId('overview')).toContainText('GREETING=hello-dialog');
  await sandbox.cove(['rm', '-f', 'from-dialog']);
});
