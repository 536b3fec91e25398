import type { CoveApi, ImageHistoryEntry, ImageSummary } from '../../../app/api/contract';
import type { LoadStatus } from './containers-slice';
import { latestOnly } from './latest';
import type { SliceCreator } from './types';

export interface ImagesSlice {
  images: ImageSummary[];
  imagesStatus: LoadStatus;
  fetchImages(): Promise<void>;
  removeImage(image: ImageSummary): Promise<void>;
  /** Removes dangling images (all unused ones with `all`); resolves to how many went. */
  pruneImages(all: boolean): Promise<number>;
  imageHistory(reference: string): Promise<ImageHistoryEntry[]>;
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
      removeImage: (image) =>
        get().runTask(imageTaskKey(image.id), 'Removing', async () => {
          await api.call('images:remove', { reference: removalTarget(image), force: false });
          await get().fetchImages();
        }),
    };
  };
