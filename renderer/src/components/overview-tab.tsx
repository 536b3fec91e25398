import { useEffect, useState } from 'react';
import type { ContainerInspect, HealthProbeResult, PortMapping } from '../../../app/api/contract';
import { errorShape } from '../api/errors';
import { formatCommand } from '../format/ids';
import { formatAbsolute } from '../format/time';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage } from './modal';
import { ContainerNetworks } from './container-networks';
import { PortLinks } from './port-links';

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** The last probe, as `docker inspect` shows it: exit code and (the start of) its output. */
function lastProbe(log: HealthProbeResult[]): string {
  const last = log[log.length - 1];
  return last ? `exit ${last.ExitCode} at ${formatAbsolute(last.End) ?? last.End}${last.Output ? `\n${last.Output.trimEnd().slice(0, 500)}` : ''}` : '';
}

const when = (iso: string) => (iso && !iso.startsWith('0001') ? (formatAbsolute(iso) ?? iso) : '—');

/** `containers:inspect`, readable: the facts people look for first, the raw JSON one click away. */
export function OverviewTab({ id, ports, running }: { id: string; ports: PortMapping[] | undefined; running: boolean }) {
  const inspect = useAppStore((s) => s.inspectContainer);
  const [data, setData] = useState<ContainerInspect | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  useEffect(() => {
    let live = true;
    inspect(id).then(
      (d) => live && setData(d),
      (reason: unknown) => {
        if (live) setError(errorShape(reason));
      },
    );
    return () => {
      live = false;
    };
  }, [id, inspect]);
  if (error) return <ErrorMessage error={error} />;
  if (!data) return <p className="loading">Loading…</p>;
  const s = data.State;
  return (
    <div className="overview" data-testid="overview">
      <section className="card">
        <h2>State</h2>
        <dl className="facts">
          <Row label="Status">{s.Status}{s.Running ? ` (pid ${s.Pid})` : s.Status === 'exited' ? `, exit code ${s.ExitCode}` : ''}</Row>
          <Row label="Created">{when(data.Created)}</Row>
          <Row label="Started">{when(s.StartedAt)}</Row>
          <Row label="Finished">{when(s.FinishedAt)}</Row>
          {s.Health && (
            <Row label="Health">
              <span data-testid="overview-health">{s.Health.Status}</span>
              {s.Health.FailingStreak > 0 ? `, ${s.Health.FailingStreak} failing in a row` : ''}
              {s.Health.Log.length > 0 && <pre className="health-output">{lastProbe(s.Health.Log)}</pre>}
            </Row>
          )}
        </dl>
      </section>
      <section className="card" data-testid="overview-ports">
        <h2>Ports</h2>
        {ports && ports.length > 0 ? (
          <>
            <PortLinks ports={ports} running={running} />
            {!running && <p className="muted">Published while the container runs.</p>}
          </>
        ) : (
          <p className="muted">No published ports.{data.HostConfig.NetworkMode === 'none' ? ' The container has no network.' : ''}</p>
        )}
      </section>
      <ContainerNetworks id={data.Id} mode={data.HostConfig.NetworkMode} />
      <section className="card">
        <h2>Configuration</h2>
        <dl className="facts">
          <Row label="ID"><code>{data.Id}</code></Row>
          <Row label="Image">{data.Config.Image} <span className="muted mono">{data.Image.replace(/^sha256:/, '').slice(0, 12)}</span></Row>
          <Row label="Command"><code>{formatCommand([data.Path, ...data.Args].filter(Boolean))}</code></Row>
          <Row label="Working dir"><code>{data.Config.WorkingDir || '/'}</code></Row>
          <Row label="User"><code>{data.Config.User || 'root'}</code></Row>
          <Row label="Hostname">{data.Config.Hostname}</Row>
          <Row label="TTY">{data.Config.Tty ? 'yes' : 'no'}</Row>
          <Row label="Runtime">{data.HostConfig.Runtime}</Row>
          <Row label="Network">{data.HostConfig.NetworkMode}</Row>
          <Row label="Restart policy">{data.HostConfig.RestartPolicy.Name || 'no'}{data.RestartCount > 0 ? ` (restarted ${data.RestartCount}×)` : ''}</Row>
          <Row label="Auto remove">{data.HostConfig.AutoRemove ? 'yes' : 'no'}</Row>
          <Row label="Log file"><code>{data.LogPath}</code></Row>
        </dl>
      </section>
      <section className="card">
        <h2>Environment</h2>
        {data.Config.Env.length === 0 ? (
          <p className="muted">No variables.</p>
        ) : (
          <ul className="env-list mono">
            {data.Config.Env.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </section>
      <section className="card">
        <h2>Mounts</h2>
        {data.Mounts.length === 0 ? (
          <p className="muted">No volumes or bind mounts.</p>
        ) : (
          <ul className="env-list mono">
            {data.Mounts.map((m) => (
              <li key={m.Destination}>
                {m.Source} → {m.Destination} ({m.Type}, {m.RW ? 'rw' : 'ro'})
              </li>
            ))}
          </ul>
        )}
      </section>
      <details className="card raw">
        <summary>Raw inspect JSON</summary>
        <pre className="mono">{JSON.stringify(data, null, 2)}</pre>
      </details>
    </div>
  );
}
