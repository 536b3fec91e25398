// Terminal throughput and keystroke echo latency (issue 10 item 6): a pty
// through the real terminal stack (TerminalBridge with batching and flow
// control, the /term binary WebSocket, xterm.js in Debian's Chromium). The
// pty runs a local sh rather than `cove exec` so the figure is the UI path
// alone and runs anywhere; the exec phase below adds the product's own
// `cove exec` (one more byte relay in front) where containers can run.
// The producer is `cat` of a file of 99-character lines (large writes), as
// `cat bigfile` is; the file is written once before the runs, so its making
// is not in the figures (until 2026-12-01 a head | tr | fold | cat pipeline
// made the lines during the run: three more processes on the same two CPUs).
//   node --import tsx bench/terminal.ts [megabytes] [runs]
// Prints, per run and as median/min/max:
//   pty       node-pty reading the producer, nothing else (the ceiling here)
//   server    pty -> bridge -> WebSocket -> a client (in a worker thread) that acks at once
//   browser   the whole path into xterm.js on screen
//   no pty    the same page, server and socket, fed the same lines from
//             memory in the server (no pty, no producer on the two CPUs)
//   exec      the product's own path: the same page on a real busybox
//             container through `cove exec -it` (the CLI under node-pty, the
//             runtime relaying the container's pty), `cat` inside it; only
//             when run as a user who can run rootless containers (not root)
//   alone     xterm.js by itself in the same Chromium: the same lines handed to
//             term.write in the page, no socket and no server (the ceiling
//             for the browser figure on this machine)
//   CPU       milliseconds of CPU per MB in each of those, machine-wide and
//             by process (Chromium's by their type; "this Node" is the
//             server, and with it the processes it reaped: in the pty and
//             server phases the shell and `cat`; in the exec phase it also
//             counts the CLI's own Node): two CPUs allow at most
//             2000 / that figure MB/s, however the work is arranged
//   echo      key press until the echo is on screen (ms, median, p95, max): from
//             the page's keydown, the round trip part of it, and from the
//             harness sending the key; keys 100 ms apart (typing) and back
//             to back, in a stock Chromium (web mode in a user's browser)
//             and with the desktop app's Chromium switch
//             (main/input-deferral.ts)
// With 0 megabytes only the echo is measured.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as pty from 'node-pty';
import { INPUT_DEFERRAL_FEATURE } from '../main/input-deferral.js';
import { TERMINAL_FRAME } from '../app/api/contract.js';
import { startWebServer } from '../app/server/web-server.js';
import type { TerminalProcess } from '../app/terminal/terminal-bridge.js';
import { PtySession } from '../app/terminal/pty-session.js';
import { TerminalRegistry } from '../app/terminal/terminal-registry.js';
import { busyboxSandbox, cliPath, type CoveSandbox } from '../app/testing/harness.js';
import { cpuMsBetween, cpuSnapshot, median, percentile } from './bench-kit.js';
import { openCdpPage, type CdpPage } from './cdp-browser.js';
import { FakeEngine, fakeContainers } from './renderer-backend.js';

const ENV = { ...process.env, PS1: '$ ', TERM: 'xterm-256color' } as Record<string, string>;

