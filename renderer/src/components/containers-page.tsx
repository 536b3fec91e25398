import { useMemo, useState } from 'react';
import { containerTaskKey } from '../store/containers-slice';
import { listItems, type StateFilter } from '../store/grouping';
import { useAppStore } from '../store/use-app-store';
import { ContainerRow } from './container-row';
import { EmptyState } from './empty-state';
import { PageHeader } from './page-header';
import { useNow } from './use-now';
import { useWindowed } from './use-windowed';
import { TableHeader } from './table-header';

// Fixed so the list can be windowed without measuring; styles.css matches it.
export const ROW_HEIGHT = 58;

const FILTERS: Array<{ value: StateFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'running', label: 'Running' },
  { value: 'exited', label: 'Stopped' },
  { value: 'created', label: 'Created' },
];

function Toolbar({ query, setQuery, filter, setFilter }: { query: string; setQuery(q: string): void; filter: StateFilter; setFilter(f: StateFilter): void }) {
  const openDialog = useAppStore((s) => s.openDialog);
  return (
    <>
      <input type="search" className="search" placeholder="Search (press /)" aria-label="Search containers" value={query} onChange={(e) => setQuery(e.target.value)} data-shortcut-search />
      <div className="segmented" role="group" aria-label="Filter by state">
        {FILTERS.map((f) => (
          <button key={f.value} type="button" aria-pressed={filter === f.value} onClick={() => setFilter(f.value)}>
            {f.label}
          </button>
        ))}
      </div>
      <button type="button" className="button button-primary" onClick={() => openDialog({ kind: 'run' })}>
        Run…
      </button>
    </>
  );
}

function BulkBar({ selected, clear }: { selected: string[]; clear(): void }) {
  const bulk = useAppStore((s) => s.bulk);
  const openDialog = useAppStore((s) => s.openDialog);
  if (selected.length === 0) return null;
  const act = (action: 'start' | 'stop' | 'remove') => {
    if (action === 'remove') openDialog({ kind: 'remove-containers', ids: selected });
    else void bulk(action, selected).then(clear);
  };
  return (
    <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
      <span>{selected.length} selected</span>
      <button type="button" className="button" onClick={() => act('start')}>
        Start selected
      </button>
      <button type="button" className="button" onClick={() => act('stop')}>
        Stop selected
      </button>
      <button type="button" className="button button-danger" onClick={() => act('remove')}>
        Remove selected
      </button>
      <button type="button" className="button button-ghost" onClick={clear}>
        Clear selection
      </button>
    </div>
  );
}

function Table({ query, filter }: { query: string; filter: StateFilter }) {
  const containers = useAppStore((s) => s.containers);
  const tasks = useAppStore((s) => s.tasks);
  const start = useAppStore((s) => s.startContainer);
  const stop = useAppStore((s) => s.stopContainer);
  const remove = useAppStore((s) => s.removeContainer);
  const openDialog = useAppStore((s) => s.openDialog);
  const [selection, setSelection] = useState<ReadonlySet<string>>(new Set());
  const now = useNow();
  const items = useMemo(() => listItems(containers, query, filter), [containers, query, filter]);
  const { ref, range } = useWindowed<HTMLDivElement>(items.length, ROW_HEIGHT);
  const ids = new Set(containers.map((c) => c.id));
  const selected = [...selection].filter((id) => ids.has(id));
  const visibleIds = items.flatMap((i) => (i.kind === 'container' ? [i.container.id] : []));
  const allSelected = visibleIds.length > 0 && visibleIds.every((id) => selection.has(id));
  const select = (id: string, on: boolean) =>
    setSelection((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  if (items.length === 0) {
    return <EmptyState title="Nothing matches.">Clear the search or pick another state filter.</EmptyState>;
  }
  return (
    <>
      <BulkBar selected={selected} clear={() => setSelection(new Set())} />
      <div className="table-wrap table-scroll" ref={ref} data-testid="containers-scroll">
        <table className="table table-virtual" data-testid="containers-table" aria-rowcount={items.length + 1}>
          <TableHeader
            lead={
              <th scope="col" className="cell-check">
                <input type="checkbox" aria-label="Select all shown" checked={allSelected} onChange={(e) => setSelection(e.target.checked ? new Set(visibleIds) : new Set())} />
              </th>
            }
            columns={['Name', 'Image', { label: 'Command', className: 'col-command' }, 'Ports', 'State', 'Status']}
          />
          <tbody>
            {range.padTop > 0 && <tr className="spacer" aria-hidden="true" style={{ height: range.padTop }} />}
            {items.slice(range.start, range.end).map((item) =>
              item.kind === 'group' ? (
                <tr key={`group:${item.project}`} className="group-row" data-testid="group-row">
                  <th colSpan={8} scope="rowgroup">
                    {item.project} <span className="muted">· {item.running} of {item.count} running</span>
                  </th>
                </tr>
              ) : (
                <ContainerRow
                  key={item.container.id}
                  container={item.container}
                  task={tasks[containerTaskKey(item.container.id)]}
                  now={now}
                  selected={selection.has(item.container.id)}
                  onSelect={select}
                  onStart={(id) => void start(id)}
                  onStop={(id) => void stop(id)}
                  onRemove={(c) => (c.state === 'running' || c.state === 'paused' ? openDialog({ kind: 'remove-container', id: c.id }) : void remove(c.id))}
                />
              ),
            )}
            {range.padBottom > 0 && <tr className="spacer" aria-hidden="true" style={{ height: range.padBottom }} />}
          </tbody>
        </table>
      </div>
    </>
  );
}

export function ContainersPage() {
  const containers = useAppStore((s) => s.containers);
  const status = useAppStore((s) => s.containersStatus);
  const connection = useAppStore((s) => s.connection);
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<StateFilter>('all');
  const running = containers.filter((c) => c.state === 'running').length;
  const subtitle = status === 'ready' ? `${containers.length} total, ${running} running` : undefined;

  let body;
  if (connection === 'unauthorized' && status !== 'ready') body = null;
  else if (status === 'idle' || status === 'loading') body = <p className="loading">Loading containers…</p>;
  else if (status === 'error') body = <EmptyState title="Could not load containers.">The error above says why; the list reloads when the engine is back.</EmptyState>;
  else if (containers.length === 0)
    body = (
      <EmptyState title="No containers.">
        Use <strong>Run…</strong> above, or run one with <code>cove run -d busybox sleep 1000</code>, and it shows up here.
      </EmptyState>
    );
  else body = <Table query={query} filter={filter} />;

  return (
    <section className="page page-fill">
      <PageHeader title="Containers" subtitle={subtitle}>
        <Toolbar query={query} setQuery={setQuery} filter={filter} setFilter={setFilter} />
      </PageHeader>
      {body}
    </section>
  );
}
