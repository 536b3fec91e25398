import { useEffect, useRef, type ReactNode } from 'react';
import { uiMessage } from '../format/ui-errors';

/**
 * A modal dialog: focus moves into it, Escape closes it, Tab stays inside
 * (WAI-ARIA dialog pattern), and focus returns where it was.
 */
export function Modal({ title, onClose, children, testId }: { title: string; onClose(): void; children: ReactNode; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('input, select, textarea, button');
    first?.focus();
    return () => previous?.focus?.();
  }, []);
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !box.current) return;
    const focusable = [...box.current.querySelectorAll<HTMLElement>('input, select, textarea, button, a[href]')].filter((el) => !el.hasAttribute('disabled'));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first?.focus();
    }
  };
  return (
    <div className="modal-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="modal" role="dialog" aria-modal="true" aria-labelledby="modal-title" ref={box} onKeyDown={onKeyDown} data-testid={testId}>
        <header className="modal-header">
          <h2 id="modal-title">{title}</h2>
          <button type="button" className="button button-ghost" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}

export function ErrorMessage({ error }: { error: { code: string; message: string } | null }) {
  if (!error) return null;
  return (
    <p className="inline-error" role="alert" data-testid="dialog-error" data-code={error.code}>
      <code className="banner-code">{error.code}</code>: {uiMessage(error.message)}
    </p>
  );
}