function localShell(cols: number, rows: number): TerminalProcess {
  // Bytes, as PtySession gets them (`encoding: null`; node-pty's typings say string).
  const p = pty.spawn('/bin/sh', [], { name: 'xterm-256color', cols, rows, encoding: null, env: ENV });
  return {
    onData: (l) => {
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

/** The lines `cat` sends: `bytes` x's in lines of 99, in a private temp dir. */
function floodFile(bytes: number): { file: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-bench-terminal-'));
  const file = path.join(dir, 'lines');
  const line = Buffer.from(`${'x'.repeat(99)}\n`);
  const fd = fs.openSync(file, 'w', 0o600);
  try {
    const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
    const lines = Math.ceil(bytes / 99);
    for (let left = lines; left > 0; left -= 1024) fs.writeSync(fd, left >= 1024 ? block : block.subarray(0, left * line.length));
  } finally {
    fs.closeSync(fd);
  }
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The same lines as the pty hands them out (LF turned to CRLF, 4 KiB a read),
 * replayed from memory each time a line is typed, then a marker: the app's
 * whole path from the bridge on, with no pty and no producer sharing the two
 * CPUs. Honours pause/resume as a pty does.
 */
function memoryFeed(file: string): TerminalProcess {
  const data = Buffer.from(fs.readFileSync(file, 'latin1').replaceAll('\n', '\r\n'), 'latin1');
  const listeners = new Set<(d: Uint8Array) => void>();
  let at = data.length;
  let paused = false;
  let replays = 0;
  const pump = (): void => {
    for (let i = 0; i < 16 && !paused && at < data.length; i++) {
      const piece = data.subarray(at, at + 4096);
      at += piece.length;
      for (const l of listeners) l(piece);
    }
    if (at < data.length) {
      if (!paused) setImmediate(pump);
      return;
    }
    const marker = Buffer.from(`\r\nEND-MEMORY-${replays}\r\n`);
    for (const l of listeners) l(marker);
  };
  return {
    onData: (l) => (listeners.add(l), () => void listeners.delete(l)),
    onExit: () => () => undefined,
    write: (d) => {
      if (!String(typeof d === 'string' ? d : Buffer.from(d)).includes('\r') || at < data.length) return;
      replays++;
      at = 0;
      setImmediate(pump);
    },
    resize: () => undefined,
    pause: () => void (paused = true),
    resume: () => {
      paused = false;
      setImmediate(pump);
    },
    close: () => listeners.clear(),
  };
}

/** Resolves once the terminal's rows show `text`. In-page code is a string: the node tsconfig has no DOM types. */
function screenHas(page: CdpPage, text: string): Promise<unknown> {
  return page.evaluate(`new Promise((resolve) => {
    const check = () => ((document.querySelector('.xterm-rows')?.textContent ?? '').includes(${JSON.stringify(text)}) ? resolve(true) : setTimeout(check, 20));
    check();
  })`);
}

/** The app's page on a memoryFeed terminal: one replay per run. */
async function memoryRun(page: CdpPage, bytes: number, replay: number): Promise<number> {
  const t0 = performance.now();
  await page.press('Enter');
  await screenHas(page, `END-MEMORY-${replay}`);
  return bytes / 1048576 / ((performance.now() - t0) / 1000);
}

/** node-pty alone: what the kernel's pty and one Node reader manage on this machine now. */
function ptyOnly(command: string): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    let got = 0;
    const p = pty.spawn('/bin/sh', ['-c', command], { cols: 100, rows: 30, encoding: null, env: ENV });
    p.onData((d: string | Buffer) => (got += d.length));
    p.onExit(() => resolve(got / 1048576 / ((performance.now() - t0) / 1000)));
  });
}

/**
 * The server half: a WebSocket client that acks every frame at once, as a
 * page with an infinitely fast xterm.js would. It runs in a worker thread, as
 * a browser runs in its own process, so the server's event loop carries only
 * the server's work.
 */
const SERVER_CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const WebSocket = require('ws');
const { url, command, data, ack } = workerData;
const ws = new WebSocket(url.href, { headers: { Origin: url.origin } });
let got = 0;
let t0 = 0;
let tail = '';
ws.on('open', () => {
  ws.send(Buffer.concat([Buffer.from([data]), Buffer.from(command)]));
  t0 = performance.now();
});
ws.on('message', (d) => {
  if (d[0] !== data) return;
  got += d.length - 1;
  const frame = Buffer.alloc(5);
  frame[0] = ack;
  frame.writeUInt32BE(d.length - 1, 1);
  ws.send(frame);
  tail = (tail + d.subarray(Math.max(1, d.length - 64)).toString()).slice(-128);
  if (tail.includes('END-42')) {
    parentPort.postMessage(got / 1048576 / ((performance.now() - t0) / 1000));
    ws.close();
  }
});
ws.on('error', (err) => parentPort.postMessage(String(err)));
`;

function serverOnly(url: URL, token: string, container: string, command: string): Promise<number> {
  const target = new URL(`/term?token=${token}&container=${container}&mode=exec&cols=100&rows=30`, url);
  target.protocol = 'ws:';
  const worker = new Worker(SERVER_CLIENT, {
    eval: true,
    workerData: { url: { href: target.href, origin: url.origin }, command: `${command}; echo END-$((40+2))\r`, data: TERMINAL_FRAME.data, ack: TERMINAL_FRAME.ack },
  });
  return new Promise<number>((resolve, reject) => {
    worker.once('message', (m: unknown) => (typeof m === 'number' ? resolve(m) : reject(new Error(String(m)))));
    worker.once('error', reject);
  }).finally(() => void worker.terminate());
}

async function browserRun(page: CdpPage, command: string, bytes: number): Promise<number> {
  const marker = `END-${Math.floor(Math.random() * 1e6)}`;
  await page.insertText(`clear; ${command}; echo ${marker.replace('END-', 'END-$((0+')}))`);
  const t0 = performance.now();
  await page.press('Enter');
  await screenHas(page, marker);
  return bytes / 1048576 / ((performance.now() - t0) / 1000);
}

/**
 * Echo latency per key, measured until the echo is on screen: the page's
 * keydown, the echo's frame arriving on the page's /term socket (the round
 * trip through the socket, the bridge, the pty and back), xterm.js's rows
 * changing, and the end of that rendering task (a timer queued from the
 * mutation runs after the frame's style, layout, paint and commit). "From
 * the harness" starts when the page is armed, just before the harness sends
 * the key (adds its DevTools round trips).
 */
interface EchoSample {
  keydown: number;
  roundTrip: number;
  harness: number;
}

/** Marks the arrival of each /term data frame (for the round-trip part of the echo). */
const TERM_FRAME_MARK = `(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      if (String(args[0]).includes('/term')) {
        this.addEventListener('message', (m) => {
          if (m.data instanceof ArrayBuffer && new Uint8Array(m.data)[0] === 0) window.__termFrameAt = performance.now();
        });
      }
    }
  };
})();`;

/**
 * Keys 100 ms apart are a fast typist (10 keys a second); back to back (the
 * next key as soon as the last echo is drawn) is a key held down or a
 * paste, where the page is still busy with the last frame when a key comes.
 */
const TYPING_GAP_MS = 100;

async function echoLatencies(page: CdpPage, gapMs: number): Promise<EchoSample[]> {
  await page.press('u', { ctrl: true });
  const samples: EchoSample[] = [];
  for (let i = 0; i < 60; i++) {
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    // Armed before the key is sent (an evaluate and a key press travel by
    // different routes, so the key could otherwise arrive first).
    await page.evaluate(`window.__echo = new Promise((resolve) => {
      const rows = document.querySelector('.xterm-rows');
      const before = rows.textContent;
      const t = performance.now();
      let key = NaN;
      window.__termFrameAt = NaN;
      addEventListener('keydown', () => (key = performance.now()), { capture: true, once: true });
      const mo = new MutationObserver(() => {
        // Only a change drawn after this key's echo came back counts: a late
        // change from the previous key (Ctrl-U) is not this key's echo.
        if (!(window.__termFrameAt >= key) || rows.textContent === before) return;
        mo.disconnect();
        const frame = window.__termFrameAt;
        setTimeout(() => {
          const now = performance.now();
          resolve({ keydown: now - key, roundTrip: frame - key, harness: now - t });
        }, 0);
      });
      mo.observe(rows, { subtree: true, childList: true, characterData: true });
    }); 0`);
    await page.press(i % 2 ? 'a' : 'b');
    const sample = await page.evaluate<EchoSample>('window.__echo');
    if (i >= 5) samples.push(sample);
    if (i % 20 === 19) await page.press('u', { ctrl: true });
  }
  return samples;
}

/**
 * xterm.js alone: a page with nothing but a terminal of the same size, fed
 * the producer's lines (CRLF, as the pty turns them) in 256 KB writes as fast
 * as it parses them. Served by a small server of its own from node_modules.
 */
const ALONE_PAGE = `<!doctype html><html><head><link rel="stylesheet" href="/xterm.css"></head>
<body style="margin:0"><div id="t" style="width:1260px;height:760px"></div>
<script type="module">
import { Terminal } from '/xterm.mjs';
const term = new Terminal({ scrollback: 10000, fontSize: 13, cursorBlink: false, fontFamily: "'DejaVu Sans Mono', monospace" });
term.open(document.getElementById('t'));
window.feed = (bytes) => new Promise((resolve) => {
  const line = 'x'.repeat(99) + '\\r\\n';
  const chunk = new TextEncoder().encode(line.repeat(Math.ceil(262144 / line.length)));
  let left = Math.ceil(bytes / chunk.length);
  const t0 = performance.now();
  const more = () => {
    for (let i = 0; i < 4 && left > 0; i++) {
      left--;
      term.write(chunk, left === 0 ? () => resolve(bytes / 1048576 / ((performance.now() - t0) / 1000)) : undefined);
    }
    if (left > 0) setTimeout(more, 0);
  };
  more();
});
window.ready = true;
</script></body></html>`;

async function xtermAlone(executable: string, bytes: number, runs: number, cpu: CpuUse): Promise<number[]> {
  const files: Record<string, [string, string]> = {
    '/': [ALONE_PAGE, 'text/html'],
    '/xterm.mjs': [fs.readFileSync(path.resolve('node_modules/@xterm/xterm/lib/xterm.mjs'), 'utf8'), 'text/javascript'],
    '/xterm.css': [fs.readFileSync(path.resolve('node_modules/@xterm/xterm/css/xterm.css'), 'utf8'), 'text/css'],
  };
  const server = http.createServer((req, res) => {
    const file = files[new URL(req.url ?? '/', 'http://x').pathname];
    if (file) res.writeHead(200, { 'Content-Type': file[1] }).end(file[0]);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const page = await openCdpPage(executable, `http://127.0.0.1:${port}/`);
  try {
    await page.waitFor('window.ready === true');
    // One warm-up, as the browser figure's page has parsed the typed command and earlier runs.
    await page.evaluate(`window.feed(${Math.min(bytes, 8 * 1048576)})`);
    const out: number[] = [];
    for (let r = 0; r < runs; r++) out.push(await cpu.measure('alone', bytes, () => page.evaluate<number>(`window.feed(${bytes})`)));
    return out;
  } finally {
    await page.close();
    server.close();
  }
}

