import type { NetworkService } from '../network/network-service.js';
import type { DomainHandlers } from './handler-types.js';

export function networkHandlers(networks: NetworkService): DomainHandlers<'networks'> {
  return {
    'networks:list': async () => {
      await networks.repair();
      return networks.list();
    },
    'networks:create': (p) => networks.create(p),
    'networks:inspect': async (p) => {
      await networks.repair();
      return networks.inspect(p.name);
    },
    'networks:remove': async (p) => ({ name: await networks.remove(p.name, p.force ?? false) }),
    'networks:prune': async () => ({ removed: await networks.prune() }),
    'networks:connect': (p) => networks.connect(p.network, p.container, { ...(p.aliases ? { aliases: p.aliases } : {}), ...(p.ip ? { ip: p.ip } : {}) }),
    'networks:disconnect': (p) => networks.disconnect(p.network, p.container),
  };
}
