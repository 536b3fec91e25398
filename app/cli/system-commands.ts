import fs from 'node:fs';
import { EngineError } from '../engine/errors.js';
import { installPaths } from '../engine/install-paths.js';
import { flagString, parseArgs, requireArgs, UsageError } from './args.js';
import { verb } from './verbs.js';
import type { Command } from './cli-kit.js';

const doctor: Command = async (engine, argv, io) => {
  requireArgs(parseArgs(argv, verb('doctor')), verb('doctor'), 0, 0);
  const checks = await engine.call('system:doctor', {});
  let failed = false;
  for (const c of checks) {
    const mark = c.status === 'ok' ? 'OK  ' : c.status === 'warn' ? 'WARN' : 'FAIL';
    io.out(`${mark} ${c.name}: ${c.detail}\n`);
    if (c.fix) io.out(`     fix: ${c.fix}\n`);
    if (c.status === 'fail') failed = true;
  }
  return failed ? 1 : 0;
};

const serve: Command = async (engine, argv, io) => {
  const p = parseArgs(argv, verb('serve'));
  const portText = flagString(p, 'port');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`invalid --port ${portText}`);
  const staticDir = installPaths().rendererDir;
  if (!fs.existsSync(staticDir)) io.err(`warning: the UI is not built (${staticDir}); run npm run build\n`);
  // Loaded only here: the web server pulls in ws and node-pty, which no other verb needs.
  const { startWebServer } = await import('../server/web-server.js');
  const { newWebToken, readWebAddress, saveWebAddress } = await import('../server/web-address.js');
  // The same URL across restarts (an open page reconnects by itself): the last port and token, unless --port says otherwise.
  const stored = readWebAddress(engine.paths.home);
  const token = stored?.token ?? newWebToken();
  const host = flagString(p, 'host');
  const tcpText = flagString(p, 'tcp');
  const { parseTcpAddress, printTcpAccess } = await import('../docker-api/tcp-access.js');
  const tcp = tcpText === undefined ? undefined : parseTcpAddress(tcpText);
  // This process hosts the engine that web mode and the engine socket serve.
  const hosted = await engine.local();
  const listen = (on: number) => startWebServer({ engine: hosted, staticDir, port: on, token, ...(host ? { host } : {}) });
  let server;
  try {
    server = await listen(port ?? stored?.port ?? 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (port !== undefined) throw new EngineError('E_INVALID_ARGUMENT', `port ${port} is already in use; pick another with --port or omit it`);
    io.err(`warning: port ${stored?.port} (used last time) is taken; serving on a new port, so open pages need the new link\n`);
    server = await listen(0);
  }
  saveWebAddress(engine.paths.home, { port: server.port, token: server.token });
  // The same engine for other local clients: the cove CLI (engine.sock) and docker's tools (docker.sock).
  const { serveLocalSockets } = await import('../server/local-sockets.js');
  const sockets = await serveLocalSockets(hosted, { warn: (m) => io.err(`warning: ${m}\n`), ...(tcp ? { dockerTcp: tcp } : {}) });
  io.out(`Cove web UI: ${server.url}\n`);
  if (sockets.dockerSocket) io.out(`Docker API: DOCKER_HOST=unix://${sockets.dockerSocket}\n`);
  if (sockets.dockerTcp) io.out(printTcpAccess(sockets.dockerTcp));
  await new Promise<void>((resolve) => {
    const stopServer = (): void => resolve();
    process.once('SIGINT', stopServer);
    process.once('SIGTERM', stopServer);
  });
  await server.close();
  await sockets.close();
  return 0;
};

export const SYSTEM_COMMANDS: Record<string, Command> = { doctor, serve };
