import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { EngineError } from '../errors.js';
import type { IdMappings, IdMapping } from '../idmap.js';
import { nativeBinary } from '../install-paths.js';
import { errorFromStatus } from '../native-status.js';
import { withLock } from '../store/lock.js';

function mapArg(m: IdMapping[]): string {
  return m.map((e) => `${e.containerID}:${e.hostID}:${e.size}`).join(',');
}

/**
 * The client side of cove-net-holder (native/src/net-holder.c): finds it by
 * its socket in the runtime directory, starts it when it is not there, and
 * sends it one-line requests ("attach ID PID", "detach ID NET", "sync").
 */
export class NetHolder {
  readonly socket: string;
  /** → /proc/SERVER/ns/user, kept by the holder's supervisor: what containers on user networks name in config.json. */
  readonly usernsLink: string;
  private readonly lock: string;

  constructor(
    private readonly runDir: string,
    private readonly stateFile: string,
    /** The uid/gid mappings of the user namespace a new holder makes (every container's). */
    readonly mappings: IdMappings,
  ) {
    this.socket = path.join(runDir, 'net-holder.sock');
    this.usernsLink = path.join(runDir, 'net-holder.userns');
    this.lock = path.join(runDir, 'net-holder.lock');
  }

  /** The server's pid (its namespaces are /proc/PID/ns/*), or null when no holder answers. */
  async ping(): Promise<number | null> {
    try {
      const pid = Number(await this.request('ping'));
      return Number.isInteger(pid) && pid > 0 ? pid : null;
    } catch {
      return null;
    }
  }

  /**
   * A running holder's pid. `joinPid` is a process already in the networks'
   * user namespace (a running container): a new holder joins that namespace
   * instead of making one, so it can configure those containers again.
   * `started` tells the caller to re-attach the running containers.
   */
  async ensure(joinPid: () => Promise<number | null>): Promise<{ pid: number; started: boolean }> {
    const pid = await this.ping();
    if (pid !== null) {
      await this.checkLink(pid);
      return { pid, started: false };
    }
    return withLock(this.lock, async () => {
      const again = await this.ping();
      if (again !== null) return { pid: again, started: false };
      const join = await joinPid();
      const args = ['serve', '--run-dir', this.runDir, '--state', this.stateFile];
      if (join !== null) args.push('--userns', `/proc/${join}/ns/user`);
      else args.push('--uid-map', mapArg(this.mappings.uid), '--gid-map', mapArg(this.mappings.gid));
      const out = await run(nativeBinary('cove-net-holder'), args);
      const m = /^ready (\d+)$/m.exec(out.stdout);
      if (out.code !== 0 || !m) throw errorFromStatus(out.stdout, out.stderr, 'the network holder failed to start');
      return { pid: Number(m[1]), started: true };
    });
  }

  /** The supervisor points the link at its server; a holder from before the link existed gets it here. */
  private async checkLink(pid: number): Promise<void> {
    const want = `/proc/${pid}/ns/user`;
    if ((await fsp.readlink(this.usernsLink).catch(() => null)) === want) return;
    const tmp = `${this.usernsLink}.${process.pid}.tmp`;
    await fsp.rm(tmp, { force: true });
    await fsp.symlink(want, tmp);
    await fsp.rename(tmp, this.usernsLink);
  }

  /** One request; the reply after "ok", or an EngineError with the holder's code. */
  request(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const sock = net.createConnection(this.socket);
      let data = '';
      sock.setEncoding('utf8');
      sock.setTimeout(15_000, () => sock.destroy(new Error('the network holder did not answer in 15 s')));
      sock.on('connect', () => sock.end(line + '\n'));
      sock.on('data', (d: string) => (data += d));
      sock.on('error', reject);
      sock.on('close', () => {
        const reply = data.trim();
        if (reply === 'ok' || reply.startsWith('ok ')) return resolve(reply.slice(3));
        const m = /^error (\S+) (.*)$/s.exec(reply);
        if (m) return reject(errorFromStatus(JSON.stringify({ code: m[1], message: m[2] }), '', 'network holder'));
        reject(new EngineError('E_NETWORK', `unexpected reply from the network holder: ${reply || '(none)'}`));
      });
    });
  }

  /** The holder re-reads the state, if one runs (none running: the next start reads it anyway). */
  async syncIfRunning(): Promise<void> {
    if ((await this.ping()) !== null) await this.request('sync');
  }

  /** runc's and crun's createContainer hook (container-network.ts attachHookFor). */
  selfHookArgv(containerId: string): string[] {
    return [nativeBinary('cove-net-holder'), 'attach-self', this.socket, containerId];
  }

  /** The monitor's hook: `cove-net-holder attach SOCKET ID` + the container's pid. */
  hookArgv(containerId: string): string[] {
    return [nativeBinary('cove-net-holder'), 'attach', this.socket, containerId];
  }
}

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => reject(new EngineError('E_RUNTIME_MISSING', `cannot run cove-net-holder (${err.message}); build Cove with: npm run build`)));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
