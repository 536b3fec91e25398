// Go's text/template (https://pkg.go.dev/text/template) for `--format`, the
// subset docker's CLI users write: fields, variables, pipelines, if / else if
// / range / with / break / continue, comments and trim markers, the builtin
// functions and docker's own (json, join, split, upper, lower, title, pad,
// truncate, println). Written here because the npm ports found (in July
// 2026) cover only {{.x}}, {{if}} and {{range}} or are async, Hugo-bound
// engines; this one never evaluates JavaScript from the template text.

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Objects with docker's struct semantics: an unknown field is an error, not `<no value>`. */
const STRUCTS = new WeakSet<object>();
export function asStruct<T extends object>(value: T): T {
  STRUCTS.add(value);
  return value;
}

/** Marks a missing map key, which prints as Go's `<no value>`. */
const NO_VALUE: unique symbol = Symbol('no value');

export type TemplateFunc = (...args: unknown[]) => unknown;

// ---- lexer -----------------------------------------------------------------

type Tok =
  | { t: 'field'; path: string[]; pos: number }
  | { t: 'var'; name: string; path: string[]; pos: number }
  | { t: 'ident'; name: string; pos: number }
  | { t: 'string'; value: string; pos: number }
  | { t: 'number'; value: number; pos: number }
  | { t: 'char'; value: string; pos: number }
  | { t: '(' | ')' | '|' | ':=' | '=' | ','; pos: number }
  | { t: 'chain'; path: string[]; pos: number };

type Piece = { kind: 'text'; text: string } | { kind: 'action'; toks: Tok[]; line: number; src: string };

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;

function lexAction(body: string, line: number, offset: number): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new TemplateError(`template: :${line}: ${msg}`);
  };
  const readPath = (): string[] => {
    const path: string[] = [];
    while (body[i] === '.' && /[A-Za-z_]/.test(body[i + 1] ?? '')) {
      IDENT.lastIndex = i + 1;
      const m = IDENT.exec(body) as RegExpExecArray;
      path.push(m[0]);
      i = IDENT.lastIndex;
    }
    return path;
  };
  while (i < body.length) {
    const c = body[i] as string;
    const pos = offset + i;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '.' && !/[0-9]/.test(body[i + 1] ?? '')) {
      const after = toks[toks.length - 1];
      const path = readPath();
      if (path.length === 0) {
        i++;
        toks.push({ t: 'field', path: [], pos });
      } else if (after?.t === ')' && !/\s/.test(body[pos - offset - 1] ?? ' ')) {
        toks.push({ t: 'chain', path, pos });
      } else toks.push({ t: 'field', path, pos });
    } else if (c === '$') {
      i++;
      IDENT.lastIndex = i;
      const m = IDENT.exec(body);
      const name = m && m.index === i ? m[0] : '';
      i += name.length;
      toks.push({ t: 'var', name: '$' + name, path: readPath(), pos });
    } else if (c === '"') {
      let j = i + 1;
      let s = '';
      for (;;) {
        const d = body[j];
        if (d === undefined || d === '\n') fail('unterminated quoted string');
        if (d === '"') break;
        if (d === '\\') {
          const e = body[j + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '"': '"', "'": "'", a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
          if (e === 'x' || e === 'u') {
            const len = e === 'x' ? 2 : 4;
            const hex = body.slice(j + 2, j + 2 + len);
            if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) fail('bad escape in quoted string');
            s += String.fromCodePoint(parseInt(hex, 16));
            j += 2 + len;
            continue;
          }
          if (e === undefined || !(e in map)) fail(`unknown escape sequence \\${e ?? ''}`);
          s += map[e as string];
          j += 2;
          continue;
        }
        s += d;
        j++;
      }
      toks.push({ t: 'string', value: s, pos });
      i = j + 1;
    } else if (c === '`') {
      const j = body.indexOf('`', i + 1);
      if (j < 0) fail('unterminated raw quoted string');
      toks.push({ t: 'string', value: body.slice(i + 1, j), pos });
      i = j + 1;
    } else if (c === "'") {
      const m = /^'(\\.|[^'\\])'/.exec(body.slice(i));
      if (!m) fail('bad character constant');
      const inner = (m as RegExpExecArray)[1] as string;
      toks.push({ t: 'char', value: inner.length === 2 ? (JSON.parse(`"${inner}"`) as string) : inner, pos });
      i += (m as RegExpExecArray)[0].length;
    } else if (/[0-9+\-.]/.test(c)) {
      const m = /^[+-]?(0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(body.slice(i));
      const text = m?.[0] ?? '';
      const value = Number(text.replace(/_/g, ''));
      if (text === '' || text === '-' || text === '+' || Number.isNaN(value)) fail(`bad number syntax: ${body.slice(i, i + 10)}`);
      toks.push({ t: 'number', value, pos });
      i += text.length;
    } else if (c === '(' || c === ')' || c === '|' || c === ',') {
      toks.push({ t: c, pos });
      i++;
    } else if (c === ':' && body[i + 1] === '=') {
      toks.push({ t: ':=', pos });
      i += 2;
    } else if (c === '=') {
      toks.push({ t: '=', pos });
      i++;
    } else if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const m = IDENT.exec(body) as RegExpExecArray;
      toks.push({ t: 'ident', name: m[0], pos });
      i = IDENT.lastIndex;
    } else {
      fail(`unexpected "${c}" in command`);
    }
  }
  return toks;
}

