import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ContainerSummary } from '../../../app/api/contract';
import { terminalSession } from '../terminal/terminal-session';
import { useTransport } from './transport-context';

/**
 * The Terminal tab: shows the container's session from the module-level
 * registry (it keeps running, with its scrollback, while other pages show),
 * and says so when the container stopped, offering Reconnect once it runs.
 */
export function TerminalTab({ container }: { container: ContainerSummary }) {
  const transport = useTransport();
  const host = useRef<HTMLDivElement>(null);
  const session = terminalSession(container.id, 'exec', transport.openTerminal);
  const state = useSyncExternalStore(session.subscribe, () => session.state);
  const [find, setFind] = useState('');
  const running = container.state === 'running';
  const runningRef = useRef(running);
  runningRef.current = running;

  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    // A stopped container keeps its scrollback on screen but is not dialled.
    session.attach(el, runningRef.current);
    const observer = new ResizeObserver(() => session.fitNow());
    observer.observe(el);
    return () => {
      observer.disconnect();
      session.detach();
    };
  }, [session]);

  const needsReconnect = state.status === 'ended' || state.status === 'refused' || state.generation === 0;
  let notice: string | null = null;
  if (needsReconnect && !running) notice = 'The container stopped. Start it to reconnect; the scrollback stays here.';
  else if (needsReconnect && state.status === 'refused') notice = `Could not open a shell: ${state.detail ?? 'refused'}.`;
  else if (needsReconnect && state.generation > 0) notice = `The shell ended (${state.detail ?? 'closed'}). The container is running: reconnect for a new shell.`;
  else if (needsReconnect) notice = 'The container is running.';

  return (
    <div className="terminal-tab" data-testid="terminal" data-status={state.status} data-generation={state.generation}>
      <div className="toolbar">
        <input
          type="search"
          className="search"
          placeholder="Find in terminal"
          aria-label="Find in terminal"
          value={find}
          onChange={(e) => {
            setFind(e.target.value);
            session.search.findNext(e.target.value, { incremental: true });
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void (e.shiftKey ? session.search.findPrevious(find) : session.search.findNext(find));
          }}
        />
        <button type="button" className="button" onClick={() => void navigator.clipboard?.writeText(session.text())}>
          Copy all
        </button>
        <span className="muted terminal-state" aria-live="polite">
          {state.status === 'open' ? 'Connected' : state.status === 'connecting' ? 'Connecting…' : ''}
        </span>
      </div>
      {notice && (
        <div className="banner banner-warn" role="status" data-testid="terminal-notice" data-running={running}>
          <p className="banner-text">{notice}</p>
          <button type="button" className="button" onClick={() => session.reconnect()} disabled={!running}>
            Reconnect
          </button>
        </div>
      )}
      <div className="terminal-host" ref={host} data-testid="terminal-screen" />
    </div>
  );
}
