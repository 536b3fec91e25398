import { test, expect } from '../support/cove-app.js';
import { ContainerDetailPage, TerminalPanel } from '../pages/container-page.js';
import { ImagesPage } from '../pages/images-page.js';
import { TasksPage } from '../pages/pull-dialog.js';
import { startRegistry } from '../../app/testing/registry-server.js';

test('pause and resume, rename, kill from the container page, each agreeing with the CLI', async ({ cove }) => {
  const { page, sandbox } = cove;
  const cliState = async (name: string): Promise<string> => {
    const r = await sandbox.cove(['inspect', name]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as Array<{ State: { Status: string; ExitCode: number } }>)[0]?.State.Status ?? '';
  };
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  expect((await sandbox.cove(['run', '-d', '--name', 'app', 'busybox', 'sleep', '1000'])).code).toBe(0);
  const detail = new ContainerDetailPage(page);
  await detail.open('app');

  await detail.action('Pause').click();
  await detail.waitState('paused');
  expect(await cliState('app')).toBe('paused');
  await expect(detail.action('Pause')).toHaveCount(0);
  await detail.action('Resume').click();
  await detail.waitState('running');
  expect(await cliState('app')).toBe('running');

  await detail.rename('app-renamed');
  await detail.waitState('running', 'app-renamed');
  await expect(page.getByRole('heading', { name: 'app-renamed', level: 1 })).toBeVisible();
  expect(await cliState('app-renamed')).toBe('running');
  expect((await sandbox.cove(['inspect', 'app'])).code).not.toBe(0);

  await detail.action('Kill').click();
  await detail.waitState('exited');
  expect(await cliState('app-renamed')).toBe('exited');
  expect((await sandbox.cove(['ps', '-a'])).stdout).toMatch(/Exited \(137\)/);
});

test('attach to a -t container\'s own terminal; the Attach choice is offered only to containers with one', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  expect((await sandbox.cove(['run', '-dit', '--name', 'tty', 'busybox', 'sh'])).code).toBe(0);
  expect((await sandbox.cove(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '1000'])).code).toBe(0);
  const detail = new ContainerDetailPage(page);
  const term = new TerminalPanel(page);

  await detail.open('plain');
  await detail.tab('Terminal');
  await expect(term.root().getByRole('button', { name: 'Attach', exact: true })).toBeDisabled();

  await detail.open('tty');
  await detail.tab('Terminal');
  await term.mode('Attach');
  await term.waitConnected();
  // PID 1 is the container's own sh: $$ is 1 there, never in an exec'd shell.
  await term.type('echo attached-to-pid-$$');
  await expect(term.screen()).toContainText('attached-to-pid-1', { timeout: 10_000 });
  await term.mode('Shell');
  await term.waitConnected();
  await term.type('echo shell-pid-$$');
  await expect(term.screen()).toContainText(/shell-pid-(?!1\b)\d+/, { timeout: 10_000 });
});

test('tag an image and push it to a registry from the UI; the push is a task with progress', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const registry = await startRegistry();
  try {
    const target = `${registry.host}/e2e/busybox:ui`;
    const images = new ImagesPage(page);
    await images.open();
    await images.action('busybox', 'Tag…');
    await images.dialog('tag-dialog').getByLabel(/New reference/).fill(target);
    await images.dialog('tag-dialog').getByRole('button', { name: 'Add tag' }).click();
    await expect(images.dialog('tag-dialog')).toHaveCount(0);
    await expect(images.row(target)).toBeVisible();
    expect((await sandbox.cove(['images'])).stdout).toContain(`${registry.host}/e2e/busybox`);

    // A bad reference is the engine's error, in place, and the input stays.
    await images.action(target, 'Tag…');
    await images.dialog('tag-dialog').getByLabel(/New reference/).fill('Not A Reference');
    await images.dialog('tag-dialog').getByRole('button', { name: 'Add tag' }).click();
    await expect(images.dialog('tag-dialog').getByTestId('dialog-error')).toHaveAttribute('data-code', /^E_/);
    await expect(images.dialog('tag-dialog').getByTestId('dialog-error')).not.toContainText('--');
    await images.dialog('tag-dialog').getByRole('button', { name: 'Cancel' }).click();

    await images.row(target).getByRole('button', { name: 'Push…', exact: true }).click();
    const push = images.dialog('push-dialog');
    await expect(push.getByLabel(/Destination/)).toHaveValue(/busybox/);
    await push.getByLabel(/Destination/).fill(target);
    await push.getByRole('button', { name: 'Push', exact: true }).click();
    await expect(push.getByTestId('task')).toHaveAttribute('data-state', 'done', { timeout: 30_000 });
    await push.getByRole('button', { name: 'Cancel' }).click();

    const tasks = new TasksPage(page);
    await tasks.open();
    await expect(tasks.task(target)).toHaveAttribute('data-state', 'done');
    // What was pushed pulls back.
    expect((await sandbox.cove(['rmi', target])).code).toBe(0);
    const pulled = await sandbox.cove(['pull', target]);
    expect(pulled.code, pulled.stderr).toBe(0);
  } finally {
    await registry.stop();
  }
});
