import { useEffect, useState } from 'react';
import type { ImageHistoryEntry } from '../../../app/api/contract';
import { toCoveApiError } from '../api/errors';
import { formatBytes } from '../format/bytes';
import { formatAbsolute } from '../format/time';
import { useAppStore } from '../store/use-app-store';
import { ErrorMessage, Modal } from './modal';

/** `images:history`: the steps that built an image, newest first, as `docker history` shows them. */
export function ImageHistory({ reference, onClose }: { reference: string; onClose(): void }) {
  const load = useAppStore((s) => s.imageHistory);
  const [rows, setRows] = useState<ImageHistoryEntry[] | null>(null);
  const [error, setError] = useState<{ code: string; message: string } | null>(null);
  useEffect(() => {
    load(reference).then(setRows, (r: unknown) => {
      const e = toCoveApiError(r);
      setError({ code: e.code, message: e.message });
    });
  }, [load, reference]);
  return (
    <Modal title={`History of ${reference}`} onClose={onClose} testId="image-history">
      <ErrorMessage error={error} />
      {!rows && !error && <p className="loading">Loading…</p>}
      {rows && (
        <table className="table history">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Created by</th>
              <th scope="col" className="num">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>{formatAbsolute(r.created) ?? '—'}</td>
                <td className="mono cell-wrap">{r.createdBy || r.comment || '—'}</td>
                <td className="num">{formatBytes(r.size)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
