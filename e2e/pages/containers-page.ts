import type { Locator, Page } from '@playwright/test';

/** The Containers page, by its stable test hooks (data-testid, roles). */
export class ContainersPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Containers', exact: true }).click();
  }

  row(name: string): Locator {
    return this.page.locator(`[data-testid="container-row"][data-name="${name}"]`);
  }

  state(name: string): Locator {
    return this.row(name).getByTestId('container-state');
  }

  async stop(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Stop', exact: true }).click();
  }

  async start(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Start', exact: true }).click();
  }

  async remove(name: string): Promise<void> {
    await this.row(name).getByRole('button', { name: 'Remove', exact: true }).click();
  }

  errorBanner(): Locator {
    return this.page.getByRole('alert');
  }
}

/** A confirmation dialog (removals, prunes): its text, Cancel and the confirming button. */
export class ConfirmDialog {
  constructor(private readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('confirm-dialog');
  }

  async cancel(): Promise<void> {
    await this.root().getByRole('button', { name: 'Cancel', exact: true }).click();
    await this.root().waitFor({ state: 'detached' });
  }

  async confirm(label: string | RegExp): Promise<void> {
    await this.root().getByRole('button', { name: label }).click();
    await this.root().waitFor({ state: 'detached' });
  }
}

/** The published ports of one container, in its row of the list. */
export function portLinks(row: Locator): Locator {
  return row.getByTestId('port-link');
}
