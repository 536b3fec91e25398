import { test, expect } from '../support/cove-app.js';
import { ContainerDetailPage, TerminalPanel } from '../pages/container-page.js';

// Stops at once on SIGTERM, so stop/start stay fast.
const LOOP = ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 0.1; done'];

test('terminal: a shell answers, stty size follows the window, and it reconnects after a restart', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const run = await sandbox.cove(['run', '-d', '--name', 'shell-box', 'busybox', ...LOOP]);
  expect(run.code, run.stderr).toBe(0);

  const detail = new ContainerDetailPage(page);
  const term = new TerminalPanel(page);
  await detail.open('shell-box');
  await detail.tab('Terminal');
  await term.waitConnected();

  // Nothing animates in the terminal (no blinking cursor): a running animation
  // keeps a frame pending at every key press, and Chromium holds the echo's
  // socket message until that frame is drawn, one frame late.
  expect(await term.root().evaluate((el) => el.getAnimations({ subtree: true }).length)).toBe(0);

  await term.type('echo $((6*7))');
  await expect.poll(() => term.text()).toMatch(/^42$/m);

  const before = await term.sttySize();
  await page.setViewportSize({ width: 900, height: 560 });
  await expect.poll(() => term.sttySize(), { timeout: 10_000 }).not.toBe(before);

  // Leaving the tab and coming back keeps the session and its scrollback.
  await detail.tab('Overview');
  await detail.tab('Terminal');
  await expect.poll(() => term.text()).toMatch(/^42$/m);
  await expect(term.root()).toHaveAttribute('data-generation', '1');

  expect((await sandbox.cove(['stop', 'shell-box'])).code).toBe(0);
  await expect(term.notice()).toContainText('The container stopped');
  await expect(term.notice().getByRole('button', { name: 'Reconnect' })).toBeDisabled();

  expect((await sandbox.cove(['start', 'shell-box'])).code).toBe(0);
  await expect(term.notice().getByRole('button', { name: 'Reconnect' })).toBeEnabled();
  await term.notice().getByRole('button', { name: 'Reconnect' }).click();
  await term.waitConnected(2);
  await term.type('echo again-$((20+3))');
  await expect.poll(() => term.text()).toMatch(/^again-23$/m);
  // The old scrollback is still above the new session.
  await expect.poll(() => term.text()).toMatch(/^42$/m);
});