function lex(src: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  const lineAt = (pos: number): number => src.slice(0, pos).split('\n').length;
  while (i <= src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      if (text) pieces.push({ kind: 'text', text });
      break;
    }
    let j = open + 2;
    // "{{- " trims the text before it; the marker needs a space after it (text/template "Text and spaces").
    if (src[j] === '-' && /\s/.test(src[j + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      j += 2;
    }
    if (text) pieces.push({ kind: 'text', text });
    // Find the closing }} outside quotes.
    let k = j;
    let quote: string | null = null;
    for (; k < src.length; k++) {
      const c = src[k];
      if (quote) {
        if (c === '\\' && quote !== '`') k++;
        else if (c === quote) quote = null;
      } else if (c === '"' || c === '`' || c === "'") quote = c;
      else if (c === '}' && src[k + 1] === '}') break;
      else if (src.startsWith('/*', k)) {
        const end = src.indexOf('*/', k + 2);
        if (end < 0) throw new TemplateError(`template: :${lineAt(open)}: unclosed comment`);
        k = end + 1;
      }
    }
    if (k >= src.length) throw new TemplateError(`template: :${lineAt(open)}: unclosed action`);
    let body = src.slice(j, k);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -2);
      trimNext = true;
    }
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) {
      pieces.push({ kind: 'action', toks: lexAction(body, lineAt(open), j), line: lineAt(open), src: body.trim() });
    }
    i = k + 2;
  }
  return pieces;
}

// ---- parser ----------------------------------------------------------------

type Arg =
  | { a: 'field'; path: string[] }
  | { a: 'var'; name: string; path: string[] }
  | { a: 'ident'; name: string }
  | { a: 'lit'; value: unknown }
  | { a: 'pipe'; pipe: Pipe; path: string[] };

interface Cmd {
  args: Arg[];
  src: string;
}
interface Pipe {
  decl: string[];
  assign: boolean;
  cmds: Cmd[];
}

type Node =
  | { n: 'text'; text: string }
  | { n: 'action'; pipe: Pipe; line: number }
  | { n: 'if' | 'with'; pipe: Pipe; list: Node[]; elseList: Node[] | null; line: number }
  | { n: 'range'; pipe: Pipe; list: Node[]; elseList: Node[] | null; line: number }
  | { n: 'break' | 'continue' };

class Parser {
  private p = 0;
  private rangeDepth = 0;
  constructor(private readonly pieces: Piece[]) {}

  parse(): Node[] {
    const { list, end } = this.list();
    if (end) throw new TemplateError(`template: :${end.line}: unexpected {{${end.word}}}`);
    return list;
  }

