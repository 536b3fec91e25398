// Confirmations before anything that loses data or stops work: removing a
// running container, an image, a volume, or pruning. Each says what will be
// lost and what stays; Cancel (or Escape) changes nothing.
import { useEffect, useState, type ReactNode } from 'react';
import type { VolumeSummary } from '../../../app/api/contract';
import { errorShape } from '../api/errors';
import { formatBytes } from '../format/bytes';
import { shortId } from '../format/ids';
import { unusedImages, usersOfImage } from '../store/images-slice';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage, Modal } from './modal';

type ApiErrorShape = { code: string; message: string };

export function Confirm({
  title,
  children,
  confirmLabel,
  blocked,
  onConfirm,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Nothing to confirm (e.g. still in use): only Cancel is offered. */
  blocked?: boolean;
  onConfirm(): Promise<void>;
}) {
  const close = useAppStore((s) => s.openDialog);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      close(null);
    } catch (reason) {
      setError(errorShape(reason));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal title={title} onClose={() => close(null)} testId="confirm-dialog">
      <div className="confirm-body">{children}</div>
      <ErrorMessage error={error} />
      <div className="form-actions">
        <button type="button" className="button" onClick={() => close(null)}>
          Cancel
        </button>
        {!blocked && (
          <button type="button" className="button button-danger" disabled={busy} onClick={() => void confirm()}>
            {busy ? 'Working…' : confirmLabel}
          </button>
        )}
      </div>
    </Modal>
  );
}

export function RemoveContainerDialog({ id, then }: { id: string; then?: 'containers' }) {
  const container = useAppStore((s) => s.containers.find((c) => c.id === id));
  const remove = useAppStore((s) => s.removeContainerNow);
  if (!container) return null;
  const running = container.state === 'running' || container.state === 'paused';
  return (
    <Confirm
      title={`Remove ${container.name}?`}
      confirmLabel={running ? 'Stop and remove' : 'Remove'}
      onConfirm={async () => {
        await remove(id, running);
        if (then === 'containers') window.location.hash = '#/containers';
      }}
    >
      {running && (
        <p>
          <strong>{container.name} is {container.state}.</strong> Removing it kills its processes now; whatever they were doing stops.
        </p>
      )}
      <p>Its filesystem (files written inside the container) and its log are deleted. Named volumes it uses are kept.</p>
    </Confirm>
  );
}

export function RemoveContainersDialog({ ids }: { ids: string[] }) {
  const containers = useAppStore((s) => s.containers.filter((c) => ids.includes(c.id)));
  const remove = useAppStore((s) => s.removeContainerNow);
  const running = containers.filter((c) => c.state === 'running' || c.state === 'paused');
  return (
    <Confirm
      title={`Remove ${containers.length} container${containers.length === 1 ? '' : 's'}?`}
      confirmLabel={running.length > 0 ? 'Stop and remove' : 'Remove'}
      onConfirm={async () => {
        await Promise.all(containers.map((c) => remove(c.id, running.includes(c))));
      }}
    >
      {running.length > 0 && (
        <p>
          <strong>{running.map((c) => c.name).join(', ')}</strong> {running.length === 1 ? 'is' : 'are'} running: removing kills their processes now.
        </p>
      )}
      <p>
        {containers.map((c) => c.name).join(', ')}: their filesystems and logs are deleted. Named volumes are kept.
      </p>
    </Confirm>
  );
}

export function RemoveImageDialog({ id }: { id: string }) {
  const image = useAppStore((s) => s.images.find((i) => i.id === id));
  const containers = useAppStore((s) => s.containers);
  const remove = useAppStore((s) => s.removeImageNow);
  if (!image) return null;
  const users = usersOfImage(image, containers);
  const label = image.references.join(', ') || shortId(image.id);
  return (
    <Confirm title={`Remove ${label}?`} confirmLabel="Remove image" blocked={users.length > 0} onConfirm={() => remove(image)}>
      {users.length > 0 ? (
        <p data-testid="confirm-blocked">
          Containers <strong>{users.map((c) => c.name).join(', ')}</strong> use this image. Remove them first; the image stays.
        </p>
      ) : (
        <p>
          The image and its layers that no other image shares are deleted ({formatBytes(image.size)} unpacked). Pull or load it again to get it back.
        </p>
      )}
    </Confirm>
  );
}

