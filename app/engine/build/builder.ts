// `cove build`: parses the Dockerfile, builds the stages the target needs
// (independent ones in parallel), and writes the target as an OCI image.
// Only a finished build is tagged; the cache keeps every step that succeeded.
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { IdMappings } from '../idmap.js';
import { EngineError } from '../errors.js';
import type { ImageService } from '../image-service.js';
import type { BlobStore } from '../store/blob-store.js';
import type { LayerStore } from '../store/layer-store.js';
import type { ImageIndex, ImageLayer } from '../store/image-index.js';
import { parseDockerfile, dockerfileError, flag, type Instruction } from './dockerfile-parser.js';
import { expandWord } from './dockerfile-words.js';
import { argDecls, neededStages, planStages, PROXY_ARGS, stageRef, targetStage, type BuildPlan, type Stage } from './dockerfile-stages.js';
import { BuildCache, chainKey } from './build-cache.js';
import { loadHashes, openContext, saveHashes, type BuildContext } from './build-context.js';
import { applyConfigInstruction, envValue } from './instruction-config.js';
import { copyInstruction, runInstruction, type StepDeps, type StepEnv } from './layer-steps.js';
import { writeImage } from './image-writer.js';
import type { BuildEvent, BuildOptions, BuildResult, StageState } from './build-types.js';

export interface BuilderDeps {
  home: string;
  tmpDir: string;
  runtimeDir: string;
  mappings: IdMappings;
  blobs: BlobStore;
  layers: LayerStore;
  index: ImageIndex;
  images: ImageService;
  imageChanged(id: string): void;
}

export function hostArch(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', s390x: 's390x', ppc64: 'ppc64le', riscv64: 'riscv64' };
  return arch[process.arch] ?? process.arch;
}

export class Builder {
  readonly cache: BuildCache;
  constructor(private readonly deps: BuilderDeps) {
    this.cache = new BuildCache(deps);
  }

  async build(options: BuildOptions): Promise<BuildResult> {
    const emit = (e: BuildEvent): void => options.onEvent?.(e);
    if (options.platform && options.platform !== `linux/${hostArch()}`) {
      throw new EngineError('E_INVALID_ARGUMENT', `--platform ${options.platform}: Cove builds for this machine only (linux/${hostArch()})`);
    }
    const ctx = await openContext(options.context, this.deps.tmpDir, (bytes) => emit({ type: 'context', bytes }));
    const hashes = path.join(this.cache.dir, 'file-hashes.json');
    if (options.context.kind === 'dir') await loadHashes(hashes);
    try {
      const { text, file } = await this.dockerfileText(options, ctx);
      const parsed = parseDockerfile(text, file);
      for (const n of parsed.notes) emit({ type: 'note', text: n });
      const plan = planStages(parsed, options.buildArgs ?? {});
      const target = targetStage(plan, options.target);
      const run = new BuildRun(this.deps, this.cache, plan, ctx, options, emit);
      // Every needed stage starts now: those that do not wait on each other run in parallel.
      await Promise.all(neededStages(plan, target).map((s) => run.stage(s)));
      const state = await run.stage(target);
      const { id, references } = await writeImage(this.deps, state, options);
      if (options.context.kind === 'dir') await saveHashes(hashes).catch(() => undefined);
      return { id, references, ran: run.ran, cached: run.cachedSteps };
    } finally {
      await ctx.dispose();
    }
  }

  private async dockerfileText(options: BuildOptions, ctx: BuildContext): Promise<{ text: string; file: string }> {
    if (options.dockerfile?.text !== undefined) return { text: options.dockerfile.text, file: 'Dockerfile' };
    const p = options.dockerfile?.path;
    const abs = p ? (path.isAbsolute(p) ? p : path.join(ctx.dir, p)) : path.join(ctx.dir, 'Dockerfile');
    try {
      return { text: await fsp.readFile(abs, 'utf8'), file: p ?? 'Dockerfile' };
    } catch {
      throw new EngineError('E_INVALID_ARGUMENT', `cannot read the Dockerfile ${p ?? 'Dockerfile'} (give one with -f PATH)`);
    }
  }
}