/**
 * CPU spent per megabyte in each phase, by process kind and machine-wide:
 * on a 2-CPU machine a path that needs more than 20 ms of CPU per MB cannot
 * pass 100 MB/s, nor one needing 40 ms pass 50 MB/s, however it is arranged.
 */
class CpuUse {
  /** Per phase: CPU milliseconds by kind, summed over its runs, and the megabytes they carried. */
  private readonly sums = new Map<string, { megabytes: number; ms: Record<string, number> }>();
  async measure<T>(phase: string, bytes: number, work: () => Promise<T>): Promise<T> {
    const before = cpuSnapshot();
    const result = await work();
    const used = cpuMsBetween(before, cpuSnapshot());
    const sum = this.sums.get(phase) ?? { megabytes: 0, ms: {} };
    for (const [kind, ms] of Object.entries(used)) sum.ms[kind] = (sum.ms[kind] ?? 0) + ms;
    sum.megabytes += bytes / 1048576;
    this.sums.set(phase, sum);
    return result;
  }
  report(phase: string): string {
    const sum = this.sums.get(phase);
    if (!sum) return '';
    const { machine = 0, ...parts } = sum.ms;
    const perMb = (ms: number) => (ms / sum.megabytes).toFixed(1);
    const named = Object.entries(parts)
      .filter(([, ms]) => ms / sum.megabytes >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, ms]) => `${kind === 'node' ? 'this Node' : kind} ${perMb(ms)}`);
    return `${perMb(machine)} ms of CPU per MB (${named.join(', ')})`;
  }
}

