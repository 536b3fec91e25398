// Pull and push run as engine tasks; docker clients expect their progress
// as a stream of JSON messages (one per line) ending in a status line or an
// error message. This turns task events into that stream.
import type http from 'node:http';
import type { TaskProgress } from '../api/contract.js';
import { layerWords } from '../engine/layer-words.js';
import { shortId } from '../engine/digest.js';
import type { DockerEngine } from './docker-engine.js';



/** Starts the task, streams its progress as docker's JSON messages, resolves with its last state. */
export async function streamTask(
  engine: DockerEngine,
  res: http.ServerResponse,
  start: () => Promise<{ taskId: string }>,
  first: Record<string, unknown>,
): Promise<TaskProgress | null> {
  const seen: TaskProgress[] = [];
  let taskId: string | undefined;
  let settle: (t: TaskProgress) => void = () => undefined;
  const done = new Promise<TaskProgress>((resolve) => (settle = resolve));
  const last = new Map<string, string>();
  const onTask = (t: TaskProgress): void => {
    for (const l of t.layers) {
      const words = layerWords(t.kind);
      const line = JSON.stringify({ status: words[l.status], progressDetail: l.status === 'downloading' ? { current: l.current, total: l.size ?? 0 } : {}, id: shortId(l.digest) });
      if (last.get(l.digest) !== line) {
        last.set(l.digest, line);
        res.write(`${line}\n`);
      }
    }
    if (t.state !== 'running') settle(t);
  };
  // Subscribed before the task starts: its first events may come before the call returns.
  const stop = engine.subscribe((e) => {
    if (e.type !== 'task') return;
    if (taskId === undefined) seen.push(e.task);
    else if (e.task.id === taskId) onTask(e.task);
  });
  try {
    ({ taskId } = await start());
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write(`${JSON.stringify(first)}\n`);
    for (const t of seen) if (t.id === taskId) onTask(t);
    const listed = (await engine.call('tasks:list', {})).find((t) => t.id === taskId);
    if (listed && listed.state !== 'running') onTask(listed);
    const final = await done;
    if (final.state !== 'done') {
      const message = final.error?.message ?? `${final.kind} ${final.state}`;
      res.write(`${JSON.stringify({ errorDetail: { message }, error: message })}\n`);
    }
    return final;
  } finally {
    stop();
  }
}
