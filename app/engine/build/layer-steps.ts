// The layer-making steps, RUN, COPY and ADD: each computes its cache key,
// reuses a cached layer when the key is known, and otherwise makes the
// layer and records it in the cache the moment it exists.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EngineError } from '../errors.js';
import type { IdMappings } from '../idmap.js';
import type { ImageLayer } from '../store/image-index.js';
import type { LayerStore } from '../store/layer-store.js';
import { resolveUser } from '../container/image-user.js';
import { dockerfileError, flag, flagValues, type Instruction } from './dockerfile-parser.js';
import { expandWord, expandWords, type VarLookup } from './dockerfile-words.js';
import { atLine } from './dockerfile-stages.js';
import { chainKey, type BuildCache } from './build-cache.js';
import type { BuildContext } from './build-context.js';
import { planAsTar, planCopy } from './copy-plan.js';
import { copyFromLayers } from './copy-from.js';
import { adoptLayer, commitLayer, commitUpper, type LayerDeps } from './layer-writer.js';
import { directWritable, planSignatures, writeEntries } from './copy-direct.js';
import { removeScratch, runStep } from './run-step.js';
import { mountKeys, parseRunMounts, prepareMounts, removeMountStubs, type MountDeps, type SecretSource } from './run-mounts.js';
import { DEFAULT_SHELL } from './instruction-config.js';
import type { StageState } from './build-types.js';
import type { DirMeta } from './copy-plan.js';

export interface StepDeps extends LayerDeps {
  layers: LayerStore;
  mappings: IdMappings;
  cache: BuildCache;
  tmpDir: string;
  runtimeDir: string;
  file: string;
  escape: string;
  noCache: boolean;
  ctx: BuildContext;
  /** `cove build --secret`: by id, for RUN --mount=type=secret. */
  secrets: Record<string, SecretSource>;
}

export interface StepEnv {
  lookup: VarLookup;
  /** Build args in scope with values: RUN's environment and part of its key. */
  runArgs: Array<[string, string]>;
  /** Resolves COPY --from / RUN --mount from=: another stage's state or an image's. */
  source(name: string): Promise<{ layers: ImageLayer[]; identity: string }>;
  output(text: string): void;
}

/** `createdAt`: when the layer was made (a cache hit keeps its first time, so a cached rebuild writes the same config). */
export type StepOutcome = { cached: boolean; layer: ImageLayer; key: string; createdAt: string };

export function lowerDirs(layers: LayerStore, state: { layers: ImageLayer[] }): string[] {
  return state.layers.map((l) => layers.diffPath(l.chainId)).reverse();
}

/** What the parent rootfs has at `rel`: a directory, something else, or nothing (whiteouts hide). */
export function lowerKindOf(dirs: string[]): (rel: string) => 'dir' | 'other' | null {
  return (rel) => {
    for (const d of dirs) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(d, rel));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EACCES') return 'dir';
        continue;
      }
      if (st.isCharacterDevice() && st.rdev === 0) return null;
      return st.isDirectory() ? 'dir' : 'other';
    }
    return null;
  };
}

function toContainerId(ranges: IdMappings['uid'], hostId: number): number {
  for (const r of ranges) if (hostId >= r.hostID && hostId < r.hostID + r.size) return r.containerID + (hostId - r.hostID);
  return 0;
}

/**
 * An existing parent directory's mode and owner (container ids): a layer
 * that adds a file under it must carry the directory as it is, or the
 * overlay would show the new layer's copy with other owners.
 */
export function lowerDirOf(dirs: string[], mappings: IdMappings): (rel: string) => DirMeta | null {
  return (rel) => {
    for (const d of dirs) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(path.join(d, rel));
      } catch {
        continue;
      }
      if (!st.isDirectory()) return null;
      return { mode: st.mode & 0o7777, uid: toContainerId(mappings.uid, st.uid), gid: toContainerId(mappings.gid, st.gid), mtime: st.mtime };
    }
    return null;
  };
}

