// `.env`, `--env-file` and service `env_file` files in the format compose
// reads them: `KEY=VALUE` lines, optional `export `, `#` comments, single
// quotes literal, double quotes with \n \t \\ \" escapes (and multi-line),
// unquoted values trimmed with a ` #` comment cut off; `${V}` interpolation
// in unquoted and double-quoted values from the keys above in the same file,
// then `lookup`. A bare `KEY` takes the value from `lookup` (absent: unset).
import fs from 'node:fs';
import { interpolateString, type Lookup } from './interpolate.js';
import { invalid } from './yaml-file.js';

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*/;

/** `format: raw` (env_file long syntax): `KEY=VALUE` lines taken verbatim, quotes and `$` included. */
export function parseRawEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

export function readEnvFile(file: string, lookup: Lookup = () => undefined, raw = false): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw invalid(code === 'ENOENT' ? `env file ${file} not found` : `env file ${file}: cannot read: ${code ?? String(err)}`);
  }
  return raw ? parseRawEnvFile(text) : parseEnvFile(file, text, lookup);
}

export function parseEnvFile(file: string, text: string, lookup: Lookup = () => undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const inFile: Lookup = (name) => (Object.hasOwn(out, name) ? out[name] : lookup(name));
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let pos = 0;
  let line = 1;
  while (pos < src.length) {
    const eol = src.indexOf('\n', pos);
    let raw = src.slice(pos, eol < 0 ? src.length : eol);
    const startLine = line;
    pos = eol < 0 ? src.length : eol + 1;
    line++;
    let body = raw.trim();
    if (body === '' || body.startsWith('#')) continue;
    if (body.startsWith('export ')) body = body.slice(7).trimStart();
    const key = KEY.exec(body)?.[0];
    if (!key) throw invalid(`${file}:${startLine}: invalid line "${raw}": expected KEY=VALUE`);
    let rest = body.slice(key.length).trimStart();
    if (rest === '' || rest.startsWith('#')) {
      const v = lookup(key);
      if (v !== undefined) out[key] = v;
      continue;
    }
    if (!rest.startsWith('=') && !rest.startsWith(':')) throw invalid(`${file}:${startLine}: invalid line "${raw}": expected KEY=VALUE`);
    rest = rest.slice(1).trimStart();
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      // A quoted value may continue over several lines until its closing quote.
      let value = rest.slice(1);
      let end = findClosing(value, quote);
      while (end < 0 && pos < src.length) {
        const e2 = src.indexOf('\n', pos);
        raw = src.slice(pos, e2 < 0 ? src.length : e2);
        pos = e2 < 0 ? src.length : e2 + 1;
        line++;
        value += `\n${raw}`;
        end = findClosing(value, quote);
      }
      if (end < 0) throw invalid(`${file}:${startLine}: unterminated ${quote === '"' ? 'double' : 'single'}-quoted value for ${key}`);
      const inner = value.slice(0, end);
      out[key] = quote === "'" ? inner : interpolateString(unescape(inner), { lookup: inFile, unset: new Set(), where: `${file}:${startLine}` });
      continue;
    }
    const comment = rest.search(/\s#/);
    const value = (comment < 0 ? rest : rest.slice(0, comment)).trim();
    out[key] = interpolateString(value, { lookup: inFile, unset: new Set(), where: `${file}:${startLine}` });
  }
  return out;
}

function findClosing(text: string, quote: string): number {
  for (let i = 0; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') i++;
    else if (text[i] === quote) return i;
  }
  return -1;
}

function unescape(text: string): string {
  return text.replace(/\\(.)/gs, (_m, c: string) => {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      default:
        return c;
    }
  });
}
