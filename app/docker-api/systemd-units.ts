// `cove system service --install`: a socket-activated systemd user unit, so
// the first docker client starts the service and an idle one exits
// (systemd.socket(5), sd_listen_fds(3)); no daemon runs in between.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface UnitFiles {
  socket: string;
  service: string;
}

/** systemd's quoting for ExecStart (systemd.service(5), "Command lines"). */
function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["\\])/g, '\\$1').replace(/%/g, '%%')}"`;
}

export function unitFiles(command: string[], idleSeconds: number): UnitFiles {
  return {
    socket: [
      '[Unit]',
      'Description=Cove Docker API socket',
      '',
      '[Socket]',
      // %t is $XDG_RUNTIME_DIR for user units: the same path cove serve and the app use.
      'ListenStream=%t/cove/docker.sock',
      'SocketMode=0600',
      'DirectoryMode=0700',
      '',
      '[Install]',
      'WantedBy=sockets.target',
      '',
    ].join('\n'),
    service: [
      '[Unit]',
      'Description=Cove Docker API (started by its socket, exits when idle)',
      'Requires=cove.socket',
      '',
      '[Service]',
      `ExecStart=${[...command, 'system', 'service', '--timeout', String(idleSeconds)].map(quote).join(' ')}`,
      '',
    ].join('\n'),
  };
}

/** Writes the units under ~/.config/systemd/user; returns their paths. */
export function installUnits(command: string[], idleSeconds: number, configHome = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config')): string[] {
  const dir = path.join(configHome, 'systemd', 'user');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = unitFiles(command, idleSeconds);
  const written: string[] = [];
  for (const [name, text] of [['cove.socket', files.socket], ['cove.service', files.service]] as const) {
    const target = path.join(dir, name);
    const tmp = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, text, { mode: 0o644 });
    fs.renameSync(tmp, target);
    written.push(target);
  }
  return written;
}

/** The socket systemd passed us (LISTEN_FDS/LISTEN_PID, first fd is 3), if it is ours. */
export function activatedSocketFd(env: NodeJS.ProcessEnv = process.env): number | null {
  if (env.LISTEN_PID !== String(process.pid)) return null;
  return Number(env.LISTEN_FDS) >= 1 ? 3 : null;
}