  /** Parses nodes until {{end}} / {{else ...}} (returned) or the end of input. */
  private list(): { list: Node[]; end: { word: 'end' | 'else'; rest: Tok[]; line: number } | null } {
    const list: Node[] = [];
    while (this.p < this.pieces.length) {
      const piece = this.pieces[this.p++] as Piece;
      if (piece.kind === 'text') {
        list.push({ n: 'text', text: piece.text });
        continue;
      }
      const [first, ...rest] = piece.toks;
      const word = first?.t === 'ident' ? first.name : '';
      const err = (m: string): never => {
        throw new TemplateError(`template: :${piece.line}: ${m}`);
      };
      if (!first) err('missing value for command');
      if (word === 'end' || word === 'else') {
        if (word === 'end' && rest.length > 0) err('unexpected tokens after end');
        return { list, end: { word, rest, line: piece.line } };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        list.push(this.control(word, rest, piece.line, piece.src));
      } else if (word === 'break' || word === 'continue') {
        if (this.rangeDepth === 0) err(`{{${word}}} outside {{range}}`);
        list.push({ n: word });
      } else if (['define', 'template', 'block'].includes(word)) {
        err(`{{${word}}} is not supported in --format`);
      } else {
        list.push({ n: 'action', pipe: this.pipe(piece.toks, piece.line, piece.src, false), line: piece.line });
      }
    }
    return { list, end: null };
  }

  private control(word: 'if' | 'with' | 'range', toks: Tok[], line: number, src: string): Node {
    const pipe = this.pipe(toks, line, src, word === 'range');
    if (pipe.cmds.length === 0) throw new TemplateError(`template: :${line}: missing value for ${word}`);
    if (word === 'range') this.rangeDepth++;
    const body = this.list();
    if (word === 'range') this.rangeDepth--;
    if (!body.end) throw new TemplateError(`template: :${line}: unexpected EOF`);
    let elseList: Node[] | null = null;
    if (body.end.word === 'else') {
      const chained = body.end.rest[0];
      if (chained?.t === 'ident' && (chained.name === 'if' || chained.name === 'with') && word !== 'range') {
        // {{else if x}} / {{else with x}}: a nested node that shares our {{end}}.
        elseList = [this.control(chained.name, body.end.rest.slice(1), body.end.line, src)];
      } else {
        if (body.end.rest.length > 0) throw new TemplateError(`template: :${body.end.line}: unexpected tokens after else`);
        const rest = this.list();
        if (!rest.end || rest.end.word !== 'end') throw new TemplateError(`template: :${line}: expected end; found ${rest.end ? 'else' : 'EOF'}`);
        elseList = rest.list;
      }
    }
    return word === 'range' ? { n: 'range', pipe, list: body.list, elseList, line } : { n: word, pipe, list: body.list, elseList, line };
  }

  private pipe(toks: Tok[], line: number, src: string, allowTwo: boolean): Pipe {
    let i = 0;
    const decl: string[] = [];
    let assign = false;
    // $x := ..., $x = ..., range $i, $e := ...
    const declEnd = toks.findIndex((t) => t.t === ':=' || t.t === '=');
    if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.t === 'var' || t.t === ',')) {
      for (const t of toks.slice(0, declEnd)) if (t.t === 'var') {
        if (t.path.length > 0) throw new TemplateError(`template: :${line}: cannot declare ${t.name}.${t.path.join('.')}`);
        decl.push(t.name);
      }
      if (decl.length > (allowTwo ? 2 : 1)) throw new TemplateError(`template: :${line}: too many declarations in ${src}`);
      assign = (toks[declEnd] as Tok).t === '=';
      i = declEnd + 1;
    }
    const { cmds, next } = this.cmds(toks, i, line, src, false);
    if (next !== toks.length) throw new TemplateError(`template: :${line}: unexpected ")" in ${src}`);
    return { decl, assign, cmds };
  }

  /** Commands separated by |, up to the end or a closing parenthesis. */
  private cmds(toks: Tok[], start: number, line: number, src: string, inParen: boolean): { cmds: Cmd[]; next: number } {
    const cmds: Cmd[] = [];
    let args: Arg[] = [];
    let i = start;
    const fail = (m: string): never => {
      throw new TemplateError(`template: :${line}: ${m} in ${src}`);
    };
    const finish = (): void => {
      if (args.length === 0) fail('missing value for command');
      cmds.push({ args, src });
      args = [];
    };
    for (; i < toks.length; i++) {
      const t = toks[i] as Tok;
      switch (t.t) {
        case '|':
          finish();
          break;
        case ')':
          if (!inParen) fail('unexpected ")"');
          finish();
          return { cmds, next: i };
        case '(': {
          const inner = this.cmds(toks, i + 1, line, src, true);
          if (toks[inner.next]?.t !== ')') fail('unclosed left paren');
          i = inner.next;
          const chain = toks[i + 1];
          const path = chain?.t === 'chain' ? chain.path : [];
          if (chain?.t === 'chain') i++;
          args.push({ a: 'pipe', pipe: { decl: [], assign: false, cmds: inner.cmds }, path });
          break;
        }
        case 'field':
          args.push({ a: 'field', path: t.path });
          break;
        case 'var':
          args.push({ a: 'var', name: t.name, path: t.path });
          break;
        case 'ident':
          if (t.name === 'true' || t.name === 'false') args.push({ a: 'lit', value: t.name === 'true' });
          else if (t.name === 'nil') args.push({ a: 'lit', value: null });
          else args.push({ a: 'ident', name: t.name });
          break;
        case 'string':
        case 'char':
          args.push({ a: 'lit', value: t.value });
          break;
        case 'number':
          args.push({ a: 'lit', value: t.value });
          break;
        default:
          fail(`unexpected "${t.t}"`);
      }
    }
    if (inParen) fail('unclosed left paren');
    if (args.length > 0 || cmds.length > 0) finish();
    return { cmds, next: i };
  }
}

