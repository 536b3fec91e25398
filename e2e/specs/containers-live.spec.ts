import { test, expect } from '../support/cove-app.js';
import { ConfirmDialog, ContainersPage } from '../pages/containers-page.js';

test('a container started from the CLI appears live; stopping it from the UI changes its state', async ({ cove }) => {
  const { page, sandbox } = cove;
  const load = await sandbox.cove(['load', '-i', cove.fixtures.busyboxDocker]);
  expect(load.code, load.stderr).toBe(0);
  const containers = new ContainersPage(page);
  await containers.open();
  await expect(page.getByTestId('empty-state')).toBeVisible();

  const run = await sandbox.cove(['run', '-d', '--name', 'from-cli', 'busybox', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done']);
  expect(run.code, run.stderr).toBe(0);
  // No reload: the engine's events bring it in.
  await expect(containers.row('from-cli')).toBeVisible();
  await expect(containers.row('from-cli')).toHaveAttribute('data-state', 'running');

  await containers.stop('from-cli');
  await expect(containers.row('from-cli')).toHaveAttribute('data-state', 'exited');
  await expect(containers.state('from-cli')).toContainText(/exited/i);
  const ps = await sandbox.cove(['ps', '-a']);
  expect(ps.stdout).toMatch(/Exited \(0\).*from-cli/);

  // Started again from the CLI: the row follows; removing it while it runs asks first, and Cancel keeps it running.
  const again = await sandbox.cove(['start', 'from-cli']);
  expect(again.code).toBe(0);
  await expect(containers.row('from-cli')).toHaveAttribute('data-state', 'running');
  await containers.remove('from-cli');
  const confirm = new ConfirmDialog(page);
  await expect(confirm.root()).toContainText('from-cli is running');
  await confirm.cancel();
  await expect(containers.row('from-cli')).toHaveAttribute('data-state', 'running');
  await containers.stop('from-cli');
  await expect(containers.row('from-cli')).toHaveAttribute('data-state', 'exited');
  await containers.remove('from-cli');
  await expect(containers.row('from-cli')).toHaveCount(0);
});
