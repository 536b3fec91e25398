// A headless Chromium driven over the DevTools protocol with the Runtime and
// Input domains only. Playwright turns on the Network domain for every page,
// and Chromium then copies each WebSocket frame, base64-encoded, to the
// client: at terminal-flood rates that costs the browser and the harness
// more than the page's own work (it halved the terminal figure), so the
// terminal bench drives the page this way instead.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

interface CdpReply {
  id?: number;
  result?: { result?: { value?: unknown }; exceptionDetails?: { text?: string; exception?: { description?: string } } };
  error?: { message: string };
}

export interface CdpPage {
  /** Evaluates an expression in the page (promises awaited) and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy (the page may still be loading). */
  waitFor(expression: string, timeoutMs?: number): Promise<void>;
  /** Text typed as one input event (what a paste or an IME commit does). */
  insertText(text: string): Promise<void>;
  /** One key press, keydown (with its text) and keyup: Enter, or a letter, alone or with Ctrl. */
  press(key: string, options?: { ctrl?: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function pageTarget(port: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const list = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as Array<{ type: string; webSocketDebuggerUrl: string }>;
      const page = list.find((t) => t.type === 'page');
      if (page) return page.webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('Chromium did not open its DevTools port');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts Chromium (a 1280x800 window), runs `initScript` in every document it loads, and opens `url`. */
export async function openCdpPage(executable: string, url: string, options: { extraArgs?: string[]; initScript?: string } = {}): Promise<CdpPage> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-bench-chromium-'));
  const portFile = path.join(profile, 'DevToolsActivePort');
  const chrome: ChildProcess = spawn(
    executable,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--window-size=1280,800', `--user-data-dir=${profile}`, '--remote-debugging-port=0', ...(options.extraArgs ?? []), 'about:blank'],
    // Its own process group: the browser and the helpers it forks end together.
    { stdio: 'ignore', detached: true },
  );
  const group = chrome.pid as number;
  const groupAlive = (): boolean => {
    try {
      process.kill(-group, 0);
      return true;
    } catch {
      return false;
    }
  };
  // A bench stopped early (an error, Ctrl-C) still takes its browser down.
  const killNow = (): void => {
    if (groupAlive()) process.kill(-group, 'SIGKILL');
    try {
      fs.rmSync(profile, { recursive: true, force: true });
    } catch {
      // a helper still writing: the profile is a temp dir, left for the OS
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => process.exit(signal === 'SIGINT' ? 130 : 143);
  process.once('exit', killNow);
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const stop = async (): Promise<void> => {
    process.off('exit', killNow).off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (groupAlive()) process.kill(-group, 'SIGTERM');
    for (let i = 0; i < 100 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 50));
    if (groupAlive()) process.kill(-group, 'SIGKILL');
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  try {
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(portFile) || fs.readFileSync(portFile, 'utf8').split('\n').length < 2) {
      if (Date.now() > deadline) throw new Error('Chromium did not write DevToolsActivePort');
      await new Promise((r) => setTimeout(r, 50));
    }
    const port = Number(fs.readFileSync(portFile, 'utf8').split('\n')[0]);
    const socket = new WebSocket(await pageTarget(port), { perMessageDeflate: false });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    let seq = 0;
    const waiting = new Map<number, (reply: CdpReply) => void>();
    socket.on('message', (data) => {
      const reply = JSON.parse(String(data)) as CdpReply;
      if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
    });
    const send = (method: string, params: object): Promise<CdpReply> =>
      new Promise((resolve) => {
        const id = ++seq;
        waiting.set(id, (r) => (waiting.delete(id), resolve(r)));
        socket.send(JSON.stringify({ id, method, params }));
      });
    const key = (type: string, k: string, ctrl: boolean, text?: string) =>
      send('Input.dispatchKeyEvent', {
        type,
        key: k,
        code: k === 'Enter' ? 'Enter' : `Key${k.toUpperCase()}`,
        windowsVirtualKeyCode: k === 'Enter' ? 13 : k.toUpperCase().charCodeAt(0),
        modifiers: ctrl ? 2 : 0,
        ...(text !== undefined && !ctrl ? { text } : {}),
      });
    // The Page domain (not Network): needed for the init script to be kept.
    await send('Page.enable', {});
    if (options.initScript) await send('Page.addScriptToEvaluateOnNewDocument', { source: options.initScript });
    await send('Page.navigate', { url });
    const evaluate = async <T>(expression: string): Promise<T> => {
      const reply = await send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      const failure = reply.error?.message ?? reply.result?.exceptionDetails?.exception?.description ?? reply.result?.exceptionDetails?.text;
      if (failure) throw new Error(`in the page: ${failure}`);
      return reply.result?.result?.value as T;
    };
    return {
      evaluate,
      waitFor: async (expression, timeoutMs = 15_000) => {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          // Before the page's first script runs there is no context yet: that is "not yet" too.
          if (await evaluate<unknown>(expression).catch(() => false)) return;
          if (Date.now() > deadline) throw new Error(`the page never had ${expression}`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      insertText: async (text) => void (await send('Input.insertText', { text })),
      press: async (k, opts = {}) => {
        await key('keyDown', k, opts.ctrl === true, k === 'Enter' ? '\r' : k);
        await key('keyUp', k, opts.ctrl === true);
      },
      close: async () => {
        socket.close();
        await stop();
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
