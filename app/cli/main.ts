import { Engine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import { COMMANDS, formatError, type Io } from './commands.js';

const HELP = `Usage: cove COMMAND [OPTIONS]

A rootless container manager: no daemon, no root.

Containers:
  run [-d] [--rm] [--name N] [-e K=V] IMAGE [CMD...]   create and start a container
  create [...same as run] IMAGE [CMD...]               create without starting
  start|stop [-t S]|kill [-s SIG]|rm [-f] CONTAINER... lifecycle
  ps [-a] [-q] [--no-trunc]                            list containers
  logs [-f] [-t] [--tail N] CONTAINER                  show the output
  wait CONTAINER...                                    wait and print exit codes
Images:
  load -i FILE          load a docker-archive, oci-archive or OCI layout
  images | image ls     list images
  rmi | image rm [-f]   remove images
System:
  doctor                check what rootless containers need on this machine
  serve [--port N]      the Cove UI in a browser (web mode), on 127.0.0.1

Environment: COVE_HOME moves the data directory (default ~/.local/share/cove).
`;

async function main(argv: string[]): Promise<number> {
  const io: Io = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(HELP);
    return 0;
  }
  if (name === 'version' || name === '--version') {
    io.out('cove 0.1.0\n');
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.err(`Error: unknown command "${name}"\nSee 'cove --help'.\n`);
    return 125;
  }
  if (rest.includes('--help')) {
    io.out(HELP);
    return 0;
  }
  let engine: Engine | undefined;
  try {
    engine = await Engine.open();
    return await command(engine, rest, io);
  } catch (err) {
    io.err(formatError(err));
    // docker's convention: 127 when the command cannot be found, 125 when Cove itself failed.
    return err instanceof EngineError && err.code === 'E_RUNTIME_EXEC' ? 127 : 125;
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
