// The engine's messages are written for the CLI ("use --force", "cove ps -a
// lists them"). In the UI such advice is noise or wrong, so it is rewritten
// into what a GUI user can do; the code stays as the engine sent it.

const FLAG_NAMES: Record<string, string> = {
  '--cpus': 'CPUs',
  '--dns': 'DNS server',
  '--security-opt': 'security option',
  '--stop-timeout': 'stop timeout',
  '--platform': 'platform',
  '--network': 'network',
  '--runtime': 'runtime',
  '--memory': 'memory limit',
  '--restart': 'restart policy',
  '--log-opt': 'log option',
  '--publish': 'port',
  '--volume': 'volume',
};

const REWRITES: Array<[RegExp, string]> = [
  [/;?\s*remove them first or use --force/g, '; remove those containers first'],
  [/\s*\(cove stop [^)]*\) or use rm -f/g, ', or confirm removing it while it runs'],
  [/;\s*pull it with: cove pull (\S+)(?: \(or load an archive with cove load -i FILE\))?/g, '; pull $1 first (Images → Pull…)'],
  [/;\s*log in with: cove login (\S+)/g, '; sign in to $1 first (Images → Registry login…)'],
  [/ or use --runtime cove/g, ' or choose the Cove runtime in Settings'],
  [/: use --network slirp4netns \(not ([^)]+)\)/g, ': choose the slirp4netns network (not $1)'],
  [/;\s*give one, e\.g\. cove run (\S+) sh/g, '; give one in the Command field, e.g. sh'],
  [/: cove push (\S+) REGISTRY\/REPOSITORY:TAG \(or tag it first with cove tag\)/g, ': give a destination like registry.example.com/team/$1'],
  [/\s*\(cove rm [^)]*\) or pick another name/g, ', or pick another name'],
  [/;\s*run cove system check/g, '; the store needs a check (cove system check)'],
  // Parenthesised CLI hints: "(cove ps -a lists them)", "(cove start web)".
  [/\s*\((?:[^()]*\s)?cove [^()]*\)/g, ''],
];

export function uiMessage(message: string): string {
  let text = message;
  for (const [pattern, replacement] of REWRITES) text = text.replace(pattern, replacement);
  // Any flag still named: its plain name ("invalid --cpus 0" -> "invalid CPUs 0").
  text = text.replace(/--([a-z][a-z-]*)/g, (flag, bare: string) => FLAG_NAMES[flag] ?? bare.replace(/-/g, ' '));
  return text;
}
