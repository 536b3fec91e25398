// Pull benchmark (issue 4): a multi-layer image of at least 150 MB
// compressed, built from files on this machine, served by a local
// docker-registry; `cove pull` against `podman pull` into empty stores,
// measured in the same run, plus where Cove's time goes (download,
// decompress, unpack). Not part of npm test.
//
//   node --import tsx bench/pull.ts [--runs N]
//
// As root it builds the layers (it needs to read /usr), then re-runs itself
// as COVE_BENCH_USER (default cove-test): both tools pull rootless.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { startRegistry, type TestRegistry } from '../app/testing/registry-server.js';
import { rawRequest } from '../app/testing/registry-images.js';
import { unpackLayer } from '../app/engine/unpack/unpack-layer.js';
import { nativeBinary } from '../app/engine/install-paths.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CACHE = process.env.COVE_BENCH_DIR ?? '/var/tmp/cove-bench-pull';
// Directories that exist on a Debian 12 dev machine like this one; together ~170-250 MB gzipped.
const LAYER_DIRS = ['usr/bin', 'usr/lib/gcc', 'usr/lib/python3.11', 'usr/lib/chromium', 'usr/share/doc'];

interface LayerFile {
  file: string;
  digest: string;
  size: number;
  diffId: string;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

/** tar | (sha256 of the tar) | gzip -6 | (sha256, size) -> file. */
async function buildLayer(dir: string, out: string): Promise<LayerFile> {
  const tar = spawn('tar', ['-C', '/', '--numeric-owner', '--sort=name', '-cf', '-', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  const raw = crypto.createHash('sha256');
  const packed = crypto.createHash('sha256');
  let size = 0;
  const gz = zlib.createGzip({ level: 6 });
  const sink = fs.createWriteStream(out);
  gz.on('data', (c: Buffer) => {
    packed.update(c);
    size += c.length;
  });
  const done = pipeline(gz, sink);
  await pipeline(
    tar.stdout,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        raw.update(chunk);
        if (gz.write(chunk)) cb();
        else gz.once('drain', () => cb());
      },
      final(cb) {
        gz.end();
        cb();
      },
    }),
  );
  await done;
  return { file: out, digest: 'sha256:' + packed.digest('hex'), size, diffId: 'sha256:' + raw.digest('hex') };
}

async function buildImage(): Promise<LayerFile[]> {
  const index = path.join(CACHE, 'layers.json');
  if (fs.existsSync(index)) return JSON.parse(fs.readFileSync(index, 'utf8')) as LayerFile[];
  fs.mkdirSync(CACHE, { recursive: true, mode: 0o755 });
  const layers: LayerFile[] = [];
  for (const [i, dir] of LAYER_DIRS.entries()) {
    if (!fs.existsSync(`/${dir}`)) continue;
    process.stdout.write(`building layer ${i + 1} from /${dir}...\n`);
    layers.push(await buildLayer(dir, path.join(CACHE, `layer${i}.tar.gz`)));
  }
  fs.writeFileSync(index, JSON.stringify(layers));
  for (const f of fs.readdirSync(CACHE)) fs.chmodSync(path.join(CACHE, f), 0o644);
  return layers;
}

async function upload(reg: TestRegistry, layers: LayerFile[]): Promise<string> {
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', created: '2026-01-01T00:00:00Z', config: { Cmd: ['/usr/bin/true'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }),
  );
  const cfgDigest = 'sha256:' + crypto.createHash('sha256').update(config).digest('hex');
  const blobs = [{ digest: cfgDigest, data: async () => config }, ...layers.map((l) => ({ digest: l.digest, data: () => fsp.readFile(l.file) }))];
  for (const b of blobs) {
    const start = await rawRequest(reg, 'POST', '/v2/bench/usr/blobs/uploads/', {}, Buffer.alloc(0));
    const loc = new URL(String(start.headers.location), reg.url);
    loc.searchParams.set('digest', b.digest);
    const put = await rawRequest(reg, 'PUT', loc.pathname + loc.search, { 'content-type': 'application/octet-stream' }, await b.data());
    if (put.status !== 201) throw new Error(`upload failed: ${put.status}`);
  }
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: cfgDigest, size: config.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: l.digest, size: l.size })),
    }),
  );
  const res = await rawRequest(reg, 'PUT', '/v2/bench/usr/manifests/1', { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, manifest);
  if (res.status !== 201) throw new Error(`manifest upload failed: ${res.status}`);
  return `${reg.host}/bench/usr:1`;
}

