import type { ContainerState } from '../../../app/api/contract';

export function StateBadge({ state }: { state: ContainerState }) {
  return <span className={`badge badge-${state}`}>{state}</span>;
}
