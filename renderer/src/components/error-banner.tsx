import { useAppStore } from '../store/use-app-store';

export function ErrorBanner() {
  const error = useAppStore((state) => state.error);
  const dismiss = useAppStore((state) => state.dismissError);
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="error-banner" data-code={error.code} key={error.seq}>
      <p className="banner-text">
        <code className="banner-code">{error.code}</code>
        <span className="banner-sep">: </span>
        <span>{error.message}</span>
      </p>
      <button type="button" className="button button-ghost banner-dismiss" onClick={dismiss} aria-label="Dismiss error">
        ×
      </button>
    </div>
  );
}
