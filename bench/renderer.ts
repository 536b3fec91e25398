// The renderer with 1,000 containers (issue 6, Measure): time to interactive,
// JS heap, and frame times while scrolling the list, in Debian's Chromium
// against a fake engine behind the real web server, with 50 containers
// pushing live stats every second. Prints figures; asserts nothing.
//   node --import tsx bench/renderer.ts [count]
import path from 'node:path';
import { chromium } from 'playwright-core';
import { startWebServer } from '../app/server/web-server.js';
import { median, percentile } from './bench-kit.js';
import { FakeEngine, fakeContainers, fakeSamples } from './renderer-backend.js';

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 1000);
  const containers = fakeContainers(count);
  const engine = new FakeEngine(containers);
  const live = containers.filter((c) => c.state === 'running').slice(0, 50).map((c) => c.id);
  let tick = 0;
  const ticker = setInterval(() => {
    engine.latest = fakeSamples(live, ++tick);
    engine.emit({ type: 'stats', samples: engine.latest });
  }, 1000);
  const server = await startWebServer({ engine, staticDir: path.resolve('out/renderer') });
  const browser = await chromium.launch({
    executablePath: process.env.COVE_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');

    // Time to interactive: navigation start to the first row of the list
    // rendered, with the page idle enough to answer a click.
    const tti: number[] = [];
    for (let round = 0; round < 5; round++) {
      await page.goto(`${server.url}#/containers`);
      await page.locator('[data-testid="container-row"]').first().waitFor();
      tti.push(await page.evaluate<number>('new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())))'));
    }
    const rows = await page.locator('[data-testid="container-row"]').count();

    await cdp.send('HeapProfiler.collectGarbage');
    const metrics = (await cdp.send('Performance.getMetrics')).metrics;
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    const nodes = metrics.find((m) => m.name === 'Nodes')?.value ?? NaN;

    // Scrolling: 240 frames, 120 px per frame, top to bottom and back.
    // In-page code is a string: the node tsconfig has no DOM types.
    const frames = await page.evaluate<number[]>(`(async () => {
      const el = document.querySelector('[data-testid="containers-scroll"]');
      const deltas = [];
      let last = performance.now();
      let dir = 1;
      for (let i = 0; i < 240; i++) {
        el.scrollTop += 120 * dir;
        if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) dir = -1;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        deltas.push(now - last);
        last = now;
      }
      return deltas;
    })()`);

    const figures = {
      containers: count,
      withLiveStats: live.length,
      rowsInDom: rows,
      ttiMsMedian: median(tti),
      jsHeapMB: heap / 1e6,
      domNodes: nodes,
      frameMsMedian: median(frames),
      frameMsP95: percentile(frames, 95),
      frameMsMax: Math.max(...frames),
    };
    process.stdout.write(`renderer: ${Object.entries(figures).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(2)}`).join(' ')}\n`);
  } finally {
    clearInterval(ticker);
    await browser.close();
    await server.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
