import type { Locator, Page } from '@playwright/test';

export class ImagesPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Images', exact: true }).click();
    await this.page.getByRole('heading', { name: 'Images', level: 1 }).waitFor();
  }

  row(reference: string): Locator {
    return this.page.locator('[data-testid="image-row"]').filter({ hasText: reference });
  }

  async action(reference: string, name: 'Remove' | 'Tag…' | 'Push…' | 'Save…' | 'Run' | 'History'): Promise<void> {
    await this.row(reference).getByRole('button', { name, exact: true }).click();
  }

  dialog(testId: 'tag-dialog' | 'push-dialog'): Locator {
    return this.page.getByTestId(testId);
  }
}
