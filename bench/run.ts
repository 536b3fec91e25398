// npm run bench [name...]: prints figures against podman measured in the
// same run. Runs rootless: as root it re-runs itself as the test user.
import { spawnSync } from 'node:child_process';
import { have } from './bench-kit.js';
import { startLatency } from './start-latency.js';
import { monitorMemory } from './monitor-memory.js';
import { networkStart } from './network-start.js';
import { statsCost } from './stats-cost.js';
import { pullBench } from './pull.js';
import { networkUser } from './network-user.js';
import { buildBench } from './build.js';
import { dockerApi } from './docker-api.js';
import { composeBench } from './compose.js';

const BENCHES: Record<string, () => Promise<Record<string, number>>> = {
  'start-latency': () => startLatency(),
  'monitor-memory': () => monitorMemory(),
  'network-start': () => networkStart(),
  'stats-cost': () => statsCost(),
  pull: () => pullBench(),
  'network-user': () => networkUser(),
  build: () => buildBench(),
  'docker-api': () => dockerApi(),
  compose: () => composeBench(),
};

async function main(): Promise<void> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  if (process.getuid?.() === 0) {
    const user = process.env.COVE_TEST_USER ?? 'cove-test';
    // The test user's own environment, not root's: runuser keeps the caller's variables, and one of them can
    // change what is measured (NODE_EXTRA_CA_CERTS makes every Node process parse that file at start, ~40 ms here;
    // `sudo` drops it). Cove's own settings (COVE_*) pass.
    const cove = Object.entries(process.env).filter(([k]) => k.startsWith('COVE_')).map(([k, v]) => `${k}=${v}`);
    const env = ['HOME=/tmp', `PATH=${process.env.PATH}`, 'TMPDIR=/tmp', ...cove];
    const r = spawnSync('runuser', ['-u', user, '--', 'env', '-i', ...env, process.execPath, '--import', 'tsx', 'bench/run.ts', ...names], { stdio: 'inherit' });
    process.exit(r.status ?? 1);
  }
  if (!have('podman')) {
    process.stderr.write('podman is needed for the comparison: sudo apt-get install podman\n');
    process.exit(1);
  }
  for (const name of names.length ? names : Object.keys(BENCHES)) {
    const bench = BENCHES[name];
    if (!bench) throw new Error(`unknown benchmark ${name}: ${Object.keys(BENCHES).join(', ')}`);
    const result = await bench();
    process.stdout.write(`${name}: ${Object.entries(result).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`).join(' ')}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
