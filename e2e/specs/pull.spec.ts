import crypto from 'node:crypto';
import { test, expect } from '../support/cove-app.js';
import { PullDialog, TasksPage } from '../pages/pull-dialog.js';
import { startRegistry } from '../../app/testing/registry-server.js';
import { buildImage, uploadImage } from '../../app/testing/registry-images.js';
import { busyboxRootfsEntries } from '../../app/testing/image-fixtures.js';

test('pull from a local registry: per-layer byte progress, still there after navigating away and back', async ({ cove }) => {
  const { page } = cove;
  const registry = await startRegistry();
  try {
    // Two layers; the second is incompressible so its bytes are real work.
    const image = await buildImage({
      layers: [await busyboxRootfsEntries(), [{ name: 'opt/blob', content: crypto.randomBytes(3 * 1024 * 1024).toString('base64') }]],
      cmd: ['true'],
      label: 'e2e-pull',
    });
    await uploadImage(registry, 'e2e/app', '1', image);
    const reference = `${registry.host}/e2e/app:1`;

    const dialog = new PullDialog(page);
    await dialog.open();
    await dialog.pull(reference);
    const inDialog = dialog.root().getByTestId('layer-progress');
    await expect(inDialog).toHaveCount(2);
    await dialog.close();

    // Away and back: the task centre still has the pull, layer by layer, in bytes.
    await page.getByRole('link', { name: 'Containers', exact: true }).click();
    const tasks = new TasksPage(page);
    await tasks.open();
    await expect(tasks.task(reference)).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await expect(tasks.layers(reference)).toHaveCount(2);
    for (const layer of await tasks.layers(reference).all()) {
      expect(Number(await layer.getAttribute('data-current'))).toBeGreaterThan(0);
    }
    await expect(tasks.task(reference)).toContainText(/MB/);

    await page.getByRole('link', { name: 'Images', exact: true }).click();
    await expect(page.locator(`[data-testid="image-row"][data-reference="${reference}"]`)).toBeVisible();
  } finally {
    await registry.stop();
  }
});
