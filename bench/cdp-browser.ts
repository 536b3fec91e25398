// A headless Chromium driven over the DevTools protocol with the Page,
// Runtime and Input domains only. Playwright turns on the Network domain for
// every page, and Chromium then copies each WebSocket frame, base64-encoded,
// to the client: at terminal-flood rates that costs the browser and the
// harness more than the page's own work (it halved the terminal figure), so
// the terminal bench drives the page this way instead. The protocol runs
// over a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, one JSON message
// per NUL), not a TCP port another local user could connect to.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

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

/** Starts Chromium (a 1280x800 window), runs `initScript` in every document it loads, and opens `url`. */
export async function openCdpPage(executable: string, url: string, options: { extraArgs?: string[]; initScript?: string } = {}): Promise<CdpPage> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-bench-chromium-'));
  const chrome: ChildProcess = spawn(
    executable,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--window-size=1280,800', `--user-data-dir=${profile}`, '--remote-debugging-pipe', ...(options.extraArgs ?? []), 'about:blank'],
    // Its own process group: the browser and the helpers it forks end together.
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true },
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
    const toBrowser = chrome.stdio[3] as Writable;
    const fromBrowser = chrome.stdio[4] as Readable;
    let seq = 0;
    const waiting = new Map<number, (reply: CdpReply) => void>();
    let pending = '';
    fromBrowser.setEncoding('utf8');
    fromBrowser.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\0');
      pending = parts.pop() ?? '';
      for (const part of parts) {
        const reply = JSON.parse(part) as CdpReply;
        if (reply.id !== undefined) waiting.get(reply.id)?.(reply);
      }
    });
    const exited = new Promise<never>((_, reject) => chrome.once('exit', (code) => reject(new Error(`Chromium exited (${code}) before it answered`))));
    exited.catch(() => undefined);
    // Commands go to the browser until the page's session is attached, then to the page.
    const target: { sessionId?: string } = {};
    const send = (method: string, params: object): Promise<CdpReply> =>
      Promise.race([
        exited,
        new Promise<CdpReply>((resolve) => {
          const id = ++seq;
          waiting.set(id, (r) => (waiting.delete(id), resolve(r)));
          toBrowser.write(JSON.stringify({ id, method, params, ...target }) + '\0');
        }),
      ]);
    // The browser's first tab (about:blank), attached as a session of its own.
    const targets = (await send('Target.getTargets', {})).result as unknown as { targetInfos: Array<{ targetId: string; type: string }> };
    const tab = targets.targetInfos.find((t) => t.type === 'page');
    if (!tab) throw new Error('Chromium opened no page');
    target.sessionId = ((await send('Target.attachToTarget', { targetId: tab.targetId, flatten: true })).result as unknown as { sessionId: string }).sessionId;
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
      close: stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
