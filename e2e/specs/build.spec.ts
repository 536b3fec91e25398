import fs from 'node:fs';
import path from 'node:path';
import { test, expect } from '../support/cove-app.js';
import { BuildDialog } from '../pages/build-dialog.js';

test('build from a context directory: steps with their output, CACHED on a rebuild, a build arg and a target, the image runs', async ({ cove }) => {
  const { page, sandbox } = cove;
  expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
  const ctx = fs.mkdtempSync(path.join(path.dirname(sandbox.home), 'e2e-build-ctx-'));
  try {
    fs.writeFileSync(path.join(ctx, 'app.txt'), 'hello from the context\n');
    fs.writeFileSync(
      path.join(ctx, 'Custom.Dockerfile'),
      ['FROM busybox AS base', 'ARG GREETING=plain', 'COPY app.txt /app.txt', 'RUN echo "$GREETING" > /greeting && echo step-output-marker', 'FROM base AS final', 'RUN cat /greeting /app.txt > /all', 'FROM busybox AS unused', 'RUN false'].join('\n'),
    );
    const dialog = new BuildDialog(page);
    await dialog.open();
    await dialog.build({ context: ctx, dockerfile: 'Custom.Dockerfile', tags: 'e2e-built:1', args: 'GREETING=spicy', target: 'final' });
    await expect(dialog.task()).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(dialog.steps().filter({ hasText: 'COPY app.txt /app.txt' })).toHaveAttribute('data-status', 'done');
    await expect(dialog.steps().filter({ hasText: 'RUN echo' })).toContainText('step-output-marker');
    await expect(dialog.steps().filter({ hasText: 'RUN false' })).toHaveCount(0);
    await expect(dialog.root().getByTestId('build-image')).toBeVisible();
    const run = await sandbox.cove(['run', '--rm', 'e2e-built:1', 'cat', '/all']);
    expect(run.stdout).toBe('spicy\nhello from the context\n');

    // The same build again: every layer step CACHED.
    await dialog.root().getByRole('button', { name: 'Close (keeps building)' }).click();
    await dialog.open();
    await dialog.build({ context: ctx, dockerfile: 'Custom.Dockerfile', tags: 'e2e-built:1', args: 'GREETING=spicy', target: 'final' });
    await expect(dialog.task()).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(dialog.steps().filter({ hasText: /COPY|RUN/ })).toHaveCount(3);
    for (const step of await dialog.steps().filter({ hasText: /COPY|RUN/ }).all()) await expect(step).toHaveAttribute('data-status', 'cached');
    await expect(page.locator('[data-testid="image-row"]').filter({ hasText: 'e2e-built' })).toHaveCount(1);

    // "Run this image…" opens the run dialog with the new tag.
    await dialog.root().getByRole('button', { name: 'Run this image…' }).click();
    await expect(page.getByTestId('run-dialog')).toBeVisible();
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
  }
});

test('a build with a bad context fails in the dialog with the engine error', async ({ cove }) => {
  const dialog = new BuildDialog(cove.page);
  await dialog.open();
  await dialog.build({ context: '/nonexistent/cove-e2e-context' });
  await expect(dialog.root().getByRole('alert')).toContainText(/not a directory|does not exist|E_INVALID_ARGUMENT/);
});
