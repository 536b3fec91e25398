import { formatBytes } from '../format/bytes';
import { imageTaskKey } from '../store/images-slice';
import { useAppStore } from '../store/use-app-store';
import { EmptyState } from './empty-state';
import { ImageRow } from './image-row';
import { PageHeader } from './page-header';
import { useNow } from './use-now';

function Body() {
  const images = useAppStore((state) => state.images);
  const status = useAppStore((state) => state.imagesStatus);
  const connection = useAppStore((state) => state.connection);
  const tasks = useAppStore((state) => state.tasks);
  const remove = useAppStore((state) => state.removeImage);
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
        Load one with <code>cove load -i busybox.tar</code>, then <code>cove run -d busybox sleep 1000</code>.
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table" data-testid="images-table">
        <thead>
          <tr>
            <th scope="col">Image</th>
            <th scope="col">ID</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Created</th>
            <th scope="col" className="cell-actions">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {images.map((image) => (
            <ImageRow
              key={image.id}
              image={image}
              task={tasks[imageTaskKey(image.id)]}
              now={now}
              onRemove={(target) => void remove(target)}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ImagesPage() {
  const images = useAppStore((state) => state.images);
  const status = useAppStore((state) => state.imagesStatus);
  const total = images.reduce((sum, image) => sum + image.size, 0);
  const subtitle = status === 'ready' ? `${images.length} total, ${formatBytes(total)}` : undefined;
  return (
    <section className="page">
      <PageHeader title="Images" subtitle={subtitle} />
      <Body />
    </section>
  );
}
