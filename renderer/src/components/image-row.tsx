import type { ImageSummary } from '../../../app/api/contract';
import { formatBytes } from '../format/bytes';
import { shortId } from '../format/ids';
import { formatAbsolute, formatRelative } from '../format/time';

interface Props {
  image: ImageSummary;
  task: string | undefined;
  now: number;
  onRemove(image: ImageSummary): void;
  onRun(image: ImageSummary): void;
  onHistory(image: ImageSummary): void;
  onTag(image: ImageSummary): void;
  onPush(image: ImageSummary): void;
  onSave(image: ImageSummary): void;
}

export function ImageRow({ image, task, now, onRemove, onRun, onHistory, onTag, onPush, onSave }: Props) {
  const busy = task !== undefined;
  const labelId = `image-label-${image.id}`;
  return (
    <tr
      data-testid="image-row"
      data-id={image.id}
      data-reference={image.references[0] ?? ''}
      aria-busy={busy || undefined}
    >
      <td id={labelId}>
        {image.references.length === 0 ? (
          <span className="muted">&lt;none&gt;</span>
        ) : (
          <ul className="refs">
            {image.references.map((reference) => (
              <li key={reference} className="ref">
                {reference}
              </li>
            ))}
          </ul>
        )}
      </td>
      <td className="mono col-id" title={image.id}>
        {shortId(image.id)}
      </td>
      <td className="num">{formatBytes(image.size)}</td>
      <td className="col-created" title={formatAbsolute(image.createdAt)}>{formatRelative(image.createdAt, now)}</td>
      <td className="cell-actions">
        {busy && (
          <span className="task">
            <span className="spinner" aria-hidden="true" />
            {task}…
          </span>
        )}
        <button type="button" className="button" aria-describedby={labelId} onClick={() => onHistory(image)}>
          History
        </button>
        <button type="button" className="button" aria-describedby={labelId} disabled={busy} onClick={() => onRun(image)}>
          Run
        </button>
        <button type="button" className="button" aria-describedby={labelId} disabled={busy} onClick={() => onTag(image)}>
          Tag…
        </button>
        <button type="button" className="button" aria-describedby={labelId} disabled={busy || image.references.length === 0} onClick={() => onPush(image)}>
          Push…
        </button>
        <button type="button" className="button" aria-describedby={labelId} disabled={busy} onClick={() => onSave(image)}>
          Save…
        </button>
        <button
          type="button"
          className="button button-danger"
          aria-describedby={labelId}
          disabled={busy}
          onClick={() => onRemove(image)}
        >
          Remove
        </button>
      </td>
    </tr>
  );
}
