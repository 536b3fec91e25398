import type { ContainerState } from '../../../app/api/contract';

/** The state as docker names it; an exited container its policy brings back says "restarting". */
export function StateBadge({ state, restarting = false }: { state: ContainerState; restarting?: boolean }) {
  const shown = restarting ? 'restarting' : state;
  return <span className={`badge badge-${shown}`}>{shown}</span>;
}
