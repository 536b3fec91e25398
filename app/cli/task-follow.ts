// Following an engine task (pull, push, compose up...) from the CLI.
import type { TaskProgress } from '../api/contract.js';
import type { CliEngine } from './cli-engine.js';
import { awaitHeld } from './cli-kit.js';

/**
 * Starts a task of the engine (the GUI sees it too) and hands each of its
 * updates to `onTask` until it ends; Ctrl-C cancels it (the task cleans up
 * after itself). Resolves with the task's final state.
 */
export async function followCliTask(engine: CliEngine, start: () => Promise<{ taskId: string }>, onTask: (t: TaskProgress) => void): Promise<TaskProgress> {
  let taskId: string | undefined;
  const early: TaskProgress[] = [];
  let settle: (t: TaskProgress) => void = () => undefined;
  const ended = new Promise<TaskProgress>((resolve) => (settle = resolve));
  const update = (t: TaskProgress): void => {
    onTask(t);
    if (t.state !== 'running') settle(t);
  };
  // Subscribed before the task starts: its first events may come before its id does.
  const events = await engine.subscribe('events:subscribe', { types: ['task'] }, (e) => {
    if (e.type !== 'task') return;
    if (taskId === undefined) early.push(e.task);
    else if (e.task.id === taskId) update(e.task);
  });
  const onSignal = (): void => {
    if (taskId) void engine.call('tasks:cancel', { id: taskId }).catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    taskId = (await start()).taskId;
    for (const t of early.splice(0)) if (t.id === taskId) update(t);
    // A task that ended before the subscription saw it is in the list.
    const listed = (await engine.call('tasks:list', {})).find((t) => t.id === taskId);
    if (listed && listed.state !== 'running') update(listed);
    return await awaitHeld(ended);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await events.close();
  }
}
