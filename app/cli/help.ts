// `cove --help`, `cove VERB --help` and `cove help VERB`, printed in
// docker's layout from the verb table the parser also reads.
import type { VerbSpec } from './args.js';
import { HELP_GROUPS, VERBS, verbFor } from './verbs.js';

function optionsTable(spec: VerbSpec): string {
  const rows = Object.entries(spec.flags)
    .filter(([, f]) => !f.hidden)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, f]) => {
      const left = `  ${f.short ? `-${f.short}, ` : '    '}--${name}${f.value ? ` ${f.type ?? 'string'}` : ''}`;
      const def = f.default !== undefined ? ` (default ${f.type === 'int' || f.type === 'bool' ? f.default : `"${f.default}"`})` : '';
      return [left, (f.description ?? '') + def] as const;
    });
  const takesH = Object.values(spec.flags).some((f) => f.short === 'h');
  rows.push([`  ${takesH ? '    ' : '-h, '}--help`, 'Print usage'] as const);
  const longName = (left: string): string => left.slice(left.indexOf('--'));
  rows.sort((a, b) => longName(a[0]).localeCompare(longName(b[0])));
  const width = Math.max(...rows.map(([l]) => l.length)) + 3;
  return rows.map(([l, d]) => l.padEnd(width) + d.split('\n').join('\n' + ' '.repeat(width)) + '\n').join('');
}

export function verbHelp(spec: VerbSpec): string {
  let out = `\nUsage:  cove ${spec.name}${spec.usage ? ' ' + spec.usage : ''}\n\n${spec.description}\n`;
  const aliases = spec.aliases?.length ? [`cove ${spec.name}`, ...spec.aliases.map((a) => `cove ${a}`)] : [];
  if (aliases.length) out += `\nAliases:\n  ${aliases.join(', ')}\n`;
  if (spec.subcommands?.length) {
    const subs = spec.subcommands.map((s) => [s, verbFor(`${spec.name} ${s}`)?.description.split('\n')[0] ?? ''] as const);
    const width = Math.max(...subs.map(([s]) => s.length)) + 2;
    // A management verb with flags of its own (compose's -f, -p) lists them before its commands, as docker compose --help.
    if (Object.keys(spec.flags).length > 0) out += `\nOptions:\n${optionsTable(spec)}`;
    out += `\nCommands:\n${subs.map(([s, d]) => `  ${s.padEnd(width)}${d}\n`).join('')}`;
    out += `\nRun 'cove ${spec.name} COMMAND --help' for more information on a command.\n`;
    return out;
  }
  out += `\nOptions:\n${optionsTable(spec)}`;
  return out;
}

export function generalHelp(): string {
  let out = '\nUsage:  cove [OPTIONS] COMMAND\n\nA rootless container manager: no daemon, no root.\n';
  for (const [group, names] of HELP_GROUPS) {
    const width = Math.max(...names.map((n) => n.length)) + 2;
    out += `\n${group}:\n`;
    for (const n of names) out += `  ${n.padEnd(width)}${(VERBS[n]?.description ?? '').split('\n')[0]}\n`;
  }
  out += "\nGlobal Options:\n  -h, --help      Print usage\n  -v, --version   Print version information and quit\n";
  out += '\nEnvironment:\n  COVE_HOME       Where images, containers and volumes live (default ~/.local/share/cove)\n';
  out += "\nRun 'cove COMMAND --help' for more information on a command.\n";
  return out;
}

/** The spec for `cove help A B` or `cove A B --help`: the deepest known path. */
export function specForPath(words: string[]): VerbSpec | undefined {
  for (let n = Math.min(words.length, 2); n > 0; n--) {
    const spec = verbFor(words.slice(0, n).join(' '));
    if (spec) return spec;
  }
  return undefined;
}
