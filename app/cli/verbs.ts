// Every verb's usage, description and flags, with docker's wording where the
// verb is docker's: the one table the argument parser and `cove VERB --help`
// both read. A verb's code parses with `parseArgs(argv, VERBS['name'])`.
import type { FlagSpec, FlagSpecs, VerbSpec } from './args.js';

const str = (description: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ value: true, type: 'string', description, ...extra });
const list = (description: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ value: true, multiple: true, type: 'list', description, ...extra });
const bool = (description: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ description, ...extra });
const int = (description: string, extra: Partial<FlagSpec> = {}): FlagSpec => ({ value: true, type: 'int', description, ...extra });

const format = (what: string, fields: string): FlagSpec =>
  str(`Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template.\nFields of ${what}: ${fields}`);
const filter = (keys: string): FlagSpec => ({ value: true, multiple: true, type: 'filter', short: 'f', description: `Filter output based on conditions provided (${keys})` });

const CREATE_FLAGS: FlagSpecs = {
  'add-host': list('Add a custom host-to-IP mapping (host:ip)'),
  'cap-add': list('Add Linux capabilities'),
  'cap-drop': list('Drop Linux capabilities'),
  cpus: { value: true, type: 'decimal', description: 'Number of CPUs (needs a delegated cgroup v2 subtree)' },
  dns: list('Set custom DNS servers'),
  entrypoint: str('Overwrite the default ENTRYPOINT of the image'),
  env: list('Set environment variables', { short: 'e' }),
  'env-file': list('Read in a file of environment variables'),
  'health-cmd': str('Command to run to check health'),
  'health-interval': str('Time between running the check (ms|s|m|h) (default 0s)', { type: 'duration' }),
  'health-retries': int('Consecutive failures needed to report unhealthy'),
  'health-start-interval': str('Time between running the check during the start period (ms|s|m|h) (default 0s)', { type: 'duration' }),
  'health-start-period': str('Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)', { type: 'duration' }),
  'health-timeout': str('Maximum time to allow one check to run (ms|s|m|h) (default 0s)', { type: 'duration' }),
  'no-healthcheck': bool('Disable any container-specified HEALTHCHECK'),
  hostname: str('Container host name', { short: 'h' }),
  init: bool('Run an init inside the container that forwards signals and reaps processes'),
  interactive: bool('Keep STDIN open even if not attached', { short: 'i' }),
  label: list('Set meta data on a container', { short: 'l' }),
  'log-opt': list('Log driver options (max-size=SIZE)'),
  memory: { value: true, type: 'bytes', short: 'm', description: 'Memory limit (needs a delegated cgroup v2 subtree)' },
  mount: { value: true, multiple: true, type: 'mount', description: 'Attach a filesystem mount to the container' },
  name: str('Assign a name to the container'),
  net: list('Connect a container to a network', { hidden: true }),
  network: list('Connect a container to a network (slirp4netns, none, host, container:NAME, or networks from cove network create: repeat it, or name=NET,alias=A,ip=IP)'),
  'network-alias': list('Add network-scoped alias for the container'),
  ip: str('IPv4 address (e.g., 172.30.100.104)'),
  'pids-limit': int('Tune container pids limit (set -1 for unlimited)'),
  'memory-swap': { value: true, type: 'string', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  'cpu-shares': int('CPU shares (relative weight)', { short: 'c' }),
  publish: list("Publish a container's port(s) to the host", { short: 'p' }),
  'publish-all': bool('Publish all exposed ports to random ports', { short: 'P' }),
  pull: str('Pull image before running ("always", "missing", "never")', { default: 'missing' }),
  quiet: bool('Suppress the pull output', { short: 'q' }),
  'read-only': bool("Mount the container's root filesystem as read only"),
  restart: str('Restart policy to apply when a container exits', { default: 'no' }),
  rm: bool('Automatically remove the container and its associated anonymous volumes when it exits'),
  runtime: str('Runtime to use for this container (cove, runc, crun or a path)'),
  'security-opt': list('Security Options'),
  'stop-signal': str('Signal to stop the container'),
  'stop-timeout': int('Timeout (in seconds) to stop a container'),
  tmpfs: list('Mount a tmpfs directory'),
  tty: bool('Allocate a pseudo-TTY', { short: 't' }),
  user: str('Username or UID (format: <name|uid>[:<group|gid>])', { short: 'u' }),
  volume: list('Bind mount a volume', { short: 'v' }),
  workdir: str('Working directory inside the container', { short: 'w' }),
};

const PS_FIELDS = '.ID .Image .Command .CreatedAt .RunningFor .Ports .State .Status .Size .Names .Labels .Label .Mounts .Networks';
const IMAGE_FIELDS = '.ID .Repository .Tag .Digest .CreatedSince .CreatedAt .Size';

const TCP_FLAG = 'Also serve the Docker API on this loopback address (127.0.0.1:PORT), to clients that send the token written in the runtime directory';

const verbs: VerbSpec[] = [
  // Containers
  { name: 'run', module: 'container', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create and run a new container from an image', stopAtPositional: true, aliases: ['container run'], flags: { ...CREATE_FLAGS, detach: bool('Run container in background and print container ID', { short: 'd' }), 'detach-keys': str('Override the key sequence for detaching a container') } },
  { name: 'create', module: 'container', usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]', description: 'Create a new container', stopAtPositional: true, aliases: ['container create'], flags: CREATE_FLAGS },
  { name: 'start', module: 'container', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Start one or more stopped containers', aliases: ['container start'], flags: {} },
  { name: 'stop', module: 'container', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Stop one or more running containers', aliases: ['container stop'], flags: { time: int('Seconds to wait before killing the container', { short: 't' }), timeout: int('Seconds to wait before killing the container', { hidden: true }) } },
  { name: 'restart', module: 'container', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Restart one or more containers', aliases: ['container restart'], flags: { time: int('Seconds to wait before killing the container', { short: 't' }) } },
  { name: 'kill', module: 'container', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Kill one or more running containers', aliases: ['container kill'], flags: { signal: str('Signal to send to the container', { short: 's', default: 'KILL' }) } },
  { name: 'rm', module: 'container', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Remove one or more containers', aliases: ['container rm', 'container remove'], flags: { force: bool('Force the removal of a running container (uses SIGKILL)', { short: 'f' }), volumes: bool('Remove anonymous volumes associated with the container', { short: 'v' }) } },
  { name: 'wait', module: 'container', usage: 'CONTAINER [CONTAINER...]', description: 'Block until one or more containers stop, then print their exit codes', aliases: ['container wait'], flags: {} },
  {
    name: 'ps',
    module: 'container',
    usage: '[OPTIONS]',
    description: 'List containers',
    aliases: ['container ls', 'container list'],
    flags: {
      all: bool('Show all containers (default shows just running)', { short: 'a' }),
      filter: filter('status, name, label, ancestor, id, exited, health'),
      format: format('a container', PS_FIELDS),
      last: int('Show n last created containers (includes all states)', { short: 'n' }),
      latest: bool('Show the latest created container (includes all states)', { short: 'l' }),
      'no-trunc': bool("Don't truncate output"),
      quiet: bool('Only display container IDs', { short: 'q' }),
      size: bool('Display total file sizes', { short: 's' }),
    },
  },
  { name: 'logs', module: 'container', usage: '[OPTIONS] CONTAINER', description: 'Fetch the logs of a container', aliases: ['container logs'], flags: { follow: bool('Follow log output', { short: 'f' }), timestamps: bool('Show timestamps', { short: 't' }), tail: str('Number of lines to show from the end of the logs', { short: 'n', default: 'all' }) } },
  {
    name: 'exec',
    module: 'container',
    usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
    description: 'Execute a command in a running container',
    stopAtPositional: true,
    aliases: ['container exec'],
    flags: { env: list('Set environment variables', { short: 'e' }), interactive: bool('Keep STDIN open even if not attached', { short: 'i' }), tty: bool('Allocate a pseudo-TTY', { short: 't' }), user: str('Username or UID (format: "<name|uid>[:<group|gid>]")', { short: 'u' }), workdir: str('Working directory inside the container', { short: 'w' }) },
  },
  {
    name: 'inspect',
    module: 'inspect',
    usage: '[OPTIONS] NAME|ID [NAME|ID...]',
    description: 'Return low-level information on Cove objects',
    flags: { format: str("Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template", { short: 'f' }), size: bool('Display total file sizes if the type is container', { short: 's' }), type: str('Only inspect objects of the given type (container, image, volume)') },
  },
  { name: 'attach', module: 'container', usage: '[OPTIONS] CONTAINER', description: 'Attach local standard input, output, and error streams to a running container', aliases: ['container attach'], flags: { 'detach-keys': str('Override the key sequence for detaching a container'), 'no-stdin': bool('Do not attach STDIN'), 'sig-proxy': { value: true, type: 'bool', description: 'Proxy all received signals to the process', default: 'true' } } },
  { name: 'pause', module: 'lifecycle', usage: 'CONTAINER [CONTAINER...]', description: 'Pause all processes within one or more containers', aliases: ['container pause'], flags: {} },
  {
    name: 'update',
    module: 'lifecycle',
    usage: '[OPTIONS] CONTAINER [CONTAINER...]',
    description: 'Update resource limits of one or more containers (needs a delegated cgroup v2 subtree)',
    aliases: ['container update'],
    flags: {
      cpus: { value: true, type: 'decimal', description: 'Number of CPUs' },
      'cpu-shares': int('CPU shares (relative weight)', { short: 'c' }),
      memory: { value: true, type: 'bytes', short: 'm', description: 'Memory limit' },
      'memory-swap': { value: true, type: 'string', description: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
      'pids-limit': int('Tune container pids limit (set -1 for unlimited)'),
    },
  },
  { name: 'unpause', module: 'lifecycle', usage: 'CONTAINER [CONTAINER...]', description: 'Unpause all processes within one or more containers', aliases: ['container unpause'], flags: {} },
  { name: 'rename', module: 'lifecycle', usage: 'CONTAINER NEW_NAME', description: 'Rename a container', aliases: ['container rename'], flags: {} },
  {
    name: 'cp',
    module: 'lifecycle',
    usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tcove cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    description: "Copy files/folders between a container and the local filesystem\n\nUse '-' as the source to read a tar archive from stdin\nand extract it to a directory destination in a container.\nUse '-' as the destination to stream a tar archive of a\ncontainer source to stdout.",
    aliases: ['container cp'],
    flags: { archive: bool('Archive mode (copy all uid/gid information)', { short: 'a' }) },
  },
  { name: 'diff', module: 'lifecycle', usage: 'CONTAINER', description: "Inspect changes to files or directories on a container's filesystem", aliases: ['container diff'], flags: {} },
  { name: 'export', module: 'lifecycle', usage: '[OPTIONS] CONTAINER', description: "Export a container's filesystem as a tar archive", aliases: ['container export'], flags: { output: str('Write to a file, instead of STDOUT', { short: 'o' }) } },
  { name: 'port', module: 'lifecycle', usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]', description: 'List port mappings or a specific mapping for the container', aliases: ['container port'], flags: {} },
  { name: 'top', module: 'stats', usage: 'CONTAINER', description: 'Display the running processes of a container', aliases: ['container top'], flags: {} },
  {
    name: 'stats',
    module: 'stats',
    usage: '[OPTIONS] [CONTAINER...]',
    description: 'Display a live stream of container(s) resource usage statistics',
    aliases: ['container stats'],
    flags: { all: bool('Show all containers (default shows just running)', { short: 'a' }), format: format('a sample', '.Container .Name .ID .CPUPerc .MemUsage .MemPerc .NetIO .BlockIO .PIDs'), 'no-stream': bool('Disable streaming stats and only pull the first result'), 'no-trunc': bool("Do not truncate output") },
  },
  { name: 'events', module: 'stats', usage: '[OPTIONS]', description: 'Get real time events from the store', aliases: ['system events'], flags: {} },
  { name: 'container prune', usage: '[OPTIONS]', description: 'Remove all stopped containers', flags: { force: bool('Do not prompt for confirmation', { short: 'f' }) } },
  { name: 'container', module: 'lifecycle', usage: 'COMMAND', description: 'Manage containers', flags: {}, subcommands: ['attach', 'cp', 'create', 'diff', 'exec', 'export', 'inspect', 'kill', 'logs', 'ls', 'pause', 'port', 'prune', 'rename', 'restart', 'rm', 'run', 'start', 'stats', 'stop', 'top', 'unpause', 'update', 'wait'] },
  { name: 'container inspect', usage: '[OPTIONS] CONTAINER [CONTAINER...]', description: 'Display detailed information on one or more containers', flags: { format: str("Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template", { short: 'f' }), size: bool('Display total file sizes', { short: 's' }) } },

  // Images
  {
    name: 'images',
    module: 'image',
    usage: '[OPTIONS] [REPOSITORY[:TAG]]',
    description: 'List images',
    aliases: ['image ls', 'image list'],
    flags: {
      all: bool('Show all images (default hides intermediate images)', { short: 'a' }),
      digests: bool('Show digests'),
      filter: filter('dangling, reference, label, before, since'),
      format: format('an image', IMAGE_FIELDS),
      'no-trunc': bool("Don't truncate output"),
      quiet: bool('Only show image IDs', { short: 'q' }),
    },
  },
  { name: 'pull', module: 'image', usage: '[OPTIONS] NAME[:TAG|@DIGEST]', description: 'Download an image from a registry', aliases: ['image pull'], flags: { platform: str('Set platform if server is multi-platform capable'), quiet: bool('Suppress verbose output', { short: 'q' }), 'tls-verify': bool('Require HTTPS and verify certificates (--tls-verify=false to skip)') } },
  { name: 'push', module: 'image', usage: '[OPTIONS] NAME[:TAG] [DESTINATION]', description: 'Upload an image to a registry', aliases: ['image push'], flags: { quiet: bool('Suppress verbose output', { short: 'q' }), 'tls-verify': bool('Require HTTPS and verify certificates (--tls-verify=false to skip)') } },
  { name: 'rmi', module: 'image', usage: '[OPTIONS] IMAGE [IMAGE...]', description: 'Remove one or more images', aliases: ['image rm', 'image remove'], flags: { force: bool('Force removal of the image', { short: 'f' }) } },
  { name: 'load', module: 'image', usage: '[OPTIONS]', description: 'Load an image from a tar archive (docker-archive, oci-archive) or an OCI layout directory', aliases: ['image load'], flags: { input: str('Read from tar archive file', { short: 'i' }), quiet: bool('Suppress the load output', { short: 'q' }) } },
  { name: 'save', module: 'image', usage: '[OPTIONS] IMAGE [IMAGE...]', description: 'Save one or more images to a tar archive', aliases: ['image save'], flags: { output: str('Write to a file', { short: 'o' }), format: str('docker-archive or oci-archive', { default: 'docker-archive' }) } },
  { name: 'import', module: 'image', usage: '[OPTIONS] file|- [REPOSITORY[:TAG]]', description: 'Import the contents from a tarball to create a filesystem image', aliases: ['image import'], flags: { change: list('Apply Dockerfile instruction to the created image', { short: 'c' }), message: str('Set commit message for imported image', { short: 'm' }), quiet: bool('Suppress the import output', { short: 'q' }) } },
  { name: 'tag', module: 'image', usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]', description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE', aliases: ['image tag'], flags: {} },
  { name: 'history', module: 'image', usage: '[OPTIONS] IMAGE', description: 'Show the history of an image', aliases: ['image history'], flags: { 'no-trunc': bool("Don't truncate output"), quiet: bool('Only show image IDs', { short: 'q' }) } },
  { name: 'login', module: 'image', usage: '[OPTIONS] [SERVER]', description: 'Log in to a registry', flags: { username: str('Username', { short: 'u' }), password: str('Password', { short: 'p' }), 'password-stdin': bool('Take the password from stdin'), 'tls-verify': bool('Require HTTPS and verify certificates (--tls-verify=false to skip)') } },
  { name: 'logout', module: 'image', usage: '[SERVER]', description: 'Log out from a registry', flags: {} },
  { name: 'image inspect', usage: '[OPTIONS] IMAGE [IMAGE...]', description: 'Display detailed information on one or more images', flags: { format: str("Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template", { short: 'f' }) } },
  { name: 'image prune', usage: '[OPTIONS]', description: 'Remove unused images', flags: { all: bool('Remove all unused images, not just dangling ones', { short: 'a' }), force: bool('Do not prompt for confirmation', { short: 'f' }) } },
  { name: 'image', module: 'image', usage: 'COMMAND', description: 'Manage images', flags: {}, subcommands: ['build', 'history', 'import', 'inspect', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag'] },
  {
    name: 'build',
    module: 'build',
    usage: '[OPTIONS] PATH | - | TARFILE',
    description: 'Build an image from a Dockerfile',
    aliases: ['image build'],
    flags: {
      'build-arg': list('Set build-time variables'),
      file: str("Name of the Dockerfile (default: \"PATH/Dockerfile\"; - reads it from stdin)", { short: 'f' }),
      iidfile: str('Write the image ID to the file'),
      label: list('Set metadata for an image'),
      'no-cache': bool('Do not use cache when building the image'),
      platform: str('Set platform if server is multi-platform capable'),
      progress: str('Set type of progress output (auto, plain, tty, quiet)', { default: 'auto' }),
      pull: bool('Always attempt to pull a newer version of the image'),
      quiet: bool('Suppress the build output and print image ID on success', { short: 'q' }),
      secret: list('Secret to expose to the build: id=ID,src=FILE or id=ID,env=VAR'),
      tag: list('Name and optionally a tag in the "name:tag" format', { short: 't' }),
      target: str('Set the target build stage to build'),
    },
  },
  { name: 'builder', module: 'build', usage: 'COMMAND', description: 'Manage builds', flags: {}, subcommands: ['prune'] },
  { name: 'builder prune', usage: '[OPTIONS]', description: 'Remove build cache', flags: { all: bool('Remove all unused build cache, not just dangling ones', { short: 'a' }), force: bool('Do not prompt for confirmation', { short: 'f' }) } },

  // Volumes
  { name: 'volume', module: 'volume', usage: 'COMMAND', description: 'Manage volumes', flags: {}, subcommands: ['create', 'inspect', 'ls', 'prune', 'rm'] },
  { name: 'volume create', usage: '[OPTIONS] [VOLUME]', description: 'Create a volume', flags: { label: list('Set metadata for a volume', { short: 'l' }) } },
  { name: 'volume ls', usage: '[OPTIONS]', description: 'List volumes', aliases: ['volume list'], flags: { filter: filter('dangling, name, label, driver'), format: format('a volume', '.Name .Driver .Scope .Mountpoint .Labels .Label .CreatedAt .Size'), quiet: bool('Only display volume names', { short: 'q' }) } },
  { name: 'volume inspect', usage: '[OPTIONS] VOLUME [VOLUME...]', description: 'Display detailed information on one or more volumes', flags: { format: str("Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template", { short: 'f' }) } },
  { name: 'volume rm', usage: '[OPTIONS] VOLUME [VOLUME...]', description: 'Remove one or more volumes', aliases: ['volume remove'], flags: { force: bool('Force the removal of one or more volumes', { short: 'f' }) } },
  { name: 'volume prune', usage: '[OPTIONS]', description: 'Remove unused local volumes', flags: { all: bool('Remove all unused volumes, not just anonymous ones', { short: 'a' }), force: bool('Do not prompt for confirmation', { short: 'f' }) } },

  // Networks
  { name: 'network', module: 'network', usage: 'COMMAND', description: 'Manage networks', flags: {}, subcommands: ['connect', 'create', 'disconnect', 'inspect', 'ls', 'prune', 'rm'] },
  {
    name: 'network create',
    usage: '[OPTIONS] NETWORK',
    description: 'Create a network',
    flags: {
      driver: str('Driver to manage the Network', { short: 'd', default: 'bridge' }),
      gateway: str('IPv4 Gateway for the master subnet'),
      internal: bool('Restrict external access to the network'),
      label: list('Set metadata on a network'),
      subnet: str('Subnet in CIDR format that represents a network segment'),
    },
  },
  { name: 'network ls', usage: '[OPTIONS]', description: 'List networks', aliases: ['network list'], flags: { filter: filter('name, id, driver, label, type=custom|builtin'), format: format('a network', '.ID .Name .Driver .Scope .Internal .CreatedAt .Subnet'), 'no-trunc': bool('Do not truncate the output'), quiet: bool('Only display network IDs', { short: 'q' }) } },
  { name: 'network inspect', usage: '[OPTIONS] NETWORK [NETWORK...]', description: 'Display detailed information on one or more networks', flags: {} },
  { name: 'network rm', usage: 'NETWORK [NETWORK...]', description: 'Remove one or more networks', aliases: ['network remove'], flags: { force: bool('Do not error if the network does not exist; disconnect the containers on it first', { short: 'f' }) } },
  { name: 'network prune', usage: '[OPTIONS]', description: 'Remove all unused networks', flags: { force: bool('Do not prompt for confirmation', { short: 'f' }) } },
  { name: 'network connect', usage: '[OPTIONS] NETWORK CONTAINER', description: 'Connect a container to a network', flags: { alias: list('Add network-scoped alias for the container'), ip: str('IPv4 address (e.g., 172.30.100.104)') } },
  { name: 'network disconnect', usage: '[OPTIONS] NETWORK CONTAINER', description: 'Disconnect a container from a network', flags: { force: bool('Force the container to disconnect from a network', { short: 'f' }) } },

  // Compose (docker compose v2's verbs and flags)
  {
    name: 'compose',
    module: 'compose',
    usage: '[OPTIONS] COMMAND',
    description: 'Define and run multi-container applications',
    stopAtPositional: true,
    flags: {
      file: list('Compose configuration files', { short: 'f' }),
      'project-name': str('Project name', { short: 'p' }),
      'project-directory': str('Specify an alternate working directory (default: the path of the, first specified, Compose file)'),
      profile: list('Specify a profile to enable'),
      'env-file': list('Specify an alternate environment file'),
      ansi: str('Control when to print ANSI control characters ("never"|"always"|"auto")', { default: 'auto' }),
    },
    subcommands: ['build', 'config', 'down', 'events', 'exec', 'images', 'kill', 'logs', 'ls', 'pause', 'port', 'ps', 'pull', 'push', 'restart', 'rm', 'run', 'start', 'stop', 'top', 'unpause', 'up'],
  },
  {
    name: 'compose up',
    usage: '[OPTIONS] [SERVICE...]',
    description: 'Create and start containers',
    flags: {
      detach: bool('Detached mode: Run containers in the background', { short: 'd' }),
      build: bool('Build images before starting containers'),
      'force-recreate': bool("Recreate containers even if their configuration and image haven't changed"),
      'no-recreate': bool("If containers already exist, don't recreate them. Incompatible with --force-recreate."),
      'no-deps': bool("Don't start linked services"),
      'remove-orphans': bool('Remove containers for services not defined in the Compose file'),
      wait: bool('Wait for services to be running|healthy. Implies detached mode.'),
      scale: list('Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.'),
      'no-start': bool("Don't start the services after creating them"),
      pull: str('Pull image before running ("always"|"missing"|"never")', { default: 'policy' }),
      'no-color': bool('Produce monochrome output'),
      timeout: int('Use this timeout in seconds for container shutdown when attached or when containers are already running', { short: 't' }),
    },
  },
  { name: 'compose down', usage: '[OPTIONS] [SERVICES]', description: 'Stop and remove containers, networks', flags: { volumes: bool('Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers', { short: 'v' }), rmi: str('Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")'), 'remove-orphans': bool('Remove containers for services not defined in the Compose file'), timeout: int('Specify a shutdown timeout in seconds', { short: 't' }) } },
  { name: 'compose ps', usage: '[OPTIONS] [SERVICE...]', description: 'List containers', flags: { all: bool('Show all stopped containers (including those created by the run command)', { short: 'a' }), format: str("Format output using a custom template:\n'table':            Print output in table format with column headers (default)\n'table TEMPLATE':   Print output in table format using the given Go template\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template"), quiet: bool('Only display IDs', { short: 'q' }), services: bool('Display services') } },
  { name: 'compose logs', usage: '[OPTIONS] [SERVICE...]', description: 'View output from containers', flags: { follow: bool('Follow log output', { short: 'f' }), tail: str('Number of lines to show from the end of the logs for each container', { short: 'n', default: 'all' }), timestamps: bool('Show timestamps', { short: 't' }), 'no-color': bool('Produce monochrome output'), 'no-log-prefix': bool("Don't print prefix in logs") } },
  { name: 'compose build', usage: '[OPTIONS] [SERVICE...]', description: 'Build or rebuild services', flags: { 'no-cache': bool('Do not use cache when building the image'), pull: bool('Always attempt to pull a newer version of the image'), quiet: bool("Don't print anything to STDOUT", { short: 'q' }) } },
  { name: 'compose pull', usage: '[OPTIONS] [SERVICE...]', description: 'Pull service images', flags: { 'ignore-pull-failures': bool('Pull what it can and ignores images with pull failures'), quiet: bool('Pull without printing progress information', { short: 'q' }) } },
  { name: 'compose push', usage: '[OPTIONS] [SERVICE...]', description: 'Push service images', flags: { quiet: bool('Push without printing progress information', { short: 'q' }) } },
  { name: 'compose start', usage: '[SERVICE...]', description: 'Start services', flags: {} },
  { name: 'compose stop', usage: '[OPTIONS] [SERVICE...]', description: 'Stop services', flags: { timeout: int('Specify a shutdown timeout in seconds', { short: 't' }) } },
  { name: 'compose restart', usage: '[OPTIONS] [SERVICE...]', description: 'Restart service containers', flags: { timeout: int('Specify a shutdown timeout in seconds', { short: 't' }) } },
  { name: 'compose kill', usage: '[OPTIONS] [SERVICE...]', description: 'Force stop service containers', flags: { signal: str('SIGNAL to send to the container', { short: 's', default: 'SIGKILL' }), 'remove-orphans': bool('Remove containers for services not defined in the Compose file') } },
  { name: 'compose rm', usage: '[OPTIONS] [SERVICE...]', description: 'Removes stopped service containers', flags: { force: bool("Don't ask to confirm removal", { short: 'f' }), stop: bool('Stop the containers, if required, before removing', { short: 's' }), volumes: bool('Remove any anonymous volumes attached to containers', { short: 'v' }) } },
  { name: 'compose pause', usage: '[SERVICE...]', description: 'Pause services', flags: {} },
  { name: 'compose unpause', usage: '[SERVICE...]', description: 'Unpause services', flags: {} },
  {
    name: 'compose exec',
    usage: '[OPTIONS] SERVICE COMMAND [ARGS...]',
    description: 'Execute a command in a running container',
    stopAtPositional: true,
    flags: { 'no-TTY': bool('Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.', { short: 'T' }), env: list('Set environment variables', { short: 'e' }), user: str('Run the command as this user', { short: 'u' }), workdir: str('Path to workdir directory for this command', { short: 'w' }), index: int('Index of the container if service has multiple replicas', { default: '1' }), interactive: bool('Keep STDIN open even if not attached', { short: 'i', hidden: true }) },
  },
  {
    name: 'compose run',
    usage: '[OPTIONS] SERVICE [COMMAND] [ARGS...]',
    description: 'Run a one-off command on a service',
    stopAtPositional: true,
    flags: {
      detach: bool('Run container in background and print container ID', { short: 'd' }),
      rm: bool('Automatically remove the container when it exits'),
      env: list('Set environment variables', { short: 'e' }),
      entrypoint: str('Override the entrypoint of the image'),
      label: list('Add or override a label', { short: 'l' }),
      name: str('Assign a name to the container'),
      'no-TTY': bool('Disable pseudo-TTY allocation (default: auto-detected)', { short: 'T' }),
      'no-deps': bool("Don't start linked services"),
      publish: list("Publish a container's port(s) to the host", { short: 'p' }),
      'service-ports': bool("Run command with all service's ports enabled and mapped to the host"),
      user: str('Run as specified username or uid', { short: 'u' }),
      volume: list('Bind mount a volume', { short: 'v' }),
      workdir: str('Working directory inside the container', { short: 'w' }),
      interactive: bool('Keep STDIN open even if not attached', { short: 'i', hidden: true }),
    },
  },
  { name: 'compose config', usage: '[OPTIONS] [SERVICE...]', description: 'Parse, resolve and render compose file in canonical format', flags: { quiet: bool('Only validate the configuration, don\'t print anything', { short: 'q' }), services: bool('Print the service names, one per line.'), output: str('Save to file (default to stdout)', { short: 'o' }) } },
  { name: 'compose ls', usage: '[OPTIONS]', description: 'List running compose projects', flags: { all: bool('Show all stopped Compose projects', { short: 'a' }), format: str('Format the output. Values: [table | json]', { default: 'table' }), quiet: bool('Only display project names', { short: 'q' }) } },
  { name: 'compose top', usage: '[SERVICES...]', description: 'Display the running processes', flags: {} },
  { name: 'compose port', usage: '[OPTIONS] SERVICE PRIVATE_PORT', description: 'Print the public port for a port binding', flags: { protocol: str('tcp or udp', { default: 'tcp' }), index: int('Index of the container if service has multiple replicas', { default: '1' }) } },
  { name: 'compose images', usage: '[OPTIONS] [SERVICE...]', description: 'List images used by the created containers', flags: { format: str('Format the output. Values: [table | json]', { default: 'table' }), quiet: bool('Only display IDs', { short: 'q' }) } },
  { name: 'compose events', usage: '[OPTIONS] [SERVICE...]', description: 'Receive real time events from containers', flags: { json: bool('Output events as a stream of json objects') } },

  // System
  { name: 'system', module: 'store', usage: 'COMMAND', description: 'Manage Cove', flags: {}, subcommands: ['check', 'df', 'events', 'info', 'prune', 'service'] },
  { name: 'system service', usage: '[OPTIONS]', description: 'Serve the Docker Engine API (docker.sock) and the engine socket in the foreground', flags: { timeout: int('Exit after this many idle seconds with no client connected (0: never)', { short: 't', default: '0' }), debug: bool('Trace every request on stderr'), install: bool('Write a socket-activated systemd user unit (cove.socket, cove.service) instead of serving'), tcp: str(TCP_FLAG) } },
  { name: 'system df', usage: '[OPTIONS]', description: 'Show Cove disk usage', flags: { format: format('a row', '.Type .TotalCount .Active .Size .Reclaimable'), verbose: bool('Show detailed information on space usage', { short: 'v' }) } },
  { name: 'system prune', usage: '[OPTIONS]', description: 'Remove unused data', flags: { all: bool('Remove all unused images not just dangling ones', { short: 'a' }), force: bool('Do not prompt for confirmation', { short: 'f' }), volumes: bool('Prune anonymous volumes') } },
  { name: 'system check', usage: '[OPTIONS]', description: 'Check the store for consistency (and with --repair, make it consistent)', flags: { repair: bool('Remove dead leftovers and broken entries', { short: 'r' }), quick: bool('Skip re-hashing blobs and layers') } },
  { name: 'info', module: 'store', usage: '[OPTIONS]', description: 'Display system-wide information', aliases: ['system info'], flags: { format: str('Format output using a custom template:\n\'json\':             Print in JSON format\n\'TEMPLATE\':         Print output using the given Go template', { short: 'f' }) } },
  { name: 'version', usage: '', description: 'Show the Cove version information', flags: {} },
  { name: 'doctor', module: 'system', usage: '', description: 'Check what rootless containers need on this machine', flags: {} },
  { name: 'serve', module: 'system', usage: '[OPTIONS]', description: 'Serve the Cove UI in a browser (web mode) and the engine socket, on 127.0.0.1', flags: { port: int('Port to listen on (default: a free one)', { short: 'p' }), host: str('Address to bind', { default: '127.0.0.1' }), tcp: str(TCP_FLAG) } },
  { name: 'machine', module: 'machine', usage: 'COMMAND', description: 'Manage the Cove VM (init, start, stop, rm, ls, inspect, ssh, set); cove --connection machine VERB runs a verb in it', flags: {} },
  { name: 'help', usage: '[COMMAND]', description: 'Help about any command', flags: {} },
  { name: 'container-exited', module: 'container', usage: 'CONTAINER', description: "Internal: the monitor's exit command (restart policy, --rm)", flags: {} },
];

export const VERBS: Record<string, VerbSpec> = Object.fromEntries(verbs.map((v) => [v.name, v]));

/** `container ls` -> ps, `image rm` -> rmi: docker's management spellings of top-level verbs. */
export function verbFor(path: string): VerbSpec | undefined {
  const direct = VERBS[path];
  if (direct) return direct;
  return verbs.find((v) => v.aliases?.includes(path));
}

/** The spec a command parses with; a missing entry is a programming error caught by the tests. */
export function verb(name: string): VerbSpec {
  const v = VERBS[name];
  if (!v) throw new Error(`no verb spec for ${name}`);
  return v;
}

/** Groups for `cove --help`, in docker's order. */
export const HELP_GROUPS: Array<[string, string[]]> = [
  ['Common Commands', ['run', 'exec', 'ps', 'build', 'images', 'pull', 'push', 'login', 'logout', 'info', 'version']],
  ['Management Commands', ['builder', 'compose', 'container', 'image', 'network', 'volume', 'system']],
  ['Commands', ['attach', 'cp', 'create', 'diff', 'events', 'export', 'history', 'import', 'inspect', 'kill', 'load', 'logs', 'pause', 'port', 'rename', 'restart', 'rm', 'rmi', 'save', 'start', 'stats', 'stop', 'tag', 'top', 'unpause', 'update', 'wait']],
  ['Cove Commands', ['doctor', 'machine', 'serve']],
];
