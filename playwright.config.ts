import path from 'node:path';
import { defineConfig } from '@playwright/test';

const artifacts = process.env.COVE_ARTIFACTS_DIR ?? path.resolve('test-output');

// Debian's Chromium (never `npx playwright install`).
export default defineConfig({
  testDir: 'e2e/specs',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  workers: 1,
  retries: 0,
  forbidOnly: true,
  outputDir: path.join(artifacts, 'playwright'),
  use: {
    headless: true,
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.COVE_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