function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr.slice(-1000)}`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

async function measurePhases(reg: TestRegistry, layers: LayerFile[], scratch: string): Promise<{ download: number; gunzip: number; unpack: number }> {
  // Download only: every blob, 3 at a time as cove does, bytes discarded.
  let t0 = Date.now();
  const http = await import('node:http');
  const get = (digest: string): Promise<void> =>
    new Promise((resolve, reject) => {
      http.get(`${reg.url}/v2/bench/usr/blobs/${digest}`, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve());
        res.on('error', reject);
      });
    });
  const queue = [...layers];
  await Promise.all([0, 1, 2].map(async () => {
    for (let l = queue.shift(); l; l = queue.shift()) await get(l.digest);
  }));
  const download = Date.now() - t0;
  // Decompress only: gunzip every blob from the page cache.
  t0 = Date.now();
  const gq = [...layers];
  await Promise.all([0, 1].map(async () => {
    for (let l = gq.shift(); l; l = gq.shift()) await pipeline(fs.createReadStream(l.file, { highWaterMark: 1 << 20 }), zlib.createGunzip(), new Writable({ write: (_c, _e, cb) => cb() }));
  }));
  const gunzip = Date.now() - t0;
  // Unpack only: cove's extractor (tar parsing, sha256 of the tar, file writes) from uncompressed tars on disk, no chown.
  const tars: string[] = [];
  for (const [i, l] of layers.entries()) {
    const t = path.join(scratch, `layer${i}.tar`);
    await pipeline(fs.createReadStream(l.file), zlib.createGunzip(), fs.createWriteStream(t));
    tars.push(t);
  }
  t0 = Date.now();
  const uq = tars.map((t, i) => ({ t, i }));
  await Promise.all([0, 1].map(async () => {
    for (let x = uq.shift(); x; x = uq.shift()) {
      const dest = path.join(scratch, `unpack-${x.i}`);
      fs.mkdirSync(dest);
      await unpackLayer(fs.createReadStream(x.t, { highWaterMark: 1 << 20 }), dest, { chown: false, layerTool: nativeBinary('cove-layer-tool'), idLimit: 65536 });
    }
  }));
  const unpack = Date.now() - t0;
  spawnSync('rm', ['-rf', ...tars, ...layers.map((_, i) => path.join(scratch, `unpack-${i}`))]);
  return { download, gunzip, unpack };
}

/** For bench/run.ts: the medians and the ratio (runs as the current, non-root user). */
export async function pullBench(runs = 3): Promise<Record<string, number>> {
  return measure(runs);
}

async function measure(runs: number): Promise<Record<string, number>> {
  const layers = await buildImage();
  const compressed = layers.reduce((s, l) => s + l.size, 0);
  const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-bench-pull-'));
  const reg = await startRegistry();
  try {
    const ref = await upload(reg, layers);
    const cli = path.join(ROOT, 'dist', 'cove.cjs');
    const xdg = path.join(scratch, 'xdg');
    fs.mkdirSync(xdg, { mode: 0o700 });
    const env = { ...process.env, XDG_RUNTIME_DIR: xdg };
    const cove: number[] = [];
    const podman: number[] = [];
    // Stores are removed only at the end: ext4 skips inodes freed in the last 30 s
    // (ialloc.c recently_deleted()), so deleting ~40k files between runs would make the
    // next run pay for a slow inode search that no real pull meets.
    const cleanups: Array<() => void> = [];
    for (let i = 0; i < runs; i++) {
      // Alternate, each into an empty store, so neither gets a warmer cache.
      const home = path.join(scratch, `cove-${i}`);
      cove.push(timed(process.execPath, [cli, 'pull', '-q', ref], { ...env, COVE_HOME: home }));
      const root = path.join(scratch, `podman-${i}`);
      const pargs = ['--root', path.join(root, 'storage'), '--runroot', path.join(root, 'run'), '--storage-driver', 'overlay', '--events-backend', 'none', '--cgroup-manager', 'cgroupfs'];
      podman.push(timed('podman', [...pargs, 'pull', '-q', '--tls-verify=false', ref], env));
      cleanups.push(() => {
        // Layers belong to subordinate ids: each tool removes its own from inside its user namespace.
        spawnSync(process.execPath, [cli, 'rmi', '-f', ref], { env: { ...env, COVE_HOME: home } });
        spawnSync('podman', [...pargs, 'unshare', 'rm', '-rf', path.join(root, 'storage')], { env });
      });
      process.stdout.write(`run ${i + 1}: cove ${(cove[i] as number / 1000).toFixed(2)}s, podman ${(podman[i] as number / 1000).toFixed(2)}s\n`);
    }
    const phases = await measurePhases(reg, layers, scratch);
    for (const c of cleanups) c();
    const c = median(cove);
    const p = median(podman);
    process.stdout.write(
      [
        '',
        `image: ${layers.length} layers, ${(compressed / 1e6).toFixed(0)} MB compressed (gzip -6), from ${LAYER_DIRS.join(', ')}`,
        `cove pull   median ${(c / 1000).toFixed(2)} s  (${cove.map((x) => (x / 1000).toFixed(2)).join(', ')})`,
        `podman pull median ${(p / 1000).toFixed(2)} s  (${podman.map((x) => (x / 1000).toFixed(2)).join(', ')})`,
        `ratio cove/podman: ${(c / p).toFixed(2)} (goal <= 0.5)`,
        `cove phases alone: download ${(phases.download / 1000).toFixed(2)} s, gunzip ${(phases.gunzip / 1000).toFixed(2)} s (2 at a time), unpack ${(phases.unpack / 1000).toFixed(2)} s (2 at a time)`,
        '',
      ].join('\n'),
    );
    return { coveMs: c, podmanMs: p, ratio: c / p, compressedMB: compressed / 1e6 };
  } finally {
    await reg.stop();
    spawnSync('rm', ['-rf', scratch]);
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() === 0) {
    await buildImage();
    const user = process.env.COVE_BENCH_USER ?? 'cove-test';
    const home = spawnSync('sh', ['-c', `getent passwd ${user} | cut -d: -f6`], { encoding: 'utf8' }).stdout.trim() || '/tmp';
    const r = spawnSync('runuser', ['-u', user, '--', 'env', `HOME=${home}`, `PATH=${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, `COVE_BENCH_DIR=${CACHE}`, process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
      cwd: ROOT,
    });
    process.exit(r.status ?? 1);
  }
  await measure(Number(arg('runs', '3')));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  void main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
