// Stages of a parsed Dockerfile and the argument decoders shared by the
// executor: ARG before FROM, FROM ... AS name, ENV/LABEL key=value lists.
import { dockerfileError, flag, parseDockerfile, type Instruction, type ParsedDockerfile } from './dockerfile-parser.js';
import { expandWord, rawWords, WordError, type VarLookup } from './dockerfile-words.js';

export interface Stage {
  index: number;
  /** The AS name, lower-cased (Docker compares stage names case-insensitively). */
  name: string | null;
  /** The base as written after expansion: an image reference, "scratch" or a stage name. */
  base: string;
  platform: string | null;
  from: Instruction;
  instructions: Instruction[];
}

export interface BuildPlan {
  file: string;
  escape: string;
  notes: string[];
  /** ARGs declared before the first FROM, with their values for this build. */
  metaArgs: Map<string, string | undefined>;
  stages: Stage[];
}

/** Docker's predefined args: usable without an ARG line, and left out of history and cache keys. */
export const PROXY_ARGS = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy'];

/** Wraps word errors with the instruction's place in the file. */
export function atLine<T>(file: string, ins: Instruction, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WordError) throw dockerfileError(file, ins.line, `${ins.keyword}: ${err.message}`);
    throw err;
  }
}

/** ENV/LABEL arguments: `k=v k2="v 2"` or the legacy `k some value`. */
export function keyValues(file: string, ins: Instruction, lookup: VarLookup, escape: string): { pairs: Array<[string, string]>; used: Set<string> } {
  return atLine(file, ins, () => {
    const used = new Set<string>();
    const words = rawWords(ins.args, escape);
    const pairs: Array<[string, string]> = [];
    if (words.length > 0 && !(words[0] as string).includes('=')) {
      if (ins.keyword === 'LABEL') throw dockerfileError(file, ins.line, 'LABEL needs key=value pairs');
      const key = words[0] as string;
      const rest = ins.args.trim().slice(key.length).trim();
      if (rest === '') throw dockerfileError(file, ins.line, `${ins.keyword} ${key} needs a value (${ins.keyword} ${key}=VALUE)`);
      const v = expandWord(rest, lookup, escape);
      v.used.forEach((u) => used.add(u));
      pairs.push([key, v.word]);
      return { pairs, used };
    }
    for (const w of words) {
      const eq = w.indexOf('=');
      if (eq <= 0) throw dockerfileError(file, ins.line, `${ins.keyword} expects key=value pairs, got "${w}"`);
      const k = expandWord(w.slice(0, eq), lookup, escape);
      const v = expandWord(w.slice(eq + 1), lookup, escape);
      k.used.forEach((u) => used.add(u));
      v.used.forEach((u) => used.add(u));
      if (k.word === '') throw dockerfileError(file, ins.line, `${ins.keyword} has an empty key`);
      pairs.push([k.word, v.word]);
    }
    return { pairs, used };
  });
}

/** ARG NAME[=default] ...: names with their default (expanded), or undefined. */
export function argDecls(file: string, ins: Instruction, lookup: VarLookup, escape: string): Array<[string, string | undefined]> {
  return atLine(file, ins, () =>
    rawWords(ins.args, escape).map((w): [string, string | undefined] => {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw dockerfileError(file, ins.line, `invalid ARG name "${name}"`);
      return [name, eq < 0 ? undefined : expandWord(w.slice(eq + 1), lookup, escape).word];
    }),
  );
}

/**
 * Splits into stages. ARGs before the first FROM are in scope of the FROM
 * lines only (a stage sees them after `ARG NAME` without a value).
 */
