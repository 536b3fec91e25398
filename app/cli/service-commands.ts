// `cove system service`: the Docker API socket (and the engine socket) in the
// foreground for headless use, without a daemon that must always run; with
// --timeout it exits after that many idle seconds (no client connected).
import { flagBool, flagString, parseArgs, UsageError } from './args.js';
import type { Command } from './cli-kit.js';
import { verb } from './verbs.js';
import path from 'node:path';
import { EngineError } from '../engine/errors.js';
import { installPaths } from '../engine/install-paths.js';

export const systemService: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('system service'));
  const timeoutText = flagString(p, 'timeout');
  const timeout = timeoutText === undefined ? 0 : Number(timeoutText);
  if (!Number.isFinite(timeout) || timeout < 0) throw new UsageError(`invalid --timeout ${timeoutText}`);
  if (flagBool(p, 'install')) {
    const { installUnits } = await import('../docker-api/systemd-units.js');
    const written = installUnits([process.execPath, path.join(installPaths().distDir, 'cove.cjs')], timeout > 0 ? timeout : 600);
    io.out(`Wrote ${written.join(' and ')}\nEnable it with: systemctl --user daemon-reload && systemctl --user enable --now cove.socket\n`);
    return 0;
  }
  const tcpText = flagString(p, 'tcp');
  const { parseTcpAddress, printTcpAccess } = await import('../docker-api/tcp-access.js');
  // Checked before anything is served: a refused address serves nothing.
  const tcp = tcpText === undefined ? undefined : parseTcpAddress(tcpText);
  const { serveLocalSockets } = await import('../server/local-sockets.js');
  // This process hosts the engine the sockets serve.
  const sockets = await serveLocalSockets(await engine.local(), {
    warn: (m) => io.err(`warning: ${m}\n`),
    ...(flagBool(p, 'debug') ? { trace: (line: string) => io.err(`${new Date().toISOString()} ${line}\n`) } : {}),
    ...(tcp ? { dockerTcp: tcp } : {}),
  });
  if (!sockets.dockerSocket) {
    await sockets.close();
    throw new EngineError('E_INVALID_ARGUMENT', 'the Docker API socket could not be served (see the warning above)');
  }
  io.out(`Cove Docker API: DOCKER_HOST=unix://${sockets.dockerSocket}\n`);
  if (sockets.dockerTcp) io.out(printTcpAccess(sockets.dockerTcp));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    if (timeout > 0) {
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => (sockets.dockerActive() === 0 ? resolve() : arm()), timeout * 1000);
      };
      sockets.onDockerIdle(arm);
      arm();
    }
  });
  await sockets.close();
  return 0;
};
