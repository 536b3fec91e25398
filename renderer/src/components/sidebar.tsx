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
  icon: 'box' | 'layers';
}

function Icon({ name }: { name: NavItem['icon'] }) {
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

  const items: NavItem[] = [
    { page: 'containers', label: 'Containers', count: containers, icon: 'box' },
    { page: 'images', label: 'Images', count: images, icon: 'layers' },
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
                aria-current={page === item.page ? 'page' : undefined}
              >
                <Icon name={item.icon} />
                {item.label}
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
