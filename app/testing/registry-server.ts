// Debian's docker-registry (distribution 2.8) started by a test on
// 127.0.0.1 with a port and a directory of its own, optionally behind
// htpasswd basic auth, token auth or TLS with a CA the test generated.
// Stopped by pid; its directory removed.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import https from 'node:https';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSigningCert, createTestCa, type TestCa } from './registry-tls.js';
import { startTokenServer, type TokenServer } from './registry-token.js';
import { freePort } from './harness.js';

export interface RegistryOptions {
  /** htpasswd: basic auth; token: bearer tokens from a token server of the test. */
  auth?: 'htpasswd' | 'token';
  users?: Record<string, string>;
  /** Token mode: may anonymous clients pull? */
  anonymousPull?: boolean;
  tls?: boolean;
}

export interface TestRegistry {
  /** host:port, as it appears in image references. */
  host: string;
  /** http(s)://host:port */
  url: string;
  dir: string;
  pid: number;
  ca: TestCa | null;
  token: TokenServer | null;
  stop(): Promise<void>;
}

const REGISTRY_BIN = '/usr/bin/docker-registry';

function bcryptLine(user: string, password: string): string {
  // distribution's htpasswd backend accepts bcrypt only; htpasswd(1) is from apache2-utils.
  return execFileSync('htpasswd', ['-nbB', '-C', '4', user, password], { encoding: 'utf8' }).trim();
}

function yamlConfig(o: { dir: string; port: number; tls: TestCa | null; auth: RegistryOptions['auth']; htpasswd: string; token: TokenServer | null; tokenCert: string | null }): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${o.dir}/data`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${o.port}`,
    `  secret: cove-test-${o.port}`,
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.serverCert}`, `    key: ${o.tls.serverKey}`);
  if (o.auth === 'htpasswd') lines.push('auth:', '  htpasswd:', '    realm: cove-test', `    path: ${o.htpasswd}`);
  if (o.auth === 'token' && o.token && o.tokenCert) {
    lines.push('auth:', '  token:', `    realm: ${o.token.realm}`, `    service: ${o.token.service}`, `    issuer: ${o.token.issuer}`, `    rootcertbundle: ${o.tokenCert}`);
  }
  return lines.join('\n') + '\n';
}

async function waitReady(url: string, ca: TestCa | null, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}): ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    const status = await new Promise<number>((resolve) => {
      const mod = url.startsWith('https:') ? https : http;
      const req = mod.get(`${url}/v2/`, ca ? { ca: fs.readFileSync(ca.caCert) } : {}, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.setTimeout(1000, () => req.destroy());
    });
    if (status === 200 || status === 401) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url}: ${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-registry-'));
  const users = options.users ?? { alice: 'wonderland' };
  const ca = options.tls ? createTestCa(path.join(dir, 'tls')) : null;
  let token: TokenServer | null = null;
  let tokenCert: string | null = null;
  if (options.auth === 'token') {
    const signing = createSigningCert(path.join(dir, 'token'));
    tokenCert = signing.cert;
    token = await startTokenServer({ cert: signing.cert, key: signing.key, users, anonymousPull: options.anonymousPull ?? false });
  }
  const htpasswd = path.join(dir, 'htpasswd');
  if (options.auth === 'htpasswd') fs.writeFileSync(htpasswd, Object.entries(users).map(([u, p]) => bcryptLine(u, p)).join('\n') + '\n');
  const logFile = path.join(dir, 'registry.log');
  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    fs.writeFileSync(config, yamlConfig({ dir, port, tls: ca, auth: options.auth, htpasswd, token, tokenCert }));
    const log = fs.openSync(logFile, 'w');
    const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', log, log], detached: false });
    fs.closeSync(log);
    const url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
    try {
      await waitReady(url, ca, child, logFile);
    } catch (err) {
      lastError = err;
      child.kill('SIGKILL');
      continue;
    }
    const stop = async (): Promise<void> => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      await token?.close();
      await fsp.rm(dir, { recursive: true, force: true });
    };
    return { host: `127.0.0.1:${port}`, url, dir, pid: child.pid ?? -1, ca, token, stop };
  }
  await token?.close();
  await fsp.rm(dir, { recursive: true, force: true });
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
