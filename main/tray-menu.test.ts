import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_TRAY_CONTAINERS, toMenuTemplate, trayMenuModel, trayTooltip, type TrayAction, type TrayContainer, type TrayItem, type TrayState } from './tray-menu.js';

const c = (name: string, state: TrayContainer['state'], ports: TrayContainer['ports'] = []): TrayContainer => ({ id: `id-${name}`, name, image: 'busybox', state, ports });
const state = (containers: TrayContainer[], extra: Partial<TrayState> = {}): TrayState => ({ containers, machines: [], lastRun: null, engineError: null, ...extra });

function find(items: TrayItem[], label: string): TrayItem | undefined {
  for (const i of items) {
    if ('label' in i && i.label === label) return i;
    if (i.type === 'submenu') {
      const hit = find(i.items, label);
      if (hit) return hit;
    }
  }
  return undefined;
}

test('counts running containers, lists running ones first, always offers show and quit', () => {
  const items = trayMenuModel(state([c('old', 'exited'), c('web', 'running')]));
  assert.deepEqual(items[0], { type: 'label', label: '1 container running' });
  const subs = items.filter((i) => i.type === 'submenu').map((i) => ('label' in i ? i.label : ''));
  assert.deepEqual(subs, ['● web', '○ old']);
  assert.ok(find(items, 'Show Cove'));
  const quit = items.at(-1);
  assert.deepEqual(quit, { type: 'action', label: 'Quit Cove (containers keep running)', action: { kind: 'quit' }, enabled: true });
  assert.equal(trayTooltip(state([c('web', 'running')])), 'Cove: 1 running');
});

test('per container actions follow its state', () => {
  const items = trayMenuModel(state([c('web', 'running'), c('old', 'exited')]));
  const web = items.find((i) => i.type === 'submenu' && i.label === '● web');
  const old = items.find((i) => i.type === 'submenu' && i.label === '○ old');
  assert.ok(web?.type === 'submenu' && old?.type === 'submenu');
  const enabled = (s: TrayItem & { type: 'submenu' }) => s.items.flatMap((i) => (i.type === 'action' && i.enabled ? [i.label] : []));
  assert.deepEqual(enabled(web), ['Stop', 'Restart', 'Open a shell']);
  assert.deepEqual(enabled(old), ['Start']);
});

test('published tcp ports show in the label and become open-in-browser items on the loopback; udp ones are not opened', () => {
  const ports: TrayContainer['ports'] = [
    { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 8443, containerPort: 443, protocol: 'tcp' },
    { hostIp: '0.0.0.0', hostPort: 53, containerPort: 53, protocol: 'udp' },
  ];
  const items = trayMenuModel(state([c('web', 'running', ports), c('old', 'exited', [ports[0] as TrayContainer['ports'][number]])]));
  const web = items.find((i) => i.type === 'submenu' && i.label === '● web  (8080, 8443, 53/udp)');
  assert.ok(web?.type === 'submenu');
  const opens = web.items.flatMap((i) => (i.type === 'action' && i.action.kind === 'open-url' ? [i] : []));
  assert.deepEqual(opens, [
    { type: 'action', label: 'Open in browser: 127.0.0.1:8080 (→ 80)', action: { kind: 'open-url', url: 'http://127.0.0.1:8080/' }, enabled: true },
    { type: 'action', label: 'Open in browser: 127.0.0.1:8443 (→ 443)', action: { kind: 'open-url', url: 'http://127.0.0.1:8443/' }, enabled: true },
  ]);
  const old = items.find((i) => i.type === 'submenu' && i.label.startsWith('○ old'));
  assert.ok(old?.type === 'submenu');
  assert.equal(old.items.find((i) => i.type === 'action' && i.action.kind === 'open-url' && i.enabled), undefined, 'a stopped container has no page to open');
});

