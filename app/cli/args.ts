// A small docker-style argument parser: flags before the first positional
// argument belong to the command; for `run`, everything after the image is
// the container's command, verbatim (docker's "flags stop at the image").

export interface FlagSpec {
  short?: string;
  /** Takes a value (`--name x`, `--name=x`, `-e K=V`). */
  value?: boolean;
  /** May repeat; values collect into an array. */
  multiple?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

export interface Parsed {
  flags: Record<string, string | boolean | string[]>;
  positionals: string[];
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: readonly string[], specs: FlagSpecs, options: { stopAtPositional?: boolean } = {}): Parsed {
  const flags: Parsed['flags'] = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  const set = (name: string, value: string | boolean): void => {
    const spec = specs[name] as FlagSpec;
    if (spec.multiple) {
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
