import type { Locator, Page } from '@playwright/test';

/** A container's detail page and its tabs. */
export class ContainerDetailPage {
  constructor(private readonly page: Page) {}

  /** Opens it from the Containers list by the container's name. */
  async open(name: string): Promise<void> {
    await this.page.getByRole('link', { name: 'Containers', exact: true }).click();
    await this.page.locator(`[data-testid="container-row"][data-name="${name}"]`).getByRole('link', { name, exact: true }).click();
    await this.page.locator(`[data-testid="container-page"][data-name="${name}"]`).waitFor();
  }

  root(): Locator {
    return this.page.getByTestId('container-page');
  }

  async tab(name: 'Overview' | 'Logs' | 'Stats' | 'Terminal'): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** A header action: Start, Stop, Restart, Pause, Resume, Kill, Rename…, Remove. */
  action(name: string): Locator {
    return this.page.getByTestId('container-page').locator('.page-header').getByRole('button', { name, exact: true });
  }

  /** Waits for the page to show the container in `state` (and `name`, after a rename). */
  async waitState(state: string, name?: string): Promise<void> {
    const sel = name ? `[data-testid="container-page"][data-name="${name}"][data-state="${state}"]` : `[data-testid="container-page"][data-state="${state}"]`;
    await this.page.locator(sel).waitFor({ timeout: 20_000 });
  }

  /** The overview's line for one network the container is on. */
  network(name: string): Locator {
    return this.page.locator(`[data-testid="overview-network"][data-name="${name}"]`);
  }

  async rename(to: string): Promise<void> {
    await this.action('Rename…').click();
    const dialog = this.page.getByTestId('rename-dialog');
    await dialog.getByLabel('New name').fill(to);
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  }
}

/** The Terminal tab: xterm's rendered rows are the screen. */
export class TerminalPanel {
  constructor(private readonly page: Page) {}

  root(): Locator {
    return this.page.getByTestId('terminal');
  }

  screen(): Locator {
    return this.page.locator('[data-testid="terminal-screen"] .xterm-rows');
  }

  /** Shell (exec) or Attach (the container's own terminal). */
  async mode(name: 'Shell' | 'Attach'): Promise<void> {
    await this.root().getByRole('button', { name, exact: true }).click();
    await this.page.locator(`[data-testid="terminal"][data-mode="${name === 'Shell' ? 'exec' : 'attach'}"]`).waitFor();
  }

  notice(): Locator {
    return this.page.getByTestId('terminal-notice');
  }

  async waitConnected(generation?: number): Promise<void> {
    const sel = generation ? `[data-testid="terminal"][data-status="open"][data-generation="${generation}"]` : '[data-testid="terminal"][data-status="open"]';
    await this.page.locator(sel).waitFor();
  }

  async type(line: string): Promise<void> {
    await this.page.locator('[data-testid="terminal-screen"] .xterm').click();
    await this.page.keyboard.type(line);
    await this.page.keyboard.press('Enter');
  }

  /** The visible rows, one line each (xterm renders a div per row). */
  async text(): Promise<string> {
    const rows = await this.screen().locator(':scope > div').allTextContents();
    return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd()).join('\n');
  }

  /** Runs `stty size` and returns "rowsxcols" from its answer. */
  async sttySize(): Promise<string> {
    const marker = `sz${Date.now() % 100000}`;
    await this.type(`echo ${marker}-$(stty size | tr ' ' x)`);
    const answer = new RegExp(`^${marker}-(\\d+x\\d+)`, 'm');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const match = answer.exec(await this.text());
      if (match?.[1]) return match[1];
      if (Date.now() > deadline) throw new Error('no answer from stty size');
      await this.page.waitForTimeout(100);
    }
  }
}

export class LogsPanel {
  constructor(private readonly page: Page) {}

  lines(): Locator {
    return this.page.getByTestId('log-line');
  }

  view(): Locator {
    return this.page.getByTestId('log-view');
  }

  async search(text: string): Promise<void> {
    await this.page.getByRole('searchbox', { name: 'Search the log' }).fill(text);
  }

  async showTimestamps(on: boolean): Promise<void> {
    await this.page.getByRole('checkbox', { name: 'Timestamps' }).setChecked(on);
  }
}