const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;

/** The app's terminal page for the container, open and focused. */
async function terminalPage(executable: string, url: string, id: string, extraArgs: string[] = []): Promise<CdpPage> {
  const page = await openCdpPage(executable, `${url}#/containers/${id}/terminal`, { extraArgs, initScript: TERM_FRAME_MARK });
  try {
    await page.waitFor(`document.querySelector('[data-testid="terminal"][data-status="open"]') !== null`);
    await page.evaluate(`document.querySelector('[data-testid="terminal-screen"] .xterm-helper-textarea').focus()`);
    return page;
  } catch (err) {
    await page.close();
    throw err;
  }
}

/** A rootless busybox container with the flood file's directory mounted at /flood, or why not. */
async function execTarget(floodDir: string): Promise<{ sb: CoveSandbox; id: string } | string> {
  if (process.getuid?.() === 0) return 'as root (run the bench as the test user for this phase)';
  let sb: CoveSandbox;
  try {
    sb = await busyboxSandbox('cove-bench-terminal-');
  } catch (err) {
    return `no rootless sandbox here: ${(err as Error).message.split('\n')[0]}`;
  }
  const r = await sb.cove(['run', '-d', '-v', `${floodDir}:/flood:ro`, 'busybox', 'sleep', '3600']);
  if (r.code !== 0) {
    await sb.cleanup();
    return `cove run failed: ${r.stderr.trim()}`;
  }
  return { sb, id: r.stdout.trim() };
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 50);
  const runs = Number(process.argv[3] ?? 3);
  const bytes = megabytes * 1024 * 1024;
  const containers = fakeContainers(3).map((c) => ({ ...c, state: 'running' as const }));
  const [id = '', memoryId = '', execId = ''] = containers.map((c) => c.id);
  const engine = new FakeEngine(containers);
  const flood = floodFile(bytes);
  const command = `cat ${flood.file}`;
  const real = megabytes > 0 ? await execTarget(path.dirname(flood.file)) : 'no megabytes asked';
  const terminals = new TerminalRegistry({
    cli: [],
    spawn: (p) => {
      if (p.container === memoryId) return memoryFeed(flood.file);
      if (p.container === execId && typeof real !== 'string') {
        return new PtySession({ cli: [process.execPath, cliPath()], mode: 'exec', container: real.id, cols: p.cols, rows: p.rows, env: real.sb.env });
      }
      return localShell(p.cols, p.rows);
    },
  });
  const server = await startWebServer({ engine, staticDir: path.resolve('out/renderer'), terminals });
  const executable = process.env.COVE_CHROMIUM ?? '/usr/bin/chromium';
  const results = { pty: [] as number[], server: [] as number[], browser: [] as number[], memory: [] as number[], exec: [] as number[], alone: [] as number[], echo: new Map<string, EchoSample[]>() };
  const cpu = new CpuUse();
  try {
    const page = await terminalPage(executable, server.url, id);
    try {
      for (let r = 0; megabytes > 0 && r < runs; r++) {
        results.pty.push(await cpu.measure('pty', bytes, () => ptyOnly(command)));
        results.server.push(
          await cpu.measure('server', bytes, async () => {
            const open = terminals.size;
            const rate = await serverOnly(new URL(server.url), server.token, id, command);
            // The session's shell is reaped inside this phase, so its CPU is counted here.
            while (terminals.size > open) await new Promise((r) => setTimeout(r, 10));
            return rate;
          }),
        );
        results.browser.push(await cpu.measure('browser', bytes, () => browserRun(page, command, bytes)));
        process.stdout.write(`run ${r + 1}: pty ${results.pty.at(-1)?.toFixed(1)} MB/s, server ${results.server.at(-1)?.toFixed(1)} MB/s, browser ${results.browser.at(-1)?.toFixed(1)} MB/s\n`);
      }
      results.echo.set('stock Chromium (web mode), typing', await echoLatencies(page, TYPING_GAP_MS));
      results.echo.set('stock Chromium (web mode), back to back', await echoLatencies(page, 0));
    } finally {
      await page.close();
    }
    if (megabytes > 0) {
      const memoryPage = await terminalPage(executable, server.url, memoryId);
      try {
        await memoryRun(memoryPage, bytes, 1); // warm-up, as the pty page has had the typed command
        for (let r = 0; r < runs; r++) results.memory.push(await cpu.measure('memory', bytes, () => memoryRun(memoryPage, bytes, r + 2)));
      } finally {
        await memoryPage.close();
      }
      if (typeof real !== 'string') {
        const execPage = await terminalPage(executable, server.url, execId);
        try {
          const inside = `cat /flood/${path.basename(flood.file)}`;
          await browserRun(execPage, inside, Math.min(bytes, 8 * 1048576)); // warm-up
          for (let r = 0; r < runs; r++) results.exec.push(await cpu.measure('exec', bytes, () => browserRun(execPage, inside, bytes)));
        } finally {
          await execPage.close();
        }
      }
      results.alone = await xtermAlone(executable, bytes, runs, cpu);
    }
    // The desktop app's Chromium: the same page with the switch main/ sets.
    const desktop = await terminalPage(executable, server.url, id, [`--disable-features=${INPUT_DEFERRAL_FEATURE}`]);
    try {
      results.echo.set(`desktop app's Chromium (--disable-features=${INPUT_DEFERRAL_FEATURE}), typing`, await echoLatencies(desktop, TYPING_GAP_MS));
      results.echo.set(`desktop app's Chromium, back to back`, await echoLatencies(desktop, 0));
    } finally {
      await desktop.close();
    }
  } finally {
    terminals.closeAll();
    await server.close();
    if (typeof real !== 'string') await real.sb.cleanup();
    flood.remove();
  }
  const load = os.loadavg()[0]?.toFixed(1);
  process.stdout.write(`terminal (${megabytes} MB x ${runs}, ${os.cpus().length} CPUs, load average ${load}):\n`);
  if (megabytes > 0) {
    process.stdout.write(`  pty only        ${fmt(results.pty)} MB/s\n`);
    process.stdout.write(`  server path     ${fmt(results.server)} MB/s\n`);
    process.stdout.write(`  into xterm.js   ${fmt(results.browser)} MB/s\n`);
    process.stdout.write(`  no pty          ${fmt(results.memory)} MB/s (the app's page and server, the lines replayed from memory)\n`);
    process.stdout.write(`  through exec    ${typeof real === 'string' ? `not measured: ${real}` : `${fmt(results.exec)} MB/s (a busybox container, cove exec -it, cat inside)`}\n`);
    process.stdout.write(`  xterm.js alone  ${fmt(results.alone)} MB/s (no socket, no server: the ceiling here)\n`);
    process.stdout.write(`  CPU, pty only       ${cpu.report('pty')}\n`);
    process.stdout.write(`  CPU, server path    ${cpu.report('server')}\n`);
    process.stdout.write(`  CPU, into xterm.js  ${cpu.report('browser')}\n`);
    process.stdout.write(`  CPU, no pty         ${cpu.report('memory')}\n`);
    if (typeof real !== 'string') process.stdout.write(`  CPU, through exec   ${cpu.report('exec')}\n`);
    process.stdout.write(`  CPU, xterm.js alone ${cpu.report('alone')}\n`);
  }
  const echo = (xs: number[]) => `median ${median(xs).toFixed(1)} ms, p95 ${percentile(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
  const echoReport = (title: string, echoes: EchoSample[]): void => {
    process.stdout.write(`  echo latency, ${title}\n`);
    process.stdout.write(`                  keydown to on screen: ${echo(echoes.map((e) => e.keydown))}\n`);
    process.stdout.write(`                  of which the round trip (keydown to the echo's frame in the page): ${echo(echoes.map((e) => e.roundTrip))}\n`);
    process.stdout.write(`                  from the harness sending the key: ${echo(echoes.map((e) => e.harness))}\n`);
  };
  for (const [title, echoes] of results.echo) echoReport(`${title}:`, echoes);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
