import type { Locator, Page } from '@playwright/test';

export class PullDialog {
  constructor(private readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('pull-dialog');
  }

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Images', exact: true }).click();
    await this.page.getByRole('button', { name: 'Pull…' }).click();
    await this.root().waitFor();
  }

  async pull(reference: string): Promise<void> {
    await this.root().getByLabel('Image reference').fill(reference);
    await this.root().getByRole('button', { name: 'Pull', exact: true }).click();
  }

  async close(): Promise<void> {
    // The footer's "Close (keeps pulling)", not the × in the title bar: both close, this one says the pull goes on.
    await this.root().getByRole('button', { name: 'Close (keeps pulling)' }).click();
  }
}

/** The task centre. */
export class TasksPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Tasks', exact: true }).click();
  }

  task(title: string): Locator {
    return this.page.locator('[data-testid="task"]').filter({ has: this.page.getByText(title, { exact: true }) });
  }

  layers(title: string): Locator {
    return this.task(title).getByTestId('layer-progress');
  }
}
