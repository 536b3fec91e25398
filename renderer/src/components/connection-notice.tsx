import { useAppStore } from '../store/use-app-store';

export function ConnectionNotice() {
  const connection = useAppStore((state) => state.connection);
  if (connection === 'open' || connection === 'connecting') return null;
  if (connection === 'unauthorized') {
    return (
      <div className="banner banner-warn" role="status" data-testid="connection-notice" data-connection={connection}>
        <p className="banner-text">
          The engine refused this page. Open the link that <code>cove serve</code> printed; it carries the access
          token.
        </p>
      </div>
    );
  }
  return (
    <div className="banner banner-warn" role="status" data-testid="connection-notice" data-connection={connection}>
      <span className="spinner" aria-hidden="true" />
      <p className="banner-text">
        Lost the connection to the Cove engine. Reconnecting… If this persists, check that <code>cove serve</code> is
        still running, and open the link it printed.
      </p>
    </div>
  );
}
