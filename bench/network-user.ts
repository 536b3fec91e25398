// User-defined networks (issue 11), Cove against podman with netavark and
// aardvark-dns in the same run: container-to-container TCP throughput and
// request latency on one network (a 1-byte request and reply on a kept
// connection, and on a new connection each time), `run --rm --network NAME
// true` start latency, and container-to-host throughput through
// host.docker.internal (host.containers.internal for podman). The same
// container-to-container figures over loopback inside one container are the
// floor that bounds both engines.
import os from 'node:os';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { cliPath, freePort } from '../app/testing/harness.js';
import { nativeBinary } from '../app/engine/install-paths.js';
import { busyboxOnBoth, median, percentile, run, timed, type Podman } from './bench-kit.js';

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

interface Setup {
  e: Engine;
  net: string;
  sinkIp: string;
  echoIp: string;
  serialIp: string;
  client(args: string[]): string;
  remove(): void;
}

function setUp(e: Engine, net: string): Setup {
  const mount = ['-v', `${NB}:/nb:ro`];
  e.cmd(['network', 'create', net]);
  e.cmd(['run', '-d', '--name', `${net}-sink`, '--network', net, ...mount, 'busybox', '/nb', 'sink', '5001']);
  e.cmd(['run', '-d', '--name', `${net}-echo`, '--network', net, ...mount, 'busybox', '/nb', 'echo', '5002']);
  e.cmd(['run', '-d', '--name', `${net}-serial`, '--network', net, ...mount, 'busybox', '/nb', 'serial', '5003']);
  return {
    e,
    net,
    sinkIp: e.ip(`${net}-sink`, net),
    echoIp: e.ip(`${net}-echo`, net),
    serialIp: e.ip(`${net}-serial`, net),
    client: (args) => e.cmd(['run', '--rm', '--network', net, ...mount, 'busybox', '/nb', ...args]),
    remove: () => {
      e.cmd(['rm', '-f', `${net}-sink`, `${net}-echo`, `${net}-serial`]);
      e.cmd(['network', 'rm', net]);
    },
  };
}

/**
 * The floor: the same servers and clients as two processes in one network
 * namespace over loopback (one Cove container, `--network none`, the
 * clients exec'd into it). No path between two containers' namespaces can
 * beat it, so it bounds any engine's ratio to podman on this machine.
 */
function setUpLoopback(e: Engine): Setup {
  e.cmd(['run', '-d', '--name', 'benchfloor', '--network', 'none', '-v', `${NB}:/nb:ro`, 'busybox', 'sh', '-c', '/nb sink 5001 & /nb echo 5002 & /nb serial 5003 & wait']);
  return {
    e,
    net: 'none',
    sinkIp: '127.0.0.1',
    echoIp: '127.0.0.1',
    serialIp: '127.0.0.1',
    client: (args) => e.cmd(['exec', 'benchfloor', '/nb', ...args]),
    remove: () => void e.cmd(['rm', '-f', 'benchfloor']),
  };
}

