import { useState } from 'react';
import { useAppStore } from '../store/use-app-store';
import { Confirm } from './confirm-dialogs';

/** `compose down`: what goes (containers, networks; volumes only when ticked) and what stays. */
export function ProjectDownDialog({ project }: { project: string }) {
  const down = useAppStore((s) => s.projectDownNow);
  const count = useAppStore((s) => s.projects.find((p) => p.summary.name === project)?.containers.length ?? 0);
  const [volumes, setVolumes] = useState(false);
  return (
    <Confirm title={`Down ${project}?`} confirmLabel={volumes ? 'Remove containers, networks and volumes' : 'Remove containers and networks'} onConfirm={() => down(project, volumes)}>
      <p data-testid="confirm-consequence">
        Stops and removes the project&apos;s {count} container{count === 1 ? '' : 's'} and its networks. Images stay; named volumes stay unless ticked below.
      </p>
      <label className="check">
        <input type="checkbox" checked={volumes} onChange={(e) => setVolumes(e.target.checked)} /> Also remove the project&apos;s named volumes and their data (<code>down -v</code>)
      </label>
    </Confirm>
  );
}
