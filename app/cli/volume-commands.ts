import { flagBool, flagList, flagString, parseArgs, requireArgs, UsageError } from './args.js';
import { confirm, formatError, type Command } from './cli-kit.js';
import { renderList } from './template-output.js';
import { volumeRow, VOLUMES_FORMAT } from './list-rows.js';
import { parseFilters, VOLUME_FILTERS, volumeFilter } from './list-filters.js';
import { typedInspect } from './inspect-commands.js';
import { verb } from './verbs.js';

const volume: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const p = parseArgs(rest, verb('volume create'));
      const [name] = requireArgs(p, verb('volume create'), 0, 1);
      const labels = Object.fromEntries(flagList(p, 'label').map((l) => (l.includes('=') ? [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] : [l, ''])));
      const v = await engine.call('volumes:create', { ...(name ? { name } : {}), ...(Object.keys(labels).length ? { labels } : {}) });
      io.out(v.name + '\n');
      return 0;
    }
    case 'ls':
    case 'list': {
      const p = parseArgs(rest, verb('volume ls'));
      requireArgs(p, verb('volume ls'), 0, 0);
      const list = (await engine.call('volumes:list', {})).filter(volumeFilter(parseFilters(flagList(p, 'filter'), VOLUME_FILTERS)));
      if (flagBool(p, 'quiet')) io.out(list.map((v) => v.name + '\n').join(''));
      else io.out(renderList(flagString(p, 'format'), VOLUMES_FORMAT, list.map(volumeRow)));
      return 0;
    }
    case 'inspect':
      return typedInspect('volume')(engine, rest, io);
    case 'rm':
    case 'remove': {
      const p = parseArgs(rest, verb('volume rm'));
      requireArgs(p, verb('volume rm'), 1);
      let failed = 0;
      for (const name of p.positionals) {
        try {
          await engine.call('volumes:remove', { name, force: flagBool(p, 'force') });
          io.out(name + '\n');
        } catch (err) {
          failed++;
          io.err(formatError(err));
        }
      }
      return failed ? 1 : 0;
    }
    case 'prune': {
      const p = parseArgs(rest, verb('volume prune'));
      requireArgs(p, verb('volume prune'), 0, 0);
      const all = flagBool(p, 'all');
      const warning = all ? 'WARNING! This will remove all local volumes not used by at least one container.' : 'WARNING! This will remove anonymous local volumes not used by at least one container.';
      if (!(await confirm(io, warning, flagBool(p, 'force'), 'cove volume prune'))) return 0;
      // docker (since 23.0) prunes only anonymous volumes unless -a.
      const removed: string[] = [];
      for (const v of await engine.call('volumes:list', {})) {
        if (v.usedBy.length > 0 || (!all && !v.anonymous)) continue;
        await engine.call('volumes:remove', { name: v.name, force: false });
        removed.push(v.name);
      }
      if (removed.length) io.out(`Deleted Volumes:\n${removed.join('\n')}\n`);
      io.out(`Total: ${removed.length} volume(s) removed\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown volume command ${sub ? `"${sub}"` : ''}: use cove volume create|ls|inspect|rm|prune`, 1, 'volume');
  }
};

export const VOLUME_COMMANDS: Record<string, Command> = { volume };
