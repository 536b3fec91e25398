import type { Locator, Page } from '@playwright/test';

export class NetworksPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Networks', exact: true }).click();
    await this.page.getByRole('heading', { name: 'Networks', level: 1 }).waitFor();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="network-row"][data-name="${name}"]`);
  }

  async create(name: string, subnet?: string): Promise<void> {
    await this.page.getByLabel('New network name').fill(name);
    if (subnet) await this.page.getByLabel('Subnet').fill(subnet);
    await this.page.getByRole('button', { name: 'Create', exact: true }).click();
  }

  async remove(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Remove', exact: true }).click();
  }
}
