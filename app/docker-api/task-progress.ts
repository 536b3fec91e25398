// Pull and push run as engine tasks; docker clients expect their progress
// as a stream of JSON messages (one per line) ending in a status line or an
// error message. This turns task events into that stream.
import type http from 'node:http';
import type { TaskProgress } from '../api/contract.js';
import { layerWords } from '../engine/layer-words.js';
import { shortId } from '../engine/digest.js';
import type { DockerEngine } from './docker-engine.js';

/**
 * Starts an engine task and follows it: `onTask` sees every state of it,
 * `onStarted` runs once the task exists (to send the reply's headers), and
 * the promise resolves with its last state. Subscribed before the task
 * starts: its first events may come before the call returns.
 */
export async function followTask(engine: DockerEngine, start: () => Promise<{ taskId: string }>, onStarted: () => void, onTask: (t: TaskProgress) => void): Promise<TaskProgress> {
  const early: TaskProgress[] = [];
  let taskId: string | undefined;
  let settle: (t: TaskProgress) => void = () => undefined;
  const done = new Promise<TaskProgress>((resolve) => (settle = resolve));
  const see = (t: TaskProgress): void => {
    onTask(t);
    if (t.state !== 'running') settle(t);
  };
  const stop = engine.subscribe((e) => {
    if (e.type !== 'task') return;
    if (taskId === undefined) early.push(e.task);
    else if (e.task.id === taskId) see(e.task);
  });
  try {
    ({ taskId } = await start());
    onStarted();
    for (const t of early) if (t.id === taskId) see(t);
    const listed = (await engine.call('tasks:list', {})).find((t) => t.id === taskId);
    if (listed && listed.state !== 'running') see(listed);
    return await done;
  } finally {
    stop();
  }
}

/** Starts a pull or push, streams its progress as docker's JSON messages, resolves with its last state. */
export async function streamTask(
  engine: DockerEngine,
  res: http.ServerResponse,
  start: () => Promise<{ taskId: string }>,
  first: Record<string, unknown>,
): Promise<TaskProgress> {
  const last = new Map<string, string>();
  const final = await followTask(
    engine,
    start,
    () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(`${JSON.stringify(first)}\n`);
    },
    (t) => {
      const words = layerWords(t.kind);
      for (const l of t.layers) {
        const line = JSON.stringify({ status: words[l.status], progressDetail: l.status === 'downloading' ? { current: l.current, total: l.size ?? 0 } : {}, id: shortId(l.digest) });
        if (last.get(l.digest) !== line) {
          last.set(l.digest, line);
          res.write(`${line}\n`);
        }
      }
    },
  );
  if (final.state !== 'done') {
    const message = final.error?.message ?? `${final.kind} ${final.state}`;
    res.write(`${JSON.stringify({ errorDetail: { message }, error: message })}\n`);
  }
  return final;
}
