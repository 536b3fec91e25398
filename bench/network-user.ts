// User-defined networks (issue 11), Cove against podman with netavark and
// aardvark-dns in the same run: container-to-container TCP throughput and
// round-trip latency on one network, `run --rm --network NAME true` start
// latency, and container-to-host throughput through host.docker.internal
// (host.containers.internal for podman).
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath, freePort } from '../app/testing/harness.js';
import { nativeBinary } from '../app/engine/install-paths.js';
import { busyboxOnBoth, median, run, timed, type Podman } from './bench-kit.js';

const NB = path.join(path.dirname(nativeBinary('cove-monitor')), 'netbench');
const SECONDS = 3;

interface Engine {
  name: string;
  cmd(args: string[]): string;
  time(args: string[]): number;
  ip(container: string, network: string): string;
  hostName: string;
}

function cove(env: NodeJS.ProcessEnv): Engine {
  const cmd = (args: string[]): string => run(process.execPath, [cliPath(), ...args], { env });
  return {
    name: 'cove',
    cmd,
    time: (args) => timed(process.execPath, [cliPath(), ...args], { env }),
    ip: (container, network) => {
      const n = (JSON.parse(cmd(['network', 'inspect', network])) as Array<{ Containers: Record<string, { Name: string; IPv4Address: string }> }>)[0];
      const hit = Object.values(n?.Containers ?? {}).find((c) => c.Name === container);
      return (hit?.IPv4Address ?? '').split('/')[0] as string;
    },
    hostName: 'host.docker.internal',
  };
}

function pod(p: Podman): Engine {
  return {
    name: 'podman',
    cmd: (args) => p.run(args),
    time: (args) => p.timed(args),
    ip: (container, network) => p.run(['inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container]).trim(),
    hostName: 'host.containers.internal',
  };
}

function figures(e: Engine, net: string, hostPort: number): { mbit: number; us: number; hostMbit: number } {
  const mount = ['-v', `${NB}:/nb:ro`];
  e.cmd(['network', 'create', net]);
  e.cmd(['run', '-d', '--name', `${net}-sink`, '--network', net, ...mount, 'busybox', '/nb', 'sink', '5001']);
  e.cmd(['run', '-d', '--name', `${net}-echo`, '--network', net, ...mount, 'busybox', '/nb', 'echo', '5002']);
  const sinkIp = e.ip(`${net}-sink`, net);
  const echoIp = e.ip(`${net}-echo`, net);
  const client = (args: string[]): string => e.cmd(['run', '--rm', '--network', net, ...mount, 'busybox', '/nb', ...args]);
  const mbit = median([0, 1, 2].map(() => Number(/mbit ([\d.]+)/.exec(client(['send', sinkIp, '5001', String(SECONDS)]))?.[1])));
  const us = median([0, 1, 2].map(() => Number(/us ([\d.]+)/.exec(client(['rr', echoIp, '5002', '5000']))?.[1])));
  let hostMbit = NaN;
  try {
    const out = e.cmd(['run', '--rm', '--network', net, ...mount, 'busybox', 'sh', '-c', `/nb send $(awk '/${e.hostName}/ {print $1; exit}' /etc/hosts) ${hostPort} ${SECONDS}`]);
    hostMbit = Number(/mbit ([\d.]+)/.exec(out)?.[1]);
  } catch (err) {
    process.stderr.write(`${e.name}: container to host: ${(err as Error).message.split('\n')[0]}\n`);
  }
  e.cmd(['rm', '-f', `${net}-sink`, `${net}-echo`]);
  e.cmd(['network', 'rm', net]);
  return { mbit, us, hostMbit };
}

/**
 * `run --rm --network NAME busybox true`, alternating engines so that the
 * machine's load hits both alike. A failed start is counted, not timed.
 */
function startLatency(engines: Engine[], rounds = 11): { medians: number[]; failures: number[] } {
  for (const e of engines) e.cmd(['network', 'create', 'startnet']);
  const times: number[][] = engines.map(() => []);
  const failures = engines.map(() => 0);
  for (let i = 0; i < rounds; i++) {
    engines.forEach((e, k) => {
      try {
        const ms = e.time(['run', '--rm', '--network', 'startnet', 'busybox', 'true']);
        // The first round warms caches on both sides.
        if (i > 0) times[k]?.push(ms);
      } catch (err) {
        failures[k] = (failures[k] ?? 0) + 1;
        process.stderr.write(`${e.name}: start failed: ${(err as Error).message.split('\n')[0]}\n`);
      }
    });
  }
  for (const e of engines) e.cmd(['network', 'rm', 'startnet']);
  return { medians: times.map((t) => median(t)), failures };
}

export async function networkUser(): Promise<Record<string, number>> {
  const { sb, podman, cleanup } = await busyboxOnBoth();
  // The host's sink: on all addresses, since podman's host.containers.internal is the host's own address, not its loopback.
  const hostPort = await freePort();
  const sink: ChildProcess = spawn(NB, ['sink', String(hostPort)], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const engines = [cove(sb.env), pod(podman)];
    const c = figures(engines[0] as Engine, 'benchnet', hostPort);
    const p = figures(engines[1] as Engine, 'benchnet', hostPort);
    const starts = startLatency(engines);
    const [coveStart, podStart] = starts.medians as [number, number];
    return {
      coveMbit: c.mbit,
      podmanMbit: p.mbit,
      throughputRatio: c.mbit / p.mbit,
      coveRttUs: c.us,
      podmanRttUs: p.us,
      latencyRatio: c.us / p.us,
      coveStartMs: coveStart,
      podmanStartMs: podStart,
      startRatio: coveStart / podStart,
      coveStartFailures: starts.failures[0] ?? 0,
      podmanStartFailures: starts.failures[1] ?? 0,
      coveToHostMbit: c.hostMbit,
      podmanToHostMbit: p.hostMbit,
    };
  } finally {
    sink.kill('SIGKILL');
    await cleanup();
  }
}