test('caps the list and re-runs the last container', () => {
  const many = Array.from({ length: MAX_TRAY_CONTAINERS + 3 }, (_, i) => c(`c${i}`, 'running'));
  const items = trayMenuModel(state(many, { lastRun: { image: 'busybox', command: ['sleep', '1000'] } }));
  assert.equal(items.filter((i) => i.type === 'submenu').length, MAX_TRAY_CONTAINERS);
  assert.ok(find(items, '3 more…'));
  assert.deepEqual(find(items, 'Run again: busybox sleep 1000'), { type: 'action', label: 'Run again: busybox sleep 1000', action: { kind: 'rerun' }, enabled: true });
});

test('an engine error replaces the container list but keeps show and quit', () => {
  const items = trayMenuModel(state([c('web', 'running')], { engineError: 'E_NO_SUBUID' }));
  assert.deepEqual(items[0], { type: 'label', label: 'Engine unavailable: E_NO_SUBUID' });
  assert.equal(items.filter((i) => i.type === 'submenu').length, 0);
  assert.ok(find(items, 'Show Cove'));
  assert.equal(trayTooltip(state([], { engineError: 'x' })), 'Cove: engine unavailable');
});

test('the Electron template dispatches the model actions', () => {
  const got: TrayAction[] = [];
  const template = toMenuTemplate(trayMenuModel(state([c('web', 'running')])), (a) => got.push(a));
  const web = template.find((t) => t.label === '● web');
  const submenu = web?.submenu as Array<{ label?: string; click?: () => void }>;
  submenu.find((s) => s.label === 'Stop')?.click?.();
  template.find((t) => t.label === 'Show Cove')?.click?.({} as never, undefined, {} as never);
  assert.deepEqual(got, [{ kind: 'stop', id: 'id-web' }, { kind: 'show' }]);
});

test('trayContainer keeps every published port with its address', async () => {
  const { trayContainer } = await import('./tray-menu.js');
  const c = trayContainer({
    id: 'a'.repeat(64), name: 'web', image: 'busybox', imageId: 'sha256:x', command: ['httpd'], state: 'running', status: 'Up', exitCode: null, pid: 1,
    createdAt: '2026-01-01T00:00:00Z', startedAt: null, finishedAt: null,
    ports: [{ protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80 }, { protocol: 'udp', hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53 }],
  });
  assert.deepEqual(c.ports, [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }, { hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53, protocol: 'udp' }]);
});

test('Cove VMs come first, each with its state and Start or Stop as that state allows', () => {
  const items = trayMenuModel(
    state([c('web', 'running')], {
      machines: [
        { name: 'cove', state: 'running', cpus: 2, memoryMb: 2048 },
        { name: 'dev', state: 'stopped', cpus: 1, memoryMb: 512 },
        { name: 'boot', state: 'starting', cpus: 2, memoryMb: 1024 },
      ],
    }),
  );
  const labels = items.slice(0, 4).map((i) => ('label' in i ? i.label : i.type));
  assert.deepEqual(labels, ['VM cove: running', 'VM dev: stopped', 'VM boot: starting…', 'separator']);
  const sub = (label: string) => {
    const s = items.find((i) => i.type === 'submenu' && i.label === label);
    assert.ok(s?.type === 'submenu');
    return s.items;
  };
  const enabled = (xs: TrayItem[]) => xs.flatMap((i) => (i.type === 'action' && i.enabled ? [i.action] : []));
  assert.deepEqual(enabled(sub('VM cove: running')), [{ kind: 'machine-stop', name: 'cove' }]);
  assert.deepEqual(enabled(sub('VM dev: stopped')), [{ kind: 'machine-start', name: 'dev' }]);
  assert.deepEqual(enabled(sub('VM boot: starting…')), [], 'nothing to do while it boots');
  assert.ok(find(sub('VM dev: stopped'), '1 CPU, 512 MB'));
  assert.equal(trayMenuModel(state([c('web', 'running')]))[0]?.type, 'label', 'no machine: the menu starts with the containers');
  const starting = trayMenuModel(state([], { notice: 'Starting the Cove VM "cove"' }));
  assert.deepEqual(starting[0], { type: 'label', label: 'Starting the Cove VM "cove"' }, 'the first-run progress leads the menu');
});
