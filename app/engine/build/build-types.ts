import type { BuildParams } from '../../api/contract.js';
import type { ImageLayer } from '../store/image-index.js';
import type { ContextSource } from './build-context.js';
import type { RunnableConfig } from './instruction-config.js';
import type { SecretSource } from './run-mounts.js';

/** What a build reports as it goes (BuildKit's plain progress is drawn from these). */
export type BuildEvent =
  | { type: 'note'; text: string }
  | { type: 'context'; bytes: number }
  | { type: 'step'; id: number; label: string }
  | { type: 'cached'; id: number }
  | { type: 'output'; id: number; text: string; seconds: number }
  | { type: 'done'; id: number; seconds: number }
  | { type: 'failed'; id: number; message: string };

/** The API's build parameters, with the context and Dockerfile resolved for the builder. */
export interface BuildOptions extends Omit<BuildParams, 'context' | 'dockerfile'> {
  context: ContextSource;
  /** The Dockerfile: a host path, or its text (-f -); default CONTEXT/Dockerfile. */
  dockerfile?: { path?: string; text?: string };
  platform?: string;
  onEvent?: (event: BuildEvent) => void;
  /** `--secret id=X,src=FILE|env=VAR`: RUN --mount=type=secret's sources, never in a layer or a cache key. */
  secrets?: Record<string, SecretSource>;
  /** Cancels the build between steps (a task's cancel). */
  signal?: AbortSignal;
}

export interface BuildResult {
  id: string;
  references: string[];
  /** Steps run and reused, for the caller's summary (and the tests). */
  ran: number;
  cached: number;
}

export interface HistoryEntry {
  created: string;
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

/** A stage's image as it is being built. */
export interface StageState {
  architecture: string;
  os: string;
  author?: string;
  config: RunnableConfig;
  history: HistoryEntry[];
  layers: ImageLayer[];
  /** The cache key of everything so far. */
  key: string;
}
