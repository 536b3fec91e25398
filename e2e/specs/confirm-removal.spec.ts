import { test, expect } from '../support/cove-app.js';
import { ConfirmDialog, ContainersPage } from '../pages/containers-page.js';
import { ImagesPage } from '../pages/images-page.js';
import { VolumesPage } from '../pages/volumes-page.js';

test('removing a volume asks first, with its size and users; Cancel keeps the data', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const write = await sandbox.cove(['run', '--rm', '-v', 'data:/data', 'busybox', 'sh', '-c', 'head -c 250000 /dev/zero > /data/blob && echo keep-me > /data/note']);
  expect(write.code, write.stderr).toBe(0);
  expect((await sandbox.cove(['run', '-d', '--name', 'user', '-v', 'busy:/busy', 'busybox', 'sleep', '1000'])).code).toBe(0);

  const volumes = new VolumesPage(page);
  const dialog = new ConfirmDialog(page);
  await volumes.open();

  await volumes.remove('data');
  await expect(dialog.root()).toContainText('Remove volume data?');
  await expect(dialog.root().getByTestId('confirm-consequence')).toContainText('250 kB of data');
  await expect(dialog.root().getByTestId('confirm-consequence')).toContainText('no undo');
  await dialog.cancel();
  await expect(volumes.row('data')).toBeVisible();
  const still = await sandbox.cove(['run', '--rm', '-v', 'data:/data', 'busybox', 'cat', '/data/note']);
  expect(still.stdout.trim()).toBe('keep-me');

  // Escape is Cancel too.
  await volumes.remove('data');
  await page.keyboard.press('Escape');
  await expect(dialog.root()).toHaveCount(0);
  await expect(volumes.row('data')).toBeVisible();

  // In use: the dialog names the container and offers nothing but Cancel.
  await volumes.remove('busy');
  await expect(dialog.root().getByTestId('confirm-blocked')).toContainText('user');
  await expect(dialog.root().getByRole('button', { name: /Remove/ })).toHaveCount(0);
  await dialog.cancel();

  // Confirmed: gone, in the UI and for the CLI.
  await volumes.remove('data');
  await dialog.confirm('Remove volume and data');
  await expect(volumes.row('data')).toHaveCount(0);
  expect((await sandbox.cove(['volume', 'ls'])).stdout).not.toMatch(/\bdata\b/);
});

test('removing a running container or an image asks first, and says what is lost; Cancel keeps it', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  expect((await sandbox.cove(['run', '-d', '--name', 'worker', 'busybox', 'sleep', '1000'])).code).toBe(0);
  expect((await sandbox.cove(['create', '--name', 'idle', 'busybox', 'true'])).code).toBe(0);
  const list = new ContainersPage(page);
  const dialog = new ConfirmDialog(page);
  await list.open();

  await list.remove('worker');
  await expect(dialog.root()).toContainText('worker is running');
  await expect(dialog.root()).toContainText('Named volumes it uses are kept');
  await dialog.cancel();
  await expect(list.state('worker')).toContainText(/running/i);
  expect((await sandbox.cove(['ps'])).stdout).toContain('worker');

  await list.remove('worker');
  await dialog.confirm('Stop and remove');
  await expect(list.row('worker')).toHaveCount(0);

  // The image is used by "idle": the dialog says so and keeps it.
  const images = new ImagesPage(page);
  await images.open();
  await images.action('busybox', 'Remove');
  await expect(dialog.root().getByTestId('confirm-blocked')).toContainText('idle');
  await dialog.cancel();
  await expect(images.row('busybox')).toBeVisible();

  // "Prune unused" agrees with what is unused: nothing while idle uses busybox, then busybox.
  await page.getByRole('button', { name: 'Prune unused…' }).click();
  await expect(dialog.root()).toContainText('nothing to remove');
  await dialog.cancel();
  expect((await sandbox.cove(['rm', 'idle'])).code).toBe(0);
  await page.getByRole('button', { name: 'Prune unused…' }).click();
  await expect(dialog.root()).toContainText('busybox');
  await dialog.cancel();
  await expect(images.row('busybox')).toBeVisible();

  await images.action('busybox', 'Remove');
  await expect(dialog.root()).toContainText('Pull or load it again');
  await dialog.confirm('Remove image');
  await expect(images.row('busybox')).toHaveCount(0);
  expect((await sandbox.cove(['images'])).stdout).not.toContain('busybox');
});
