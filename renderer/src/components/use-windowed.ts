import { useLayoutEffect, useRef, useState } from 'react';

export interface WindowedRange {
  start: number;
  end: number;
  padTop: number;
  padBottom: number;
}

/**
 * List virtualization with fixed row heights: only the rows in (and just
 * around) the scroll viewport are rendered, so 1,000 containers cost what 20
 * do. Spacer heights keep the scrollbar true to the whole list.
 */
export function useWindowed<E extends HTMLElement>(count: number, rowHeight: number, overscan = 8) {
  const ref = useRef<E>(null);
  const [view, setView] = useState({ top: 0, height: 800 });
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    let frame = 0;
    const update = (): void => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setView({ top: el.scrollTop, height: el.clientHeight }));
    };
    setView({ top: el.scrollTop, height: el.clientHeight });
    el.addEventListener('scroll', update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('scroll', update);
      observer.disconnect();
    };
  }, []);
  const start = Math.max(0, Math.floor(view.top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((view.top + view.height) / rowHeight) + overscan);
  const range: WindowedRange = { start, end: Math.max(start, end), padTop: start * rowHeight, padBottom: Math.max(0, count - Math.max(start, end)) * rowHeight };
  return { ref, range };
}
