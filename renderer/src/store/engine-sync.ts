import type { Transport } from '../api/transport';
import type { AppStore } from './app-store';
import { debounce } from './debounce';

// A `cove run` emits create+start within milliseconds; one re-fetch covers both.
const REFETCH_DEBOUNCE_MS = 50;

/**
 * Keeps the store in step with the engine: events re-fetch the list they
 * touch (task events carry their whole state and are applied as they are),
 * and every (re)connection re-fetches everything, since events sent while
 * the socket was down are gone. The UI never polls.
 */
export function syncWithEngine(store: AppStore, transport: Transport): () => void {
  const refetchContainers = debounce(() => void store.getState().fetchContainers(), REFETCH_DEBOUNCE_MS);
  const refetchImages = debounce(() => void store.getState().fetchImages(), REFETCH_DEBOUNCE_MS);
  const refetchNetworks = debounce(() => void store.getState().fetchNetworks(), REFETCH_DEBOUNCE_MS);
  // Compose projects are their containers: any container event may change one.
  const refetchProjects = debounce(() => void store.getState().fetchProjects(), REFETCH_DEBOUNCE_MS);

  const offEvent = transport.onEvent((event) => {
    if (event.type === 'container') {
      refetchContainers();
      // A container created or removed joins or leaves its networks.
      if (store.getState().networksStatus !== 'idle') refetchNetworks();
      if (store.getState().projectsStatus !== 'idle') refetchProjects();
    }
    else if (event.type === 'image') refetchImages();
    else if (event.type === 'volume') {
      if (store.getState().volumesStatus !== 'idle') void store.getState().fetchVolumes();
    } else if (event.type === 'stats') store.getState().applyStats(event.samples);
    else if (event.type === 'task') {
      store.getState().applyJob(event.task);
      // A finished pull or load changed the image list.
      if (event.task.state === 'done') refetchImages();
    }
  });

  const offConnection = transport.onConnection((state) => {
    store.getState().setConnection(state);
    if (state === 'open') {
      refetchContainers.cancel();
      refetchImages.cancel();
      refetchNetworks.cancel();
      refetchProjects.cancel();
      if (store.getState().projectsStatus !== 'idle') void store.getState().fetchProjects();
      void store.getState().fetchContainers();
      void store.getState().fetchImages();
      void store.getState().fetchJobs();
      void store.getState().fetchStats();
    }
  });

  return () => {
    offEvent();
    offConnection();
    refetchContainers.cancel();
    refetchImages.cancel();
    refetchNetworks.cancel();
    refetchProjects.cancel();
  };
}
