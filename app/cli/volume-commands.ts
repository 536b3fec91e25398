import { flagBool, parseArgs, UsageError } from './args.js';
import { table } from './format.js';
import { formatError, type Command } from './cli-kit.js';

const volume: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const p = parseArgs(rest, { label: { short: 'l', value: true, multiple: true } });
      if (p.positionals.length > 1) throw new UsageError('"volume create" takes at most one name');
      const v = await engine.handle('volumes:create', p.positionals[0] ? { name: p.positionals[0] } : {});
      io.out(v.name + '\n');
      return 0;
    }
    case 'ls':
    case 'list': {
      const p = parseArgs(rest, { quiet: { short: 'q' } });
      const list = await engine.handle('volumes:list', {});
      if (flagBool(p, 'quiet')) io.out(list.map((v) => v.name + '\n').join(''));
      else io.out(table(['DRIVER', 'VOLUME NAME'], list.map((v) => ['local', v.name])));
      return 0;
    }
    case 'inspect': {
      const p = parseArgs(rest, {});
      if (p.positionals.length === 0) throw new UsageError('"volume inspect" requires a volume');
      const out = [];
      for (const name of p.positionals) {
        const v = await engine.handle('volumes:inspect', { name });
        out.push({ Name: v.name, Driver: 'local', Mountpoint: v.mountpoint, CreatedAt: v.createdAt, Labels: v.labels, Anonymous: v.anonymous, UsedBy: v.usedBy });
      }
      io.out(JSON.stringify(out, null, 4) + '\n');
      return 0;
    }
    case 'rm':
    case 'remove': {
      const p = parseArgs(rest, { force: { short: 'f' } });
      if (p.positionals.length === 0) throw new UsageError('"volume rm" requires at least one volume');
      let failed = 0;
      for (const name of p.positionals) {
        try {
          await engine.handle('volumes:remove', { name, force: flagBool(p, 'force') });
          io.out(name + '\n');
        } catch (err) {
          failed++;
          io.err(formatError(err));
        }
      }
      return failed ? 1 : 0;
    }
    case 'prune': {
      parseArgs(rest, { force: { short: 'f' } });
      const { removed } = await engine.handle('volumes:prune', {});
      if (removed.length) io.out(`Deleted Volumes:\n${removed.join('\n')}\n`);
      io.out(`Total: ${removed.length} volume(s) removed\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown volume command ${sub ? `"${sub}"` : ''}: use cove volume create|ls|inspect|rm|prune`);
  }
};

export const VOLUME_COMMANDS: Record<string, Command> = { volume };
