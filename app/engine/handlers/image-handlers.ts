import { EngineError } from '../errors.js';
import type { ImageService } from '../image-service.js';
import type { ContainerService } from '../container/container-service.js';
import type { DomainHandlers } from './handler-types.js';

export function imageHandlers(images: ImageService, containers: ContainerService): DomainHandlers<'images'> {
  return {
    'images:list': () => images.list(),
    'images:remove': (p) => images.remove(p.reference, p.force, (id) => containers.usersOfImage(id)),
    'images:pull': async () => {
      throw new EngineError('E_INVALID_ARGUMENT', 'pulling from registries is not available yet; load an archive with cove load -i FILE');
    },
  };
}
