import { containerTaskKey } from '../store/containers-slice';
import { useAppStore } from '../store/use-app-store';
import { ContainerRow } from './container-row';
import { EmptyState } from './empty-state';
import { PageHeader } from './page-header';
import { useNow } from './use-now';

function FilterToggle() {
  const showAll = useAppStore((state) => state.showAll);
  const setShowAll = useAppStore((state) => state.setShowAll);
  return (
    <div className="segmented" role="group" aria-label="Which containers to show">
      <button type="button" aria-pressed={showAll} onClick={() => setShowAll(true)}>
        Show all
      </button>
      <button type="button" aria-pressed={!showAll} onClick={() => setShowAll(false)}>
        Running only
      </button>
    </div>
  );
}

function Body() {
  const containers = useAppStore((state) => state.containers);
  const status = useAppStore((state) => state.containersStatus);
  const connection = useAppStore((state) => state.connection);
  const showAll = useAppStore((state) => state.showAll);
  const tasks = useAppStore((state) => state.tasks);
  const start = useAppStore((state) => state.startContainer);
  const stop = useAppStore((state) => state.stopContainer);
  const remove = useAppStore((state) => state.removeContainer);
  const setShowAll = useAppStore((state) => state.setShowAll);
  const now = useNow();

  // The connection notice already explains why nothing can load.
  if (connection === 'unauthorized' && status !== 'ready') return null;
  if (status === 'idle' || status === 'loading') return <p className="loading">Loading containers…</p>;
  if (status === 'error') {
    return <EmptyState title="Could not load containers.">The error above says why; the list reloads when the engine is back.</EmptyState>;
  }
  if (containers.length === 0) {
    return showAll ? (
      <EmptyState title="No containers.">
        Run one with <code>cove run -d busybox sleep 1000</code> and it shows up here.
      </EmptyState>
    ) : (
      <EmptyState title="No running containers.">
        <button type="button" className="button" onClick={() => setShowAll(true)}>
          Show all containers
        </button>{' '}
        to start a stopped one, or run one with <code>cove run -d busybox sleep 1000</code>.
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="containers-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Image</th>
            <th scope="col">Command</th>
            <th scope="col">State</th>
            <th scope="col">Status</th>
            <th scope="col" className="cell-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {containers.map((container) => (
            <ContainerRow
              key={container.id}
              container={container}
              task={tasks[containerTaskKey(container.id)]}
              now={now}
              onStart={(id) => void start(id)}
              onStop={(id) => void stop(id)}
              onRemove={(id) => void remove(id)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ContainersPage() {
  const containers = useAppStore((state) => state.containers);
  const status = useAppStore((state) => state.containersStatus);
  const showAll = useAppStore((state) => state.showAll);
  const running = containers.filter((c) => c.state === 'running').length;
  const subtitle =
    status !== 'ready'
      ? undefined
      : showAll
        ? `${containers.length} total, ${running} running`
        : `${running} running`;
  return (
    <section className="page">
      <PageHeader title="Containers" subtitle={subtitle}>
        <FilterToggle />
      </PageHeader>
      <Body />
    </section>
  );
}
