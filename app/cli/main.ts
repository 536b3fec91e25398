import { findCommand, formatError, type Io } from './commands.js';
import { COVE_VERSION } from '../engine/version.js';
import { errorCode } from './cli-kit.js';
import { openCliEngine, type CliEngine } from './cli-engine.js';
import { HelpRequested, UsageError } from './args.js';
import { generalHelp, specForPath, verbHelp } from './help.js';
import { needsRouting } from './connection-route.js';

async function main(cmdline: string[]): Promise<number> {
  const io: Io = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
  let argv = cmdline;
  if (needsRouting(argv)) {
    const { routeConnection } = await import('./machine-commands.js');
    const route = await routeConnection(argv, io);
    if ('code' in route) return route.code;
    argv = route.argv;
  }
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.out(generalHelp());
    return 0;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      io.out(generalHelp());
      return 0;
    }
    const spec = specForPath(rest);
    if (!spec) {
      io.err(`unknown help topic: ${rest.join(' ')}\nSee 'cove --help'.\n`);
      return 1;
    }
    io.out(verbHelp(spec));
    return 0;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    io.out(`cove ${COVE_VERSION}\n`);
    return 0;
  }
  const top = specForPath([name]);
  const command = await findCommand(name, top?.module);
  if (!command) {
    io.err(`cove: unknown command: cove ${name}\n\nRun 'cove --help' for more information\n`);
    return 1;
  }
  // Help without opening the engine: `cove VERB --help`, `cove volume`, `cove volume ls --help`.
  // Only as the verb's first argument: `cove run busybox ls --help` is the container's --help.
  const isHelp = (a: string | undefined): boolean => a === '--help' || a === '-h';
  if (top?.subcommands && (rest.length === 0 || isHelp(rest[0]))) {
    io.out(verbHelp(top));
    return 0;
  }
  if (isHelp(rest[0]) || (top?.subcommands && isHelp(rest[1]))) {
    const spec = specForPath([name, ...(top?.subcommands ? rest.slice(0, 1) : [])]);
    if (spec) {
      io.out(verbHelp(spec));
      return 0;
    }
  }
  let engine: CliEngine | undefined;
  try {
    // Web mode and the service host the long-lived engine: it watches the store, samples stats and applies restart policies.
    // Every other verb is a client of the engine API: over the socket of an engine that runs, else in this process.
    const host = name === 'serve' || (name === 'system' && rest[0] === 'service');
    engine = await openCliEngine({ host, report: (err) => io.err(`cove: ${err instanceof Error ? err.message : String(err)}\n`) });
    return await command(engine, rest, io);
  } catch (err) {
    if (err instanceof HelpRequested) {
      io.out(verbHelp(err.spec));
      return 0;
    }
    io.err(formatError(err));
    // docker's convention: 127 when the command cannot be found, 126 when it cannot be run, 125 when Cove itself failed,
    // 125 for a flag it cannot parse and 1 for a wrong number of arguments.
    if (err instanceof UsageError) return err.status;
    const code = errorCode(err);
    if (code === 'E_RUNTIME_EXEC') return 127;
    return code === 'E_RUNTIME_CANNOT_INVOKE' ? 126 : 125;
  } finally {
    await engine?.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(formatError(err));
    process.exitCode = 125;
  },
);
