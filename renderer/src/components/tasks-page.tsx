import { useAppStore } from '../store/use-app-store';
import { EmptyState } from './empty-state';
import { PageHeader } from './page-header';
import { TaskProgressView } from './task-progress';

export function TasksPage() {
  const jobs = useAppStore((s) => s.jobs);
  const cancel = useAppStore((s) => s.cancelJob);
  const openDialog = useAppStore((s) => s.openDialog);
  const running = jobs.filter((j) => j.state === 'running').length;
  return (
    <section className="page">
      <PageHeader title="Tasks" subtitle={`${running} running, ${jobs.length - running} finished`}>
        <button type="button" className="button" onClick={() => openDialog({ kind: 'pull' })}>
          Pull an image
        </button>
      </PageHeader>
      {jobs.length === 0 ? (
        <EmptyState title="No tasks.">Pulls and loads show their progress here, and keep running while you use the rest of Cove.</EmptyState>
      ) : (
        <div className="task-list">
          {jobs.map((job) => (
            <TaskProgressView key={job.id} task={job} onCancel={() => void cancel(job.id)} />
          ))}
        </div>
      )}
    </section>
  );
}