// ---- values ------------------------------------------------------------------

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** text/template's truth: false, 0, "", nil and empty collections are false. */
export function truth(v: unknown): boolean {
  if (v === null || v === undefined || v === NO_VALUE) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** fmt's %v, as text/template prints a value. */
export function printValue(v: unknown): string {
  if (v === NO_VALUE) return '<no value>';
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : formatFloat(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(printValue).join(' ')}]`;
  if (typeof v === 'function') return '<func>';
  if (isMap(v)) {
    if (STRUCTS.has(v)) return `{${Object.values(v).filter((x) => typeof x !== 'function').map(printValue).join(' ')}}`;
    return `map[${Object.keys(v).sort().map((k) => `${k}:${printValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

function formatFloat(v: number): string {
  // Go's %v for float64 is %g with the shortest representation: exponent from 1e21 up or below 1e-4.
  const abs = Math.abs(v);
  if (abs !== 0 && (abs >= 1e21 || abs < 1e-4)) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    const exp = Number(e);
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(v);
}

/**
 * docker's `json` template function: compact, HTML characters not escaped
 * (Go's SetEscapeHTML(false)); maps come out with sorted keys as
 * encoding/json writes them, structs in their field order.
 */
function toJson(v: unknown): string {
  if (v === NO_VALUE || v === undefined) return 'null';
  return (
    JSON.stringify(v, function (this: unknown, _k: string, x: unknown) {
      if (typeof x === 'function') return undefined;
      if (isMap(x) && !STRUCTS.has(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, x[k]]));
      return x;
    }) ?? 'null'
  );
}

function sprint(args: unknown[], spaces: 'go' | 'always'): string {
  let out = '';
  args.forEach((a, idx) => {
    // fmt.Sprint adds a space between operands when neither is a string.
    if (idx > 0 && (spaces === 'always' || (typeof a !== 'string' && typeof args[idx - 1] !== 'string'))) out += ' ';
    out += printValue(a);
  });
  return out;
}

/** fmt.Sprintf for the verbs people use in templates: %s %v %d %q %f %g %x %X %t %%, with flags and width. */
export function sprintf(format: string, ...args: unknown[]): string {
  let n = 0;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (n >= args.length) return `%!${verb}(MISSING)`;
    const a = args[n++];
    let s: string;
    switch (verb) {
      case 'v':
      case 's':
        s = printValue(a);
        if (prec !== undefined && verb === 's') s = s.slice(0, Number(prec));
        break;
      case 'q':
        s = JSON.stringify(printValue(a));
        break;
      case 'd':
        s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${printValue(a)})`;
        if (flags.includes('+') && typeof a === 'number' && a >= 0) s = '+' + s;
        break;
      case 'f':
      case 'F':
        s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${printValue(a)})`;
        break;
      case 'g':
        s = typeof a === 'number' ? (prec === undefined ? printValue(a) : String(Number(a.toPrecision(Number(prec))))) : `%!g(${printValue(a)})`;
        break;
      case 'x':
      case 'X': {
        const hex = typeof a === 'number' ? Math.trunc(a).toString(16) : Buffer.from(printValue(a)).toString('hex');
        s = verb === 'X' ? hex.toUpperCase() : hex;
        break;
      }
      case 't':
        s = typeof a === 'boolean' ? String(a) : `%!t(${printValue(a)})`;
        break;
      default:
        s = `%!${verb}(${printValue(a)})`;
    }
    const w = width === undefined ? 0 : Number(width);
    if (s.length < w) s = flags.includes('-') ? s.padEnd(w) : flags.includes('0') && /[dfFgxX]/.test(verb) ? s.padStart(w, '0') : s.padStart(w);
    return s;
  }) + (n < args.length ? `%!(EXTRA ${args.slice(n).map(printValue).join(', ')})` : '');
}

function compare(name: string, a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
}

function indexInto(item: unknown, keys: unknown[]): unknown {
  let v = item;
  for (const k of keys) {
    if (Array.isArray(v) || typeof v === 'string') {
      if (typeof k !== 'number' || !Number.isInteger(k)) throw new TemplateError(`error calling index: cannot index slice/array with type ${typeof k}`);
      if (k < 0 || k >= v.length) throw new TemplateError(`error calling index: index out of range: ${k}`);
      v = typeof v === 'string' ? v.charCodeAt(k) : v[k];
    } else if (isMap(v)) {
      v = Object.prototype.hasOwnProperty.call(v, String(k)) ? v[String(k)] : NO_VALUE;
    } else if (v === null || v === undefined || v === NO_VALUE) {
      throw new TemplateError('error calling index: index of untyped nil');
    } else {
      throw new TemplateError(`error calling index: can't index item of type ${typeof v}`);
    }
  }
  return v;
}

