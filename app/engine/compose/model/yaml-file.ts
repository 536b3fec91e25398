// One compose file read with the `yaml` package: its plain value, where each
// model path sits in it (for file:line:column in errors), and the paths the
// compose-spec `!reset` / `!override` tags mark (merge rules, "Reset value"
// and "Replace value").
import fs from 'node:fs';
import { LineCounter, parseDocument, visit, isMap, isNode, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { EngineError } from '../../errors.js';

export type ModelPath = Array<string | number>;
export type RawMap = Record<string, unknown>;

export interface ComposeYamlFile {
  file: string;
  value: RawMap;
  /**
   * `file:line:column` of the deepest node of `path` that exists in this file,
   * or undefined: a scalar value's own position, a mapping entry's key when
   * its value is a collection (or `key` asks for the key).
   */
  locate(path: ModelPath, key?: boolean): string | undefined;
  /** Paths tagged `!reset` (the key is removed) and `!override` (replaced, not merged). */
  resets: ModelPath[];
  overrides: ModelPath[];
}

export function invalid(message: string): EngineError {
  return new EngineError('E_COMPOSE_INVALID', message);
}

/** `services.web.ports[0]` as compose names places in the model. */
export function formatPath(path: ModelPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

// Anchors expanding into more nodes than this are refused ("billion laughs").
const MAX_ALIAS_COUNT = 10_000;

export function readComposeYaml(file: string, source?: string): ComposeYamlFile {
  let text: string;
  try {
    text = source ?? fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read: ${code ?? String(err)}`);
  }
  return parseComposeYaml(file, text);
}

export function parseComposeYaml(file: string, text: string): ComposeYamlFile {
  const lineCounter = new LineCounter();
  // merge: YAML 1.1 `<<` merge keys, which compose files use with anchors for shared fragments.
  const doc = parseDocument(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
    throw invalid(`${where}: invalid YAML: ${first.message.split('\n')[0]}`);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw invalid(`${file}: invalid YAML: ${(err as Error).message}`);
  }
  if (value === null || value === undefined) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const pos = doc.contents?.range ? lineCounter.linePos(doc.contents.range[0]) : undefined;
    throw invalid(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: the top level of a compose file must be a mapping`);
  }
  const { resets, overrides } = taggedPaths(doc);
  return {
    file,
    value: value as RawMap,
    resets,
    overrides,
    locate(path, key = false) {
      for (let n = path.length; n >= 0; n--) {
        const node = nodeAt(doc, path.slice(0, n), key);
        if (node?.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return `${file}:${pos.line}:${pos.col}`;
        }
      }
      return undefined;
    },
  };
}

function nodeAt(doc: Document, path: ModelPath, key: boolean): Node | undefined {
  let node: unknown = doc.contents;
  for (const [i, part] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) return undefined;
      const last = i === path.length - 1;
      // A key with a null value has no value node: point at the key.
      node = pair.value && !(last && (key || !isScalar(pair.value))) ? pair.value : pair.key;
    } else if (isSeq(node) && typeof part === 'number') {
      node = node.items[part];
    } else {
      return undefined;
    }
  }
  return isNode(node) ? node : undefined;
}

function taggedPaths(doc: Document): { resets: ModelPath[]; overrides: ModelPath[] } {
  const resets: ModelPath[] = [];
  const overrides: ModelPath[] = [];
  visit(doc, {
    Node(_key, node, ancestors) {
      if (node.tag !== '!reset' && node.tag !== '!override') return;
      const path: ModelPath = [];
      let parent: unknown = undefined;
      for (const a of [...ancestors, node]) {
        if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value));
        else if (isSeq(parent) && isNode(a)) path.push(parent.items.indexOf(a));
        if (!isPair(a)) parent = a;
      }
      (node.tag === '!reset' ? resets : overrides).push(path);
    },
  });
  return { resets, overrides };
}
