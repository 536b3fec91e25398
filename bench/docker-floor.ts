// The floor of `docker ps` with this docker CLI: a server in a process of its
// own that answers the CLI's two requests (HEAD /_ping, GET
// /containers/json) at once with bytes captured from Cove's socket just
// before, so the CLI's own start, request, parse and output are all that is
// left. Its time over podman's is the best ratio any server could reach in
// the same run.
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { eventually } from '../app/testing/harness.js';

/** Serves `reply.json` (headers and body by path) on `sock`; runs as `node -e` (plain JS: no build, no loader). */
const SERVER = `
const http = require('node:http');
const fs = require('node:fs');
const [sock, file] = process.argv.slice(1);
const replies = JSON.parse(fs.readFileSync(file, 'utf8'));
http.createServer((req, res) => {
  const url = req.url.replace(/^\\/v[0-9.]+/, '').split('?')[0];
  const r = replies[url];
  if (!r) { res.writeHead(404); res.end(); return; }
  res.writeHead(200, r.headers);
  res.end(req.method === 'HEAD' ? undefined : r.body);
}).listen(sock, () => fs.chmodSync(sock, 0o600));
`;

export interface FloorReply {
  headers: Record<string, string>;
  body: string;
}

export async function startFloorServer(dir: string, replies: Record<'/_ping' | '/containers/json', FloorReply>): Promise<{ socket: string; stop(): Promise<void> }> {
  const socket = path.join(dir, 'floor.sock');
  const file = path.join(dir, 'floor-replies.json');
  fs.writeFileSync(file, JSON.stringify(replies), { mode: 0o600 });
  const child: ChildProcess = spawn(process.execPath, ['-e', SERVER, socket, file], { stdio: 'ignore' });
  await eventually(() => fs.existsSync(socket) || child.exitCode !== null, 10_000, 'the floor server');
  if (child.exitCode !== null) throw new Error(`the floor server exited ${child.exitCode}`);
  return {
    socket,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(socket, { force: true });
      fs.rmSync(file, { force: true });
    },
  };
}