function lengthOf(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v);
  if (Array.isArray(v)) return v.length;
  if (isMap(v)) return Object.keys(v).length;
  throw new TemplateError(`error calling len: len of type ${v === null || v === undefined ? 'nil' : typeof v}`);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : printValue(v);
}

/** text/template's builtins plus docker's (cli/templates/templates.go). */
export const BUILTIN_FUNCS: Record<string, TemplateFunc> = {
  not: (a) => !truth(a),
  len: (a) => lengthOf(a),
  index: (item, ...keys) => indexInto(item, keys),
  slice: (item, ...idx) => {
    if (typeof item !== 'string' && !Array.isArray(item)) throw new TemplateError('error calling slice: can\'t slice item');
    const [from = 0, to = item.length] = idx as number[];
    if (from < 0 || to > item.length || from > to) throw new TemplateError(`error calling slice: index out of range: ${from}:${to}`);
    return item.slice(from, to);
  },
  eq: (a, ...bs) => {
    if (bs.length === 0) throw new TemplateError('error calling eq: missing argument for comparison');
    return bs.some((b) => (a === NO_VALUE ? null : a) === (b === NO_VALUE ? null : b));
  },
  ne: (a, b) => a !== b,
  lt: (a, b) => compare('lt', a, b) < 0,
  le: (a, b) => compare('le', a, b) <= 0,
  gt: (a, b) => compare('gt', a, b) > 0,
  ge: (a, b) => compare('ge', a, b) >= 0,
  print: (...a) => sprint(a, 'go'),
  println: (...a) => sprint(a, 'always') + '\n',
  printf: (f, ...a) => sprintf(str(f), ...a),
  urlquery: (...a) => encodeURIComponent(sprint(a, 'go')).replace(/%20/g, '+'),
  json: (v) => toJson(v),
  join: (list, sep) => {
    if (!Array.isArray(list)) throw new TemplateError('error calling join: not a list');
    return list.map(str).join(str(sep));
  },
  split: (s, sep) => str(s).split(str(sep)),
  upper: (s) => str(s).toUpperCase(),
  lower: (s) => str(s).toLowerCase(),
  // Go's strings.Title: the first letter of every word upper-cased, the rest kept.
  title: (s) => str(s).replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, pre: string, ch: string) => pre + ch.toUpperCase()),
  pad: (s, left, right) => ' '.repeat(Number(left)) + str(s) + ' '.repeat(Number(right)),
  truncate: (s, n) => [...str(s)].slice(0, Number(n)).join(''),
};

