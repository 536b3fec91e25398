import type { Locator, Page } from '@playwright/test';

/** The Build dialog of the Images page. */
export class BuildDialog {
  constructor(private readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('build-dialog');
  }

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Images', exact: true }).click();
    await this.page.getByRole('button', { name: 'Build…' }).click();
    await this.root().waitFor();
  }

  async build(o: { context: string; dockerfile?: string; tags?: string; args?: string; target?: string; noCache?: boolean }): Promise<void> {
    const r = this.root();
    await r.getByLabel(/Context directory/).fill(o.context);
    if (o.dockerfile) await r.getByLabel(/^Dockerfile/).fill(o.dockerfile);
    if (o.tags) await r.getByLabel('Tags').fill(o.tags);
    if (o.args) await r.getByLabel(/Build arguments/).fill(o.args);
    if (o.target) await r.getByLabel('Target stage').fill(o.target);
    if (o.noCache) await r.getByLabel('Do not use the cache').check();
    await r.getByRole('button', { name: 'Build', exact: true }).click();
  }

  task(): Locator {
    return this.root().getByTestId('task');
  }

  steps(): Locator {
    return this.root().getByTestId('build-step');
  }
}
