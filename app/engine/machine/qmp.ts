// A minimal QMP client (qemu's JSON machine protocol, docs/interop/qmp-spec):
// read the greeting, negotiate capabilities, then one command at a time.
import net from 'node:net';

export interface Qmp {
  execute(command: string, args?: Record<string, unknown>): Promise<unknown>;
  /** HMP through QMP: hostfwd_add/hostfwd_remove have no QMP command of their own. */
  hmp(commandLine: string): Promise<string>;
  close(): void;
}

export function connectQmp(socketPath: string, timeoutMs = 5000): Promise<Qmp> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    let buf = '';
    const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
    let greeted = false;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('QMP did not answer'));
    }, timeoutMs);
    const api: Qmp = {
      execute(command, args) {
        return new Promise((res, rej) => {
          waiting.push({ resolve: res, reject: rej });
          sock.write(`${JSON.stringify(args ? { execute: command, arguments: args } : { execute: command })}\n`);
        });
      },
      async hmp(commandLine) {
        return String(await api.execute('human-monitor-command', { 'command-line': commandLine }));
      },
      close() {
        sock.destroy();
      },
    };
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (!line) continue;
        const msg = JSON.parse(line) as { QMP?: unknown; return?: unknown; error?: { desc: string }; event?: string };
        if (msg.QMP) {
          greeted = true;
          api.execute('qmp_capabilities').then(() => {
            clearTimeout(timer);
            resolve(api);
          }, reject);
        } else if (msg.event) {
          continue;
        } else {
          const w = waiting.shift();
          if (!w) continue;
          if (msg.error) w.reject(new Error(msg.error.desc));
          else w.resolve(msg.return);
        }
      }
    });
    sock.on('error', (err) => {
      clearTimeout(timer);
      for (const w of waiting.splice(0)) w.reject(err);
      if (!greeted) reject(err);
    });
    sock.on('close', () => {
      for (const w of waiting.splice(0)) w.reject(new Error('QMP closed'));
    });
  });
}
