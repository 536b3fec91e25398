// The Dockerfile's line syntax as Docker's reference defines it
// (https://docs.docker.com/reference/dockerfile/): parser directives,
// comments, line continuations, heredocs, flags, JSON and shell forms.
import { EngineError } from '../errors.js';

export interface Heredoc {
  name: string;
  content: string;
  /** False when the delimiter was quoted: no variable expansion in the body. */
  expand: boolean;
}

export interface Instruction {
  /** Upper-case keyword: RUN, COPY, ... */
  keyword: string;
  /** 1-based line of the keyword, and of the instruction's last line. */
  line: number;
  endLine: number;
  /** The instruction as written, continuations joined (history's created_by). */
  original: string;
  /** `--name=value` flags before the arguments (a bare `--name` has value null). */
  flags: Array<{ name: string; value: string | null }>;
  /** What follows the flags. */
  args: string;
  /** The JSON (exec) form, when the arguments are a JSON array of strings. */
  json: string[] | null;
  heredocs: Heredoc[];
}

export interface ParsedDockerfile {
  file: string;
  escape: string;
  instructions: Instruction[];
  /** Things worth telling the user that are not errors (an ignored # syntax). */
  notes: string[];
}

export const KEYWORDS = [
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT',
  'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
] as const;

/** Flags each instruction accepts (BuildKit's), with whether they take a value. */
const FLAGS: Record<string, Record<string, boolean>> = {
  FROM: { platform: true },
  RUN: { mount: true, network: true, security: true },
  COPY: { from: true, chown: true, chmod: true, link: false, parents: false, exclude: true },
  ADD: { chown: true, chmod: true, link: false, checksum: true, 'keep-git-dir': false, exclude: true },
  HEALTHCHECK: { interval: true, timeout: true, 'start-period': true, 'start-interval': true, retries: true },
};

const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC_RE = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

export function dockerfileError(file: string, line: number, message: string): EngineError {
  return new EngineError('E_DOCKERFILE_INVALID', `${file}:${line}: ${message}`);
}

/** Splits off leading `--flag[=value]` words, checked against what the keyword accepts. */
function takeFlags(file: string, line: number, keyword: string, rest: string): { flags: Instruction['flags']; args: string } {
  const flags: Instruction['flags'] = [];
  let text = rest;
  for (;;) {
    const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=("(?:[^"\\]|\\.)*"|'[^']*'|\S*))?(?:\s+|$)/.exec(text);
    if (!m) break;
    const name = m[1] as string;
    const accepted = FLAGS[keyword];
    if (!accepted || !(name in accepted)) {
      throw dockerfileError(file, line, `unknown flag --${name} for ${keyword}${accepted ? ` (it takes ${Object.keys(accepted).map((f) => `--${f}`).join(', ')})` : ''}`);
    }
    let value = m[2] === undefined ? null : m[2];
    if (value !== null && /^(["']).*\1$/s.test(value)) value = value.slice(1, -1);
    if (accepted[name] && (value === null || value === '')) throw dockerfileError(file, line, `--${name} needs a value (--${name}=...)`);
    flags.push({ name, value });
    text = text.slice(m[0].length);
  }
  return { flags, args: text };
}

/** The JSON form: only a well-formed array of strings counts, otherwise it is shell form (as Docker). */
function jsonForm(args: string): string[] | null {
  const t = args.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    return null;
  }
  return null;
}

function parseDirectives(lines: string[], file: string): { escape: string; notes: string[]; start: number } {
  let escape = '\\';
  const notes: string[] = [];
  const seen = new Set<string>();
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/.exec(lines[i] as string);
    if (!m) break;
    const key = (m[1] as string).toLowerCase();
    const value = m[2] as string;
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') break;
    if (seen.has(key)) throw dockerfileError(file, i + 1, `the parser directive "${key}" is given twice`);
    seen.add(key);
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') throw dockerfileError(file, i + 1, `invalid escape character "${value}": use \\ or \``);
      escape = value;
    } else if (key === 'syntax') notes.push(`# syntax=${value} is ignored: Cove's own Dockerfile frontend is used`);
  }
  return { escape, notes, start: i };
}

/** Parses a Dockerfile's text into instructions; errors name `file:line` and what is wrong. */
export function parseDockerfile(source: string, file = 'Dockerfile'): ParsedDockerfile {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { escape, notes, start } = parseDirectives(lines, file);
  const escRe = escape === '\\' ? '\\\\' : '`';
  const continuation = new RegExp(`${escRe}[ \\t]*$`);
  const instructions: Instruction[] = [];
  let i = start;
  while (i < lines.length) {
    const first = lines[i] as string;
    if (/^\s*$/.test(first) || /^\s*#/.test(first)) {
      i++;
      continue;
    }
    const startLine = i + 1;
    let logical = '';
    let original = '';
    let open = true;
    while (open && i < lines.length) {
      const raw = lines[i++] as string;
      // Comment and blank lines inside a continuation are dropped, as Docker does.
      if (logical !== '' && (/^\s*#/.test(raw) || /^\s*$/.test(raw))) continue;
      if (continuation.test(raw)) {
        const body = raw.replace(continuation, '');
        logical += body;
        original += body;
      } else {
        logical += raw;
        original += raw;
        open = false;
      }
    }
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical);
    if (!m) continue;
    const word = m[1] as string;
    const keyword = word.toUpperCase();
    if (!(KEYWORDS as readonly string[]).includes(keyword)) {
      throw dockerfileError(file, startLine, `unknown instruction: ${word}`);
    }
    const { flags, args } = takeFlags(file, startLine, keyword, (m[2] as string).trim());
    const heredocs: Heredoc[] = [];
    if (HEREDOC_KEYWORDS.has(keyword) && jsonForm(args) === null) {
      for (const h of args.matchAll(HEREDOC_RE)) {
        const strip = h[1] === '-';
        const name = h[3] as string;
        const body: string[] = [];
        for (;;) {
          if (i >= lines.length) throw dockerfileError(file, startLine, `the heredoc <<${name} has no closing line "${name}"`);
          const raw = lines[i++] as string;
          const text = strip ? raw.replace(/^\t+/, '') : raw;
          if (text === name) break;
          body.push(text);
        }
        heredocs.push({ name, content: body.length ? body.join('\n') + '\n' : '', expand: h[2] === '' });
      }
    }
    if (args.trim() === '') throw dockerfileError(file, startLine, `${keyword} needs arguments`);
    instructions.push({ keyword, line: startLine, endLine: i, original: `${keyword} ${original.trim().slice(word.length).trim()}`.trim(), flags, args, json: jsonForm(args), heredocs });
  }
  return { file, escape, instructions, notes };
}

/** The value of a flag given at most once (the last one wins, as Docker). */
export function flag(ins: Instruction, name: string): string | null | undefined {
  const all = ins.flags.filter((f) => f.name === name);
  return all.length ? (all[all.length - 1] as { value: string | null }).value : undefined;
}

export function flagValues(ins: Instruction, name: string): string[] {
  return ins.flags.filter((f) => f.name === name).map((f) => f.value ?? '');
}
