import type { PortMapping } from '../../../app/api/contract';
import { portLabel, publishedPortUrl } from '../../../app/api/port-url';
import { useTransport } from './transport-context';

/**
 * Published ports, each TCP one a link that opens its page in the browser.
 * In Electron the page may not open windows, so main opens the system
 * browser (after checking the URL is a loopback address).
 */
export function PortLinks({ ports, running, compact = false }: { ports: PortMapping[] | undefined; running: boolean; compact?: boolean }) {
  const transport = useTransport();
  if (!ports || ports.length === 0) return <span className="muted">—</span>;
  return (
    <ul className={compact ? 'port-list port-list-compact' : 'port-list'} data-testid="ports">
      {ports.map((p) => {
        const url = publishedPortUrl(p);
        const label = compact ? `${p.hostPort}→${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}` : portLabel(p);
        return (
          <li key={`${p.protocol}:${p.hostIp}:${p.hostPort}`} data-host-port={p.hostPort}>
            {url && running ? (
              <a
                className="port-link mono"
                href={url}
                target="_blank"
                rel="noopener noreferrer"
                title={`Open ${url} in the browser`}
                data-testid="port-link"
                onClick={(e) => {
                  const desktop = transport.desktop;
                  if (!desktop) return;
                  e.preventDefault();
                  void desktop.openExternal(url);
                }}
              >
                {label} <span aria-hidden="true">↗</span>
                <span className="visually-hidden"> (open in browser)</span>
              </a>
            ) : (
              <span className="mono" title={running ? undefined : 'Bound while the container runs'}>
                {label}
              </span>
            )}
          </li>
        );
      })}
    </ul>
  );
}