/** One build: the stages as promises, so a stage used twice is built once. */
class BuildRun {
  private readonly stages = new Map<number, Promise<StageState>>();
  private nextId = 1;
  ran = 0;
  cachedSteps = 0;
  private readonly started = Date.now();
  private readonly stepDeps: StepDeps;

  constructor(
    private readonly deps: BuilderDeps,
    cache: BuildCache,
    private readonly plan: BuildPlan,
    ctx: BuildContext,
    private readonly options: BuildOptions,
    private readonly emit: (e: BuildEvent) => void,
  ) {
    this.stepDeps = { ...deps, cache, file: plan.file, escape: plan.escape, noCache: options.noCache ?? false, ctx, secrets: options.secrets ?? {} };
  }

  stage(s: Stage): Promise<StageState> {
    let p = this.stages.get(s.index);
    if (!p) {
      p = this.buildStage(s);
      this.stages.set(s.index, p);
    }
    return p;
  }

  private async imageState(reference: string, ins: Instruction): Promise<StageState> {
    let image;
    try {
      if (this.options.pull) throw new EngineError('E_IMAGE_NOT_FOUND', 'pull requested');
      image = await this.deps.images.resolve(reference);
    } catch (err) {
      if (!(err instanceof EngineError) || err.code !== 'E_IMAGE_NOT_FOUND') throw err;
      const id = this.step(`[internal] pull ${reference}`);
      try {
        await this.deps.images.pull(reference);
      } catch (pullErr) {
        const message = `${this.plan.file}:${ins.line}: the base image ${reference} is not in the store and could not be pulled: ${(pullErr as Error).message}`;
        this.emit({ type: 'failed', id, message });
        throw new EngineError('E_IMAGE_NOT_FOUND', message);
      }
      this.done(id, Date.now());
      image = await this.deps.images.resolve(reference);
    }
    const cfg = await this.deps.images.readConfig(image.id);
    const c = (cfg.config ?? {}) as StageState['config'];
    return {
      architecture: cfg.architecture ?? hostArch(),
      os: cfg.os ?? 'linux',
      ...(cfg.author ? { author: cfg.author } : {}),
      config: { ...c, Env: [...(c.Env ?? [])] },
      history: (cfg.history ?? []).map((h) => ({ created: h.created ?? '', created_by: h.created_by ?? '', ...(h.empty_layer ? { empty_layer: true } : {}), ...(h.comment ? { comment: h.comment } : {}) })),
      layers: [...image.layers],
      key: chainKey('image', image.id),
    };
  }

