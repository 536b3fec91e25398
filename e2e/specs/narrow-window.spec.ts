import { test, expect } from '../support/cove-app.js';
import { ContainerDetailPage } from '../pages/container-page.js';
import { unreachableControls } from '../pages/layout.js';
import { freePort } from '../../app/testing/harness.js';

test('every page at an 800 px wide window keeps its actions on screen', async ({ cove }) => {
  const { page, sandbox } = cove;
  await page.setViewportSize({ width: 800, height: 600 });
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const port = await freePort();
  expect((await sandbox.cove(['run', '-d', '--name', 'a-container-with-a-rather-long-name', '-p', `${port}:80`, '-v', 'some-volume:/data', 'busybox', 'sleep', '1000'])).code).toBe(0);
  expect((await sandbox.cove(['tag', 'busybox', 'registry.example.com/a/very/long/repository/name/for/the/layout:1.2.3-with-a-long-tag'])).code).toBe(0);

  const check = async (what: string) => {
    await page.waitForTimeout(200);
    expect(await unreachableControls(page), what).toEqual([]);
    await page.screenshot({ path: test.info().outputPath(`800-${what.replace(/\W+/g, '-')}.png`), fullPage: true });
  };

  for (const name of ['Dashboard', 'Containers', 'Projects', 'Images', 'Volumes', 'Tasks', 'Settings']) {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await check(name);
  }
  await page.getByRole('link', { name: 'Containers', exact: true }).click();
  await expect(page.locator('[data-testid="container-row"]')).toHaveCount(1);
  await check('Containers with a row');
  await page.locator('[data-testid="container-row"] input[type="checkbox"]').check();
  await check('Containers with the bulk bar');

  const detail = new ContainerDetailPage(page);
  await detail.open('a-container-with-a-rather-long-name');
  for (const tab of ['Overview', 'Logs', 'Stats'] as const) {
    await detail.tab(tab);
    await check(`Container ${tab}`);
  }
  for (const action of ['Rename…', 'Remove']) {
    await detail.action(action).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await check(`Container dialog ${action}`);
    await page.keyboard.press('Escape');
  }
  // The terminal last: keys typed after it would go to the shell, not to the page's dialogs.
  await detail.tab('Terminal');
  await check('Container Terminal');
  await page.getByRole('link', { name: 'Images', exact: true }).click();
  await page.getByRole('button', { name: 'Run…' }).click();
  await check('Run dialog');
});
