import { useEffect, useRef, useState, useSyncExternalStore } from 'react';
import type { ContainerSummary, TerminalMode } from '../../../app/api/contract';
import { useAppStore } from '../store/use-app-store';
import { terminalSession } from '../terminal/terminal-session';
import { useTransport } from './transport-context';

/**
 * The Terminal tab: shows the container's session from the module-level
 * registry (it keeps running, with its scrollback, while other pages show),
 * and says so when the container stopped, offering Reconnect once it runs.
 */
/** Whether the container was started with -t: only then is there a terminal of its own to attach to. */
function useHasTty(id: string, startedAt: string | null): boolean {
  const inspect = useAppStore((s) => s.inspectContainer);
  const [tty, setTty] = useState(false);
  useEffect(() => {
    let live = true;
    inspect(id).then(
      (d) => live && setTty(d.Config.Tty),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [id, startedAt, inspect]);
  return tty;
}

export function TerminalTab({ container }: { container: ContainerSummary }) {
  const transport = useTransport();
  const host = useRef<HTMLDivElement>(null);
  const tty = useHasTty(container.id, container.startedAt);
  const [chosen, setMode] = useState<TerminalMode>('exec');
  const mode: TerminalMode = tty ? chosen : 'exec';
  const session = terminalSession(container.id, mode, transport.openTerminal);
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
  else if (needsReconnect && state.status === 'refused') notice = `Could not ${mode === 'attach' ? 'attach' : 'open a shell'}: ${state.detail ?? 'refused'}.`;
  else if (needsReconnect && state.generation > 0)
    notice =
      mode === 'attach'
        ? `Detached (${state.detail ?? 'closed'}). The container is running: reconnect to attach again.`
        : `The shell ended (${state.detail ?? 'closed'}). The container is running: reconnect for a new shell.`;
  else if (needsReconnect) notice = 'The container is running.';

  return (
    <div className="terminal-tab" data-testid="terminal" data-status={state.status} data-generation={state.generation} data-mode={mode}>
      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Terminal">
          <button type="button" aria-pressed={mode === 'exec'} onClick={() => setMode('exec')} title="A new shell in the container (exec)">
            Shell
          </button>
          <button
            type="button"
            aria-pressed={mode === 'attach'}
            disabled={!tty}
            onClick={() => setMode('attach')}
            title={tty ? "The container's own terminal (attach); Ctrl-P Ctrl-Q detaches" : 'Only containers started with a terminal (-t) have one to attach to'}
          >
            Attach
          </button>
        </div>
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
