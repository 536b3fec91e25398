import type { NetworkAttachment, RunOptions } from '../api/contract.js';
import { UsageError } from './args.js';

type NetworkOptions = Pick<RunOptions, 'network' | 'networkAliases' | 'ip' | 'extraNetworks'>;

/**
 * docker 28's `--network` (repeatable; `NAME` or the advanced
 * `name=NAME,alias=A,ip=IP`) with `--network-alias` and `--ip`, which belong
 * to the first network (docker cli's parseNetworkOpts). The first network
 * is `network`, the others `extraNetworks`.
 */
export function networkOptions(values: string[], topAliases: string[], topIp: string | undefined): NetworkOptions {
  const list = values.map(parseAttachment);
  const [first, ...rest] = list;
  if (!first) return { ...(topAliases.length ? { networkAliases: topAliases } : {}), ...(topIp !== undefined ? { ip: topIp } : {}) };
  if (topIp !== undefined && first.ip !== undefined) throw new UsageError('conflicting options: cannot specify both --ip and per-network IPv4 address');
  const aliases = [...topAliases, ...(first.aliases ?? [])];
  const ip = topIp ?? first.ip;
  return {
    network: first.name,
    ...(aliases.length ? { networkAliases: aliases } : {}),
    ...(ip !== undefined ? { ip } : {}),
    ...(rest.length ? { extraNetworks: rest } : {}),
  };
}

function parseAttachment(value: string): NetworkAttachment {
  // A plain name (or container:NAME) has no "name=" key.
  if (!/^[a-z-]+=/.test(value)) return { name: value };
  let name: string | undefined;
  const aliases: string[] = [];
  let ip: string | undefined;
  for (const field of value.split(',')) {
    const [k, v = ''] = field.split(/=(.*)/s, 2) as [string, string | undefined];
    if (v === '') throw new UsageError(`invalid --network "${value}": ${k} needs a value`);
    if (k === 'name') name = v;
    else if (k === 'alias') aliases.push(v);
    else if (k === 'ip') ip = v;
    else throw new UsageError(`invalid --network "${value}": unknown field "${k}" (Cove takes name=, alias= and ip=)`);
  }
  if (name === undefined) throw new UsageError(`invalid --network "${value}": give name=NETWORK`);
  return { name, ...(aliases.length ? { aliases } : {}), ...(ip !== undefined ? { ip } : {}) };
}
