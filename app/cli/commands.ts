// The CLI's verbs, one file per domain so each grows on its own. Each
// domain's module is loaded only when one of its verbs runs: compiling and
// evaluating every verb's code costs every command tens of milliseconds.
import type { Command } from './cli-kit.js';

export { formatError, type Command, type Io } from './cli-kit.js';

type Commands = Record<string, Command>;

/** Every domain's commands, loaded on demand. A new domain adds its loader here. */
export const COMMAND_MODULES: Record<string, () => Promise<Commands>> = {
  container: async () => (await import('./container-commands.js')).CONTAINER_COMMANDS,
  lifecycle: async () => (await import('./lifecycle-commands.js')).LIFECYCLE_COMMANDS,
  image: async () => (await import('./image-commands.js')).IMAGE_COMMANDS,
  store: async () => (await import('./store-commands.js')).STORE_COMMANDS,
  system: async () => (await import('./system-commands.js')).SYSTEM_COMMANDS,
  volume: async () => (await import('./volume-commands.js')).VOLUME_COMMANDS,
  network: async () => (await import('./network-commands.js')).NETWORK_COMMANDS,
  stats: async () => (await import('./stats-commands.js')).STATS_COMMANDS,
  inspect: async () => (await import('./inspect-commands.js')).INSPECT_COMMANDS,
  build: async () => (await import('./build-commands.js')).BUILD_COMMANDS,
  machine: async () => (await import('./machine-commands.js')).MACHINE_COMMANDS,
  compose: async () => (await import('./compose-commands.js')).COMPOSE_COMMANDS,
};

/** All verbs (help tests, completion): loads every domain. */
export async function allCommands(): Promise<Commands> {
  const all: Commands = {};
  for (const load of Object.values(COMMAND_MODULES)) Object.assign(all, await load());
  return all;
}

/** The verb's command, loading only its domain when the verb table names it. */
export async function findCommand(name: string, module: string | undefined): Promise<Command | undefined> {
  const load = module ? COMMAND_MODULES[module] : undefined;
  const found = load ? (await load())[name] : undefined;
  return found ?? (await allCommands())[name];
}
