import { Engine } from '../engine/engine.js';
import { EngineError } from '../engine/errors.js';
import { COMMANDS, formatError, type Io } from './commands.js';

const HELP = `Usage: cove COMMAND [OPTIONS]

A rootless container manager: no daemon, no root.

Containers:
  run [OPTIONS] IMAGE [CMD...]      create and start (-d, -it, --rm, --name, -p, -v, -e, --network, --restart, ...)
  create [OPTIONS] IMAGE [CMD...]   create without starting
  start|stop|restart|kill|rm        lifecycle (stop -t S, kill -s SIG, rm -f -v)
  pause|unpause|rename|wait         more lifecycle
  ps [-a] [-q] [--no-trunc]         list containers
  logs [-f] [-t] [--tail N]         show the output
  exec [-it] [-u] [-w] [-e] C CMD   run a command in a running container
  attach C                          attach to a container (ctrl-p ctrl-q detaches)
  inspect|top|port|diff C           details, processes, ports, filesystem changes
  cp SRC DEST                       copy between host and container (C:PATH)
  export -o FILE C                  the container's filesystem as a tar
  stats [--no-stream]               live CPU, memory, network and I/O
  container prune|ls|...            docker's management spelling
  events                            what changes, live
Images:
  pull [--platform P] [--tls-verify=false] IMAGE
  push IMAGE [DEST]                 login [-u U] [--password-stdin] REGISTRY, logout REGISTRY
  images | image ls                 list images; image inspect|history|tag|prune [-a], rmi [-f]
  load -i FILE                      docker-archive, oci-archive or an OCI layout directory
  save -o FILE [--format docker-archive|oci-archive] IMAGE
  import FILE|- [REF] [-c CHANGE]   an image from a rootfs tarball
  tag SOURCE TARGET
  build [-t T] [-f F|-] [--build-arg K=V] [--target S] [--no-cache] [--pull] [-q] PATH|-|TAR
  builder prune                     forget the build cache
Volumes:
  volume create|ls|inspect|rm|prune
System:
  system df | system check [--repair] [--quick]
  doctor                            check what rootless containers need here
  serve [--port N]                  the Cove UI in a browser (web mode), on 127.0.0.1

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
  // Only as the verb's first argument: `cove run busybox ls --help` is the container's --help.
  if (rest[0] === '--help' || rest[0] === '-h') {
    io.out(HELP);
    return 0;
  }
  let engine: Engine | undefined;
  try {
    // Web mode is the long-lived engine: it watches the store, samples stats and applies restart policies.
    engine = await Engine.open({ watch: name === 'serve' || (name === 'system' && rest[0] === 'service') });
    return await command(engine, rest, io);
  } catch (err) {
    io.err(formatError(err));
    // docker's convention: 127 when the command cannot be found, 126 when it cannot be run, 125 when Cove itself failed.
    if (err instanceof EngineError && err.code === 'E_RUNTIME_EXEC') return 127;
    return err instanceof EngineError && err.code === 'E_RUNTIME_CANNOT_INVOKE' ? 126 : 125;
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
