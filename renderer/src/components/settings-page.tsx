import { useEffect, useState } from 'react';
import type { DesktopPreferences } from '../../../app/api/contract';
import { toCoveApiError } from '../api/errors';
import type { ThemeChoice } from '../store/ui-slice';
import { useAppStore } from '../store/use-app-store';
import { PageHeader } from './page-header';
import { useTransport } from './transport-context';

const RUNTIMES = ['cove', 'runc', 'crun'];

function RuntimeSetting() {
  const settings = useAppStore((s) => s.settings);
  const fetch = useAppStore((s) => s.fetchSettings);
  const save = useAppStore((s) => s.saveSettings);
  const busy = useAppStore((s) => s.tasks.settings !== undefined);
  const [custom, setCustom] = useState('');
  useEffect(() => void fetch(), [fetch]);
  if (!settings) return <p className="loading">Loading settings…</p>;
  const isCustom = !RUNTIMES.includes(settings.runtime);
  return (
    <fieldset className="card fieldset">
      <legend>OCI runtime for new containers</legend>
      {RUNTIMES.map((r) => (
        <label key={r} className="check">
          <input type="radio" name="runtime" checked={settings.runtime === r} disabled={busy} onChange={() => void save({ runtime: r })} /> {r}
          {r === 'cove' && <span className="muted"> (built in)</span>}
        </label>
      ))}
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (custom.trim()) void save({ runtime: custom.trim() });
        }}
      >
        <label className="check">
          <input type="radio" name="runtime" checked={isCustom} readOnly /> Other:
        </label>
        <input aria-label="Runtime path" className="mono" placeholder="/usr/local/bin/youki" value={isCustom && !custom ? settings.runtime : custom} onChange={(e) => setCustom(e.target.value)} />
        <button type="submit" className="button" disabled={busy}>
          Use
        </button>
      </form>
    </fieldset>
  );
}

function Doctor() {
  const checks = useAppStore((s) => s.doctor);
  const status = useAppStore((s) => s.doctorStatus);
  const run = useAppStore((s) => s.runDoctor);
  useEffect(() => void run(), [run]);
  return (
    <section className="card" aria-labelledby="doctor-title">
      <header className="card-head">
        <h2 id="doctor-title">System check</h2>
        <button type="button" className="button" onClick={() => void run()} disabled={status === 'loading'}>
          {status === 'loading' ? 'Checking…' : 'Check again'}
        </button>
      </header>
      {checks && (
        <ul className="doctor" data-testid="doctor">
          {checks.map((c) => (
            <li key={c.name} className={`doctor-${c.status}`} data-status={c.status}>
              <span className={`badge badge-doctor-${c.status}`}>{c.status}</span> <strong>{c.name}</strong>: {c.detail}
              {c.fix && (
                <div className="doctor-fix">
                  Fix: <code>{c.fix}</code>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Appearance() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  const options: Array<{ value: ThemeChoice; label: string }> = [
    { value: 'system', label: 'Follow the system' },
    { value: 'light', label: 'Light' },
    { value: 'dark', label: 'Dark' },
  ];
  return (
    <fieldset className="card fieldset">
      <legend>Theme</legend>
      {options.map((o) => (
        <label key={o.value} className="check">
          <input type="radio" name="theme" checked={theme === o.value} onChange={() => setTheme(o.value)} /> {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/** Desktop only: start at login and notifications live in the main process. */
function DesktopSettings() {
  const { desktop } = useTransport();
  const [prefs, setPrefs] = useState<DesktopPreferences | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    desktop?.getPreferences().then(setPrefs, (r: unknown) => setError(toCoveApiError(r).message));
  }, [desktop]);
  if (!desktop) return null;
  const change = (c: Partial<DesktopPreferences>) => desktop.setPreferences(c).then(setPrefs, (r: unknown) => setError(toCoveApiError(r).message));
  return (
    <fieldset className="card fieldset">
      <legend>Desktop</legend>
      {error && <p className="inline-error">{error}</p>}
      <label className="check">
        <input type="checkbox" disabled={!prefs} checked={prefs?.openAtLogin ?? false} onChange={(e) => void change({ openAtLogin: e.target.checked })} /> Start Cove at login (in the tray)
      </label>
      <label className="check">
        <input type="checkbox" disabled={!prefs} checked={prefs?.notifications ?? true} onChange={(e) => void change({ notifications: e.target.checked })} /> Notify when a pull finishes or a container fails
      </label>
    </fieldset>
  );
}

export function SettingsPage() {
  return (
    <section className="page" data-testid="settings">
      <PageHeader title="Settings" />
      <div className="settings-grid">
        <RuntimeSetting />
        <Appearance />
        <DesktopSettings />
        <Doctor />
      </div>
    </section>
  );
}
