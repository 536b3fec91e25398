// One fixture for every spec: the Cove UI as a Playwright Page plus a
// private engine store and the CLI against it. In web mode (here) it starts
// `cove serve`; where an Electron binary exists and COVE_E2E_ELECTRON=1 it
// launches the app with Playwright's Electron launcher instead, so the same
// specs cover both.
import fs from 'node:fs';
import path from 'node:path';
import { test as base, _electron as electron, type Page, type TestInfo } from '@playwright/test';
import { createSandbox, fixtures, type CoveSandbox } from '../../app/testing/harness.js';
import { startServe } from '../../app/testing/serve.js';

export interface CoveApp {
  page: Page;
  sandbox: CoveSandbox;
  fixtures: Awaited<ReturnType<typeof fixtures>>;
}

async function startWebMode(sandbox: CoveSandbox, page: Page, testInfo: TestInfo): Promise<() => Promise<void>> {
  const serve = await startServe(sandbox);
  await page.goto(serve.url);
  return async () => {
    // An engine that died during the spec says why in the report.
    const died = serve.child.exitCode !== null || serve.child.signalCode !== null;
    if (died || serve.stderr()) await testInfo.attach(died ? 'cove serve died' : 'cove serve stderr', { body: `exit ${serve.child.exitCode} ${serve.child.signalCode}\n${serve.stderr()}`, contentType: 'text/plain' });
    await serve.stop();
  };
}

export const test = base.extend<{ cove: CoveApp }>({
  cove: async ({ page }, use, testInfo) => {
    const sandbox = await createSandbox('cove-e2e-');
    // The docker CLI's config (registry logins, the cove docker context) of the sandbox's own, never the test user's.
    sandbox.env.DOCKER_CONFIG = path.join(sandbox.home, 'docker-config');
    const fx = await fixtures();
    let stop: () => Promise<void>;
    let appPage = page;
    const electronMain = path.resolve('out/main/index.js');
    if (process.env.COVE_E2E_ELECTRON === '1' && fs.existsSync(electronMain)) {
      const app = await electron.launch({ args: [electronMain], env: { ...sandbox.env } as Record<string, string> });
      appPage = await app.firstWindow();
      stop = () => app.close();
    } else {
      stop = await startWebMode(sandbox, page, testInfo);
    }
    try {
      await use({ page: appPage, sandbox, fixtures: fx });
    } finally {
      // Every spec leaves a screenshot of where it ended as an artifact.
      await appPage.screenshot({ path: testInfo.outputPath('final.png'), fullPage: true }).catch(() => undefined);
      const shots = path.join(process.env.COVE_ARTIFACTS_DIR ?? 'test-output', 'screenshots');
      fs.mkdirSync(shots, { recursive: true });
      const name = testInfo.titlePath.slice(1).join(' - ').replace(/[^a-zA-Z0-9 _-]+/g, '').replace(/\s+/g, '-');
      await appPage.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true }).catch(() => undefined);
      await stop();
      await sandbox.cleanup();
    }
  },
});

export { expect } from '@playwright/test';
