import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempProject } from './test-project.js';

test('every supported service key lands in the model', async () => {
  const p = tempProject({
    'compose.yaml': [
      'services:',
      '  app:',
      '    image: app:1',
      '    entrypoint: ["/init"]',
      '    command: ["run", "--fast"]',
      '    healthcheck:',
      '      test: ["CMD", "curl", "-f", "http://localhost"]',
      '      interval: 10s',
      '      timeout: 2s',
      '      retries: 5',
      '      start_period: 1m',
      '      start_interval: 500ms',
      '    restart: on-failure:3',
      '    labels: [a=1, b]',
      '    container_name: the-app',
      '    working_dir: /srv',
      '    user: "1000:1000"',
      '    hostname: apphost',
      '    init: true',
      '    read_only: "true"',
      '    cap_add: [NET_ADMIN]',
      '    cap_drop: [ALL]',
      '    security_opt: [no-new-privileges:true]',
      '    tmpfs: /run:size=64m',
      '    stop_signal: SIGINT',
      '    stop_grace_period: 20s',
      '    extra_hosts: ["db.local:10.0.0.2", "gw=host-gateway"]',
      '    dns: 9.9.9.9',
      '    tty: true',
      '    stdin_open: true',
      '    expose: [3000, "4000-4001/udp"]',
      '    logging: { driver: json-file, options: { max-size: 5m } }',
      '    pull_policy: if_not_present',
      '    networks:',
      '      front: { aliases: [www], ipv4_address: 10.5.0.9 }',
      '      back:',
      '    depends_on:',
      '      db: { condition: service_completed_successfully, restart: true }',
      '    volumes:',
      '      - type: tmpfs',
      '        target: /scratch',
      '        tmpfs: { size: 1m }',
      '  db:',
      '    image: db',
      '    healthcheck: { disable: true }',
      '    deploy: { replicas: 3 }',
      '    extra_hosts: { a.local: [10.0.0.1, 10.0.0.2] }',
      '  worker:',
      '    image: w',
      '    scale: 2',
      '    network_mode: "service:db"',
      '    environment: { N: 1, T: true, EMPTY: "", FROMENV: null }',
      'networks: { front: {}, back: { internal: true, external: false } }',
      '',
    ].join('\n'),
  });
  try {
    const { project } = await p.load({ environment: { FROMENV: 'e' } });
    const app = project.services.app;
    assert.ok(app);
    assert.deepEqual(app.entrypoint, ['/init']);
    assert.deepEqual(app.command, ['run', '--fast']);
    assert.deepEqual(app.healthcheck, { test: ['CMD', 'curl', '-f', 'http://localhost'], intervalNs: 10e9, timeoutNs: 2e9, startPeriodNs: 60e9, startIntervalNs: 5e8, retries: 5 });
    assert.equal(app.restart, 'on-failure:3');
    assert.deepEqual(app.labels, { a: '1', b: '' });
    assert.equal(app.containerName, 'the-app');
    assert.equal(app.workingDir, '/srv');
    assert.equal(app.user, '1000:1000');
    assert.equal(app.hostname, 'apphost');
    assert.equal(app.init, true);
    assert.equal(app.readOnly, true);
    assert.deepEqual([app.capAdd, app.capDrop, app.securityOpt, app.tmpfs], [['NET_ADMIN'], ['ALL'], ['no-new-privileges:true'], ['/run:size=64m']]);
    assert.equal(app.stopSignal, 'SIGINT');
    assert.equal(app.stopGracePeriodSeconds, 20);
    assert.deepEqual(app.extraHosts, ['db.local:10.0.0.2', 'gw:host-gateway']);
    assert.deepEqual(app.dns, ['9.9.9.9']);
    assert.equal(app.tty, true);
    assert.equal(app.stdinOpen, true);
    assert.deepEqual(app.expose, ['3000', '4000-4001/udp']);
    assert.deepEqual(app.logging, { driver: 'json-file', options: { 'max-size': '5m' } });
    assert.equal(app.pullPolicy, 'missing');
    assert.deepEqual(app.networks, { front: { aliases: ['www'], ipv4Address: '10.5.0.9' }, back: { aliases: [] } });
    assert.deepEqual(app.dependsOn, { db: { condition: 'service_completed_successfully', restart: true, required: true } });
    assert.deepEqual(app.volumes, [{ type: 'tmpfs', target: '/scratch', readOnly: false, tmpfsSize: 1024 * 1024 }]);
    assert.equal(app.replicas, 1);
    const db = project.services.db;
    assert.deepEqual(db?.healthcheck, { test: ['NONE'] });
    assert.equal(db?.replicas, 3);
    assert.deepEqual(db?.extraHosts, ['a.local:10.0.0.1', 'a.local:10.0.0.2']);
    const worker = project.services.worker;
    assert.equal(worker?.replicas, 2);
    assert.equal(worker?.networkMode, 'service:db');
    assert.deepEqual(worker?.networks, {});
    assert.deepEqual(worker?.environment, { N: '1', T: 'true', EMPTY: '', FROMENV: 'e' });
    assert.deepEqual(Object.keys(project.networks).sort(), ['back', 'default', 'front']);
    assert.equal(project.networks.back?.internal, true);
  } finally {
    p.cleanup();
  }
});

