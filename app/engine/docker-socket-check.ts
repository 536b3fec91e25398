// `cove doctor`'s Docker API line: where docker's tools find Cove, and
// whether something answers there now.
import path from 'node:path';
import type { DoctorCheck } from '../api/contract.js';

async function ping(socketPath: string): Promise<string | null> {
  // Loaded here: every command that opens the engine would otherwise load node:http for `doctor` alone.
  const http = await import('node:http');
  return new Promise((resolve) => {
    const req = http.request({ socketPath, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? String(res.headers['api-version'] ?? '') : null);
    });
    req.on('error', () => resolve(null));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export async function checkDockerSocket(runtimeDir: string): Promise<DoctorCheck> {
  const socket = path.join(runtimeDir, 'docker.sock');
  const version = await ping(socket);
  const line = `DOCKER_HOST=unix://${socket}`;
  return version !== null
    ? { name: 'docker API', status: 'ok', detail: `answers (API ${version}): export ${line}` }
    : { name: 'docker API', status: 'warn', detail: `nothing answers at ${socket}`, fix: `start the app, cove serve or cove system service, then: export ${line}` };
}
