// Not the shared fixture: this spec stops and restarts `cove serve` itself,
// with the address a user gets (the port and token of the last run).
import { test as base, expect } from '@playwright/test';
import { createSandbox, fixtures } from '../../app/testing/harness.js';
import { startServe, type ServeProcess } from '../../app/testing/serve.js';
import { ContainersPage } from '../pages/containers-page.js';

base('an open page says it is disconnected with its actions disabled, then recovers by itself when the engine is back at the same address', async ({ page }) => {
  const sandbox = await createSandbox('cove-e2e-');
  let serve: ServeProcess | null = null;
  try {
    const fx = await fixtures();
    expect((await sandbox.cove(['load', '-q', '-i', fx.busyboxDocker])).code).toBe(0);
    expect((await sandbox.cove(['run', '-d', '--name', 'before', 'busybox', 'sleep', '1000'])).code).toBe(0);
    serve = await startServe(sandbox, [], { stableAddress: true });
    const firstUrl = serve.url;
    await page.goto(firstUrl);
    const list = new ContainersPage(page);
    await list.open();
    await expect(list.row('before')).toBeVisible();
    // A marker that a reload would wipe: recovery must happen in this very page.
    await page.evaluate('window.__sameDocument = true');

    await serve.stop();
    serve = null;
    const notice = page.getByTestId('connection-notice');
    await expect(notice).toBeVisible();
    await expect(notice).toContainText('Disconnected from the Cove engine');
    await expect(notice).toContainText('actions are disabled');
    await expect(page.getByRole('button', { name: 'Run…' })).toBeDisabled();
    await expect(list.row('before').getByRole('button', { name: 'Stop', exact: true })).toBeDisabled();
    await page.screenshot({ path: base.info().outputPath('disconnected.png') });

    // Changes made while the page was cut off show once it is back.
    expect((await sandbox.cove(['run', '-d', '--name', 'after', 'busybox', 'sleep', '1000'])).code).toBe(0);
    serve = await startServe(sandbox, [], { stableAddress: true });
    expect(serve.url).toBe(firstUrl);
    await expect(notice).toHaveCount(0, { timeout: 20_000 });
    await expect(list.row('after')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Run…' })).toBeEnabled();
    await expect(list.row('before').getByRole('button', { name: 'Stop', exact: true })).toBeEnabled();
    expect(await page.evaluate('window.__sameDocument === true')).toBe(true);

    // And it works: stop from the recovered page.
    await list.stop('before');
    await expect(list.state('before')).toContainText(/exited/i, { timeout: 20_000 });
  } finally {
    await serve?.stop();
    await sandbox.cove(['rm', '-f', 'before', 'after']).catch(() => undefined);
    await sandbox.cleanup();
  }
});


