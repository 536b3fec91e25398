// A small docker-style argument parser: flags before the first positional
// argument belong to the command; for `run`, everything after the image is
// the container's command, verbatim (docker's "flags stop at the image").
// A verb's spec (verbs.ts) feeds both this parser and the help printer.

export interface FlagSpec {
  short?: string;
  /** Takes a value (`--name x`, `--name=x`, `-e K=V`). */
  value?: boolean;
  /** May repeat; values collect into an array. */
  multiple?: boolean;
  /** The value's kind as docker's help names it: string, list, int, filter, duration, bytes, decimal. */
  type?: string;
  description?: string;
  /** Shown as docker does: (default "no"). */
  default?: string;
  /** Accepted but left out of the help (old spellings). */
  hidden?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

/** One verb (`run`) or sub-verb (`volume ls`): usage, description and flags. */
export interface VerbSpec {
  /** The command path after `cove`: "run", "volume ls". */
  name: string;
  /** What follows the name in the usage line: "[OPTIONS] IMAGE [COMMAND] [ARG...]". */
  usage: string;
  description: string;
  flags: FlagSpecs;
  /** Flags stop at the first positional argument (run, exec: the rest is the container's command). */
  stopAtPositional?: boolean;
  aliases?: string[];
  /** Management verbs (volume, image, ...): their sub-verbs, by name. */
  subcommands?: string[];
  /** Top-level verbs: the domain module (commands.ts) whose code runs them, loaded on demand. */
  module?: string;
}

/** `--help` or `-h` among a verb's flags: print that verb's help. */
export class HelpRequested extends Error {
  constructor(readonly spec: VerbSpec) {
    super(`help for ${spec.name}`);
    this.name = 'HelpRequested';
  }
}

export interface Parsed {
  flags: Record<string, string | boolean | string[]>;
  positionals: string[];
}

/**
 * A command line cove cannot take. docker exits 125 for flag errors
 * (cli.FlagErrorFunc) and 1 for a wrong number of arguments (cli.RequiresMinArgs).
 */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly status: 1 | 125 = 125,
    public verb?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The verb whose flags were parsed last: usage errors raised after parsing name it in "See 'cove VERB --help'". */
let lastVerb: string | undefined;
export function currentVerb(): string | undefined {
  return lastVerb;
}

function isVerbSpec(s: FlagSpecs | VerbSpec): s is VerbSpec {
  return typeof (s as VerbSpec).usage === 'string' && typeof (s as VerbSpec).flags === 'object';
}

export function parseArgs(argv: readonly string[], specOrFlags: FlagSpecs | VerbSpec, options: { stopAtPositional?: boolean } = {}): Parsed {
  if (isVerbSpec(specOrFlags)) {
    const verb = specOrFlags;
    lastVerb = verb.name;
    // Every verb takes --help; -h too unless the verb uses it (run -h is --hostname, as in docker).
    const takesH = Object.values(verb.flags).some((f) => f.short === 'h');
    const withHelp: FlagSpecs = { ...verb.flags, help: takesH ? {} : { short: 'h' } };
    try {
      const p = parseArgs(argv, withHelp, { stopAtPositional: options.stopAtPositional ?? verb.stopAtPositional ?? false });
      if (p.flags.help === true) throw new HelpRequested(verb);
      delete p.flags.help;
      return p;
    } catch (err) {
      if (err instanceof UsageError) err.verb ??= verb.name;
      throw err;
    }
  }
  const specs = specOrFlags;
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  const set = (name: string, value: string | boolean): void => {
    const spec = specs[name] as FlagSpec;
    if (spec.multiple && spec.value) {
      const list = (flags[name] as string[] | undefined) ?? [];
      list.push(String(value));
      flags[name] = list;
    } else {
      flags[name] = value;
    }
  };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const spec = specs[name];
      if (!spec) throw new UsageError(`unknown flag: --${name}`);
      if (spec.value) {
        const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`flag needs an argument: --${name}`);
        set(name, value);
      } else {
        if (eq >= 0) {
          const v = arg.slice(eq + 1);
          if (v !== 'true' && v !== 'false') throw new UsageError(`--${name} takes no value (or =true/=false)`);
          set(name, v === 'true');
        } else set(name, true);
      }
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      // Grouped short flags: -it, -dt, or -eK=V.
      for (let j = 1; j < arg.length; j++) {
        const ch = arg[j] as string;
        const name = byShort.get(ch);
        if (!name) throw new UsageError(`unknown shorthand flag: '${ch}' in ${arg}`);
        const spec = specs[name] as FlagSpec;
        if (spec.value) {
          const rest = arg.slice(j + 1);
          const value = rest !== '' ? rest.replace(/^=/, '') : argv[++i];
          if (value === undefined) throw new UsageError(`flag needs an argument: '${ch}' in ${arg}`);
          set(name, value);
          break;
        }
        set(name, true);
      }
      continue;
    }
    positionals.push(arg);
    if (options.stopAtPositional) {
      positionals.push(...argv.slice(i + 1));
      break;
    }
  }
  return { flags, positionals };
}

export function flagString(p: Parsed, name: string): string | undefined {
  const v = p.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function flagBool(p: Parsed, name: string): boolean {
  return p.flags[name] === true;
}

export function flagList(p: Parsed, name: string): string[] {
  const v = p.flags[name];
  return Array.isArray(v) ? v : [];
}

/** docker's cli.RequiresMinArgs / ExactArgs / RequiresRangeArgs: exit 1 with the usage line. */
export function requireArgs(p: Parsed, verb: VerbSpec, min: number, max = Infinity): string[] {
  const n = p.positionals.length;
  if (n >= min && n <= max) return p.positionals;
  const plural = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  const what = min === max ? `exactly ${plural(min)}` : n < min ? `at least ${plural(min)}` : `at most ${plural(max)}`;
  throw new UsageError(`"cove ${verb.name}" requires ${what}.\nSee 'cove ${verb.name} --help'.\n\nUsage:  cove ${verb.name} ${verb.usage}\n\n${verb.description}`, 1, verb.name);
}