test('ports: short syntax with ranges, addresses and protocols; long syntax', async () => {
  const p = tempProject({
    'compose.yaml': [
      'services:',
      '  a:',
      '    image: x',
      '    ports:',
      '      - 3000',
      '      - "3001-3002"',
      '      - "9090-9091:8080-8081"',
      '      - "127.0.0.1::5000"',
      '      - "[::1]:6001:6001/udp"',
      '      - "8000-8010:80"',
      '      - { target: 443, published: "8443", host_ip: 0.0.0.0, protocol: tcp, mode: host }',
      '      - { target: 53, protocol: udp }',
      '',
    ].join('\n'),
  });
  try {
    const ports = (await p.load()).project.services.a?.ports;
    assert.deepEqual(ports, [
      { target: 3000, protocol: 'tcp' },
      { target: 3001, protocol: 'tcp' },
      { target: 3002, protocol: 'tcp' },
      { target: 8080, protocol: 'tcp', published: '9090' },
      { target: 8081, protocol: 'tcp', published: '9091' },
      { target: 5000, protocol: 'tcp', hostIp: '127.0.0.1' },
      { target: 6001, protocol: 'udp', published: '6001', hostIp: '::1' },
      { target: 80, protocol: 'tcp', published: '8000-8010' },
      { target: 443, protocol: 'tcp', published: '8443', hostIp: '0.0.0.0' },
      { target: 53, protocol: 'udp' },
    ]);
  } finally {
    p.cleanup();
  }
});

test('unsupported keys: one warning each, naming the key', async () => {
  const p = tempProject({
    'compose.yaml': [
      'version: "3.8"',
      'services:',
      '  a:',
      '    image: x',
      '    deploy: { replicas: 1, resources: { limits: { cpus: "1" } }, restart_policy: { condition: any } }',
      '    secrets: [s]',
      '    devices: ["/dev/fuse"]',
      '    ulimits: { nofile: 1024 }',
      '    sysctls: { net.core.somaxconn: 1024 }',
      '    logging: { driver: syslog }',
      '    build: { context: ., cache_from: [x] }',
      '    networks: { default: { priority: 5 } }',
      '    ports: [{ target: 80, mode: host, app_protocol: http }, { target: 81, mode: ingress }]',
      '    x-custom: fine',
      'secrets: { s: { file: ./s.txt } }',
      'volumes: { v: { driver: nfs, driver_opts: { o: x } } }',
      'networks: { default: { driver: overlay } }',
      'x-top: fine',
      '',
    ].join('\n'),
  });
  try {
    const { warnings } = await p.load();
    const expected = [
      /the attribute `version` is obsolete/,
      /^secrets: not supported by Cove, ignored$/,
      /^services\.a\.secrets: not supported/,
      /^services\.a\.devices: not supported/,
      /^services\.a\.ulimits: not supported/,
      /^services\.a\.sysctls: not supported/,
      /^services\.a\.deploy\.resources: not supported/,
      /^services\.a\.deploy\.restart_policy: not supported/,
      /^services\.a\.build\.cache_from: not supported/,
      /^services\.a\.logging\.driver: "syslog" is not supported/,
      /^services\.a\.networks\.default\.priority: not supported/,
      /^services\.a\.ports\[0\]\.mode: has no effect in Cove/,
      /^services\.a\.ports\[0\]\.app_protocol: has no effect in Cove/,
      /^networks\.default\.driver: "overlay" is not supported/,
      /^volumes\.v\.driver_opts: not supported/,
      /^volumes\.v\.driver: "nfs" is not supported/,
    ];
    for (const re of expected) assert.equal(warnings.filter((w) => re.test(w)).length, 1, `${re} in\n${warnings.join('\n')}`);
    assert.equal(warnings.length, expected.length, warnings.join('\n'));
  } finally {
    p.cleanup();
  }
});