  private async baseState(s: Stage): Promise<StageState> {
    if (s.base.toLowerCase() === 'scratch') {
      return { architecture: hostArch(), os: 'linux', config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] }, history: [], layers: [], key: chainKey('scratch') };
    }
    const from = stageRef(this.plan, s.base, s.index);
    if (from) {
      const st = await this.stage(from);
      return { ...st, config: { ...st.config, Env: [...st.config.Env] }, history: [...st.history], layers: [...st.layers] };
    }
    return this.imageState(s.base, s.from);
  }

  /** A stage's label in progress lines: its name, or stage-N as BuildKit says. */
  private label(s: Stage): string {
    return s.name ?? `stage-${s.index}`;
  }

  private step(label: string): number {
    const id = this.nextId++;
    this.emit({ type: 'step', id, label });
    return id;
  }

  private done(id: number, since: number): void {
    this.emit({ type: 'done', id, seconds: (Date.now() - since) / 1000 });
  }

  private async buildStage(s: Stage): Promise<StageState> {
    const layered = s.instructions.filter((i) => ['RUN', 'COPY', 'ADD'].includes(i.keyword));
    const total = layered.length + 1;
    let k = 1;
    const fromId = this.step(`[${this.label(s)} ${k}/${total}] FROM ${s.base}`);
    const t0 = Date.now();
    const state = await this.baseState(s);
    this.done(fromId, t0);
    const buildArgs = this.options.buildArgs ?? {};
    const args = new Map<string, string | undefined>();
    for (const p of PROXY_ARGS) if (buildArgs[p] !== undefined) args.set(p, buildArgs[p]);
    const lookup = (n: string): string | undefined => envValue(state.config.Env, n) ?? args.get(n);
    const onbuild = state.config.OnBuild ?? [];
    delete state.config.OnBuild;
    const triggers = onbuild.flatMap((t) => parseDockerfile(`FROM scratch\n${t}\n`, `${this.plan.file} (ONBUILD of ${s.base})`).instructions.slice(1));
    const step = { file: this.plan.file, escape: this.plan.escape, lookup, setAuthor: (a: string) => (state.author = a), cmdSetInStage: false };
    // A config-only instruction is dated like the step before it: a rebuild
    // that reuses every layer then writes the very same config (same image ID).
    let stamp = state.history.at(-1)?.created || new Date().toISOString();
    for (const ins of [...triggers, ...s.instructions]) {
      if (ins.keyword === 'ARG') {
        for (const [name, def] of argDecls(this.plan.file, ins, lookup, this.plan.escape)) {
          const value = buildArgs[name] ?? def ?? this.plan.metaArgs.get(name);
          args.set(name, value);
          // Docker: a changed value misses the cache where it is used, not where it is declared.
          state.key = chainKey(state.key, 'ARG', name);
        }
        continue;
      }
      const used = applyConfigInstruction(ins, state.config, step);
      if (used !== null) {
        const values = [...used].sort().map((u) => `${u}=${lookup(u) ?? '\0unset'}`);
        state.key = chainKey(state.key, ins.original, ...values);
        state.history.push({ created: stamp, created_by: ins.original, empty_layer: true, comment: 'buildkit.dockerfile.v0' });
        continue;
      }
      if (ins.keyword !== 'RUN' && ins.keyword !== 'COPY' && ins.keyword !== 'ADD') throw dockerfileError(this.plan.file, ins.line, `${ins.keyword} is not allowed here`);
      if (this.options.signal?.aborted) throw new EngineError('E_CANCELLED', 'the build was cancelled; the steps done so far are cached');
      // A COPY --from waits for its stage before it shows as started (its errors surface in the step).
      const from = ins.keyword === 'COPY' ? flag(ins, 'from') : undefined;
      if (from) await this.source(expandWord(from, lookup, this.plan.escape).word, s, ins).catch(() => undefined);
      k++;
      const id = this.step(`[${this.label(s)} ${k}/${total}] ${ins.original}`);
      const t = Date.now();
      const env: StepEnv = {
        lookup,
        runArgs: [...args].filter((e): e is [string, string] => e[1] !== undefined).sort(([a], [b]) => a.localeCompare(b)),
        source: (name) => this.source(name, s, ins),
        output: (text) => this.emit({ type: 'output', id, text, seconds: (Date.now() - this.started) / 1000 }),
      };
      try {
        const out = ins.keyword === 'RUN' ? await runInstruction(this.stepDeps, state, ins, env) : await copyInstruction(this.stepDeps, state, ins, env);
        state.layers.push(out.layer);
        state.key = out.key;
        stamp = out.createdAt;
        state.history.push({ created: stamp, created_by: ins.original, comment: 'buildkit.dockerfile.v0' });
        if (out.cached) {
          this.cachedSteps++;
          this.emit({ type: 'cached', id });
        } else {
          this.ran++;
          this.done(id, t);
        }
      } catch (err) {
        const where = `${this.plan.file}:${ins.line}: `;
        const e = err instanceof EngineError && !err.message.startsWith(where) ? new EngineError(err.code, where + err.message, { cause: err }) : err;
        this.emit({ type: 'failed', id, message: (e as Error).message });
        throw e;
      }
    }
    return state;
  }

  /** COPY --from: an earlier stage (built if needed) or an image (pulled if missing). */
  private async source(name: string, s: Stage, ins: Instruction): Promise<{ layers: ImageLayer[]; identity: string }> {
    const st = stageRef(this.plan, name, s.index);
    if (st) {
      const state = await this.stage(st);
      return { layers: state.layers, identity: `stage:${state.key}` };
    }
    if (this.plan.stages.some((x) => x.name === name.toLowerCase())) throw dockerfileError(this.plan.file, ins.line, `--from=${name} names a later stage`);
    const img = await this.imageState(name, ins);
    return { layers: img.layers, identity: img.key };
  }
}
