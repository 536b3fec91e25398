import { useCallback, useEffect, useState } from 'react';
import type { MachineInfo } from '../../../app/api/contract';
import { formatBytes } from '../format/bytes';
import { useTransport } from './transport-context';

/** Re-read while shown: a machine started or stopped from the CLI or the tray shows here too. */
const POLL_MS = 3000;

const STATE_LABEL: Record<MachineInfo['state'], string> = { running: 'Running', starting: 'Starting…', stopped: 'Stopped' };

/**
 * The Cove VMs (`cove machine`): state, CPUs, memory and disk with what each
 * takes on the host, and start/stop. Shows nothing where there is no machine
 * (a Linux desktop that runs containers natively).
 */
export function MachinesPanel() {
  const transport = useTransport();
  const [machines, setMachines] = useState<MachineInfo[] | null>(null);
  const [busy, setBusy] = useState<Record<string, 'start' | 'stop'>>({});
  const [error, setError] = useState<string | null>(null);
  const refresh = useCallback(async () => {
    try {
      setMachines(await transport.call('machines:list', {}));
    } catch (err) {
      setError((err as Error).message);
    }
  }, [transport]);
  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);
  const act = (name: string, what: 'start' | 'stop'): void => {
    setBusy((b) => ({ ...b, [name]: what }));
    setError(null);
    void refresh();
    transport
      .call(what === 'start' ? 'machines:start' : 'machines:stop', { name })
      .catch((err: Error) => setError(`${what === 'start' ? 'Starting' : 'Stopping'} ${name} failed: ${err.message}`))
      .finally(() => {
        setBusy((b) => {
          const next = { ...b };
          delete next[name];
          return next;
        });
        void refresh();
      });
  };
  if (!machines || machines.length === 0) return null;
  return (
    <section aria-labelledby="machines-title" data-testid="machines">
      <h2 className="section-title" id="machines-title">
        Cove VMs
      </h2>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      <ul className="quick-list" aria-label="Cove VMs">
        {machines.map((m) => {
          const doing = busy[m.name];
          const state = doing === 'start' && m.state === 'stopped' ? 'starting' : m.state;
          return (
            <li key={m.name} className="quick card" data-testid="machine-row" data-name={m.name} data-state={state}>
              <span className="quick-name">{m.name}</span>
              <span className="muted quick-meta" data-testid="machine-state">
                {doing === 'stop' ? 'Stopping…' : STATE_LABEL[state]}
                {m.accelerator ? ` · ${m.accelerator}` : ''}
              </span>
              <span className="num quick-usage" data-testid="machine-resources">
                {m.cpus} CPU{m.cpus === 1 ? '' : 's'} · {m.memoryMb} MB{m.memoryUsedBytes !== null ? ` (${formatBytes(m.memoryUsedBytes)} used)` : ''} · disk {m.diskGb} GB ({formatBytes(m.diskUsedBytes)} used)
              </span>
              <span className="quick-actions">
                {state === 'stopped' ? (
                  <button type="button" className="button" disabled={doing !== undefined} onClick={() => act(m.name, 'start')}>
                    Start
                  </button>
                ) : (
                  <button type="button" className="button" disabled={doing !== undefined || state === 'starting'} onClick={() => act(m.name, 'stop')}>
                    Stop
                  </button>
                )}
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
