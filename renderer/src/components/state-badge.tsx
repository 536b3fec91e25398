import type { ContainerState, HealthStatus } from '../../../app/api/contract';

/** The state as docker names it; an exited container its policy brings back says "restarting"; a healthcheck's verdict beside it, in ps's words. */
export function StateBadge({ state, restarting = false, health }: { state: ContainerState; restarting?: boolean; health?: HealthStatus | undefined }) {
  const shown = restarting ? 'restarting' : state;
  return (
    <>
      <span className={`badge badge-${shown}`}>{shown}</span>
      {health && (
        <span className={`badge badge-health-${health}`} data-testid="container-health" title="Healthcheck">
          {health === 'starting' ? 'health: starting' : health}
        </span>
      )}
    </>
  );
}
