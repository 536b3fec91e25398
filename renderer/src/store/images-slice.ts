import type { ContainerSummary, CoveApi, ImageHistoryEntry, ImageSummary, LoadedImage } from '../../../app/api/contract';
import type { LoadStatus } from './containers-slice';
import { latestOnly } from './latest';
import type { SliceCreator } from './types';

export interface ImagesSlice {
  images: ImageSummary[];
  imagesStatus: LoadStatus;
  fetchImages(): Promise<void>;
  removeImage(image: ImageSummary): Promise<void>;
  /** For the confirmation dialog: rejects with the engine error instead of reporting it. */
  removeImageNow(image: ImageSummary): Promise<void>;
  /** Removes dangling images (all unused ones with `all`); resolves to how many went. */
  pruneImages(all: boolean): Promise<number>;
  imageHistory(reference: string): Promise<ImageHistoryEntry[]>;
  /** Rejects with the engine error, which the tag dialog shows in place. */
  tagImage(source: string, target: string): Promise<void>;
  /** Starts a push (a task, like a pull); rejects with the engine error. */
  pushImage(reference: string, destination?: string): Promise<string>;
  /** Loads an archive at a path on the engine's machine; rejects with the engine error. */
  loadImages(path: string): Promise<LoadedImage[]>;
  saveImages(references: string[], path: string, format: 'docker-archive' | 'oci-archive'): Promise<string>;
  /** Checks the credentials with the registry and stores them, as `cove login` does. */
  registryLogin(registry: string, username: string, password: string): Promise<void>;
}

/** Containers (any state) created from the image: they keep it in use. */
export function usersOfImage(image: ImageSummary, containers: ContainerSummary[]): ContainerSummary[] {
  return containers.filter((c) => c.imageId === image.id);
}

/** What `images:prune {all: true}` removes: every image no container uses (docker image prune -a). */
export function unusedImages(images: ImageSummary[], containers: ContainerSummary[]): ImageSummary[] {
  const used = new Set(containers.map((c) => c.imageId));
  return images.filter((i) => !used.has(i.id));
}

export const imageTaskKey = (id: string): string => `image:${id}`;

/**
 * A single reference is removed by name, as `cove rmi busybox` would; an
 * image with no or several references is removed by ID so that one click
 * removes the whole row, not just one of its tags.
 */
export function removalTarget(image: ImageSummary): string {
  return image.references.length === 1 && image.references[0] ? image.references[0] : image.id;
}

export const createImagesSlice =
  (api: CoveApi): SliceCreator<ImagesSlice> =>
  (set, get) => {
    const begin = latestOnly();
    return {
      images: [],
      imagesStatus: 'idle',
      fetchImages: async () => {
        const isLatest = begin();
        if (get().imagesStatus !== 'ready') set({ imagesStatus: 'loading' });
        try {
          const images = await api.call('images:list', {});
          if (isLatest()) set({ images, imagesStatus: 'ready' });
        } catch (reason) {
          if (!isLatest()) return;
          if (get().imagesStatus !== 'ready') set({ imagesStatus: 'error' });
          if (get().connection === 'open') get().reportError(reason);
        }
      },
      pruneImages: async (all) => {
        let count = 0;
        await get().runTask('images:prune', 'Pruning', async () => {
          const result = await api.call('images:prune', { all });
          count = result.deleted.length;
          await get().fetchImages();
        });
        return count;
      },
      imageHistory: (reference) => api.call('images:history', { reference }),
      tagImage: async (source, target) => {
        await api.call('images:tag', { source, target });
        await get().fetchImages();
      },
      loadImages: async (path) => {
        const loaded = await api.call('images:load', { path });
        await get().fetchImages();
        return loaded;
      },
      saveImages: async (references, path, format) => (await api.call('images:save', { references, path, format })).path,
      registryLogin: async (registry, username, password) => {
        await api.call('registries:login', { registry, username, password });
      },
      pushImage: async (reference, destination) => {
        const { taskId } = await api.call('images:push', destination ? { reference, destination } : { reference });
        return taskId;
      },
      removeImageNow: async (image) => {
        await api.call('images:remove', { reference: removalTarget(image), force: false });
        await get().fetchImages();
      },
      removeImage: (image) =>
        get().runTask(imageTaskKey(image.id), 'Removing', async () => {
          await api.call('images:remove', { reference: removalTarget(image), force: false });
          await get().fetchImages();
        }),
    };
  };
