// POST /build: the classic builder API (DOCKER_BUILDKIT=0 docker build,
// docker-compose) over Cove's builder. The tar context is staged to a file
// the engine owns, the build runs as an engine task, and its steps stream
// back as docker's {"stream": ...} messages, ending with the image ID.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type http from 'node:http';
import type { BuildParams, BuildStepProgress, TaskProgress } from '../api/contract.js';
import type { Route } from './docker-router.js';
import type { DockerEngine } from './docker-engine.js';
import { DockerHttpError, queryBool, type DockerRequest } from './docker-http.js';
import { followTask } from './task-progress.js';

function jsonParam(req: DockerRequest, name: string): Record<string, string> | undefined {
  const raw = req.query.get(name);
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    // docker-py sends null for build args that have no value: they are left out, as docker does.
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
  } catch {
    throw new DockerHttpError(400, `${name} must be a JSON object of strings`);
  }
}

/** The request body (a tar, maybe gzipped) into a file of its own. */
async function stageContext(req: DockerRequest, scratch: string): Promise<string> {
  fs.mkdirSync(scratch, { recursive: true, mode: 0o700 });
  const file = path.join(scratch, `build-context-${process.pid}-${crypto.randomBytes(6).toString('hex')}.tar`);
  let first = true;
  let gunzip: zlib.Gunzip | null = null;
  const sniff = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (first) {
        first = false;
        // gzip's magic number: docker-py and some clients compress the context.
        if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
          gunzip = zlib.createGunzip();
          gunzip.on('data', (d: Buffer) => this.push(d));
          gunzip.on('error', (e) => this.destroy(e));
        }
      }
      if (gunzip) gunzip.write(chunk, () => cb());
      else cb(null, chunk);
    },
    flush(cb) {
      if (!gunzip) return cb();
      gunzip.once('end', () => cb());
      gunzip.end();
    },
  });
  await pipeline(req.raw, sniff, fs.createWriteStream(file, { mode: 0o600 }));
  return file;
}

/** "[stage 2/5] RUN make" as the classic builder prints it: "Step 2/5 : RUN make". */
function classicLabel(label: string): string {
  const m = /^\[(?:[^\]]*?\s)?(\d+)\/(\d+)\]\s+(.*)$/.exec(label);
  return m ? `Step ${m[1]}/${m[2]} : ${m[3]}` : label;
}

export function buildRoute(engine: DockerEngine, scratch: string): Route {
  return {
    method: 'POST',
    pattern: '/build',
    handler: async (req, res) => {
      const tags = req.query.getAll('t').filter(Boolean);
      const buildArgs = jsonParam(req, 'buildargs');
      const labels = jsonParam(req, 'labels');
      const dockerfile = req.query.get('dockerfile');
      const target = req.query.get('target');
      const context = await stageContext(req, scratch);
      try {
        const params: BuildParams = {
          context,
          ...(dockerfile ? { dockerfile } : {}),
          ...(tags.length ? { tags } : {}),
          ...(buildArgs ? { buildArgs } : {}),
          ...(target ? { target } : {}),
          ...(queryBool(req.query, 'nocache') ? { noCache: true } : {}),
          ...(queryBool(req.query, 'pull') ? { pull: true } : {}),
          ...(labels ? { labels } : {}),
        };
        await streamBuild(engine, res, params, tags, queryBool(req.query, 'q'));
      } finally {
        fs.rmSync(context, { force: true });
      }
    },
  };
}

async function streamBuild(engine: DockerEngine, res: http.ServerResponse, params: BuildParams, tags: string[], quiet: boolean): Promise<void> {
  const said = new Map<number, { status: BuildStepProgress['status']; lines: number }>();
  const write = (msg: Record<string, unknown>): void => void res.write(`${JSON.stringify(msg)}\n`);
  const onTask = (t: TaskProgress): void => {
    if (quiet) return;
    for (const step of t.build?.steps ?? []) {
      const seen = said.get(step.id) ?? { status: 'running' as const, lines: 0 };
      if (!said.has(step.id)) write({ stream: `${classicLabel(step.label)}\n` });
      // Output lines are the step's last ones; new ones are those past what was said.
      for (const line of step.output.slice(seen.lines)) write({ stream: `${line}\n` });
      if (step.status === 'cached' && seen.status !== 'cached') write({ stream: ' ---> Using cache\n' });
      said.set(step.id, { status: step.status, lines: step.output.length });
    }
  };
  try {
    const final = await followTask(engine, () => engine.call('builder:build', params), () => res.writeHead(200, { 'Content-Type': 'application/json' }), onTask);
    const imageId = final.build?.imageId;
    if (final.state === 'done' && imageId) {
      write({ aux: { ID: imageId } });
      if (!quiet) {
        write({ stream: `Successfully built ${imageId.replace(/^sha256:/, '').slice(0, 12)}\n` });
        for (const t of tags) write({ stream: `Successfully tagged ${t.includes(':') ? t : `${t}:latest`}\n` });
      }
    } else {
      const message = final.error?.message ?? `build ${final.state}`;
      write({ errorDetail: { message }, error: message });
    }
  } finally {
    res.end();
  }
}
