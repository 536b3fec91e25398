import type { NetworkSummary } from '../api/contract.js';
import { flagBool, flagList, flagString, parseArgs, requireArgs, UsageError } from './args.js';
import { errorCode, formatError, type Command, type Io } from './cli-kit.js';
import { renderList, type ListFormat, type Row } from './template-output.js';
import { verb } from './verbs.js';

function labels(list: string[]): Record<string, string> {
  return Object.fromEntries(list.map((l) => (l.includes('=') ? (l.split(/=(.*)/s, 2) as [string, string]) : [l, ''])));
}

/** docker network ls --filter: name=, id=, driver=, label=K[=V], type=custom|builtin. */
function matches(n: NetworkSummary, filters: string[]): boolean {
  return filters.every((f) => {
    const [k, v = ''] = f.split(/=(.*)/s, 2) as [string, string | undefined];
    switch (k) {
      case 'name':
        return n.name.includes(v);
      case 'id':
        return n.id.startsWith(v);
      case 'driver':
        return n.driver === v;
      case 'type':
        return v === 'custom' ? !n.builtin : v === 'builtin' ? n.builtin : false;
      case 'label': {
        const [lk, lv] = v.split(/=(.*)/s, 2) as [string, string | undefined];
        return lk in n.labels && (lv === undefined || n.labels[lk] === lv);
      }
      default:
        throw new UsageError(`invalid filter "${f}": use name=, id=, driver=, label= or type=custom|builtin`);
    }
  });
}

/** docker network inspect's shape, for the fields Cove has. */
function inspectView(n: NetworkSummary): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: n.createdAt,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Config: n.subnet ? [{ Subnet: n.subnet, Gateway: n.gateway }] : [] },
    Internal: n.internal,
    Containers: Object.fromEntries(n.containers.map((c) => [c.containerId, { Name: c.containerName, IPv4Address: `${c.ip}/${n.subnet?.split('/')[1] ?? '32'}`, Aliases: c.aliases }])),
    Labels: n.labels,
  };
}

const NETWORKS_FORMAT: ListFormat = {
  defaultFormat: 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}',
  headers: { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', Internal: 'INTERNAL', CreatedAt: 'CREATED AT', Subnet: 'SUBNET' },
};

function row(n: NetworkSummary, noTrunc: boolean): Row {
  return { ID: noTrunc ? n.id : n.id.slice(0, 12), Name: n.name, Driver: n.driver, Scope: 'local', Internal: n.internal, CreatedAt: n.createdAt ?? '', Subnet: n.subnet ?? '' };
}

async function eachName(names: string[], io: Io, fn: (n: string) => Promise<string | null>): Promise<number> {
  let failed = 0;
  for (const n of names) {
    try {
      const done = await fn(n);
      if (done !== null) io.out(done + '\n');
    } catch (err) {
      failed++;
      io.err(formatError(err));
    }
  }
  return failed ? 1 : 0;
}

const network: Command = async (engine, argv, io) => {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create': {
      const p = parseArgs(rest, verb('network create'));
      const [name] = requireArgs(p, verb('network create'), 1, 1) as [string];
      const n = await engine.call('networks:create', {
        name,
        ...(flagString(p, 'subnet') !== undefined ? { subnet: flagString(p, 'subnet') as string } : {}),
        ...(flagString(p, 'gateway') !== undefined ? { gateway: flagString(p, 'gateway') as string } : {}),
        ...(flagBool(p, 'internal') ? { internal: true } : {}),
        ...(flagList(p, 'label').length ? { labels: labels(flagList(p, 'label')) } : {}),
        ...(flagString(p, 'driver') !== undefined ? { driver: flagString(p, 'driver') as string } : {}),
      });
      io.out(n.id + '\n');
      return 0;
    }
    case 'ls':
    case 'list': {
      const p = parseArgs(rest, verb('network ls'));
      requireArgs(p, verb('network ls'), 0, 0);
      const list = (await engine.call('networks:list', {})).filter((n) => matches(n, flagList(p, 'filter')));
      const noTrunc = flagBool(p, 'no-trunc');
      if (flagBool(p, 'quiet')) io.out(list.map((n) => (noTrunc ? n.id : n.id.slice(0, 12)) + '\n').join(''));
      else io.out(renderList(flagString(p, 'format'), NETWORKS_FORMAT, list.map((n) => row(n, noTrunc))));
      return 0;
    }
    case 'inspect': {
      const p = parseArgs(rest, verb('network inspect'));
      const names = requireArgs(p, verb('network inspect'), 1);
      const out: Array<Record<string, unknown>> = [];
      let failed = 0;
      for (const name of names) {
        try {
          out.push(inspectView(await engine.call('networks:inspect', { name })));
        } catch (err) {
          failed++;
          io.err(formatError(err));
        }
      }
      io.out(JSON.stringify(out, null, 4) + '\n');
      return failed ? 1 : 0;
    }
    case 'rm':
    case 'remove': {
      const p = parseArgs(rest, verb('network rm'));
      const force = flagBool(p, 'force');
      // docker: -f does not error on a network that does not exist; Cove's -f also disconnects its containers first.
      return eachName(requireArgs(p, verb('network rm'), 1), io, async (name) => {
        try {
          return (await engine.call('networks:remove', { name, ...(force ? { force } : {}) })).name;
        } catch (err) {
          if (force && errorCode(err) === 'E_NETWORK_NOT_FOUND') return null;
          throw err;
        }
      });
    }
    case 'prune': {
      requireArgs(parseArgs(rest, verb('network prune')), verb('network prune'), 0, 0);
      const { removed } = await engine.call('networks:prune', {});
      if (removed.length) io.out(`Deleted Networks:\n${removed.join('\n')}\n`);
      return 0;
    }
    case 'connect': {
      const p = parseArgs(rest, verb('network connect'));
      const [net, container] = requireArgs(p, verb('network connect'), 2, 2) as [string, string];
      await engine.call('networks:connect', {
        network: net,
        container,
        ...(flagList(p, 'alias').length ? { aliases: flagList(p, 'alias') } : {}),
        ...(flagString(p, 'ip') !== undefined ? { ip: flagString(p, 'ip') as string } : {}),
      });
      return 0;
    }
    case 'disconnect': {
      const p = parseArgs(rest, verb('network disconnect'));
      const [net, container] = requireArgs(p, verb('network disconnect'), 2, 2) as [string, string];
      await engine.call('networks:disconnect', { network: net, container });
      return 0;
    }
    default:
      throw new UsageError(`unknown network command ${sub ? `"${sub}"` : ''}: use cove network create|ls|inspect|rm|prune|connect|disconnect`);
  }
};

export const NETWORK_COMMANDS: Record<string, Command> = { network };
