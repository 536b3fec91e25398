// The Cove VM end to end (npm test's "vm" phase): a real QEMU boots the image
// scripts/vm/build-image.mjs built, the engine inside runs real containers,
// and cgroup v2 limits are checked in the VM's delegated subtree. Under TCG
// every command in the VM takes seconds, so the steps share one machine.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as pty from 'node-pty';
import { CGROUP_RUNNER, cgroupCaseConfig, cgroupCases, parseCgroupRun } from '../../testing/cgroup-conformance.js';
import { cliPath, freePort, type CliResult } from '../../testing/harness.js';
import { writeOciArchive, busyboxRootfsEntries } from '../../testing/image-fixtures.js';
import { Engine } from '../engine.js';
import { openMachineEngine } from './machine-engine.js';
import type { MachineState } from './machine-store.js';
import { pidAlive } from './machine-store.js';
import { findVmImage } from './vm-image.js';

const STEP_MS = 240_000;

function missing(): string | undefined {
  try {
    findVmImage();
  } catch (err) {
    return `no VM image (${(err as Error).message}); npm test builds it as root`;
  }
  if (!fs.existsSync('/usr/bin/qemu-system-x86_64')) return 'qemu-system-x86 is not installed';
  return undefined;
}

const skip = missing();

describe('cove machine (QEMU, TCG here)', { skip, timeout: 15 * 60_000 }, () => {
  let home: string;
  let shared: string;
  let env: NodeJS.ProcessEnv;
  let state: MachineState;

  const cove = (args: string[], timeoutMs = STEP_MS): Promise<CliResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cliPath(), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`cove ${args.join(' ')} timed out; stderr: ${stderr}`));
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  const inVm = (args: string[]): Promise<CliResult> => cove(['--connection', 'machine', ...args]);
  const ok = async (args: string[]): Promise<string> => {
    const r = await inVm(args);
    assert.equal(r.code, 0, `cove ${args.join(' ')} -> ${r.code}\n${r.stderr}`);
    return r.stdout;
  };
  const api = (method: string, params: unknown): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const c = net.connect(state.apiSocket as string);
      c.write(`${JSON.stringify({ kind: 'request', id: 1, method, params })}\n`);
      let buf = '';
      c.on('data', (d: Buffer) => {
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const m = JSON.parse(buf.slice(0, nl)) as { kind: string; ok?: boolean; result?: unknown; error?: unknown };
          buf = buf.slice(nl + 1);
          if (m.kind !== 'response') continue;
          c.destroy();
          if (m.ok) resolve(m.result);
          else reject(new Error(JSON.stringify(m.error)));
        }
      });
      c.on('error', reject);
    });

  before(async () => {
    home = await fsp.mkdtemp(path.join(os.tmpdir(), 'cove-vm-'));
    // Under the user's home: the VM shares it at the same path (virtio-9p).
    shared = await fsp.mkdtemp(path.join(os.homedir(), '.cove-vm-test-'));
    env = { ...process.env, COVE_HOME: home };
    delete env.COVE_CONNECTION;
    await writeOciArchive(path.join(shared, 'busybox.tar'), { layers: [await busyboxRootfsEntries()], references: ['busybox:latest'] });
  });

  after(async () => {
    // Whatever failed, no VM and no file stays behind.
    await cove(['machine', 'rm', '-f'], 60_000).catch(() => undefined);
    await fsp.rm(shared, { recursive: true, force: true });
    await fsp.rm(home, { recursive: true, force: true });
  });

  it('machine init + start reaches ready; inspect names the accelerator', { timeout: 8 * 60_000 }, async () => {
    const init = await cove(['machine', 'init', '--cpus', '2', '--memory', '1024', '--disk-size', '4']);
    assert.equal(init.code, 0, init.stderr);
    const t0 = Date.now();
    const start = await cove(['machine', 'start'], 7 * 60_000);
    assert.equal(start.code, 0, start.stderr);
    process.stdout.write(`# boot-to-ready ${((Date.now() - t0) / 1000).toFixed(1)} s: ${start.stdout}`);
    const ls = await cove(['machine', 'ls']);
    assert.match(ls.stdout, /^cove\s+running\s+2\s+1024MB\s+4GB\s+(tcg|kvm)/m);
    const [view] = JSON.parse((await cove(['machine', 'inspect'])).stdout) as Array<{ State: string; Accelerator: string; AcceleratorReason: string; ApiSocket: string }>;
    assert.ok(view);
    assert.equal(view.State, 'running');
    assert.ok(view.Accelerator === 'tcg' || view.Accelerator === 'kvm');
    // Why: here /dev/kvm is root's (or, as root, nested KVM hangs and the probe falls back).
    if (view.Accelerator === 'tcg') assert.match(view.AcceleratorReason, /no \/dev\/kvm|not usable by this user|did not start within|exited|COVE_MACHINE_ACCEL/);
    else assert.match(view.AcceleratorReason, /KVM probe passed/);
    assert.match(start.stdout + start.stderr, new RegExp(`accelerator: ${view.Accelerator} \\(`), 'start says which accelerator and why');
    const doctor = await cove(['doctor']);
    assert.match(doctor.stdout, new RegExp(`cove machine \\(VM\\).*accelerator: ${view.Accelerator === 'tcg' ? 'tcg \\(' : 'kvm'}`), doctor.stdout);
    state = JSON.parse(await fsp.readFile(path.join(home, 'machines', 'cove', 'state.json'), 'utf8')) as MachineState;
    assert.equal(fs.statSync(state.apiSocket as string).mode & 0o777, 0o600, 'the API socket is 0600');
  });

  it('runs containers on the VM kernel, with -p on the host loopback and -v of the home share', { timeout: 10 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    assert.match(await ok(['load', '-i', path.join(shared, 'busybox.tar')]), /Loaded image/);
    const version = await ok(['run', '--rm', 'busybox', 'sh', '-c', 'cat /proc/version']);
    const img = JSON.parse(await fsp.readFile(path.join(findVmImage().dir, 'manifest.json'), 'utf8')) as { kernel: { name: string } };
    assert.ok(version.includes(img.kernel.name.replace('linux-image-', '')), `the container sees the VM's kernel: ${version}`);
    assert.ok(!version.includes(os.release()), 'not the host kernel');

    const www = path.join(shared, 'www');
    await fsp.mkdir(www);
    await fsp.writeFile(path.join(www, 'index.html'), 'hello from the host\n');
    const port = await freePort();
    await ok(['run', '-d', '--name', 'web', '-p', `${port}:80`, '-v', `${www}:/www`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']);
    const body = await new Promise<string>((resolve, reject) => {
      const deadline = Date.now() + 60_000;
      const attempt = (): void => {
        http
          .get({ host: '127.0.0.1', port, path: '/index.html', timeout: 5000 }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(b));
          })
          .on('error', (err) => (Date.now() < deadline ? setTimeout(attempt, 500) : reject(err)));
      };
      attempt();
    });
    assert.equal(body, 'hello from the host\n');
    await ok(['run', '--rm', '-v', `${www}:/data`, 'busybox', 'sh', '-c', 'cat /data/index.html > /data/copy.txt; echo written-in-vm >> /data/copy.txt']);
    assert.equal(await fsp.readFile(path.join(www, 'copy.txt'), 'utf8'), 'hello from the host\nwritten-in-vm\n');
    await ok(['rm', '-f', 'web']);
    // The forward goes when the container does.
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 30_000;
      const check = (): void => {
        const s = JSON.parse(fs.readFileSync(path.join(home, 'machines', 'cove', 'state.json'), 'utf8')) as MachineState;
        if (!s.forwarded.some((f) => f.hostPort === port)) resolve();
        else if (Date.now() > deadline) reject(new Error(`port ${port} still forwarded`));
        else setTimeout(check, 300);
      };
      check();
    });
  });

  it('-it through the connection: run and exec get a terminal in the VM that follows this one (size, resize, exit code)', { timeout: 5 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const term = (args: string[], cols: number, rows: number): { proc: pty.IPty; expect(re: RegExp, ms?: number): Promise<string>; exit: Promise<number> } => {
      const proc = pty.spawn(process.execPath, [cliPath(), '--connection', 'machine', ...args], { cols, rows, env: env as Record<string, string>, name: 'xterm' });
      let out = '';
      const waiters = new Set<() => void>();
      proc.onData((d) => {
        out += d;
        for (const w of waiters) w();
      });
      const exit = new Promise<number>((resolve) => proc.onExit(({ exitCode }) => resolve(exitCode)));
      const expect = (re: RegExp, ms = 120_000): Promise<string> =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            const m = re.exec(out);
            if (!m) return;
            waiters.delete(check);
            clearTimeout(timer);
            out = out.slice(m.index + m[0].length);
            resolve(m[0]);
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`no ${re} in: ${JSON.stringify(out)}`));
          }, ms);
          waiters.add(check);
          check();
        });
      return { proc, expect, exit };
    };
    const run = term(['run', '-it', '--rm', 'busybox', 'sh'], 100, 30);
    try {
      await run.expect(/\/ # /);
      run.proc.write('stty size; tty\r');
      await run.expect(/30 100\r\n\/dev\/pts\/\d+/, 60_000);
      run.proc.resize(120, 40);
      await new Promise((r) => setTimeout(r, 500));
      run.proc.write('stty size\r');
      await run.expect(/40 120/);
      run.proc.write('exit 3\r');
      assert.equal(await run.exit, 3, 'the container shell exit code comes back');
    } finally {
      run.proc.kill();
    }
    await ok(['run', '-d', '--name', 'tty-box', 'busybox', 'sleep', '600']);
    const exec = term(['exec', '-it', 'tty-box', 'sh', '-c', 'stty size; read line; echo "got:$line"'], 90, 20);
    try {
      await exec.expect(/20 90/);
      exec.proc.write('typed\r');
      await exec.expect(/got:typed/);
      assert.equal(await exec.exit, 0);
    } finally {
      exec.proc.kill();
    }
    await ok(['rm', '-f', 'tty-box']);
  });

  /** Container events from the VM's engine through the host's API socket, collected until closed. */
  const containerEvents = async (): Promise<{ seen: Array<{ action: string; id: string }>; close(): void; ready: Promise<void> }> => {
    const c = net.connect(state.apiSocket as string);
    const seen: Array<{ action: string; id: string }> = [];
    let buf = '';
    let subscribed: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (subscribed = resolve));
    c.write(`${JSON.stringify({ kind: 'request', id: 1, method: 'events:subscribe', params: { types: ['container'] } })}\n`);
    c.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const m = JSON.parse(buf.slice(0, nl)) as { kind: string; event?: { action: string; id: string } };
        buf = buf.slice(nl + 1);
        if (m.kind === 'response') subscribed();
        if (m.kind === 'event' && m.event) seen.push({ action: m.event.action, id: m.event.id });
      }
    });
    c.on('error', () => undefined);
    return { seen, ready, close: () => c.destroy() };
  };

  it('--memory 32m: a 64 MB allocation is OOM-killed and reported (inspect, an oom event before die)', { timeout: 5 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const events = await containerEvents();
    await events.ready;
    const r = await inVm(['run', '--name', 'oom', '--memory', '32m', '--memory-swap', '32m', 'busybox', 'sh', '-c', 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived']);
    assert.equal(r.code, 137, r.stderr);
    assert.doesNotMatch(r.stdout, /survived/);
    const [info] = JSON.parse(await ok(['inspect', 'oom'])) as Array<{ State: { OOMKilled: boolean; ExitCode: number } }>;
    assert.equal(info?.State.OOMKilled, true);
    assert.equal(info?.State.ExitCode, 137);
    const id = (await ok(['inspect', '--format', '{{.Id}}', 'oom'])).trim();
    const deadline = Date.now() + 30_000;
    while (!events.seen.some((e) => e.id === id && e.action === 'die') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 200));
    events.close();
    const mine = events.seen.filter((e) => e.id === id).map((e) => e.action);
    assert.ok(mine.includes('oom'), `an oom event: ${mine.join(', ')}`);
    assert.ok(mine.indexOf('oom') < mine.indexOf('die'), `oom comes before die: ${mine.join(', ')}`);
    await ok(['rm', 'oom']);
  });

  it('--pids-limit 10 stops a fork bomb', { timeout: 5 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const r = await inVm(['run', '--rm', '--pids-limit', '10', 'busybox', 'sh', '-c', 'for i in $(seq 1 40); do sleep 30 & done; echo all-forked']);
    assert.notEqual(r.code, 0);
    assert.doesNotMatch(r.stdout, /all-forked/);
    assert.match(r.stderr, /can't fork|Resource temporarily unavailable/);
  });

  it('--cpus 0.5 holds a busy loop near 50 %; stats come from the cgroup; pause uses the freezer', { timeout: 8 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const id = (await ok(['run', '-d', '--name', 'busy', '--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done'])).trim();
    await new Promise((r) => setTimeout(r, 8000));
    const samples = (await api('stats:history', { id, seconds: 10 })) as Array<{ cpuPercent: number; source: string }>;
    assert.ok(samples.length >= 3, `samples: ${JSON.stringify(samples)}`);
    assert.ok(samples.every((s) => s.source === 'cgroup'));
    const recent = samples.slice(-4);
    const avg = recent.reduce((a, s) => a + s.cpuPercent, 0) / recent.length;
    assert.ok(avg > 35 && avg < 65, `busy loop under --cpus 0.5 used ${avg.toFixed(1)} % of a core`);
    await ok(['pause', 'busy']);
    const ssh = await cove(['machine', 'ssh', `cat /sys/fs/cgroup/cove/cove-${id.slice(0, 32)}/cgroup.events`]);
    assert.match(ssh.stdout, /^frozen 1$/m);
    await ok(['unpause', 'busy']);
    await ok(['update', '--cpus', '0.25', 'busy']);
    const cpuMax = await cove(['machine', 'ssh', `cat /sys/fs/cgroup/cove/cove-${id.slice(0, 32)}/cpu.max`]);
    assert.equal(cpuMax.stdout.trim(), '25000 100000');
    await ok(['rm', '-f', 'busy']);
  });

  it("cove-runtime's linux.resources on cgroup v2, as runtime-tools' linux_cgroups_* check them on v1 (docs/conformance.md)", { timeout: 5 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const disk = (await cove(['machine', 'ssh', 'cat /sys/block/vda/dev'])).stdout.trim();
    assert.match(disk, /^\d+:\d+$/, 'the root disk of the VM');
    const dir = path.join(shared, 'cgroups');
    const cases = cgroupCases(disk);
    for (const c of cases) {
      const b = path.join(dir, c.name);
      await fsp.mkdir(b, { recursive: true });
      await fsp.writeFile(path.join(b, 'config.json'), cgroupCaseConfig(c, '/tmp/cgtest-rootfs', process.getuid?.() ?? 0, process.getgid?.() ?? 0));
      await fsp.writeFile(path.join(b, 'files'), `${Object.keys(c.files ?? {}).join('\n')}\n`);
      await fsp.writeFile(path.join(b, 'gone'), c.goneAfter ?? '');
      await fsp.writeFile(path.join(b, 'path'), c.cgroupsPath);
    }
    await fsp.writeFile(path.join(dir, 'cases'), `${cases.map((c) => c.name).join('\n')}\n`);
    await fsp.writeFile(path.join(dir, 'run.sh'), CGROUP_RUNNER);
    const r = await cove(['machine', 'ssh', `sh ${dir}/run.sh ${dir}`]);
    assert.equal(r.code, 0, r.stderr);
    const results = parseCgroupRun(r.stdout);
    const wrong: string[] = [];
    for (const c of cases) {
      const got = results.get(c.name);
      const where = `${c.name} (${c.covers})`;
      if (!got) wrong.push(`${where}: no result`);
      else if (c.refused) {
        if (got.created || !c.refused.test(got.error)) wrong.push(`${where}: expected refusal ${c.refused}, got created=${got.created} error=${got.error}`);
      } else if (!got.created) wrong.push(`${where}: refused: ${got.error}`);
      else {
        if (got.cgroup !== c.cgroup) wrong.push(`${where}: the init is in ${got.cgroup}, expected ${c.cgroup}`);
        for (const [f, v] of Object.entries(c.files ?? {})) if (got.files[f] !== v) wrong.push(`${where}: ${f} = ${JSON.stringify(got.files[f])}, expected ${JSON.stringify(v)}`);
      }
      if (got?.after) wrong.push(`${where}: after delete: ${got.after}`);
    }
    assert.deepEqual(wrong, [], r.stdout);
  });

  it('set --disk-size grows the data filesystem at the next boot; the store survives the reboot', { timeout: 10 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const kb = async (): Promise<number> => Number((await cove(['machine', 'ssh', "df -k /var/lib/cove | awk 'NR==2{print $2}'"])).stdout.trim());
    const before = await kb();
    assert.ok(before > 3.5e6 && before < 4.2e6, `a 4 GB data filesystem: ${before} kB`);
    // Stopped and started through the engine API the app uses (machines:*), from an engine on this host.
    const engine = await Engine.open({ home });
    try {
      const [running] = await engine.handle('machines:list', {});
      assert.equal(running?.state, 'running');
      assert.equal(running?.accelerator, state.accelerator);
      assert.ok((running?.memoryUsedBytes ?? 0) > 50e6, `QEMU's resident memory: ${running?.memoryUsedBytes}`);
      assert.ok((running?.diskUsedBytes ?? 0) > 1e6, `the data disk's use on the host: ${running?.diskUsedBytes}`);
      assert.deepEqual(await engine.handle('machines:stop', {}), { name: 'cove', stopped: true });
      const [stopped] = await engine.handle('machines:list', {});
      assert.equal(stopped?.state, 'stopped');
      assert.equal(stopped?.memoryUsedBytes, null);
      const set = await cove(['machine', 'set', '--disk-size', '6']);
      assert.equal(set.code, 0, set.stderr);
      const started = await engine.handle('machines:start', {});
      assert.equal(started.state, 'running');
      assert.equal(started.diskGb, 6);
      // The app's engine on macOS and Windows: calls go to the VM's engine (its images, not this host's).
      const lines: string[] = [];
      const vmEngine = await openMachineEngine({ env: { ...process.env, COVE_HOME: home }, progress: (l) => lines.push(l) });
      try {
        assert.deepEqual(lines, ['Connected to the Cove VM "cove"'], 'running already: nothing to create or start');
        assert.ok((await vmEngine.handle('images:list', {})).some((i) => i.references.some((r) => r.includes('busybox'))));
        assert.equal((await engine.handle('images:list', {})).length, 0, "this host's engine has none");
      } finally {
        await vmEngine.close();
      }
    } finally {
      await engine.close();
    }
    state = JSON.parse(await fsp.readFile(path.join(home, 'machines', 'cove', 'state.json'), 'utf8')) as MachineState;
    const after = await kb();
    assert.ok(after > 5.5e6 && after < 6.2e6, `grown to 6 GB: ${after} kB`);
    assert.match(await ok(['images', '--format', '{{.Repository}}']), /^busybox$/m, 'the image loaded before the reboot is still there');
  });

  it('machine stop and rm leave no process or file behind', { timeout: 3 * 60_000 }, async () => {
    assert.ok(state, 'the machine did not start');
    const stop = await cove(['machine', 'stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(!pidAlive(state.qemuPid), 'qemu is gone');
    assert.ok(!pidAlive(state.supervisorPid), 'the supervisor is gone');
    assert.ok(!fs.existsSync(state.qmpSocket) && !fs.existsSync(state.apiSocket as string), 'sockets removed');
    const rm = await cove(['machine', 'rm']);
    assert.equal(rm.code, 0, rm.stderr);
    assert.ok(!fs.existsSync(path.join(home, 'machines', 'cove')), 'machine dir removed');
    assert.equal((await cove(['machine', 'ls'])).stdout.trim().split('\n').length, 1, 'only the header');
  });
});
