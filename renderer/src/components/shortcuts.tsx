import { useEffect } from 'react';
import { useAppStore } from '../store/use-app-store';

const PAGES = ['dashboard', 'containers', 'images', 'volumes', 'tasks', 'settings'];

export const SHORTCUTS: Array<[keys: string, what: string]> = [
  ['Alt+1 … Alt+6', 'Dashboard, Containers, Images, Volumes, Tasks, Settings'],
  ['/', 'Search on this page'],
  ['n', 'Run a container'],
  ['p', 'Pull an image'],
  ['?', 'This list'],
  ['Esc', 'Close a dialog'],
];

function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) || !!el.closest('.xterm'));
}

/** Global shortcuts; never while typing in a field or a terminal. */
export function useShortcuts(): void {
  const openDialog = useAppStore((s) => s.openDialog);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^Digit[1-6]$/.test(e.code)) {
        e.preventDefault();
        window.location.hash = `#/${PAGES[Number(e.code.slice(5)) - 1]}`;
        return;
      }
      if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || document.querySelector('[aria-modal="true"]')) return;
      if (e.key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-shortcut-search]');
        if (search) {
          e.preventDefault();
          search.focus();
        }
      } else if (e.key === 'n') openDialog({ kind: 'run' });
      else if (e.key === 'p') openDialog({ kind: 'pull' });
      else if (e.key === '?') openDialog({ kind: 'shortcuts' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [openDialog]);
}

export function ShortcutsHelp() {
  return (
    <dl className="facts shortcuts">
      {SHORTCUTS.map(([keys, what]) => (
        <div key={keys} className="shortcut">
          <dt>
            <kbd>{keys}</kbd>
          </dt>
          <dd>{what}</dd>
        </div>
      ))}
    </dl>
  );
}
