import type { Locator, Page } from '@playwright/test';

export class RunDialog {
  constructor(private readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('run-dialog');
  }

  async openFromContainers(): Promise<void> {
    await this.page.getByRole('link', { name: 'Containers', exact: true }).click();
    await this.page.getByRole('button', { name: 'Run…' }).click();
    await this.root().waitFor();
  }

  async fill(fields: { image: string; name?: string; command?: string; env?: string }): Promise<void> {
    const d = this.root();
    await d.getByLabel('Image').fill(fields.image);
    if (fields.name) await d.getByLabel(/^Name/).fill(fields.name);
    if (fields.command) await d.getByLabel(/^Command/).fill(fields.command);
    if (fields.env) await d.getByLabel(/^Environment/).fill(fields.env);
  }

  /** The Network select (a built-in mode or a user-defined network), its aliases and the other networks to be on. */
  async network(name: string, opts: { aliases?: string; alsoOn?: string[] } = {}): Promise<void> {
    const d = this.root();
    await d.locator('select[name="network"]').selectOption(name);
    if (opts.aliases) await d.getByLabel(/^Network aliases/).fill(opts.aliases);
    for (const n of opts.alsoOn ?? []) await d.getByTestId('run-also-on').getByLabel(n, { exact: true }).check();
  }

  async submit(): Promise<void> {
    await this.root().getByRole('button', { name: 'Run', exact: true }).click();
  }

  error(): Locator {
    return this.root().getByTestId('dialog-error');
  }
}
