import { useAppStore } from '../store/use-app-store';

export function ConnectionNotice() {
  const connection = useAppStore((state) => state.connection);
  const everConnected = useAppStore((state) => state.everConnected);
  if (connection === 'open' || (connection === 'connecting' && !everConnected)) return null;
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
        <strong>Disconnected from the Cove engine.</strong>{' '}
        {everConnected ? 'What you see may be out of date, and actions are disabled until the engine is back. ' : 'Actions are disabled until it answers. '}
        Trying again… If this persists, check that <code>cove serve</code> (or the Cove app) is running; it keeps the same address, so this page
        reconnects by itself.
      </p>
    </div>
  );
}
