import type { Locator, Page } from '@playwright/test';

export class ProjectsPage {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.getByRole('link', { name: 'Projects', exact: true }).click();
    await this.page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  }

  async openFile(file: string): Promise<void> {
    await this.page.getByLabel('Compose file path').fill(file);
    await this.page.getByRole('button', { name: 'Open and up' }).click();
  }

  project(name: string): Locator {
    return this.page.locator(`[data-testid="project"][data-name="${name}"]`);
  }

  service(project: string, service: string): Locator {
    return this.project(project).locator(`[data-testid="service-row"][data-service="${service}"]`);
  }

  /** The compose task under the file form (a file being opened). */
  openTask(): Locator {
    return this.page.locator('.compose-open [data-testid="compose-task"]');
  }
}