// ---- execution ---------------------------------------------------------------

class Break {}
class Continue {}

interface Scope {
  vars: Array<[string, unknown]>;
}

class Exec {
  private out = '';
  constructor(
    private readonly funcs: Record<string, TemplateFunc>,
    private readonly scope: Scope,
  ) {}

  run(nodes: Node[], dot: unknown): string {
    this.list(nodes, dot);
    return this.out;
  }

  private list(nodes: Node[], dot: unknown): void {
    const mark = this.scope.vars.length;
    try {
      for (const node of nodes) this.node(node, dot);
    } finally {
      this.scope.vars.length = mark;
    }
  }

  private node(node: Node, dot: unknown): void {
    switch (node.n) {
      case 'text':
        this.out += node.text;
        return;
      case 'action': {
        const v = this.pipe(node.pipe, dot);
        if (node.pipe.decl.length === 0) this.out += printValue(v);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.scope.vars.length;
        const v = this.pipe(node.pipe, dot);
        try {
          if (truth(v)) this.list(node.list, node.n === 'with' ? v : dot);
          else if (node.elseList) this.list(node.elseList, dot);
        } finally {
          this.scope.vars.length = mark;
        }
        return;
      }
      case 'range':
        this.range(node, dot);
        return;
      case 'break':
        throw new Break();
      case 'continue':
        throw new Continue();
    }
  }

