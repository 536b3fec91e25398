// The image config (OCI image-spec config.md), validated by hand rather
// than with zod: `cove run` reads it on every start, and loading zod alone
// costs more than the rest of the command (bench/README.md).
import { EngineError } from '../errors.js';
import { shortId } from '../digest.js';

export interface ImageConfig {
  created?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  author?: string;
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }>;
  config?: {
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string | null;
    User?: string | null;
    [key: string]: unknown;
  } | null;
  rootfs: { type: 'layers'; diff_ids: string[] };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === 'string';
const strOrNull: Check = (v) => v === undefined || v === null || typeof v === 'string';
const strList: Check = (v) => v === undefined || v === null || (Array.isArray(v) && v.length <= 100_000 && v.every((x) => typeof x === 'string'));

/** Returns the path of the first field that is not what the spec says, or null. */
function firstProblem(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return '(root): must be an object';
  const d = data as Record<string, unknown>;
  for (const k of ['created', 'architecture', 'os', 'variant', 'author']) if (d[k] !== undefined && !str(d[k])) return `${k}: must be a string`;
  if (d.history !== undefined) {
    if (!Array.isArray(d.history) || d.history.length > 10_000) return 'history: must be a list';
    for (const [i, h] of d.history.entries()) {
      if (typeof h !== 'object' || h === null) return `history.${i}: must be an object`;
      const e = h as Record<string, unknown>;
      for (const k of ['created', 'created_by', 'comment', 'author']) if (e[k] !== undefined && !str(e[k])) return `history.${i}.${k}: must be a string`;
      if (e.empty_layer !== undefined && typeof e.empty_layer !== 'boolean') return `history.${i}.empty_layer: must be a boolean`;
    }
  }
  if (d.config !== undefined && d.config !== null) {
    if (typeof d.config !== 'object' || Array.isArray(d.config)) return 'config: must be an object';
    const c = d.config as Record<string, unknown>;
    for (const k of ['Env', 'Cmd', 'Entrypoint']) if (!strList(c[k])) return `config.${k}: must be a list of strings`;
    for (const k of ['WorkingDir', 'User']) if (!strOrNull(c[k])) return `config.${k}: must be a string`;
  }
  const rootfs = d.rootfs as Record<string, unknown> | undefined;
  if (typeof rootfs !== 'object' || rootfs === null) return 'rootfs: is missing';
  if (rootfs.type !== 'layers') return 'rootfs.type: must be "layers"';
  if (!Array.isArray(rootfs.diff_ids) || rootfs.diff_ids.length > 1000) return 'rootfs.diff_ids: must be a list';
  for (const [i, id] of rootfs.diff_ids.entries()) if (typeof id !== 'string' || !DIGEST.test(id)) return `rootfs.diff_ids.${i}: must be a sha256 digest`;
  return null;
}

/** Parses and checks an image config blob; E_MANIFEST_INVALID names the bad field. */
export function parseImageConfig(bytes: Uint8Array, digest: string): ImageConfig {
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new EngineError('E_MANIFEST_INVALID', `image config ${shortId(digest)} is not valid JSON: ${(err as Error).message}`);
  }
  const problem = firstProblem(data);
  if (problem) throw new EngineError('E_MANIFEST_INVALID', `image config ${shortId(digest)} is malformed: ${problem}`);
  return data as ImageConfig;
}
