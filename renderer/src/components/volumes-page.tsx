import { useEffect, useState } from 'react';
import { formatAbsolute, formatRelative } from '../format/time';
import { useAppStore } from '../store/use-app-store';
import { EmptyState } from './empty-state';
import { PageHeader } from './page-header';
import { useNow } from './use-now';
import { TableHeader } from './table-header';

function CreateForm() {
  const create = useAppStore((s) => s.createVolume);
  const busy = useAppStore((s) => s.tasks['volumes:create'] !== undefined);
  const [name, setName] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void create(name.trim()).then(() => setName(''));
      }}
    >
      <input aria-label="New volume name" placeholder="name (optional)" value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit" className="button" disabled={busy}>
        Create
      </button>
    </form>
  );
}

export function VolumesPage() {
  const volumes = useAppStore((s) => s.volumes);
  const status = useAppStore((s) => s.volumesStatus);
  const fetch = useAppStore((s) => s.fetchVolumes);
  const openDialog = useAppStore((s) => s.openDialog);
  const tasks = useAppStore((s) => s.tasks);
  const now = useNow();
  useEffect(() => void fetch(), [fetch]);
  let body;
  if (status === 'idle' || status === 'loading') body = <p className="loading">Loading volumes…</p>;
  else if (status === 'error') body = <EmptyState title="Could not load volumes.">The error above says why.</EmptyState>;
  else if (volumes.length === 0)
    body = (
      <EmptyState title="No volumes.">
        Create one above, or give a container one in the Run dialog (<code>data:/var/lib/data</code>).
      </EmptyState>
    );
  else
    body = (
      <div className="table-wrap">
        <table className="table" data-testid="volumes-table">
          <TableHeader columns={['Name', 'Used by', { label: 'Created', className: 'col-created' }]} />
          <tbody>
            {volumes.map((v) => (
              <tr key={v.name} data-testid="volume-row" data-name={v.name}>
                <td>
                  <div className="cell-primary" id={`volume-${v.name}`}>
                    {v.name}
                  </div>
                  <div className="cell-secondary mono">{v.mountpoint}</div>
                </td>
                <td>{v.usedBy.length ? v.usedBy.join(', ') : <span className="muted">unused</span>}</td>
                <td className="col-created" title={formatAbsolute(v.createdAt)}>{formatRelative(v.createdAt, now)}</td>
                <td className="cell-actions">
                  <button type="button" className="button button-danger" aria-describedby={`volume-${v.name}`} disabled={tasks[`volume:${v.name}`] !== undefined} onClick={() => openDialog({ kind: 'remove-volume', name: v.name })}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <section className="page">
      <PageHeader title="Volumes" subtitle={status === 'ready' ? `${volumes.length} total` : undefined}>
        <CreateForm />
        <button type="button" className="button" onClick={() => openDialog({ kind: 'prune-volumes' })} disabled={tasks['volumes:prune'] !== undefined}>
          Prune unused…
        </button>
      </PageHeader>
      {body}
    </section>
  );
}
