import { test, expect } from '../support/cove-app.js';
import { ContainerDetailPage } from '../pages/container-page.js';

test('the stats charts start from the engine history and gain points live', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const run = await sandbox.cove(['run', '-d', '--name', 'busy', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do :; done']);
  expect(run.code, run.stderr).toBe(0);

  // The dashboard's totals and busiest list come from the same samples.
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await expect(page.locator('[data-testid="quick-container"][data-name="busy"] [data-testid="quick-usage"]')).toContainText('%', { timeout: 15_000 });

  const detail = new ContainerDetailPage(page);
  await detail.open('busy');
  await detail.tab('Stats');
  const cpu = page.getByTestId('chart-cpu');
  await expect(cpu).toBeVisible();
  // Opened after a few seconds of sampling: the chart starts with the engine's history, not empty.
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 3_000 }).toBeGreaterThan(2);
  const first = Number(await cpu.getAttribute('data-points'));
  await expect.poll(async () => Number(await cpu.getAttribute('data-points')), { timeout: 15_000 }).toBeGreaterThan(first + 1);
  await expect(page.getByTestId('chart-memory')).toBeVisible();
});
