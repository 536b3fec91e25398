// Compose-spec interpolation ("Interpolation"): `$V`, `${V}`, `${V:-d}`,
// `${V-d}`, `${V:?err}`, `${V?err}`, `${V:+alt}`, `${V+alt}`, nesting in
// the default/alternative/message, and `$$` for a literal `$`. Applied to
// every string value of a file before merging, never to keys. A `$` not
// followed by a name or `{` stays as it is, as the spec says.
import { formatPath, invalid, type ModelPath } from './yaml-file.js';

export type Lookup = (name: string) => string | undefined;

export interface InterpolationContext {
  lookup: Lookup;
  /** Names used but unset without a default: compose warns and substitutes "". */
  unset: Set<string>;
  /** Where the string is, for error messages (`file:line:col` or the path). */
  where: string;
}

const NAME_START = /[A-Za-z_]/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolateString(text: string, ctx: InterpolationContext): string {
  if (!text.includes('$')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) throw invalid(`${ctx.where}: invalid interpolation format in "${text}": no closing "}"`);
      out += braced(text.slice(i + 2, end), text, ctx);
      i = end + 1;
    } else if (next !== undefined && NAME_START.test(next)) {
      const name = NAME.exec(text.slice(i + 1))?.[0] ?? '';
      out += valueOf(name, ctx);
      i += 1 + name.length;
    } else {
      out += '$';
      i++;
    }
  }
  return out;
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') i++;
    else if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function valueOf(name: string, ctx: InterpolationContext): string {
  const v = ctx.lookup(name);
  if (v === undefined) {
    ctx.unset.add(name);
    return '';
  }
  return v;
}

function braced(body: string, whole: string, ctx: InterpolationContext): string {
  const name = NAME.exec(body)?.[0];
  if (!name) throw invalid(`${ctx.where}: invalid interpolation format in "${whole}": "\${${body}}" does not start with a variable name`);
  const rest = body.slice(name.length);
  if (rest === '') return valueOf(name, ctx);
  const colon = rest.startsWith(':');
  const op = rest[colon ? 1 : 0];
  const arg = rest.slice(colon ? 2 : 1);
  if (op !== '-' && op !== '?' && op !== '+') {
    throw invalid(`${ctx.where}: invalid interpolation format in "${whole}": "\${${body}}" (expected \${${name}}, \${${name}:-default}, \${${name}-default}, \${${name}:?error}, \${${name}?error}, \${${name}:+alt} or \${${name}+alt})`);
  }
  const value = ctx.lookup(name);
  // With ':' an empty value counts as unset, as in sh(1).
  const missing = value === undefined || (colon && value === '');
  if (op === '-') return missing ? interpolateString(arg, ctx) : (value as string);
  if (op === '+') return missing ? '' : interpolateString(arg, ctx);
  if (missing) {
    const message = interpolateString(arg, ctx);
    throw invalid(`${ctx.where}: required variable ${name} is ${value === undefined ? 'missing a value' : 'empty'}${message ? `: ${message}` : ''}`);
  }
  return value as string;
}

/**
 * Every string value of `tree` interpolated (keys untouched); `where(path)`
 * names the place for errors. Returns a new tree.
 */
export function interpolateTree(tree: unknown, lookup: Lookup, unset: Set<string>, where: (path: ModelPath) => string | undefined, path: ModelPath = []): unknown {
  if (typeof tree === 'string') {
    return interpolateString(tree, { lookup, unset, where: where(path) ?? formatPath(path) });
  }
  if (Array.isArray(tree)) return tree.map((item, i) => interpolateTree(item, lookup, unset, where, [...path, i]));
  if (tree && typeof tree === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(tree)) out[k] = interpolateTree(v, lookup, unset, where, [...path, k]);
    return out;
  }
  return tree;
}
