import type { ConnectionState } from '../api/transport';
import type { Page } from '../store/ui-slice';
import { useAppStore } from '../store/use-app-store';

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  open: 'Engine connected',
  closed: 'Reconnecting…',
  unauthorized: 'Not authorized',
};

interface NavItem {
  page: Page;
  label: string;
  count: number | null;
  icon: 'box' | 'layers' | 'home' | 'tasks' | 'gear' | 'disk' | 'net' | 'stack';
  shortcut?: string;
}

const EXTRA_ICONS: Record<'home' | 'tasks' | 'gear' | 'disk' | 'net' | 'stack', string> = {
  stack: 'M3 3h8v8H3V3Zm2 2v4h4V5H5Zm8-2h8v8h-8V3Zm2 2v4h4V5h-4ZM3 13h8v8H3v-8Zm2 2v4h4v-4H5Zm8-2h8v8h-8v-8Zm2 2v4h4v-4h-4Z',
  net: 'M11 2h2v5h4v4h-4v2h6v5h2v4h-6v-4h2v-3h-6v3h2v4H7v-4h2v-3H5v3h2v4H1v-4h2v-5h8v-2H7V7h4V2Z',
  disk: 'M12 3c4.4 0 8 1.3 8 3v12c0 1.7-3.6 3-8 3s-8-1.3-8-3V6c0-1.7 3.6-3 8-3Zm6 5.3c-1.5.7-3.6 1-6 1s-4.5-.3-6-1V12c.6.5 2.7 1.3 6 1.3s5.4-.8 6-1.3V8.3ZM6 14.3V18c.6.5 2.7 1.3 6 1.3s5.4-.8 6-1.3v-3.7c-1.5.7-3.6 1-6 1s-4.5-.3-6-1Z',
  home: 'M12 3 3 10.2V21h6.5v-6h5v6H21V10.2L12 3Zm0 2.6 7 5.6V19h-2.5v-6h-9v6H5v-7.8l7-5.6Z',
  tasks: 'M4 5h16v2H4V5Zm0 6h10v2H4v-2Zm0 6h13v2H4v-2Z',
  gear: 'M12 8.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7Zm8.4 2.3-.1-.9 2-1.6-2-3.4-2.4 1a7.6 7.6 0 0 0-1.6-.9L16 2.4h-4l-.4 2.6c-.6.2-1.1.5-1.6.9l-2.4-1-2 3.4 2 1.6-.1.9.1.9-2 1.6 2 3.4 2.4-1c.5.4 1 .7 1.6.9l.4 2.6h4l.4-2.6c.6-.2 1.1-.5 1.6-.9l2.4 1 2-3.4-2-1.6.1-.9Z',
};

function Icon({ name }: { name: NavItem['icon'] }) {
  if (name !== 'box' && name !== 'layers') {
    return (
      <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
        <path d={EXTRA_ICONS[name]} fill="currentColor" />
      </svg>
    );
  }
  return (
    <svg className="nav-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true" focusable="false">
      {name === 'box' ? (
        <path
          d="M12 2.8 20 7v10l-8 4.2L4 17V7l8-4.2Zm0 2.3L6.6 8 12 10.9 17.4 8 12 5.1ZM6 9.7v6.1l5 2.6v-6.1L6 9.7Zm7 8.7 5-2.6V9.7l-5 2.7v6Z"
          fill="currentColor"
        />
      ) : (
        <path
          d="m12 3 9 4.5-9 4.5-9-4.5L12 3Zm0 2.2L7.5 7.5 12 9.8l4.5-2.3L12 5.2ZM3 12l2.2-1.1L12 14.3l6.8-3.4L21 12l-9 4.5L3 12Zm0 4.5 2.2-1.1 6.8 3.4 6.8-3.4 2.2 1.1-9 4.5-9-4.5Z"
          fill="currentColor"
        />
      )}
    </svg>
  );
}

export function Sidebar() {
  const page = useAppStore((state) => state.page);
  const connection = useAppStore((state) => state.connection);
  const containers = useAppStore((state) => (state.containersStatus === 'ready' ? state.containers.length : null));
  const images = useAppStore((state) => (state.imagesStatus === 'ready' ? state.images.length : null));

  const running = useAppStore((state) => state.jobs.filter((j) => j.state === 'running').length);
  const current = page === 'container' ? 'containers' : page;

  const items: NavItem[] = [
    { page: 'dashboard', label: 'Dashboard', count: null, icon: 'home', shortcut: 'Alt+1' },
    { page: 'containers', label: 'Containers', count: containers, icon: 'box', shortcut: 'Alt+2' },
    { page: 'projects', label: 'Projects', count: null, icon: 'stack' },
    { page: 'images', label: 'Images', count: images, icon: 'layers', shortcut: 'Alt+3' },
    { page: 'volumes', label: 'Volumes', count: null, icon: 'disk', shortcut: 'Alt+4' },
    { page: 'networks', label: 'Networks', count: null, icon: 'net' },
    { page: 'tasks', label: 'Tasks', count: running > 0 ? running : null, icon: 'tasks', shortcut: 'Alt+5' },
    { page: 'settings', label: 'Settings', count: null, icon: 'gear', shortcut: 'Alt+6' },
  ];

  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Cove</span>
      </div>
      <nav aria-label="Main">
        <ul className="nav-list">
          {items.map((item) => (
            <li key={item.page}>
              <a
                className="nav-link"
                href={`#/${item.page}`}
                aria-current={current === item.page ? 'page' : undefined}
                aria-keyshortcuts={item.shortcut}
                title={item.shortcut ? `${item.label} (${item.shortcut})` : item.label}
              >
                <Icon name={item.icon} />
                <span className="nav-label">{item.label}</span>
                {/* Hidden from the accessible name so the link is exactly "Containers". */}
                {item.count !== null && (
                  <span className="nav-count" aria-hidden="true">
                    {item.count}
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-footer" data-testid="connection-state" data-connection={connection}>
        <span className={`dot dot-${connection}`} aria-hidden="true" />
        {CONNECTION_LABEL[connection]}
      </div>
    </aside>
  );
}
