import { formatBytes } from '../format/bytes';
import { imageTaskKey } from '../store/images-slice';
import { useAppStore } from '../store/use-app-store';
import { useEffect, useState } from 'react';
import { EmptyState } from './empty-state';
import { ImageHistory } from './image-history';
import { ImageRow } from './image-row';
import { PageHeader } from './page-header';
import { useNow } from './use-now';
import { TableHeader } from './table-header';

function Body() {
  const images = useAppStore((state) => state.images);
  const status = useAppStore((state) => state.imagesStatus);
  const connection = useAppStore((state) => state.connection);
  const tasks = useAppStore((state) => state.tasks);
  const openDialog = useAppStore((state) => state.openDialog);
  const [history, setHistory] = useState<string | null>(null);
  const now = useNow();

  // The connection notice already explains why nothing can load.
  if (connection === 'unauthorized' && status !== 'ready') return null;
  if (status === 'idle' || status === 'loading') return <p className="loading">Loading images…</p>;
  if (status === 'error') {
    return <EmptyState title="Could not load images.">The error above says why; the list reloads when the engine is back.</EmptyState>;
  }
  if (images.length === 0) {
    return (
      <EmptyState title="No images.">
        Press <strong>Pull…</strong> to fetch one from a registry, or load an archive with <code>cove load -i busybox.tar</code>.
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="images-table">
        <TableHeader columns={['Image', { label: 'ID', className: 'col-id' }, { label: 'Size', className: 'num' }, { label: 'Created', className: 'col-created' }]} />
        <tbody>
          {images.map((image) => (
            <ImageRow
              key={image.id}
              image={image}
              task={tasks[imageTaskKey(image.id)]}
              now={now}
              onRemove={(target) => openDialog({ kind: 'remove-image', id: target.id })}
              onTag={(target) => openDialog({ kind: 'tag', id: target.id })}
              onPush={(target) => openDialog({ kind: 'push', reference: target.references[0] ?? target.id })}
              onSave={(target) => openDialog({ kind: 'save', reference: target.references[0] ?? target.id })}
              onRun={(target) => openDialog({ kind: 'run', image: target.references[0] ?? target.id })}
              onHistory={(target) => setHistory(target.references[0] ?? target.id)}
            />
          ))}
        </tbody>
      </table>
      {history && <ImageHistory reference={history} onClose={() => setHistory(null)} />}
    </div>
  );
}

function ImageTools() {
  const openDialog = useAppStore((state) => state.openDialog);
  const pruning = useAppStore((state) => state.tasks['images:prune'] !== undefined);
  return (
    <>
      <button
        type="button"
        className="button"
        disabled={pruning}
        title="Remove every image no container uses"
        onClick={() => openDialog({ kind: 'prune-images' })}
      >
        {pruning ? 'Pruning…' : 'Prune unused…'}
      </button>
      <button type="button" className="button" onClick={() => openDialog({ kind: 'load' })}>
        Load…
      </button>
      <button type="button" className="button" onClick={() => openDialog({ kind: 'login' })}>
        Registry login…
      </button>
      <button type="button" className="button" onClick={() => openDialog({ kind: 'build' })}>
        Build…
      </button>
      <button type="button" className="button" onClick={() => openDialog({ kind: 'pull' })}>
        Pull…
      </button>
      <button type="button" className="button button-primary" onClick={() => openDialog({ kind: 'run' })}>
        Run…
      </button>
    </>
  );
}

export function ImagesPage() {
  const images = useAppStore((state) => state.images);
  const status = useAppStore((state) => state.imagesStatus);
  const diskUsage = useAppStore((state) => state.diskUsage);
  const fetchDiskUsage = useAppStore((state) => state.fetchDiskUsage);
  useEffect(() => void fetchDiskUsage(), [images, fetchDiskUsage]);
  // The engine's figure (cove system df): layers shared by several images count once.
  const subtitle = status === 'ready' ? `${images.length} total${diskUsage ? `, ${formatBytes(diskUsage.images.size)} on disk` : ''}` : undefined;
  return (
    <section className="page">
      <PageHeader title="Images" subtitle={subtitle}>
        <ImageTools />
      </PageHeader>
      <Body />
    </section>
  );
}
