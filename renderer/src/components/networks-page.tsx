import { useEffect, useState } from 'react';
import { useAppStore } from '../store/use-app-store';
import { EmptyState } from './empty-state';
import { PageHeader } from './page-header';
import { TableHeader } from './table-header';

function CreateForm() {
  const create = useAppStore((s) => s.createNetwork);
  const busy = useAppStore((s) => s.tasks['networks:create'] !== undefined);
  const [name, setName] = useState('');
  const [subnet, setSubnet] = useState('');
  const [internal, setInternal] = useState(false);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        void create({ name: name.trim(), subnet: subnet.trim() || undefined, internal }).then(() => {
          setName('');
          setSubnet('');
          setInternal(false);
        });
      }}
    >
      <input aria-label="New network name" placeholder="name" value={name} onChange={(e) => setName(e.target.value)} />
      <input aria-label="Subnet" placeholder="subnet (optional, e.g. 10.89.9.0/24)" value={subnet} onChange={(e) => setSubnet(e.target.value)} />
      <label>
        <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} /> internal
      </label>
      <button type="submit" className="button" disabled={busy || !name.trim()}>
        Create
      </button>
    </form>
  );
}

/** User-defined networks and which containers are on them, with their addresses and aliases. */
export function NetworksPage() {
  const networks = useAppStore((s) => s.networks);
  const status = useAppStore((s) => s.networksStatus);
  const fetch = useAppStore((s) => s.fetchNetworks);
  const remove = useAppStore((s) => s.removeNetwork);
  const prune = useAppStore((s) => s.pruneNetworks);
  const tasks = useAppStore((s) => s.tasks);
  useEffect(() => void fetch(), [fetch]);
  let body;
  if (status === 'idle' || status === 'loading') body = <p className="loading">Loading networks…</p>;
  else if (status === 'error') body = <EmptyState title="Could not load networks.">The error above says why.</EmptyState>;
  else
    body = (
      <div className="table-wrap">
        <table className="table" data-testid="networks-table">
          <TableHeader columns={['Name', 'Driver', 'Subnet', 'Containers']} />
          <tbody>
            {networks.map((n) => (
              <tr key={n.id} data-testid="network-row" data-name={n.name}>
                <td>
                  <div className="cell-primary" id={`network-${n.name}`}>
                    {n.name}
                    {n.internal ? <span className="muted"> (internal)</span> : null}
                  </div>
                  {n.builtin ? <div className="cell-secondary">built-in</div> : <div className="cell-secondary mono">{n.id.slice(0, 12)}</div>}
                </td>
                <td>{n.driver}</td>
                <td className="mono">{n.subnet ?? <span className="muted">—</span>}</td>
                <td>
                  {n.containers.length === 0 ? (
                    <span className="muted">none</span>
                  ) : (
                    <ul className="plain-list">
                      {n.containers.map((c) => (
                        <li key={c.containerId}>
                          {c.containerName} <span className="mono">{c.ip}</span>
                          {c.aliases.length ? <span className="muted"> ({c.aliases.join(', ')})</span> : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td className="cell-actions">
                  {n.builtin ? null : (
                    <button type="button" className="button button-danger" aria-describedby={`network-${n.name}`} disabled={tasks[`network:${n.name}`] !== undefined} onClick={() => void remove(n.name)}>
                      Remove
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  return (
    <section className="page">
      <PageHeader title="Networks" subtitle={status === 'ready' ? `${networks.filter((n) => !n.builtin).length} user-defined` : undefined}>
        <CreateForm />
        <button type="button" className="button" onClick={() => void prune()} disabled={tasks['networks:prune'] !== undefined}>
          Prune unused
        </button>
      </PageHeader>
      {body}
    </section>
  );
}