export function planStages(parsed: ParsedDockerfile, buildArgs: Record<string, string>): BuildPlan {
  const { file, escape } = parsed;
  const metaArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  const lookupMeta: VarLookup = (n) => metaArgs.get(n);
  let current: Stage | null = null;
  for (const ins of parsed.instructions) {
    if (ins.keyword === 'FROM') {
      const words = atLine(file, ins, () => rawWords(ins.args, escape));
      if (words.length !== 1 && !(words.length === 3 && (words[1] as string).toLowerCase() === 'as')) {
        throw dockerfileError(file, ins.line, 'FROM takes an image and optionally AS name: FROM image[:tag] [AS name]');
      }
      const base = atLine(file, ins, () => expandWord(words[0] as string, lookupMeta, escape).word);
      if (base === '') throw dockerfileError(file, ins.line, `FROM ${words[0]} expands to an empty image name (is the ARG given?)`);
      const name = words.length === 3 ? (words[2] as string).toLowerCase() : null;
      if (name !== null) {
        if (!/^[a-z][a-z0-9-_.]*$/.test(name)) throw dockerfileError(file, ins.line, `invalid stage name "${words[2]}": use letters, digits, - _ . and start with a letter`);
        if (stages.some((s) => s.name === name)) throw dockerfileError(file, ins.line, `duplicate stage name "${name}"`);
      }
      const platform = flag(ins, 'platform');
      current = { index: stages.length, name, base, platform: platform ? atLine(file, ins, () => expandWord(platform, lookupMeta, escape).word) : null, from: ins, instructions: [] };
      stages.push(current);
      continue;
    }
    if (current === null) {
      if (ins.keyword !== 'ARG') throw dockerfileError(file, ins.line, `${ins.keyword} before the first FROM: only ARG may come before FROM`);
      for (const [n, def] of argDecls(file, ins, lookupMeta, escape)) metaArgs.set(n, buildArgs[n] ?? def);
      continue;
    }
    current.instructions.push(ins);
  }
  if (stages.length === 0) throw dockerfileError(file, parsed.instructions.at(-1)?.line ?? 1, 'the Dockerfile has no FROM instruction');
  return { file, escape, notes: parsed.notes, metaArgs, stages };
}

export function planDockerfile(source: string, file: string, buildArgs: Record<string, string>): BuildPlan {
  return planStages(parseDockerfile(source, file), buildArgs);
}

/** The stage `target` names (by AS name or index), or the last one. */
export function targetStage(plan: BuildPlan, target: string | undefined): Stage {
  if (target === undefined || target === '') return plan.stages[plan.stages.length - 1] as Stage;
  const t = target.toLowerCase();
  const found = plan.stages.find((s) => s.name === t) ?? (/^\d+$/.test(t) ? plan.stages[Number(t)] : undefined);
  if (!found) throw dockerfileError(plan.file, 1, `no build stage named "${target}" (stages: ${plan.stages.map((s) => s.name ?? String(s.index)).join(', ')})`);
  return found;
}

/** A stage named by FROM or COPY --from: by AS name or index among the earlier stages. */
export function stageRef(plan: BuildPlan, name: string, before: number): Stage | null {
  const n = name.toLowerCase();
  const byName = plan.stages.find((s) => s.name === n && s.index < before);
  if (byName) return byName;
  if (/^\d+$/.test(n) && Number(n) < before) return plan.stages[Number(n)] ?? null;
  return null;
}

/**
 * Stages the target needs, in dependency order (FROM a stage, COPY --from
 * a stage, RUN --mount from=stage): the others are skipped, as BuildKit.
 */
export function neededStages(plan: BuildPlan, target: Stage): Stage[] {
  const need = new Set<number>();
  const visit = (s: Stage): void => {
    if (need.has(s.index)) return;
    need.add(s.index);
    const base = stageRef(plan, s.base, s.index);
    if (base) visit(base);
    for (const ins of s.instructions) {
      for (const f of ins.flags) {
        let from: string | null = null;
        if (f.name === 'from' && f.value) from = f.value;
        if (f.name === 'mount' && f.value) from = /(?:^|,)from=([^,]+)/.exec(f.value)?.[1] ?? null;
        const dep = from ? stageRef(plan, from, s.index) : null;
        if (dep) visit(dep);
      }
    }
  };
  visit(target);
  return plan.stages.filter((s) => need.has(s.index));
}