async function scratchDir(deps: StepDeps): Promise<string> {
  await fsp.mkdir(deps.tmpDir, { recursive: true, mode: 0o700 });
  return fsp.mkdtemp(path.join(deps.tmpDir, `build-step-${process.pid}-`));
}

/** Looks the key up; on a miss makes the layer with `make` and caches it. */
async function cachedOr(deps: StepDeps, key: string, createdBy: string, make: () => Promise<ImageLayer>): Promise<StepOutcome> {
  if (!deps.noCache) {
    const hit = await deps.cache.get(key);
    if (hit) return { cached: true, layer: hit.layer, key: chainKey(key, hit.layer.chainId), createdAt: hit.createdAt };
  }
  const layer = await make();
  const createdAt = new Date().toISOString();
  await deps.cache.put({ key, layer, createdBy, createdAt });
  return { cached: false, layer, key: chainKey(key, layer.chainId), createdAt };
}

/** The RUN command line: JSON form as given; shell form through SHELL, heredocs included. */
export function runArgv(ins: Instruction, shell: string[]): string[] {
  if (ins.json) return ins.json;
  const only = /^<<-?(["']?)([A-Za-z_][A-Za-z0-9_]*)\1$/.exec(ins.args.trim());
  if (only && ins.heredocs.length === 1) return [...shell, (ins.heredocs[0] as { content: string }).content];
  let script = ins.args;
  for (const h of ins.heredocs) script += `\n${h.content}${h.name}`;
  return [...shell, script];
}

export async function runInstruction(deps: StepDeps, state: StageState, ins: Instruction, env: StepEnv): Promise<StepOutcome> {
  const network = flag(ins, 'network') ?? 'default';
  if (!['default', 'none', 'host'].includes(network)) throw dockerfileError(deps.file, ins.line, `RUN --network=${network}: use default or none`);
  const security = flag(ins, 'security');
  if (security && security !== 'sandbox') throw dockerfileError(deps.file, ins.line, `RUN --security=${security} is not supported (rootless builds run sandboxed)`);
  const argv = runArgv(ins, state.config.Shell ?? DEFAULT_SHELL);
  const mounts = parseRunMounts(deps.file, ins, state.config.WorkingDir ?? '/');
  const mountDeps: MountDeps = { file: deps.file, line: ins.line, ctx: deps.ctx, cache: deps.cache, layers: deps.layers, mappings: deps.mappings, secrets: deps.secrets, source: env.source };
  const key = chainKey(state.key, 'RUN', JSON.stringify(argv), JSON.stringify(env.runArgs), network, ...(await mountKeys(mountDeps, mounts)));
  return cachedOr(deps, key, ins.original, async () => {
    const scratch = await scratchDir(deps);
    try {
      const tail: string[] = [];
      const prepared = await prepareMounts(mountDeps, mounts, scratch);
      const lower = lowerDirs(deps.layers, state);
      const result = await runStep({
        mappings: deps.mappings,
        scratch,
        runtimeDir: deps.runtimeDir,
        lowerDirs: lower,
        config: { architecture: state.architecture, os: state.os, config: state.config, rootfs: { type: 'layers', diff_ids: [] } },
        argv,
        extraEnv: [...env.runArgs.filter(([k]) => !state.config.Env.some((e) => e.startsWith(`${k}=`))).map(([k, v]) => `${k}=${v}`), ...prepared.env],
        network: network === 'none' ? 'none' : 'default',
        mounts: prepared.mounts,
        onOutput: (text) => {
          env.output(text);
          tail.push(...text.split('\n').filter((l) => l !== ''));
          tail.splice(0, Math.max(0, tail.length - 10));
        },
      });
      if (result.exitCode !== 0) {
        throw new EngineError('E_BUILD_FAILED', `${deps.file}:${ins.line}: ${ins.original} failed with exit code ${result.exitCode}${tail.length ? `; its last output:\n${tail.join('\n')}` : ''}`);
      }
      const kind = lowerKindOf(lower);
      await removeMountStubs(deps.mappings, result.upper, prepared.targets, (rel) => kind(rel) !== null);
      return await commitUpper(deps, deps.mappings, result.upper, state.layers.at(-1) ?? null);
    } finally {
      await removeScratch(deps.mappings, scratch).catch(() => undefined);
    }
  });
}

function ownerOf(deps: StepDeps, ins: Instruction, spec: string | null | undefined, dirs: string[]): { uid: number; gid: number } | null {
  if (!spec) return null;
  try {
    const u = resolveUser(spec, dirs);
    return { uid: u.uid, gid: /:/.test(spec) ? u.gid : u.gid };
  } catch (err) {
    throw dockerfileError(deps.file, ins.line, `--chown=${spec}: ${(err as Error).message}`);
  }
}

async function fetchUrl(url: string, dir: string): Promise<{ file: string; name: string }> {
  let res: Response;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new EngineError('E_BUILD_FAILED', `ADD ${url}: ${(err as Error).message}`);
  }
  if (!res.ok || !res.body) throw new EngineError('E_BUILD_FAILED', `ADD ${url}: the server answered ${res.status} ${res.statusText}`);
  const file = path.join(dir, crypto.randomBytes(8).toString('hex'));
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), fs.createWriteStream(file, { mode: 0o600 }));
  const name = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() ?? '') || 'download';
  return { file, name };
}