export function PruneImagesDialog() {
  const images = useAppStore((s) => s.images);
  const containers = useAppStore((s) => s.containers);
  const prune = useAppStore((s) => s.pruneImages);
  const unused = unusedImages(images, containers);
  const size = unused.reduce((sum, i) => sum + i.size, 0);
  return (
    <Confirm title="Remove unused images?" confirmLabel={`Remove ${unused.length}`} blocked={unused.length === 0} onConfirm={() => prune(true).then(() => undefined)}>
      {unused.length === 0 ? (
        <p>Every image is used by a container: nothing to remove.</p>
      ) : (
        <>
          <p>
            No container uses these {unused.length} image{unused.length === 1 ? '' : 's'} (up to {formatBytes(size)} unpacked); they are deleted:
          </p>
          <ul className="confirm-list mono">
            {unused.map((i) => (
              <li key={i.id}>{i.references.join(', ') || `<none> ${shortId(i.id)}`}</li>
            ))}
          </ul>
        </>
      )}
    </Confirm>
  );
}

function useVolume(name: string): { volume: VolumeSummary | null; error: ApiErrorShape | null } {
  const inspect = useAppStore((s) => s.inspectVolume);
  const [volume, setVolume] = useState<VolumeSummary | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  useEffect(() => {
    let live = true;
    inspect(name).then(
      (v) => live && setVolume(v),
      (reason: unknown) => {
        if (live) setError(errorShape(reason));
      },
    );
    return () => {
      live = false;
    };
  }, [inspect, name]);
  return { volume, error };
}

function volumeSize(v: VolumeSummary): string {
  if (v.size === undefined) return 'its data';
  return `${v.sizeComplete === false ? 'at least ' : ''}${formatBytes(v.size)} of data`;
}

export function RemoveVolumeDialog({ name }: { name: string }) {
  const remove = useAppStore((s) => s.removeVolumeNow);
  const { volume, error } = useVolume(name);
  const users = volume?.usedBy ?? [];
  return (
    <Confirm title={`Remove volume ${name}?`} confirmLabel="Remove volume and data" blocked={!volume || users.length > 0} onConfirm={() => remove(name)}>
      <ErrorMessage error={error} />
      {!volume && !error && <p className="loading">Measuring the volume…</p>}
      {volume && users.length > 0 && (
        <p data-testid="confirm-blocked">
          Used by <strong>{users.join(', ')}</strong>. Remove {users.length === 1 ? 'that container' : 'those containers'} first; the volume and its {volumeSize(volume)} stay.
        </p>
      )}
      {volume && users.length === 0 && (
        <p data-testid="confirm-consequence">
          No container uses it. Its <strong>{volumeSize(volume)}</strong> is deleted for good; there is no undo.
        </p>
      )}
    </Confirm>
  );
}

export function PruneVolumesDialog() {
  const volumes = useAppStore((s) => s.volumes);
  const prune = useAppStore((s) => s.pruneVolumes);
  const unused = volumes.filter((v) => v.usedBy.length === 0);
  return (
    <Confirm title="Remove unused volumes?" confirmLabel={`Remove ${unused.length} and their data`} blocked={unused.length === 0} onConfirm={prune}>
      {unused.length === 0 ? (
        <p>Every volume is used by a container: nothing to remove.</p>
      ) : (
        <>
          <p>No container uses these volumes; they and all their data are deleted for good:</p>
          <ul className="confirm-list mono">
            {unused.map((v) => (
              <li key={v.name}>{v.name}</li>
            ))}
          </ul>
        </>
      )}
    </Confirm>
  );
}
