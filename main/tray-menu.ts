// The tray menu as a pure function of engine state: tested
// without Electron, rebuilt on every engine event. Only types come from
// electron here, so the unit tests never load it.
import type { MenuItemConstructorOptions } from 'electron';
import type { ContainerState, ContainerSummary, MachineInfo, RunOptions } from '../app/api/contract.js';
import { publishedPortUrl } from '../app/api/port-url.js';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface TrayContainer {
  id: string;
  name: string;
  image: string;
  state: ContainerState;
  ports: PublishedPort[];
}

/** A Cove VM in the tray: its state and what it was given. */
export type TrayMachine = Pick<MachineInfo, 'name' | 'state' | 'cpus' | 'memoryMb'>;

export interface TrayState {
  containers: TrayContainer[];
  /** The Cove VMs (none on a Linux desktop that runs containers natively). */
  machines: TrayMachine[];
  lastRun: RunOptions | null;
  /** Set when the engine could not be opened or listed; shown instead of containers. */
  engineError: string | null;
  /** What the app is doing before its engine answers (creating or starting the Cove VM). */
  notice?: string | null;
}

export type TrayAction =
  | { kind: 'show' }
  | { kind: 'quit' }
  | { kind: 'rerun' }
  | { kind: 'start' | 'stop' | 'restart' | 'shell'; id: string }
  | { kind: 'machine-start' | 'machine-stop'; name: string }
  | { kind: 'open-url'; url: string };

export type TrayItem =
  | { type: 'action'; label: string; action: TrayAction; enabled: boolean }
  | { type: 'label'; label: string }
  | { type: 'separator' }
  | { type: 'submenu'; label: string; items: TrayItem[] };

/** More would make a menu nobody can scan; the window lists the rest. */
export const MAX_TRAY_CONTAINERS = 12;

const STATE_MARK: Record<ContainerState, string> = { running: '●', paused: '‖', created: '○', exited: '○' };

export function trayContainer(summary: ContainerSummary): TrayContainer {
  const ports = (summary.ports ?? []).map((p) => ({ hostIp: p.hostIp, hostPort: p.hostPort, containerPort: p.containerPort, protocol: p.protocol }));
  return { id: summary.id, name: summary.name, image: summary.image, state: summary.state, ports };
}

export function trayTooltip(state: TrayState): string {
  if (state.engineError) return 'Cove: engine unavailable';
  const running = state.containers.filter((c) => c.state === 'running').length;
  return `Cove: ${running} running`;
}

function describeRun(run: RunOptions): string {
  const command = run.command && run.command.length > 0 ? ` ${run.command.join(' ')}` : '';
  const text = `${run.image}${command}`;
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function containerMenu(c: TrayContainer): TrayItem {
  const running = c.state === 'running';
  const items: TrayItem[] = [
    { type: 'action', label: 'Start', action: { kind: 'start', id: c.id }, enabled: !running },
    { type: 'action', label: 'Stop', action: { kind: 'stop', id: c.id }, enabled: running },
    { type: 'action', label: 'Restart', action: { kind: 'restart', id: c.id }, enabled: running },
    { type: 'action', label: 'Open a shell', action: { kind: 'shell', id: c.id }, enabled: running },
  ];
  const web = c.ports.flatMap((p) => {
    const url = publishedPortUrl(p);
    return url ? [{ port: p, url }] : [];
  });
  if (web.length > 0) {
    items.push({ type: 'separator' });
    for (const { port, url } of web) {
      items.push({ type: 'action', label: `Open in browser: ${url.replace(/^http:\/\/|\/$/g, '')} (→ ${port.containerPort})`, action: { kind: 'open-url', url }, enabled: running });
    }
  }
  // The ports in the label too, so they show without opening the submenu.
  const shown = c.ports.map((p) => `${p.hostPort}${p.protocol === 'udp' ? '/udp' : ''}`).join(', ');
  return { type: 'submenu', label: `${STATE_MARK[c.state]} ${c.name}${shown ? `  (${shown})` : ''}`, items };
}

const MACHINE_STATE: Record<TrayMachine['state'], string> = { running: 'running', starting: 'starting…', stopped: 'stopped' };

function machineMenu(m: TrayMachine): TrayItem {
  return {
    type: 'submenu',
    label: `VM ${m.name}: ${MACHINE_STATE[m.state]}`,
    items: [
      { type: 'label', label: `${m.cpus} CPU${m.cpus === 1 ? '' : 's'}, ${m.memoryMb} MB` },
      { type: 'action', label: 'Start', action: { kind: 'machine-start', name: m.name }, enabled: m.state === 'stopped' },
      { type: 'action', label: 'Stop', action: { kind: 'machine-stop', name: m.name }, enabled: m.state === 'running' },
    ],
  };
}

export function trayMenuModel(state: TrayState): TrayItem[] {
  const items: TrayItem[] = [];
  if (state.notice) items.push({ type: 'label', label: state.notice }, { type: 'separator' });
  // The machines first: on macOS and Windows the containers live in one.
  if (state.machines.length > 0) items.push(...state.machines.map(machineMenu), { type: 'separator' });
  if (state.engineError) {
    items.push({ type: 'label', label: `Engine unavailable: ${state.engineError}` });
  } else {
    const running = state.containers.filter((c) => c.state === 'running');
    items.push({ type: 'label', label: running.length === 1 ? '1 container running' : `${running.length} containers running` });
    // Running first, then the rest in the engine's order (newest first).
    const ordered = [...running, ...state.containers.filter((c) => c.state !== 'running')];
    const shown = ordered.slice(0, MAX_TRAY_CONTAINERS);
    if (shown.length > 0) items.push({ type: 'separator' }, ...shown.map(containerMenu));
    if (ordered.length > shown.length) {
      items.push({ type: 'action', label: `${ordered.length - shown.length} more…`, action: { kind: 'show' }, enabled: true });
    }
    if (state.lastRun) {
      items.push({ type: 'separator' }, { type: 'action', label: `Run again: ${describeRun(state.lastRun)}`, action: { kind: 'rerun' }, enabled: true });
    }
  }
  items.push({ type: 'separator' }, { type: 'action', label: 'Show Cove', action: { kind: 'show' }, enabled: true });
  items.push({ type: 'action', label: 'Quit Cove (containers keep running)', action: { kind: 'quit' }, enabled: true });
  return items;
}

/** Electron's template for a model; `dispatch` performs the actions. */
export function toMenuTemplate(items: TrayItem[], dispatch: (action: TrayAction) => void): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.type) {
      case 'separator':
        return { type: 'separator' };
      case 'label':
        return { label: item.label, enabled: false };
      case 'submenu':
        return { label: item.label, submenu: toMenuTemplate(item.items, dispatch) };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => dispatch(item.action) };
    }
  });
}
