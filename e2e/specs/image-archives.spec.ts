import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '../support/cove-app.js';
import { ImagesPage } from '../pages/images-page.js';
import { startRegistry } from '../../app/testing/registry-server.js';

test('save an image to an archive and load it back from the UI; the image size agrees with cove system df', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const archive = path.join(path.dirname(sandbox.home), `ui-save-${process.pid}.tar`);
  try {
    const images = new ImagesPage(page);
    await images.open();
    // The subtitle's size is the engine's own figure, as cove system df prints it.
    const df = await sandbox.cove(['system', 'df', '--format', '{{json .}}']);
    expect(df.code, df.stderr).toBe(0);
    const imagesRow = df.stdout.trim().split('\n').map((l) => JSON.parse(l) as { Type: string; Size: string }).find((r) => r.Type === 'Images');
    await expect(page.locator('.page-subtitle')).toContainText(`${imagesRow?.Size.replace(/(\d)([kMG]?B)$/, '$1 $2')} on disk`);

    await images.action('busybox', 'Save…');
    const save = page.getByTestId('save-dialog');
    await save.getByLabel(/^File/).fill(archive);
    await save.getByRole('button', { name: 'Save', exact: true }).click();
    await expect(save.getByTestId('save-result')).toContainText(archive);
    expect(fs.statSync(archive).size).toBeGreaterThan(100_000);
    await save.getByRole('button', { name: 'Cancel' }).click();

    expect((await sandbox.cove(['rmi', 'busybox'])).code).toBe(0);
    await expect(images.row('busybox')).toHaveCount(0);
    await page.getByRole('button', { name: 'Load…' }).click();
    const load = page.getByTestId('load-dialog');
    await load.getByLabel(/^Archive/).fill(archive);
    await load.getByRole('button', { name: 'Load', exact: true }).click();
    await expect(load.getByTestId('load-result')).toContainText('busybox');
    await load.getByRole('button', { name: 'Cancel' }).click();
    await expect(images.row('busybox')).toBeVisible();
    expect((await sandbox.cove(['run', '--rm', 'busybox', 'echo', 'loaded-ok'])).stdout).toContain('loaded-ok');
  } finally {
    fs.rmSync(archive, { force: true });
  }
});

test('registry login from the UI: a wrong password is the registry\'s refusal, the right one is stored for the CLI', async ({ cove }) => {
  const { page, sandbox } = cove;
  const registry = await startRegistry({ auth: 'htpasswd', users: { alice: 's3cret' } });
  try {
    const images = new ImagesPage(page);
    await images.open();
    await page.getByRole('button', { name: 'Registry login…' }).click();
    const login = page.getByTestId('login-dialog');
    await login.getByLabel('Registry').fill(registry.host);
    await login.getByLabel('User name').fill('alice');
    await login.getByLabel('Password or token').fill('wrong');
    await login.getByRole('button', { name: 'Sign in' }).click();
    await expect(login.getByTestId('dialog-error')).toHaveAttribute('data-code', 'E_REGISTRY_AUTH');
    await expect(login.getByTestId('dialog-error')).not.toContainText('--');
    await login.getByLabel('Password or token').fill('s3cret');
    await login.getByRole('button', { name: 'Sign in' }).click();
    await expect(login.getByTestId('login-result')).toContainText(registry.host);

    // The CLI uses the stored credentials: a push to the protected registry works without logging in again.
    expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
    expect((await sandbox.cove(['tag', 'busybox', `${registry.host}/alice/busybox:1`])).code).toBe(0);
    const push = await sandbox.cove(['push', `${registry.host}/alice/busybox:1`]);
    expect(push.code, push.stderr).toBe(0);
  } finally {
    await registry.stop();
  }
});