export async function copyInstruction(deps: StepDeps, state: StageState, ins: Instruction, env: StepEnv): Promise<StepOutcome> {
  const add = ins.keyword === 'ADD';
  const used = new Set<string>();
  const expanded = atLine(deps.file, ins, () => {
    if (ins.json) return ins.json.map((w) => expandWord(w, env.lookup, deps.escape).word);
    const r = expandWords(ins.args, env.lookup, deps.escape);
    r.used.forEach((u) => used.add(u));
    return r.words;
  });
  if (expanded.length < 2) throw dockerfileError(deps.file, ins.line, `${ins.keyword} needs a source and a destination`);
  const sources = expanded.slice(0, -1);
  const rawDest = expanded.at(-1) as string;
  const dest = path.posix.isAbsolute(rawDest) ? rawDest : path.posix.join(state.config.WorkingDir || '/', rawDest) + (rawDest.endsWith('/') || rawDest === '.' ? '/' : '');
  const chmodText = flag(ins, 'chmod');
  if (chmodText && !/^[0-7]{3,4}$/.test(chmodText)) throw dockerfileError(deps.file, ins.line, `--chmod=${chmodText}: give an octal mode like 0755`);
  const chmod = chmodText ? parseInt(chmodText, 8) : null;
  const dirs = lowerDirs(deps.layers, state);
  const owner = ownerOf(deps, ins, flag(ins, 'chown') ? expandWord(flag(ins, 'chown') as string, env.lookup).word : null, dirs);
  const lowerKind = lowerKindOf(dirs);
  const lowerDir = lowerDirOf(dirs, deps.mappings);
  if (flag(ins, 'keep-git-dir') !== undefined) throw dockerfileError(deps.file, ins.line, `${ins.keyword} --keep-git-dir is not supported yet (no git sources)`);
  const exclude = flagValues(ins, 'exclude').map((e) => expandWord(e, env.lookup, deps.escape).word);
  const parentsFlag = flag(ins, 'parents');
  const parents = parentsFlag !== undefined && parentsFlag !== 'false';
  const checksum = flag(ins, 'checksum');
  if (checksum && !/^sha256:[a-f0-9]{64}$/.test(checksum)) throw dockerfileError(deps.file, ins.line, `--checksum=${checksum}: give sha256:<64 hex digits>`);
  const from = flag(ins, 'from');
  const parent = state.layers.at(-1) ?? null;
  const base = [ins.keyword, JSON.stringify(sources), dest, JSON.stringify(owner), String(chmod), JSON.stringify(exclude), String(parents)];
  if (from) {
    if (add) throw dockerfileError(deps.file, ins.line, 'ADD does not take --from');
    if (parents || exclude.length > 0) throw dockerfileError(deps.file, ins.line, `COPY --from with --${parents ? 'parents' : 'exclude'} is not supported yet (it is with context sources)`);
    const src = await env.source(expandWord(from, env.lookup).word);
    const key = chainKey(state.key, ...base, `from:${src.identity}`);
    return cachedOr(deps, key, ins.original, async () => {
      const scratch = await scratchDir(deps);
      try {
        const tarStream = await copyFromLayers({ mappings: deps.mappings, scratch, lowerTopFirst: lowerDirs(deps.layers, src), sources, dest, owner, chmod, lowerKind, lowerDir, what: from });
        return await commitLayer(deps, tarStream, parent);
      } finally {
        await fsp.rm(scratch, { recursive: true, force: true });
      }
    });
  }
  const inline = new Map<string, string>();
  for (const h of ins.heredocs) {
    const content = h.expand ? atLine(deps.file, ins, () => expandWord(`"${h.content.replace(/"/g, '\\"')}"`, env.lookup, deps.escape).word) : h.content;
    for (const s of sources) if (new RegExp(`^<<-?["']?${h.name}["']?$`).test(s)) inline.set(s, content);
  }
  const scratch = await scratchDir(deps);
  try {
    const fetched = new Map<string, { file: string; name: string }>();
    for (const s of sources) {
      if (!/^https?:\/\//.test(s)) continue;
      if (!add) throw dockerfileError(deps.file, ins.line, `COPY cannot fetch ${s}: use ADD for URLs`);
      const got = await fetchUrl(s, scratch);
      if (checksum) {
        const digest = `sha256:${crypto.createHash('sha256').update(await fsp.readFile(got.file)).digest('hex')}`;
        if (digest !== checksum) throw new EngineError('E_BUILD_FAILED', `ADD ${s}: the download has digest ${digest}, not the --checksum ${checksum}`);
      }
      fetched.set(s, got);
    }
    const plan = await planCopy({ ctx: deps.ctx, sources, dest, owner, chmod, add, inline: new Map([...inline].map(([k, v]) => [k, v])), lowerKind, lowerDir, fetched, exclude, parents });
    // Inline files are named after their heredoc, as BuildKit does.
    for (const e of plan.entries) e.name = e.name.replace(/<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?$/, '$1');
    const key = chainKey(state.key, ...base, plan.hash);
    return await cachedOr(deps, key, ins.original, async () => {
      if (!directWritable(plan.entries)) return commitLayer(deps, planAsTar(plan.entries), parent);
      const dir = path.join(scratch, 'layer');
      await fsp.mkdir(dir, { mode: 0o755 });
      // The same step's previous layer (same parent and instruction): its unchanged files are linked, not copied.
      const prefix = chainKey(state.key, ...base, 'direct');
      const prev = deps.noCache ? null : await deps.cache.lineage(prefix);
      const reuse = prev && (await deps.layers.get(prev.chainId).catch(() => undefined)) ? { dir: deps.layers.diffPath(prev.chainId), files: prev.files } : null;
      writeEntries(plan.entries, dir, reuse);
      const layer = await adoptLayer(deps, dir, await deps.blobs.put(planAsTar(plan.entries), undefined, 'build layer'), parent);
      await deps.cache.setLineage(prefix, { chainId: layer.chainId, files: planSignatures(plan.entries) }).catch(() => undefined);
      return layer;
    });
  } finally {
    await fsp.rm(scratch, { recursive: true, force: true });
  }
}
