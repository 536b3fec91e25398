import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ComposeProject, ComposeService } from './model/compose-types.js';
import { configHash, containerLabels, containerName, dependsOnLabel, LABEL, serviceImage } from './compose-labels.js';
import { dependencyLevels, inDependencyOrder, selectServices } from './compose-order.js';
import { containerPlan, portSpec } from './compose-container-options.js';
import { checkPorts, portClaims } from './compose-ports.js';
import { withRestartingDependents } from './compose-actions.js';

function service(name: string, extra: Partial<ComposeService> = {}): ComposeService {
  return { name, environment: {}, ports: [], expose: [], volumes: [], networks: { default: { aliases: [] } }, dependsOn: {}, labels: {}, capAdd: [], capDrop: [], securityOpt: [], tmpfs: [], profiles: [], replicas: 1, extraHosts: [], dns: [], tty: false, stdinOpen: false, extensions: {}, ...extra };
}
const dep = (condition: 'service_started' | 'service_healthy' = 'service_started') => ({ condition, restart: false, required: true });

function project(services: ComposeService[]): ComposeProject {
  return {
    name: 'demo',
    workingDir: '/src/demo',
    configFiles: ['/src/demo/compose.yaml', '/src/demo/compose.override.yaml'],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    networks: { default: { name: 'demo_default', external: false, internal: false, labels: {} }, back: { name: 'demo_back', external: false, internal: false, labels: {} } },
    volumes: { data: { name: 'demo_data', external: false, labels: {} } },
    extensions: {},
  };
}

test('dependency order, levels and selection with and without dependencies', () => {
  const p = project([service('web', { dependsOn: { kv: dep('service_healthy') } }), service('kv'), service('worker', { dependsOn: { kv: dep() } }), service('proxy', { dependsOn: { web: dep() } })]);
  assert.deepEqual(inDependencyOrder(p).map((s) => s.name), ['kv', 'web', 'proxy', 'worker']);
  assert.deepEqual(dependencyLevels(p), [['kv'], ['web', 'worker'], ['proxy']]);
  assert.deepEqual(selectServices(p, ['proxy']).map((s) => s.name), ['kv', 'web', 'proxy']);
  assert.deepEqual(selectServices(p, ['proxy'], true).map((s) => s.name), ['proxy']);
  assert.throws(() => selectServices(p, ['nope']), /no such service: nope/);
  const cyclic = project([service('a', { dependsOn: { b: dep() } }), service('b', { dependsOn: { a: dep() } })]);
  assert.throws(() => inDependencyOrder(cyclic), /dependency cycle detected: a -> b -> a/);
});

test('names and labels as docker compose v2 writes them; the hash ignores replicas and build but not the environment', () => {
  const s = service('web', { environment: { A: '1' }, dependsOn: { kv: dep('service_healthy') }, labels: { mine: 'x' } });
  const p = project([s, service('kv')]);
  assert.equal(containerName('demo', s, 2), 'demo-web-2');
  assert.equal(containerName('demo', { ...s, containerName: 'fixed' }, 1), 'fixed');
  assert.equal(serviceImage('demo', s), 'demo-web');
  assert.equal(serviceImage('demo', { ...s, image: 'nginx:1' }), 'nginx:1');
  assert.equal(dependsOnLabel(s), 'kv:service_healthy:false');
  const l = containerLabels(p, s, 2, false, 'sha256:abc');
  assert.equal(l[LABEL.project], 'demo');
  assert.equal(l[LABEL.service], 'web');
  assert.equal(l[LABEL.number], '2');
  assert.equal(l[LABEL.oneoff], 'False');
  assert.equal(l[LABEL.workingDir], '/src/demo');
  assert.equal(l[LABEL.configFiles], '/src/demo/compose.yaml,/src/demo/compose.override.yaml');
  assert.equal(l[LABEL.image], 'sha256:abc');
  assert.equal(l.mine, 'x');
  assert.match(l[LABEL.configHash] ?? '', /^[0-9a-f]{64}$/);
  assert.equal(configHash({ ...s, replicas: 3, build: { context: '/x', dockerfile: 'Dockerfile', args: {}, labels: {} } }), configHash(s));
  assert.notEqual(configHash({ ...s, environment: { A: '2' } }), configHash(s));
  // Key order in the model does not change the hash.
  assert.equal(configHash({ ...s, environment: { B: '2', A: '1' } }), configHash({ ...s, environment: { A: '1', B: '2' } }));
});

