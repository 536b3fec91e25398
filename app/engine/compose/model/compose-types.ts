// The resolved compose model: what `loadComposeProject` returns after
// finding the files, interpolating, merging `-f` files and overrides,
// resolving `extends`, applying profiles and validating against the Compose
// Specification's schema. Everything downstream (`compose config`, `up`,
// `down`, the config hash, the app's Projects page) reads only this shape,
// never the raw YAML, so short and long syntaxes are already unified here.
import type { HealthcheckConfig } from '../../../api/contract.js';

export interface ComposeLoadOptions {
  /** `-f` files in order (later ones merge over earlier ones); none = discovery in `projectDirectory`/`cwd`. */
  files?: string[];
  /** `--project-directory`; default: the directory of the first file. */
  projectDirectory?: string;
  /** `-p`; else COMPOSE_PROJECT_NAME, else the top-level `name:`, else the directory's base name (normalised as compose does). */
  projectName?: string;
  /** `--profile` (also COMPOSE_PROFILES). */
  profiles?: string[];
  /** `--env-file`; default `.env` in the project directory when it exists. */
  envFiles?: string[];
  /** The caller's environment (the CLI sends its own), used for interpolation; it wins over `.env`. */
  environment: Record<string, string>;
  /** The caller's working directory, for relative `-f` paths and discovery. */
  cwd: string;
}

export interface ComposeLoadResult {
  project: ComposeProject;
  /** One line per unsupported key or value, naming it (e.g. `services.web.deploy.resources: not supported by Cove, ignored`). */
  warnings: string[];
}

export interface ComposeProject {
  name: string;
  /** Absolute project directory; relative paths in the files resolve against it. */
  workingDir: string;
  /** Absolute paths of the files that made the model, in merge order. */
  configFiles: string[];
  /** Services enabled by the active profiles (a disabled one is absent). */
  services: Record<string, ComposeService>;
  /** Keyed as in the file; `default` is always present unless every service uses `network_mode`. */
  networks: Record<string, ComposeNetwork>;
  volumes: Record<string, ComposeVolume>;
  /** Top-level `x-` keys, kept for `config`. */
  extensions: Record<string, unknown>;
}

export interface ComposeBuild {
  /** Absolute context directory. */
  context: string;
  /** Relative to the context, as the file gave it (default `Dockerfile`). */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
}

export interface ComposePort {
  /** Container port. */
  target: number;
  /** Host port or range as written (`8080`, `8080-8081`); absent = a random host port. */
  published?: string;
  hostIp?: string;
  protocol: 'tcp' | 'udp';
}

export interface ComposeMount {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume key in `project.volumes` (type volume; absent = anonymous) or absolute host path (type bind). */
  source?: string;
  target: string;
  readOnly: boolean;
  /** tmpfs size in bytes. */
  tmpfsSize?: number;
  /** Long syntax `bind.create_host_path` (short syntax creates it, as compose does). */
  createHostPath?: boolean;
}

export interface ComposeServiceNetwork {
  aliases: string[];
  ipv4Address?: string;
}

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeDependency {
  condition: DependsOnCondition;
  /** Restart this service when the dependency is restarted by compose. */
  restart: boolean;
  /** false: a missing dependency is only warned about. */
  required: boolean;
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: ComposeBuild;
  /** Absent = the image's CMD; a string in the file is split as a shell would (compose's shlex). */
  command?: string[];
  entrypoint?: string[];
  /** `env_file` contents merged under `environment`; a key without value that the environment lacks is dropped. */
  environment: Record<string, string>;
  ports: ComposePort[];
  expose: string[];
  volumes: ComposeMount[];
  /** Keys of `project.networks`; a service with neither `networks` nor `network_mode` is on `default`. */
  networks: Record<string, ComposeServiceNetwork>;
  /** `network_mode` (host, none, service:NAME, container:NAME). */
  networkMode?: string;
  dependsOn: Record<string, ComposeDependency>;
  /** `healthcheck`; `disable: true` becomes `{ test: ['NONE'] }`. */
  healthcheck?: HealthcheckConfig;
  /** no | always | on-failure[:N] | unless-stopped */
  restart?: string;
  labels: Record<string, string>;
  containerName?: string;
  workingDir?: string;
  user?: string;
  hostname?: string;
  init?: boolean;
  readOnly?: boolean;
  capAdd: string[];
  capDrop: string[];
  securityOpt: string[];
  /** docker --tmpfs syntax (`/run:size=64m`). */
  tmpfs: string[];
  stopSignal?: string;
  stopGracePeriodSeconds?: number;
  profiles: string[];
  /** `deploy.replicas` or `scale`; default 1. */
  replicas: number;
  /** `name:ip` (host-gateway allowed). */
  extraHosts: string[];
  dns: string[];
  tty: boolean;
  stdinOpen: boolean;
  /** Only what Cove applies (json-file/local max-size); the rest is warned about. */
  logging?: { driver?: string; options: Record<string, string> };
  pullPolicy?: 'always' | 'never' | 'missing' | 'build';
  /** Service-level `x-` keys, kept for `config`. */
  extensions: Record<string, unknown>;
}

export interface ComposeNetwork {
  /** The real network name: `name:` if given, else `<project>_<key>`; for external ones the existing network's name. */
  name: string;
  external: boolean;
  internal: boolean;
  driver?: string;
  subnet?: string;
  gateway?: string;
  labels: Record<string, string>;
}

export interface ComposeVolume {
  /** The real volume name: `name:` if given, else `<project>_<key>`. */
  name: string;
  external: boolean;
  driver?: string;
  labels: Record<string, string>;
}
