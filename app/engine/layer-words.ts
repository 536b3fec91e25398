// The words docker prints for a layer's state, for pulls and for pushes:
// the CLI's progress lines and the Docker API's progress messages both use
// them, so `cove pull` and `docker pull` through Cove read the same.
import type { LayerStatus, TaskKind } from '../api/contract.js';

const PULL: Record<LayerStatus, string> = {
  waiting: 'Waiting',
  downloading: 'Downloading',
  verifying: 'Verifying Checksum',
  extracting: 'Extracting',
  exists: 'Already exists',
  done: 'Pull complete',
  failed: 'Failed',
};

const PUSH: Record<LayerStatus, string> = {
  waiting: 'Waiting',
  downloading: 'Pushing',
  verifying: 'Pushing',
  extracting: 'Pushing',
  exists: 'Layer already exists',
  done: 'Pushed',
  failed: 'Failed',
};

export function layerWords(kind: TaskKind): Record<LayerStatus, string> {
  return kind === 'push' ? PUSH : PULL;
}
