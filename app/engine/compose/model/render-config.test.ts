import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { renderComposeConfig } from './render-config.js';
import { tempProject } from './test-project.js';

const FILE = [
  'x-base: &base',
  '  restart: unless-stopped',
  'services:',
  '  web:',
  '    <<: *base',
  '    build: ./web',
  '    ports: ["${PORT:-8080}:80", "127.0.0.1:9000:9000/udp"]',
  '    environment: [B=2, A=1]',
  '    depends_on:',
  '      db: { condition: service_healthy, restart: true }',
  '    volumes: ["./data:/data:ro", "dbdata:/var/lib/x", "/anon"]',
  '    command: serve --port 80',
  '    stop_grace_period: 1m30s',
  '    x-note: kept',
  '  db:',
  '    image: redis:7',
  '    healthcheck:',
  '      test: redis-cli ping',
  '      interval: 5s',
  '      retries: 3',
  '    networks:',
  '      back: { aliases: [cache] }',
  'networks:',
  '  back:',
  '    ipam: { config: [{ subnet: 10.99.0.0/24 }] }',
  'volumes:',
  '  dbdata: {}',
  '',
].join('\n');

test('config: the resolved model in compose v2 canonical form', async () => {
  const p = tempProject({ 'compose.yaml': FILE }, 'demo');
  try {
    const { project } = await p.load({ environment: { PORT: '8181' } });
    const text = renderComposeConfig(project);
    const expected = [
      'name: demo',
      'services:',
      '  db:',
      '    healthcheck:',
      '      test:',
      '        - CMD-SHELL',
      '        - redis-cli ping',
      '      interval: 5s',
      '      retries: 3',
      '    image: redis:7',
      '    networks:',
      '      back:',
      '        aliases:',
      '          - cache',
      '  web:',
      '    build:',
      `      context: ${path.join(p.dir, 'web')}`,
      '      dockerfile: Dockerfile',
      '    command:',
      '      - serve',
      '      - --port',
      '      - "80"',
      '    depends_on:',
      '      db:',
      '        condition: service_healthy',
      '        restart: true',
      '        required: true',
      '    environment:',
      '      A: "1"',
      '      B: "2"',
      '    networks:',
      '      default: null',
      '    ports:',
      '      - mode: ingress',
      '        target: 80',
      '        published: "8181"',
      '        protocol: tcp',
      '      - mode: ingress',
      '        host_ip: 127.0.0.1',
      '        target: 9000',
      '        published: "9000"',
      '        protocol: udp',
      '    restart: unless-stopped',
      '    stop_grace_period: 1m30s',
      '    volumes:',
      '      - type: bind',
      `        source: ${path.join(p.dir, 'data')}`,
      '        target: /data',
      '        read_only: true',
      '        bind:',
      '          create_host_path: true',
      '      - type: volume',
      '        source: dbdata',
      '        target: /var/lib/x',
      '        volume: {}',
      '      - type: volume',
      '        target: /anon',
      '        volume: {}',
      '    x-note: kept',
      'networks:',
      '  back:',
      '    name: demo_back',
      '    ipam:',
      '      config:',
      '        - subnet: 10.99.0.0/24',
      '  default:',
      '    name: demo_default',
      'volumes:',
      '  dbdata:',
      '    name: demo_dbdata',
      'x-base:',
      '  restart: unless-stopped',
      '',
    ].join('\n');
    assert.equal(text, expected);
  } finally {
    p.cleanup();
  }
});

test('config output loads back to the same model', async () => {
  const p = tempProject({ 'compose.yaml': FILE }, 'demo');
  try {
    const { project } = await p.load();
    fs.writeFileSync(path.join(p.dir, 'resolved.yaml'), renderComposeConfig(project));
    const again = await p.load({ files: ['resolved.yaml'] });
    assert.deepEqual(again.project.services, project.services);
    assert.deepEqual(again.project.networks, project.networks);
    assert.deepEqual(again.project.volumes, project.volumes);
    assert.equal(again.project.name, 'demo');
  } finally {
    p.cleanup();
  }
});