  private range(node: Extract<Node, { n: 'range' }>, dot: unknown): void {
    const mark = this.scope.vars.length;
    const pipe = { ...node.pipe, decl: [] };
    const v = this.pipe(pipe, dot);
    let entries: Array<[unknown, unknown]>;
    if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
    else if (isMap(v)) entries = Object.keys(v).sort().map((k) => [k, v[k]]);
    else if (typeof v === 'number' && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_x, i) => [i, i]);
    else if (v === null || v === undefined || v === NO_VALUE) entries = [];
    else throw new TemplateError(`template: :${node.line}: range can't iterate over ${printValue(v)}`);
    try {
      if (entries.length === 0) {
        if (node.elseList) this.list(node.elseList, dot);
        return;
      }
      for (const [k, x] of entries) {
        this.scope.vars.length = mark;
        const [first, second] = node.pipe.decl;
        if (first && second) this.scope.vars.push([first, k], [second, x]);
        else if (first) this.scope.vars.push([first, x]);
        try {
          this.list(node.list, x);
        } catch (e) {
          if (e instanceof Break) break;
          if (e instanceof Continue) continue;
          throw e;
        }
      }
    } finally {
      this.scope.vars.length = mark;
    }
  }

  private lookupVar(name: string): unknown {
    for (let i = this.scope.vars.length - 1; i >= 0; i--) {
      const entry = this.scope.vars[i] as [string, unknown];
      if (entry[0] === name) return entry[1];
    }
    throw new TemplateError(`template: undefined variable: ${name}`);
  }

  private pipe(pipe: Pipe, dot: unknown): unknown {
    let value: unknown = undefined;
    let has = false;
    for (const cmd of pipe.cmds) {
      value = this.command(cmd, dot, has ? [value] : []);
      has = true;
    }
    if (pipe.decl.length > 0) {
      const name = pipe.decl[0] as string;
      if (pipe.assign) {
        const idx = this.scope.vars.map((v) => v[0]).lastIndexOf(name);
        if (idx < 0) throw new TemplateError(`template: undefined variable: ${name}`);
        (this.scope.vars[idx] as [string, unknown])[1] = value;
      } else this.scope.vars.push([name, value]);
    }
    return value;
  }

  private command(cmd: Cmd, dot: unknown, piped: unknown[]): unknown {
    const [head, ...rest] = cmd.args;
    if (!head) throw new TemplateError('template: empty command');
    if (head.a === 'ident') {
      if (head.name === 'and' || head.name === 'or') {
        // Go 1.18+: and/or stop evaluating at the first false/true argument.
        const args = [...rest.map((a) => () => this.arg(a, dot)), ...piped.map((p) => () => p)];
        if (args.length === 0) throw new TemplateError(`template: wrong number of args for ${head.name}: want at least 1 got 0`);
        let v: unknown;
        for (const get of args) {
          v = get();
          if (head.name === 'and' ? !truth(v) : truth(v)) return v;
        }
        return v;
      }
      const fn = this.funcs[head.name];
      if (!fn) throw new TemplateError(`template: function "${head.name}" not defined`);
      const args = [...rest.map((a) => this.arg(a, dot)), ...piped];
      try {
        return fn(...args.map((a) => (a === NO_VALUE ? null : a)));
      } catch (e) {
        if (e instanceof TemplateError) throw new TemplateError(`template: executing "${cmd.src}" at <${head.name}>: ${e.message}`);
        throw e;
      }
    }
    // A field or variable followed by arguments is a method call (docker's {{.Label "x"}}).
    if ((head.a === 'field' || head.a === 'var') && (rest.length > 0 || piped.length > 0)) {
      const args = [...rest.map((a) => this.arg(a, dot)), ...piped];
      const base = head.a === 'field' ? dot : this.lookupVar(head.name);
      return this.fieldChain(base, head.path, args, head.a === 'var' ? head.name : '');
    }
    if (rest.length > 0 || piped.length > 0) throw new TemplateError(`template: can't give argument to non-function ${describe(head)}`);
    return this.arg(head, dot);
  }

  private arg(arg: Arg, dot: unknown): unknown {
    switch (arg.a) {
      case 'lit':
        return arg.value;
      case 'field':
        return this.fieldChain(dot, arg.path, [], '');
      case 'var':
        return this.fieldChain(this.lookupVar(arg.name), arg.path, [], arg.name);
      case 'pipe':
        return this.fieldChain(this.pipe(arg.pipe, dot), arg.path, [], '');
      case 'ident': {
        const fn = this.funcs[arg.name];
        if (!fn) throw new TemplateError(`template: function "${arg.name}" not defined`);
        return fn();
      }
    }
  }

  private fieldChain(base: unknown, path: string[], args: unknown[], prefix: string): unknown {
    let v = base;
    path.forEach((name, i) => {
      const last = i === path.length - 1;
      const at = `<${prefix}.${path.slice(0, i + 1).join('.')}>`;
      if (v === null || v === undefined || v === NO_VALUE) throw new TemplateError(`template: executing at ${at}: nil pointer evaluating interface {}.${name}`);
      if (!isMap(v)) throw new TemplateError(`template: executing at ${at}: can't evaluate field ${name} in type ${Array.isArray(v) ? '[]interface {}' : typeof v}`);
      if (!Object.prototype.hasOwnProperty.call(v, name)) {
        if (STRUCTS.has(v)) throw new TemplateError(`template: executing at ${at}: can't evaluate field ${name}`);
        v = NO_VALUE;
        return;
      }
      const next = v[name];
      v = typeof next === 'function' ? (next as TemplateFunc)(...(last ? args : [])) : next;
      if (last && args.length > 0 && typeof next !== 'function') throw new TemplateError(`template: executing at ${at}: ${name} has arguments but is not a method`);
    });
    if (path.length === 0 && args.length > 0) throw new TemplateError("template: can't give argument to non-function");
    return v;
  }
}

function describe(a: Arg): string {
  if (a.a === 'field') return '.' + a.path.join('.');
  if (a.a === 'var') return a.name + (a.path.length ? '.' + a.path.join('.') : '');
  if (a.a === 'lit') return printValue(a.value);
  return '(pipeline)';
}

export class GoTemplate {
  private readonly nodes: Node[];
  constructor(
    readonly source: string,
    private readonly funcs: Record<string, TemplateFunc> = BUILTIN_FUNCS,
  ) {
    this.nodes = new Parser(lex(source)).parse();
  }

  execute(data: unknown): string {
    return new Exec(this.funcs, { vars: [['$', data]] }).run(this.nodes, data);
  }
}

export function renderTemplate(source: string, data: unknown): string {
  return new GoTemplate(source).execute(data);
}
