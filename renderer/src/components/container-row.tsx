import type { ContainerSummary } from '../../../app/api/contract';
import { formatCommand, shortId } from '../format/ids';
import { formatAbsolute, formatRelative } from '../format/time';
import { hashOf } from '../store/routes';
import { PortLinks } from './port-links';
import { StateBadge } from './state-badge';

interface Props {
  container: ContainerSummary;
  task: string | undefined;
  now: number;
  selected: boolean;
  onSelect(id: string, selected: boolean): void;
  onStart(id: string): void;
  onStop(id: string): void;
  onRemove(container: ContainerSummary): void;
}

export function ContainerRow({ container, task, now, selected, onSelect, onStart, onStop, onRemove }: Props) {
  const busy = task !== undefined;
  const running = container.state === 'running';
  const nameId = `container-name-${container.id}`;
  const command = formatCommand(container.command);
  return (
    <tr
      data-testid="container-row"
      data-name={container.name}
      data-id={container.id}
      data-state={container.state}
      aria-busy={busy || undefined}
      aria-selected={selected}
    >
      <td className="cell-check">
        <input type="checkbox" checked={selected} aria-describedby={nameId} aria-label="Select" onChange={(e) => onSelect(container.id, e.target.checked)} />
      </td>
      <td className="cell-name">
        <a className="cell-primary row-link" id={nameId} href={hashOf({ page: 'container', id: container.id, tab: 'overview' })}>
          {container.name}
        </a>
        <div className="cell-secondary mono">{shortId(container.id)}</div>
      </td>
      <td className="cell-truncate" title={container.image}>
        {container.image}
      </td>
      <td className="cell-truncate mono col-command" title={command}>
        {command || <span className="muted">—</span>}
      </td>
      <td className="cell-ports">
        <PortLinks ports={container.ports} running={container.state === 'running'} compact />
      </td>
      <td data-testid="container-state">
        <StateBadge state={container.state} restarting={container.restarting === true} health={container.health} />
      </td>
      <td className="cell-status">
        {busy ? (
          <span className="task">
            <span className="spinner" aria-hidden="true" />
            {task}…
          </span>
        ) : (
          <div data-testid="container-status">{container.status}</div>
        )}
        <div className="cell-secondary" title={formatAbsolute(container.createdAt)}>
          Created {formatRelative(container.createdAt, now)}
        </div>
      </td>
      <td className="cell-actions">
        {/* Names stay exactly "Start"/"Stop"/"Remove" (a container called
            "stop-me" would otherwise make "Start stop-me" match "Stop");
            the row's name is attached as the description instead. */}
        <button type="button" className="button" aria-describedby={nameId} disabled={busy || running} onClick={() => onStart(container.id)}>
          Start
        </button>
        <button type="button" className="button" aria-describedby={nameId} disabled={busy || !running} onClick={() => onStop(container.id)}>
          Stop
        </button>
        <button type="button" className="button button-danger" aria-describedby={nameId} disabled={busy} onClick={() => onRemove(container)}>
          Remove
        </button>
      </td>
    </tr>
  );
}