test('a service as run options: ports, mounts, networks with aliases, and the rest', () => {
  const s = service('web', {
    image: 'busybox',
    command: ['httpd', '-f'],
    environment: { A: '1' },
    ports: [{ target: 80, published: '8080', protocol: 'tcp' }, { target: 53, protocol: 'udp', hostIp: '127.0.0.1' }],
    volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: true }, { type: 'bind', source: '/src/demo/conf', target: '/conf', readOnly: false }, { type: 'tmpfs', target: '/run', readOnly: false, tmpfsSize: 1024 }],
    networks: { default: { aliases: [] }, back: { aliases: ['api'], ipv4Address: '10.1.2.3' } },
    restart: 'unless-stopped',
    init: true,
    stopGracePeriodSeconds: 3,
    logging: { options: { 'max-size': '1m' } },
  });
  const { run } = containerPlan({ project: project([s]), service: s, number: 1, name: 'demo-web-1', image: 'busybox', imageId: 'sha256:1' });
  assert.deepEqual(run.ports, ['8080:80/tcp', '127.0.0.1::53/udp']);
  assert.deepEqual(run.mounts, ['type=volume,source=demo_data,target=/data,readonly', 'type=bind,source=/src/demo/conf,target=/conf', 'type=tmpfs,target=/run,tmpfs-size=1024']);
  assert.equal(run.network, 'demo_default');
  assert.deepEqual(run.networkAliases, ['web', 'demo-web-1']);
  assert.deepEqual(run.extraNetworks, [{ name: 'demo_back', aliases: ['web', 'demo-web-1', 'api'], ip: '10.1.2.3' }]);
  assert.deepEqual(run.env, ['A=1']);
  assert.deepEqual(run.command, ['httpd', '-f']);
  assert.equal(run.restart, 'unless-stopped');
  assert.equal(run.init, true);
  assert.equal(run.stopTimeout, 3);
  assert.equal(run.logMaxSize, '1m');
  const oneoff = containerPlan({ project: project([s]), service: s, number: 1, name: 'demo-web-run-1', image: 'busybox', imageId: '', oneoff: true, publishPorts: false }).run;
  assert.equal(oneoff.ports, undefined);
  assert.deepEqual(oneoff.networkAliases, ['demo-web-run-1']);
  assert.throws(() => portSpec({ target: 80, published: '8080-8081', protocol: 'tcp' }), /port range 8080-8081 is not supported/);
  const host = containerPlan({ project: project([s]), service: { ...s, networkMode: 'host' }, number: 1, name: 'x', image: 'busybox', imageId: '' }).run;
  assert.equal(host.network, 'host');
  assert.equal(host.networkAliases, undefined);
});

test('port conflicts: replicas of a fixed port, two services, another container', async () => {
  const web = service('web', { ports: [{ target: 80, published: '18999', protocol: 'tcp' }] });
  await assert.rejects(checkPorts(portClaims([{ service: web, replicas: 2 }]), [], new Set()), /service "web" publishes host port 18999\/tcp and has more than one replica/);
  const other = { id: 'x', name: 'other', ports: [{ protocol: 'tcp' as const, hostIp: '0.0.0.0', hostPort: 18999, containerPort: 80 }] };
  await assert.rejects(checkPorts(portClaims([{ service: web, replicas: 1 }]), [other as never], new Set()), /host port 18999\/tcp is already published by container other/);
  // A port the service's own kept container holds is no conflict.
  await checkPorts(portClaims([{ service: web, replicas: 1 }]), [other as never], new Set(['web:18999/tcp']));
});

test('restarting a service restarts what depends on it with restart: true, transitively, and nothing else', () => {
  const p = project([
    service('db'),
    service('api', { dependsOn: { db: { condition: 'service_started', restart: true, required: true } } }),
    service('web', { dependsOn: { api: { condition: 'service_started', restart: true, required: true } } }),
    service('report', { dependsOn: { db: dep() } }),
  ]);
  assert.deepEqual(withRestartingDependents(p, ['db'])?.sort(), ['api', 'db', 'web']);
  assert.deepEqual(withRestartingDependents(p, ['report']), ['report']);
  assert.equal(withRestartingDependents(p, undefined), undefined);
});
