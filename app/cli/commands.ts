// The CLI's verbs, one file per domain so each grows on its own.
import type { Command } from './cli-kit.js';
import { CONTAINER_COMMANDS } from './container-commands.js';
import { IMAGE_COMMANDS } from './image-commands.js';
import { SYSTEM_COMMANDS } from './system-commands.js';
import { VOLUME_COMMANDS } from './volume-commands.js';
import { STATS_COMMANDS } from './stats-commands.js';
import { LIFECYCLE_COMMANDS } from './lifecycle-commands.js';
import { STORE_COMMANDS } from './store-commands.js';
import { BUILD_COMMANDS } from './build-commands.js';
import { INSPECT_COMMANDS } from './inspect-commands.js';

export { formatError, type Command, type Io } from './cli-kit.js';

export const COMMANDS: Record<string, Command> = { ...CONTAINER_COMMANDS, ...IMAGE_COMMANDS, ...SYSTEM_COMMANDS, ...VOLUME_COMMANDS, ...STATS_COMMANDS, ...LIFECYCLE_COMMANDS, ...STORE_COMMANDS, ...BUILD_COMMANDS, ...INSPECT_COMMANDS };