const spread = (xs: number[]): { med: number; min: number; max: number } => ({ med: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

interface C2c {
  mbit: number[];
  us: number[];
  crrUs: number[];
}

/**
 * Throughput and request latency, the engines alternating round by round
 * so that the machine's load (shared with other work) hits both alike. A
 * round trip is the median of 5000 (netbench's p50): on a loaded machine
 * the mean is a few descheduled round trips. A request on a new
 * connection (connect, 1 byte each way, close; netperf's TCP_CRR) is the
 * median of 2000, served by one process (no fork per connection).
 */
function c2c(setups: Setup[], rounds: number): C2c[] {
  const out = setups.map((): C2c => ({ mbit: [], us: [], crrUs: [] }));
  for (let i = 0; i < rounds; i++) {
    setups.forEach((s, k) => {
      out[k]?.mbit.push(Number(/mbit ([\d.]+)/.exec(s.client(['send', s.sinkIp, '5001', String(SECONDS)]))?.[1]));
      out[k]?.us.push(Number(/p50 ([\d.]+)/.exec(s.client(['rr', s.echoIp, '5002', '5000']))?.[1]));
      out[k]?.crrUs.push(Number(/p50 ([\d.]+)/.exec(s.client(['crr', s.serialIp, '5003', '2000']))?.[1]));
    });
  }
  return out;
}

function toHost(s: Setup, hostPort: number): number {
  try {
    const out = s.e.cmd(['run', '--rm', '--network', s.net, '-v', `${NB}:/nb:ro`, 'busybox', 'sh', '-c', `/nb send $(awk '/${s.e.hostName}/ {print $1; exit}' /etc/hosts) ${hostPort} ${SECONDS}`]);
    return Number(/mbit ([\d.]+)/.exec(out)?.[1]);
  } catch (err) {
    process.stderr.write(`${s.e.name}: container to host: ${(err as Error).message.split('\n')[0]}\n`);
    return NaN;
  }
}

/**
 * `run --rm --network NAME busybox true`, alternating engines so that the
 * machine's load hits both alike. A failed start is counted, not timed.
 */
function startLatency(engines: Engine[], rounds = 16): { medians: number[]; failures: number[]; spread: Record<string, number> } {
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
  const [c = [], p = []] = times;
  return { medians: times.map((t) => median(t)), failures, spread: { coveStartMsP25: percentile(c, 25), coveStartMsP75: percentile(c, 75), podmanStartMsP25: percentile(p, 25), podmanStartMsP75: percentile(p, 75) } };
}

export async function networkUser(): Promise<Record<string, number>> {
  const { sb, podman, cleanup } = await busyboxOnBoth();
  // The host's sink: on all addresses, since podman's host.containers.internal is the host's own address, not its loopback.
  const hostPort = await freePort();
  const loadStart = os.loadavg()[0] ?? NaN;
  const sink: ChildProcess = spawn(NB, ['sink', String(hostPort)], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 200));
    const engines = [cove(sb.env), pod(podman)];
    const setups = engines.map((e) => setUp(e, 'benchnet'));
    const floor = setUpLoopback(engines[0] as Engine);
    const [c, p, lo] = c2c([...setups, floor], 9) as [C2c, C2c, C2c];
    const hostMbit = setups.map((s) => toHost(s, hostPort));
    for (const s of [...setups, floor]) s.remove();
    const starts = startLatency(engines);
    const [coveStart, podStart] = starts.medians as [number, number];
    const cm = spread(c.mbit);
    const pm = spread(p.mbit);
    const cu = spread(c.us);
    const pu = spread(p.us);
    const cc = spread(c.crrUs);
    const pc = spread(p.crrUs);
    return {
      load1Start: loadStart,
      load1End: os.loadavg()[0] ?? NaN,
      coveMbit: cm.med,
      coveMbitMin: cm.min,
      coveMbitMax: cm.max,
      podmanMbit: pm.med,
      podmanMbitMin: pm.min,
      podmanMbitMax: pm.max,
      throughputRatio: cm.med / pm.med,
      coveRttUs: cu.med,
      coveRttUsMin: cu.min,
      coveRttUsMax: cu.max,
      podmanRttUs: pu.med,
      podmanRttUsMin: pu.min,
      podmanRttUsMax: pu.max,
      latencyRatio: cu.med / pu.med,
      coveCrrUs: cc.med,
      coveCrrUsMin: cc.min,
      coveCrrUsMax: cc.max,
      podmanCrrUs: pc.med,
      podmanCrrUsMin: pc.min,
      podmanCrrUsMax: pc.max,
      crrRatio: cc.med / pc.med,
      loopbackMbit: median(lo.mbit),
      loopbackRttUs: median(lo.us),
      loopbackCrrUs: median(lo.crrUs),
      // The best ratios any path between two namespaces could have here.
      loopbackThroughputRatio: median(lo.mbit) / pm.med,
      loopbackLatencyRatio: median(lo.us) / pu.med,
      loopbackCrrRatio: median(lo.crrUs) / pc.med,
      coveStartMs: coveStart,
      podmanStartMs: podStart,
      startRatio: coveStart / podStart,
      ...starts.spread,
      coveStartFailures: starts.failures[0] ?? 0,
      podmanStartFailures: starts.failures[1] ?? 0,
      coveToHostMbit: hostMbit[0] ?? NaN,
      podmanToHostMbit: hostMbit[1] ?? NaN,
    };
  } finally {
    sink.kill('SIGKILL');
    await cleanup();
  }
}
