// Terminal throughput and keystroke echo latency (issue 6, Measure): a pty
// through the real terminal stack (TerminalBridge with flow control, the
// /term binary WebSocket, xterm.js in Debian's Chromium). The pty runs a
// local sh rather than `cove exec` so the figure is the UI path alone and
// runs anywhere; `cove exec` adds one more byte relay in front of it.
//   node --import tsx bench/terminal.ts [megabytes]
import path from 'node:path';
import * as pty from 'node-pty';
import { chromium } from 'playwright-core';
import { startWebServer } from '../app/server/web-server.js';
import type { TerminalProcess } from '../app/terminal/terminal-bridge.js';
import { TerminalRegistry } from '../app/terminal/terminal-registry.js';
import { median, percentile } from './bench-kit.js';
import { FakeEngine, fakeContainers } from './renderer-backend.js';

function localShell(cols: number, rows: number): TerminalProcess {
  const p = pty.spawn('/bin/sh', [], { name: 'xterm-256color', cols, rows, encoding: null, env: { ...process.env, PS1: '$ ', TERM: 'xterm-256color' } as Record<string, string> });
  return {
    onData: (l) => {
      // Bytes, as PtySession gets them (`encoding: null`; node-pty's typings say string).
      const d = p.onData((data: string | Buffer) => l(data));
      return () => d.dispose();
    },
    onExit: (l) => {
      const d = p.onExit((e) => l(e.exitCode));
      return () => d.dispose();
    },
    write: (d) => p.write(typeof d === 'string' ? d : Buffer.from(d)),
    resize: (c, r) => p.resize(c, r),
    pause: () => p.pause(),
    resume: () => p.resume(),
    close: () => p.kill('SIGHUP'),
  };
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 50);
  const containers = fakeContainers(1).map((c) => ({ ...c, state: 'running' as const }));
  const engine = new FakeEngine(containers);
  const terminals = new TerminalRegistry({ cli: [], spawn: (p) => localShell(p.cols, p.rows) });
  const server = await startWebServer({ engine, staticDir: path.resolve('out/renderer'), terminals });
  const browser = await chromium.launch({
    executablePath: process.env.COVE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}#/containers/${containers[0]?.id}/terminal`);
    await page.locator('[data-testid="terminal"][data-status="open"]').waitFor();
    await page.locator('[data-testid="terminal-screen"] .xterm').click();
    // In-page code is a string: the node tsconfig has no DOM types.
    // (waitForFunction would compile a string with new Function, which the page's CSP refuses.)
    const screenHas = (text: string) =>
      page.evaluate(`new Promise((resolve) => {
        const check = () => ((document.querySelector('.xterm-rows')?.textContent ?? '').includes(${JSON.stringify(text)}) ? resolve(true) : setTimeout(check, 50));
        check();
      })`);

    // Throughput: 100-column lines of text, then a marker the command line itself does not contain.
    const bytes = megabytes * 1024 * 1024;
    await page.keyboard.type(`head -c ${bytes} /dev/zero | tr '\\0' x | fold -w 99 | cat; echo END-$((40+2))`);
    const t0 = performance.now();
    await page.keyboard.press('Enter');
    await screenHas('END-42');
    const seconds = (performance.now() - t0) / 1000;

    // Echo latency: a key press until the shell's echo is on screen.
    await page.keyboard.press('Control+U');
    const latencies: number[] = [];
    for (let i = 0; i < 60; i++) {
      const waiting = page.evaluate<number>(`new Promise((resolve) => {
        const rows = document.querySelector('.xterm-rows');
        const before = rows.textContent;
        const t = performance.now();
        const mo = new MutationObserver(() => {
          if (rows.textContent === before) return;
          mo.disconnect();
          resolve(performance.now() - t);
        });
        mo.observe(rows, { subtree: true, childList: true, characterData: true });
      })`);
      await page.keyboard.press(i % 2 ? 'a' : 'b');
      latencies.push(await waiting);
      if (i % 20 === 19) await page.keyboard.press('Control+U');
    }
    const figures = {
      megabytes,
      seconds,
      throughputMBps: megabytes / seconds,
      echoMsMedian: median(latencies.slice(5)),
      echoMsP95: percentile(latencies.slice(5), 95),
    };
    process.stdout.write(`terminal: ${Object.entries(figures).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`).join(' ')}\n`);
  } finally {
    await browser.close();
    terminals.closeAll();
    await server.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
