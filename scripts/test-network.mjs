// A test host of the suites' own (issue 5): a network namespace joined to
// this machine by a veth pair, with a small HTTP server in it. Containers
// reach it through slirp4netns like any outside server, and the host-side
// veth address gives UDP tests a non-loopback source (libslirp drops UDP
// replies to 127.0.0.1 with --disable-host-loopback, podman#4586). Nothing
// but addresses inside these namespaces is used. Needs root.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const NS = 'cove-test-net';
const HOST_IF = 'cove-veth0';
const NS_IF = 'cove-veth1';
export const HOST_IP = '10.203.0.1';
export const SERVER_IP = '10.203.0.2';
export const SERVER_BODY = 'hello from the test network namespace';

function ip(...args) {
  return spawnSync('ip', args, { encoding: 'utf8' });
}

export function teardownTestNetwork(state) {
  if (state?.server?.pid) {
    try {
      process.kill(state.server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  ip('netns', 'del', NS);
  ip('link', 'del', HOST_IF);
  if (state?.dir) fs.rmSync(state.dir, { recursive: true, force: true });
}

/** Returns the env the suites read, or null (with the reason) when it cannot be made. */
export function setupTestNetwork() {
  if (process.getuid() !== 0) return { env: null, reason: 'creating a network namespace needs root' };
  teardownTestNetwork(null);
  const steps = [
    ['netns', 'add', NS],
    ['link', 'add', HOST_IF, 'type', 'veth', 'peer', 'name', NS_IF],
    ['link', 'set', NS_IF, 'netns', NS],
    ['addr', 'add', `${HOST_IP}/24`, 'dev', HOST_IF],
    ['link', 'set', HOST_IF, 'up'],
    ['-n', NS, 'addr', 'add', `${SERVER_IP}/24`, 'dev', NS_IF],
    ['-n', NS, 'link', 'set', NS_IF, 'up'],
    ['-n', NS, 'link', 'set', 'lo', 'up'],
  ];
  for (const s of steps) {
    const r = ip(...s);
    if (r.status !== 0) {
      teardownTestNetwork(null);
      return { env: null, reason: `ip ${s.join(' ')} failed: ${r.stderr.trim()}` };
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-netns-www-'));
  fs.writeFileSync(path.join(dir, 'index.html'), SERVER_BODY + '\n');
  const server = spawn('ip', ['netns', 'exec', NS, 'busybox', 'httpd', '-f', '-p', `${SERVER_IP}:8080`, '-h', dir], { stdio: 'ignore' });
  const state = { server, dir };
  return {
    state,
    env: {
      COVE_TEST_NET_HOST_IP: HOST_IP,
      COVE_TEST_NET_SERVER_URL: `http://${SERVER_IP}:8080/`,
      COVE_TEST_NET_SERVER_BODY: SERVER_BODY,
    },
  };
}
