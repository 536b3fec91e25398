import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '../support/cove-app.js';
import { ProjectsPage } from '../pages/projects-page.js';
import { unreachableControls } from '../pages/layout.js';
import { freePort } from '../../app/testing/harness.js';
import { fetchText } from '../support/fetch-text.js';

const composeFile = (port: number) => `name: shop
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-compose > /www/index.html && echo web-ready && exec httpd -f -p 80 -h /www"]
    ports: ["127.0.0.1:${port}:80"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "-", "http://127.0.0.1/"]
      interval: 300ms
      retries: 20
  worker:
    image: busybox
    command: ["sh", "-c", "echo worker-started; exec sleep 1000"]
    depends_on:
      web: { condition: service_healthy }
`;

test('Projects page: open a compose file by path and bring it up with progress; services with state, health and ports; merged logs by service; per-service and project actions; down', async ({ cove }, testInfo) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const dir = path.join(sandbox.home, 'shop');
  fs.mkdirSync(dir);
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'compose.yaml'), composeFile(port));
  // A broken file first: its error in place, and nothing created.
  fs.writeFileSync(path.join(dir, 'broken.yaml'), 'services:\n  a:\n    image: busybox\n    depends_on: [b]\n  b:\n    image: busybox\n    depends_on: [a]\n');

  const projects = new ProjectsPage(page);
  await projects.open();
  await expect(page.getByText('No compose projects.')).toBeVisible();
  await projects.openFile(path.join(dir, 'broken.yaml'));
  const failure = page.locator('.compose-open').getByRole('alert');
  await expect(failure).toContainText('E_COMPOSE_INVALID');
  await expect(failure).toContainText('dependency cycle detected: a -> b -> a');
  expect((await sandbox.cove(['ps', '-aq'])).stdout.trim()).toBe('');

  await projects.openFile(path.join(dir, 'compose.yaml'));
  await expect(projects.openTask()).toHaveAttribute('data-state', 'done', { timeout: 60_000 });
  await expect(projects.openTask().locator('[data-resource="Container shop-worker-1"]')).toBeVisible();
  const web = projects.service('shop', 'web');
  const worker = projects.service('shop', 'worker');
  await expect(web).toHaveAttribute('data-state', 'running');
  await expect(web).toHaveAttribute('data-health', 'healthy', { timeout: 20_000 });
  await expect(worker).toHaveAttribute('data-state', 'running');
  await expect(web.getByTestId('ports')).toContainText(String(port));
  await expect.poll(() => fetchText(port).catch((e: Error) => e.message), { timeout: 15_000 }).toContain('hello-from-compose');

  // Merged logs, prefixed by container, filtered by service.
  const project = projects.project('shop');
  await project.getByRole('button', { name: 'Logs of shop' }).click();
  const lines = project.getByTestId('project-log-line');
  await expect(lines.filter({ hasText: 'web-ready' })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'worker-started' })).toHaveCount(1);
  await expect(lines.filter({ hasText: 'worker-started' })).toContainText('shop-worker-1');
  await project.getByLabel('Service filter for shop').selectOption('worker');
  await expect(lines.filter({ hasText: 'web-ready' })).toHaveCount(0);
  await expect(lines.filter({ hasText: 'worker-started' })).toHaveCount(1);
  await page.screenshot({ path: testInfo.outputPath('projects-up.png'), fullPage: true });
  // An 800 px window keeps every action on screen.
  await page.setViewportSize({ width: 800, height: 600 });
  await page.waitForTimeout(200);
  expect(await unreachableControls(page)).toEqual([]);
  await page.screenshot({ path: testInfo.outputPath('projects-800.png'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });

  // One service stopped and brought up again; the other untouched.
  await worker.getByRole('button', { name: /^Stop worker/ }).click();
  await expect(worker).toHaveAttribute('data-state', 'exited', { timeout: 20_000 });
  await expect(web).toHaveAttribute('data-state', 'running');
  await worker.getByRole('button', { name: /^Up worker/ }).click();
  await expect(worker).toHaveAttribute('data-state', 'running', { timeout: 20_000 });

  // The whole project: stop, then down (confirmed).
  await project.getByRole('button', { name: 'Stop shop' }).click();
  await expect(web).toHaveAttribute('data-state', 'exited', { timeout: 20_000 });
  await expect(worker).toHaveAttribute('data-state', 'exited');
  await project.getByRole('button', { name: 'Down shop' }).click();
  const dialog = page.getByTestId('confirm-dialog');
  await expect(dialog.getByTestId('confirm-consequence')).toContainText('2 containers');
  await dialog.getByRole('button', { name: 'Remove containers and networks' }).click();
  await expect(project).toHaveCount(0, { timeout: 20_000 });
  expect((await sandbox.cove(['ps', '-aq'])).stdout.trim()).toBe('');
  expect((await sandbox.cove(['network', 'ls', '--format', '{{.Name}}'])).stdout).not.toContain('shop_default');
});
