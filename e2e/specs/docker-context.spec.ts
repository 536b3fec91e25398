import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, expect } from '../support/cove-app.js';

const DOCKER_CLI = process.env.COVE_DOCKER_CLI ?? '/usr/local/bin/docker';

test('"Use Cove for docker" in Settings creates the docker context cove and makes it current; off removes it', async ({ cove }) => {
  const { page, sandbox } = cove;
  const configDir = sandbox.env.DOCKER_CONFIG as string;
  const docker = (args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_CONFIG: configDir, DOCKER_CLI_HINTS: 'false' };
    delete env.DOCKER_HOST;
    delete env.DOCKER_CONTEXT;
    return spawnSync(DOCKER_CLI, args, { env, encoding: 'utf8', timeout: 30_000 });
  };
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  const setting = page.getByTestId('docker-context');
  const toggle = setting.getByRole('checkbox', { name: 'Use Cove for docker' });
  await expect(toggle).toBeEnabled();
  await expect(toggle).not.toBeChecked();
  await expect(setting.getByTestId('docker-context-status')).toContainText('docker uses its own default');

  // A click, not check(): the box follows the engine's answer, not the click.
  await toggle.click();
  await expect(toggle).toBeChecked();
  await expect(setting.getByTestId('docker-context-status')).toContainText(`is current in ${configDir}`);
  const socket = path.join(sandbox.home, 'run', 'docker.sock');
  expect(JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8'))).toEqual({ currentContext: 'cove' });
  if (fs.existsSync(DOCKER_CLI)) {
    // The real docker CLI sees it, and reaches the engine behind this page through it.
    const listed = docker(['context', 'ls', '--format', '{{.Name}} {{.Current}} {{.DockerEndpoint}}']);
    expect(listed.stdout).toContain(`cove true unix://${socket}`);
    expect((await sandbox.cove(['load', '-q', '-i', cove.fixtures.busyboxDocker])).code).toBe(0);
    const created = await sandbox.cove(['create', '--name', 'seen-by-docker', 'busybox', 'true']);
    expect(created.code, created.stderr).toBe(0);
    const ps = docker(['ps', '-a', '--format', '{{.Names}}']);
    expect(ps.status, ps.stderr).toBe(0);
    expect(ps.stdout).toContain('seen-by-docker');
  }

  // The page shows what is on disk after a reload too.
  await page.reload();
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await expect(page.getByTestId('docker-context').getByRole('checkbox', { name: 'Use Cove for docker' })).toBeChecked();

  await page.getByTestId('docker-context').getByRole('checkbox', { name: 'Use Cove for docker' }).click();
  await expect(page.getByTestId('docker-context').getByRole('checkbox', { name: 'Use Cove for docker' })).not.toBeChecked();
  await expect(page.getByTestId('docker-context-status')).toContainText('docker uses its own default');
  expect(JSON.parse(fs.readFileSync(path.join(configDir, 'config.json'), 'utf8'))).toEqual({});
  if (fs.existsSync(DOCKER_CLI)) expect(docker(['context', 'ls', '--format', '{{.Name}}']).stdout.trim()).toBe('default');
});
