import type { Locator, Page } from '@playwright/test';

export class VolumesPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Volumes', exact: true }).click();
    await this.page.getByRole('heading', { name: 'Volumes', level: 1 }).waitFor();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="volume-row"][data-name="${name}"]`);
  }

  async remove(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Remove', exact: true }).click();
  }
}
