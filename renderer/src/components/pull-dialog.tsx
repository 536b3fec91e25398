import { useState, type FormEvent } from 'react';
import { useAppStore } from '../store/use-app-store';
import { Modal } from './modal';
import { TaskStartStatus } from './task-progress';
import { useTaskStart } from './use-task-start';

/** The pull runs in the engine as a task: closing this dialog or leaving the page does not stop it. */
export function PullDialog() {
  const pull = useAppStore((s) => s.pullImage);
  const close = useAppStore((s) => s.openDialog);
  const [reference, setReference] = useState('');
  const { taskId, task, busy, error, start } = useTaskStart();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await start(() => pull(reference.trim()));
  };

  return (
    <Modal title="Pull an image" onClose={() => close(null)} testId="pull-dialog">
      <form className="form" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Image reference</span>
          <input name="reference" required value={reference} onChange={(e) => setReference(e.target.value)} placeholder="docker.io/library/alpine:latest" className="mono" autoComplete="off" />
        </label>
        <TaskStartStatus taskId={taskId} task={task} error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={() => close(null)}>
            {taskId ? 'Close (keeps pulling)' : 'Cancel'}
          </button>
          <button type="submit" className="button button-primary" disabled={busy || reference.trim() === ''}>
            Pull
          </button>
        </div>
      </form>
    </Modal>
  );
}
