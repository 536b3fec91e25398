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

/** "Use Cove for docker": a docker context named cove, made current, so docker, compose and IDEs drive Cove with no DOCKER_HOST. */
function DockerContextSetting() {
  const state = useAppStore((s) => s.dockerContext);
  const fetch = useAppStore((s) => s.fetchDockerContext);
  const setEnabled = useAppStore((s) => s.setDockerContextEnabled);
  const busy = useAppStore((s) => s.tasks['docker-context'] !== undefined);
  useEffect(() => void fetch(), [fetch]);
  const on = Boolean(state?.ours && state.current);
  return (
    <fieldset className="card fieldset" data-testid="docker-context">
      <legend>Docker</legend>
      <label className="check">
        <input type="checkbox" disabled={!state || busy} checked={on} onChange={(e) => void setEnabled(e.target.checked)} /> Use Cove for docker
      </label>
      {state && (
        <p className="muted" data-testid="docker-context-status">
          {on
            ? `docker commands go to Cove: the docker context cove (${state.host}) is current in ${state.configDir}.`
            : state.exists && !state.ours
              ? `A docker context named cove exists but points elsewhere; turning this on points it at ${state.host}.`
              : state.ours
                ? 'The docker context cove exists but is not current: docker --context cove reaches Cove.'
                : 'docker uses its own default. Turning this on creates the docker context cove and makes it current (DOCKER_HOST, when set, still wins).'}
        </p>
      )}
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
        <DockerContextSetting />
        <Doctor />
      </div>
    </section>
  );
}
