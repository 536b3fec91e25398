import fs from 'node:fs';
import path from 'node:path';
import type { RunOptions } from '../../api/contract.js';
import type { ContainerService } from '../container/container-service.js';
import { EngineError } from '../errors.js';
import type { DomainHandlers } from './handler-types.js';
import { streamToSubscription } from './stream-sink.js';

/**
 * Create, then start; a start that fails takes an `autoRemove` container
 * with it (docker run --rm). The one place this rollback is written: the
 * API's `containers:run` and the CLI's detached run both come here.
 */
export async function createAndStart(containers: ContainerService, options: RunOptions) {
  const rec = await containers.create(options);
  try {
    await containers.start(rec.id);
  } catch (err) {
    if (options.autoRemove) await containers.remove(rec.id, true).catch(() => undefined);
    throw err;
  }
  return containers.summary(rec);
}

/** Host paths in API requests are absolute: the engine's working directory is not the client's. */
function absolute(hostPath: string): string {
  if (!path.isAbsolute(hostPath)) throw new EngineError('E_INVALID_ARGUMENT', `host path ${hostPath} must be absolute`);
  return hostPath;
}

export function containerHandlers(containers: ContainerService, scratch: string): DomainHandlers<'containers'> {
  return {
    'containers:list': (p) => containers.list(p.all),
    'containers:run': (p) => createAndStart(containers, p),
    'containers:create': async (p) => containers.summary(await containers.create(p)),
    'containers:start': async (p) => containers.summary(await containers.start(p.id)),
    'containers:stop': async (p) => containers.summary(await containers.stop(p.id, p.timeoutSeconds)),
    'containers:kill': async (p) => containers.summary(await containers.kill(p.id, p.signal)),
    'containers:remove': async (p) => ({ id: await containers.remove(p.id, p.force, p.volumes ?? false) }),
    'containers:wait': async (p) => ({ exitCode: await containers.wait(p.id) }),
    'containers:logs': (p) => containers.logs(p.id, p.tail),
    'containers:inspect': (p) => containers.inspect(p.id),
    'containers:top': (p) => containers.top(p.id),
    'containers:pause': (p) => containers.pause(p.id),
    'containers:unpause': (p) => containers.unpause(p.id),
    'containers:rename': async (p) => containers.summary(await containers.rename(p.id, p.name)),
    'containers:prune': async () => ({ removed: await containers.prune() }),
    'containers:restart': async (p) => containers.summary(await containers.restart(p.id, p.timeoutSeconds)),
    'containers:diff': (p) => containers.diff(p.id),
    'containers:port': (p) => containers.ports(p.id),
    'containers:export': async (p, ctx) => {
      // Resolve first, so a wrong name is the call's error rather than the stream's.
      const rec = await containers.resolve(p.id);
      return streamToSubscription(ctx, (out) => containers.export(rec.id, out, scratch));
    },
    'containers:update': async ({ id, ...limits }) => containers.update(id, limits),
    'containers:archive': async (p, ctx) => {
      const rec = await containers.resolve(p.id);
      return streamToSubscription(ctx, (out) => containers.copyOutTar(rec.id, p.path, out));
    },
    'containers:extract': async (p) => {
      const archive = fs.createReadStream(absolute(p.hostPath));
      // Opened before the copy starts: a missing file is this call's error, not an unhandled stream error.
      await new Promise<void>((resolve, reject) => archive.once('open', () => resolve()).once('error', reject)).catch((err: unknown) => {
        throw new EngineError('E_INVALID_ARGUMENT', `cannot read ${p.hostPath}: ${(err as Error).message}`);
      });
      try {
        await containers.copyInTar(p.id, archive, p.path);
      } finally {
        archive.destroy();
      }
      return { id: p.id };
    },
    'containers:copyTo': async (p) => {
      await containers.copyIn(p.id, absolute(p.hostPath), p.path);
      return { id: p.id };
    },
    'containers:copyFrom': async (p) => {
      await containers.copyOut(p.id, p.path, absolute(p.hostPath));
      return { id: p.id };
    },
  };
}
