// Build benchmark (issue 12): a two-stage Dockerfile of about ten steps that
// copies a source tree of a few thousand files, runs shell work on it and
// copies the result into a slim final stage; `cove build` against `podman
// build` on the same context, measured in the same run: a cold build (no
// cache used), a rebuild after touching one source file, and a rebuild with
// nothing changed. Medians of --runs N (default 3), with min-max.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxOnBoth, median, timed } from './bench-kit.js';
import { cliPath } from '../app/testing/harness.js';

const DOCKERFILE = `FROM busybox AS build
ENV APP=/app
WORKDIR /app
COPY package.txt ./
RUN mkdir -p /deps && for i in $(seq 1 300); do echo "dep $i" > /deps/d$i; done
COPY src ./src
RUN find src -type f | sort > manifest.txt && wc -l manifest.txt && tar -cf bundle.tar src manifest.txt
RUN md5sum bundle.tar > bundle.md5
FROM busybox
WORKDIR /srv
COPY --from=build /app/bundle.tar /app/bundle.md5 ./
RUN tar -xf bundle.tar && rm bundle.tar
CMD ["ls", "/srv"]
`;

/** A source tree: `dirs` directories of `files` files of about 1 KiB. */
function makeContext(dir: string, dirs = 60, files = 50): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Dockerfile'), DOCKERFILE);
  fs.writeFileSync(path.join(dir, 'package.txt'), 'name=bench\n');
  fs.writeFileSync(path.join(dir, '.dockerignore'), '*.tmp\n');
  const body = 'x'.repeat(1000);
  for (let d = 0; d < dirs; d++) {
    const sub = path.join(dir, 'src', `mod${d}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let f = 0; f < files; f++) fs.writeFileSync(path.join(sub, `file${f}.js`), `// ${d}/${f}\n${body}\n`);
  }
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const fmt = (xs: number[]): string => `${(median(xs) / 1000).toFixed(2)}s (${(Math.min(...xs) / 1000).toFixed(2)}-${(Math.max(...xs) / 1000).toFixed(2)})`;

export async function buildBench(runs = Number(arg('runs', '3'))): Promise<Record<string, number>> {
  const { sb, podman, cleanup } = await busyboxOnBoth();
  const ctx = fs.mkdtempSync(path.join(os.tmpdir(), 'cove-bench-build-'));
  try {
    makeContext(ctx);
    const cove = (extra: string[]): number => timed(process.execPath, [cliPath(), 'build', '-q', '-t', 'bench:1', ...extra, ctx], { env: sb.env });
    const pod = (extra: string[]): number => podman.timed(['build', '-q', '-t', 'bench:1', ...extra, ctx]);
    const touched = path.join(ctx, 'src', 'mod7', 'file3.js');
    const results: Record<string, { cove: number[]; podman: number[] }> = { cold: { cove: [], podman: [] }, touch: { cove: [], podman: [] }, nochange: { cove: [], podman: [] } };
    // One warm-up each: page cache and podman's first-use setup are not what is measured.
    cove([]);
    pod([]);
    for (let i = 0; i < runs; i++) {
      results.cold?.cove.push(cove(['--no-cache']));
      results.cold?.podman.push(pod(['--no-cache']));
      // One change, seen by both: each tool's next build is its touch rebuild.
      fs.appendFileSync(touched, `// touched ${i}\n`);
      results.touch?.cove.push(cove([]));
      results.touch?.podman.push(pod([]));
      results.nochange?.cove.push(cove([]));
      results.nochange?.podman.push(pod([]));
    }
    const out: Record<string, number> = {};
    process.stderr.write(`build bench: ${fs.readdirSync(path.join(ctx, 'src')).length * fs.readdirSync(path.join(ctx, 'src', 'mod0')).length} source files, ${runs} runs, median (min-max)\n`);
    process.stderr.write('| build | cove | podman | ratio | goal |\n|---|---|---|---|---|\n');
    const goals: Record<string, number> = { cold: 0.7, touch: 0.3, nochange: 0.2 };
    for (const [name, r] of Object.entries(results)) {
      const ratio = median(r.cove) / median(r.podman);
      out[`${name}_cove_ms`] = Math.round(median(r.cove));
      out[`${name}_podman_ms`] = Math.round(median(r.podman));
      out[`${name}_ratio`] = ratio;
      process.stderr.write(`| ${name} | ${fmt(r.cove)} | ${fmt(r.podman)} | ${ratio.toFixed(2)}x | <= ${goals[name]}x |\n`);
    }
    return out;
  } finally {
    fs.rmSync(ctx, { recursive: true, force: true });
    await cleanup();
  }
}

if (process.argv[1]?.endsWith('build.ts')) {
  buildBench().then(
    (r) => process.stdout.write(`build: ${Object.entries(r).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toFixed(3)}`).join(' ')}\n`),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
