// Port conflicts found before `up` creates anything: two services (or two
// replicas) asking for the same host port, a port another container
// publishes, or one some other program on the host holds.
import dgram from 'node:dgram';
import net from 'node:net';
import type { ContainerSummary } from '../../api/contract.js';
import { EngineError } from '../errors.js';
import type { ComposeService } from './model/compose-types.js';

export interface PortClaim {
  service: string;
  hostIp: string;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

/** Fixed host ports the services will publish, once per replica. */
export function portClaims(services: Array<{ service: ComposeService; replicas: number }>): PortClaim[] {
  const out: PortClaim[] = [];
  for (const { service, replicas } of services) {
    for (const p of service.ports) {
      const host = Number((p.published ?? '').split('-')[0]);
      if (!Number.isInteger(host) || host <= 0) continue;
      for (let i = 0; i < replicas; i++) out.push({ service: service.name, hostIp: p.hostIp ?? '0.0.0.0', hostPort: host, protocol: p.protocol });
    }
  }
  return out;
}

const overlaps = (a: string, b: string): boolean => a === b || a === '0.0.0.0' || b === '0.0.0.0';

function canBind(c: PortClaim): Promise<boolean> {
  return new Promise((resolve) => {
    if (c.protocol === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(c.hostPort, c.hostIp, () => s.close(() => resolve(true)));
      return;
    }
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen({ port: c.hostPort, host: c.hostIp, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/**
 * Throws E_PORT_IN_USE naming the service and port. `others` are running
 * containers that keep their ports (those `up` leaves or will not touch);
 * containers `up` replaces are left out by the caller.
 */
export async function checkPorts(claims: PortClaim[], others: ContainerSummary[], heldByKept: Set<string>): Promise<void> {
  const key = (c: { hostPort: number; protocol: string }): string => `${c.hostPort}/${c.protocol}`;
  for (const [i, c] of claims.entries()) {
    const twin = claims.slice(0, i).find((d) => key(d) === key(c) && overlaps(d.hostIp, c.hostIp));
    if (twin) {
      throw new EngineError('E_PORT_IN_USE', twin.service === c.service ? `service "${c.service}" publishes host port ${key(c)} and has more than one replica: each would need it` : `services "${twin.service}" and "${c.service}" both publish host port ${key(c)}`);
    }
  }
  for (const c of claims) {
    if (heldByKept.has(`${c.service}:${key(c)}`)) continue;
    const holder = others.find((o) => (o.ports ?? []).some((p) => p.hostPort === c.hostPort && p.protocol === c.protocol && overlaps(p.hostIp, c.hostIp)));
    if (holder) throw new EngineError('E_PORT_IN_USE', `service "${c.service}": host port ${key(c)} is already published by container ${holder.name}`);
    if (!(await canBind(c))) throw new EngineError('E_PORT_IN_USE', `service "${c.service}": host port ${c.hostIp}:${key(c)} is already in use on this host`);
  }
}
