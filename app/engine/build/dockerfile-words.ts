// Docker's word processing for instructions that expand variables
// (moby/buildkit frontend/dockerfile/shell/lex.go): quotes, the escape
// character, $V, ${V}, ${V:-w}, ${V-w}, ${V:+w}, ${V+w}, ${V:?msg}, ${V?msg}.

/** Variables in scope; `undefined` and missing keys both mean unset. */
export type VarLookup = (name: string) => string | undefined;

export class WordError extends Error {}

interface Result {
  words: string[];
  /** Names read during expansion, set or not: what a cache key depends on. */
  used: Set<string>;
}

class Lexer {
  private pos = 0;
  readonly used = new Set<string>();
  constructor(
    private readonly text: string,
    private readonly lookup: VarLookup,
    private readonly escape: string,
  ) {}

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private next(): string {
    return this.text[this.pos++] ?? '';
  }

  /** Splits into words on unquoted whitespace (split) or keeps one word. */
  run(split: boolean): string[] {
    const words: string[] = [];
    let word = '';
    let started = false;
    while (this.pos < this.text.length) {
      const c = this.peek();
      if (split && /\s/.test(c)) {
        this.pos++;
        if (started) words.push(word);
        word = '';
        started = false;
        continue;
      }
      started = true;
      if (c === "'") word += this.single();
      else if (c === '"') word += this.double();
      else if (c === '$') {
        const value = this.dollar();
        if (split && value.unquotedSplit) {
          // An unquoted variable's value is split into words, as a shell does.
          const parts = value.text.split(/\s+/);
          for (const [i, part] of parts.entries()) {
            if (i > 0) {
              if (word !== '') words.push(word);
              word = '';
            }
            word += part;
          }
        } else word += value.text;
      } else if (c === this.escape) {
        this.pos++;
        word += this.pos < this.text.length ? this.next() : '';
      } else word += this.next();
    }
    if (started || !split) words.push(word);
    return words;
  }

  private single(): string {
    this.pos++;
    const end = this.text.indexOf("'", this.pos);
    if (end < 0) throw new WordError('unterminated single quote');
    const s = this.text.slice(this.pos, end);
    this.pos = end + 1;
    return s;
  }

  private double(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new WordError('unterminated double quote');
      const c = this.peek();
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === '$') out += this.dollar().text;
      else if (c === this.escape) {
        this.pos++;
        const n = this.next();
        // Inside double quotes the escape keeps its meaning only before " $ and itself.
        out += n === '"' || n === '$' || n === this.escape ? n : this.escape + n;
      } else out += this.next();
    }
  }

  private dollar(): { text: string; unquotedSplit: boolean } {
    this.pos++;
    const c = this.peek();
    if (c === '{') {
      this.pos++;
      return { text: this.braced(), unquotedSplit: true };
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0] ?? '';
    if (name === '') return { text: '$', unquotedSplit: false };
    this.pos += name.length;
    this.used.add(name);
    return { text: this.lookup(name) ?? '', unquotedSplit: true };
  }

  private braced(): string {
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0] ?? '';
    if (name === '') throw new WordError(`bad substitution at "\${${this.text.slice(this.pos, this.pos + 10)}"`);
    this.pos += name.length;
    this.used.add(name);
    const value = this.lookup(name);
    if (this.pos >= this.text.length) throw new WordError('missing closing "}"');
    if (this.peek() === '}') {
      this.pos++;
      return value ?? '';
    }
    let colon = false;
    if (this.peek() === ':') {
      colon = true;
      this.pos++;
    }
    const op = this.next();
    if (!['-', '+', '?'].includes(op)) throw new WordError(`unsupported modifier "${colon ? ':' : ''}${op}" in \${${name}...}`);
    const word = this.until('}');
    const set = colon ? value !== undefined && value !== '' : value !== undefined;
    if (op === '-') return set ? (value as string) : word;
    if (op === '+') return set ? word : '';
    if (!set) throw new WordError(`${name}: ${word || 'is not set'}`);
    return value as string;
  }

  /** The modifier's word, itself expanded, up to the closing brace. */
  private until(close: string): string {
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) throw new WordError('missing closing "}"');
      const c = this.peek();
      if (c === close) {
        this.pos++;
        return out;
      }
      if (c === '$') out += this.dollar().text;
      else if (c === "'") out += this.single();
      else if (c === '"') out += this.double();
      else if (c === this.escape) {
        this.pos++;
        out += this.next();
      } else out += this.next();
    }
  }
}

/** One word: quotes removed, variables expanded (ENV values, WORKDIR, USER, ...). */
export function expandWord(text: string, lookup: VarLookup, escape = '\\'): { word: string; used: Set<string> } {
  const lexer = new Lexer(text, lookup, escape);
  return { word: lexer.run(false)[0] ?? '', used: lexer.used };
}

/** Words split on unquoted whitespace, then expanded (COPY sources, EXPOSE, VOLUME). */
export function expandWords(text: string, lookup: VarLookup, escape = '\\'): Result {
  const lexer = new Lexer(text, lookup, escape);
  return { words: lexer.run(true).filter((w) => w !== ''), used: lexer.used };
}

/**
 * Splits `a=b "c d"=e` into raw words on unquoted whitespace, quotes kept
 * (docker's parseWords for ENV/LABEL/ARG key=value lists).
 */
export function rawWords(text: string, escape = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === null && /\s/.test(c)) {
      if (word !== '') words.push(word);
      word = '';
      continue;
    }
    if (c === escape && quote !== "'" && i + 1 < text.length) {
      word += c + (text[++i] as string);
      continue;
    }
    if (quote === null && (c === '"' || c === "'")) quote = c;
    else if (quote === c) quote = null;
    word += c;
  }
  if (quote !== null) throw new WordError(`unterminated ${quote === '"' ? 'double' : 'single'} quote`);
  if (word !== '') words.push(word);
  return words;
}
