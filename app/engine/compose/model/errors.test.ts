// Each bad-input case gives E_COMPOSE_INVALID with a message naming the file,
// line and column (or the model path) - and the loader creates nothing: the
// project directory holds exactly the files the test wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { tempProject } from './test-project.js';

async function errorOf(text: string, extra: Record<string, string> = {}, opts: Parameters<ReturnType<typeof tempProject>['error']>[0] = {}): Promise<{ message: string; file: string }> {
  const p = tempProject({ 'compose.yaml': text, ...extra });
  try {
    const before = fs.readdirSync(p.dir).sort();
    const message = await p.error(opts);
    assert.deepEqual(fs.readdirSync(p.dir).sort(), before, 'nothing created');
    return { message, file: path.join(p.dir, 'compose.yaml') };
  } finally {
    p.cleanup();
  }
}

test('invalid YAML: file, line and column', async () => {
  const { message, file } = await errorOf('services:\n  web:\n    image: x\n   ports: [1\n');
  assert.ok(message.startsWith(`${file}:4:`), message);
  assert.match(message, /invalid YAML/);
  const dup = await errorOf('services:\n  web:\n    image: x\n    image: y\n');
  assert.ok(dup.message.startsWith(`${dup.file}:4:5: invalid YAML`), dup.message);
  const top = await errorOf('- just\n- a list\n');
  assert.match(top.message, /:1:1: the top level of a compose file must be a mapping/);
});

test('schema violation: the path in the model, what was expected, and where', async () => {
  const unknownKey = await errorOf('services:\n  web:\n    image: x\n    imagee: y\n');
  assert.equal(unknownKey.message, `${unknownKey.file}:4:5: services.web: additional property "imagee" is not allowed`);
  const badType = await errorOf('services:\n  web:\n    image: x\n    ports:\n      - target: 80\n        published: [1]\n');
  assert.match(badType.message, new RegExp(`^${badType.file}:6:9: services\\.web\\.ports\\[0\\]\\.published: must be a string or integer`));
  const badEnum = await errorOf('services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: when_ready\n  db:\n    image: y\n');
  assert.match(badEnum.message, /:6:20: services\.web\.depends_on\.db\.condition: must be one of "service_started", "service_healthy", "service_completed_successfully"/);
  const topLevel = await errorOf('servics:\n  web:\n    image: x\n');
  assert.match(topLevel.message, /:1:1: \(top level\): additional property "servics" is not allowed|:1:1: servics: /);
});

test('a depends_on cycle is named', async () => {
  const { message } = await errorOf('services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [c]\n  c:\n    image: x\n    depends_on: [a]\n');
  assert.equal(message, 'dependency cycle detected: a -> b -> c -> a');
  const self = await errorOf('services:\n  a:\n    image: x\n    depends_on: [a]\n');
  assert.equal(self.message, 'dependency cycle detected: a -> a');
});

test('undefined service (depends_on, links, network_mode), network and volume', async () => {
  const dep = await errorOf('services:\n  web:\n    image: x\n    depends_on:\n      db:\n        condition: service_healthy\n');
  assert.equal(dep.message, `${dep.file}:5:7: service "web" depends on undefined service "db"`);
  const link = await errorOf('services:\n  web:\n    image: x\n    links: [cache]\n');
  assert.match(link.message, /:4:13: service "web" depends on undefined service "cache"/);
  const mode = await errorOf('services:\n  web:\n    image: x\n    network_mode: service:vpn\n');
  assert.match(mode.message, /:4:19: service "web" depends on undefined service "vpn"/);
  const net = await errorOf('services:\n  web:\n    image: x\n    networks: [front]\n');
  assert.match(net.message, /compose\.yaml:4:16: service "web" refers to undefined network front/);
  const vol = await errorOf('services:\n  web:\n    image: x\n    volumes: ["data:/data"]\n');
  assert.match(vol.message, /compose\.yaml:4:15: service "web" refers to undefined volume data/);
  const disabled = await errorOf('services:\n  web:\n    image: x\n    depends_on: [db]\n  db:\n    image: y\n    profiles: [storage]\n');
  assert.match(disabled.message, /service "db", which is disabled by its profiles \(storage\)/);
});

test('an optional dependency that is missing is a warning, not an error', async () => {
  const p = tempProject({ 'compose.yaml': 'services:\n  web:\n    image: x\n    depends_on:\n      db: { condition: service_started, required: false }\n' });
  try {
    const { project, warnings } = await p.load();
    assert.deepEqual(project.services.web?.dependsOn, {});
    assert.match(warnings.join('\n'), /undefined service "db"; it is not required/);
  } finally {
    p.cleanup();
  }
});

test('a required variable: its message, file, line and column', async () => {
  const { message, file } = await errorOf('services:\n  web:\n    image: "app:${TAG:?set TAG to the release}"\n');
  assert.equal(message, `${file}:3:12: services.web.image: required variable TAG is missing a value: set TAG to the release`);
  const empty = await errorOf('services:\n  web:\n    image: "app:${TAG:?}"\n', {}, { environment: { TAG: '' } });
  assert.match(empty.message, /required variable TAG is empty$/);
  const plain = await errorOf('services:\n  web:\n    image: "app:${TAG?no tag}"\n');
  assert.match(plain.message, /required variable TAG is missing a value: no tag/);
  const bad = await errorOf('services:\n  web:\n    image: "app:${TAG"\n');
  assert.match(bad.message, /:3:12: services\.web\.image: invalid interpolation format/);
});

test('duplicate published host ports within the project', async () => {
  const two = await errorOf('services:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    ports: ["8080:81"]\n');
  assert.match(two.message, /host port 8080\/tcp is published by services "a" and "b"/);
  const one = await errorOf('services:\n  a:\n    image: x\n    ports: ["127.0.0.1:8080:80", "8080:81"]\n');
  assert.match(one.message, /host port 8080\/tcp is published by service "a" twice/);
  const p = tempProject({ 'compose.yaml': 'services:\n  a:\n    image: x\n    ports: ["127.0.0.1:8080:80", "127.0.0.2:8080:80", "8080:80/udp"]\n' });
  try {
    assert.equal((await p.load()).project.services.a?.ports.length, 3, 'distinct addresses or protocols do not clash');
  } finally {
    p.cleanup();
  }
});

test('other bad values: no image nor build, a bad port, a relative mount target, a bad duration, network_mode with networks', async () => {
  assert.match((await errorOf('services:\n  web:\n    command: x\n')).message, /:2:3: service "web" has neither an image nor a build context/);
  assert.match((await errorOf('services:\n  web:\n    image: x\n    ports: ["80:80:80:80"]\n')).message, /:4:13: services\.web\.ports\[0\]: invalid port "80:80:80:80"/);
  assert.match((await errorOf('services:\n  web:\n    image: x\n    volumes: ["./a:rel"]\n')).message, /services\.web\.volumes\[0\]: the mount target must be an absolute path/);
  assert.match((await errorOf('services:\n  web:\n    image: x\n    stop_grace_period: 10 minutes\n')).message, /:4:24: services\.web\.stop_grace_period: invalid duration "10 minutes"/);
  assert.match((await errorOf('services:\n  web:\n    image: x\n    network_mode: host\n    networks: [default]\n')).message, /mutually exclusive network_mode and networks/);
  assert.match((await errorOf('services:\n  web:\n    image: x\n    env_file: missing.env\n')).message, /:4:15: services\.web\.env_file\[0\]: env file .*missing\.env not found/);
  assert.match((await errorOf('services:\n  web:\n    image: x\n', {}, { files: ['nope.yaml'] })).message, /compose file .*nope\.yaml not found/);
});
