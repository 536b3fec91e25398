// Cold start of `true` in busybox, create to exit, --network none, through
// the CLI, alternating with podman --runtime runc (issue 3), and where
// Cove's time goes, measured in the same rounds: Node's own start, loading
// the CLI, create alone, rm alone; the container's own run is the rest.
// Cove runs as a new CLI process each time with no engine running (the
// in-process engine), as `cove run` from a shell does.
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { cliPath } from '../app/testing/harness.js';
import { busyboxOnBoth, median, percentile, run, timed } from './bench-kit.js';

/**
 * CPU time (user + system, ms) of a command and everything it starts, from perf stat's task-clock
 * (inherited by every descendant, podman's double-forked conmon included), or null without perf.
 * Wall time on a shared machine swings with its load, and podman (several threads) suffers more
 * from it than Cove; CPU time moves much less, so the two ratios together say more than either.
 */
function cpuMs(cmd: string, args: string[], env: NodeJS.ProcessEnv): number | null {
  const r = spawnSync('perf', ['stat', '-x,', '-e', 'task-clock', '--', cmd, ...args], { env, encoding: 'utf8' });
  const line = r.status === 0 ? String(r.stderr).split('\n').find((l) => l.includes('task-clock')) : undefined;
  return line ? Number(line.split(',')[0]) : null;
}

export async function startLatency(rounds = 20): Promise<Record<string, number>> {
  const { sb, podman, cleanup } = await busyboxOnBoth();
  const cove = (args: string[]): number => timed(process.execPath, [cliPath(), ...args], { env: sb.env });
  try {
    // Warm both once (page cache, first-run setup) before measuring. For Cove that includes the V8 code
    // cache each verb writes after its first successful run (scripts/cli-loader.cjs), as a user's
    // second command has it: measured is a cold CLI process with no engine running, cache made.
    cove(['run', '--rm', 'busybox', 'true']);
    cove(['version']);
    cove(['rm', run(process.execPath, [cliPath(), 'create', '--network', 'none', 'busybox', 'true'], { env: sb.env }).trim()]);
    podman.timed(['--runtime', 'runc', 'run', '--rm', '--network', 'none', 'busybox', 'true']);
    const runs: number[] = [];
    const pod: number[] = [];
    const node: number[] = [];
    const load: number[] = [];
    const create: number[] = [];
    const remove: number[] = [];
    for (let i = 0; i < rounds; i++) {
      runs.push(cove(['run', '--rm', '--network', 'none', 'busybox', 'true']));
      pod.push(podman.timed(['--runtime', 'runc', 'run', '--rm', '--network', 'none', 'busybox', 'true']));
      node.push(timed(process.execPath, ['-e', '0']));
      load.push(cove(['version']));
      const t0 = process.hrtime.bigint();
      const id = run(process.execPath, [cliPath(), 'create', '--network', 'none', 'busybox', 'true'], { env: sb.env }).trim();
      create.push(Number(process.hrtime.bigint() - t0) / 1e6);
      remove.push(cove(['rm', id]));
    }
    // CPU time in rounds of their own (perf's own cost stays out of the wall times above).
    const coveCpu: number[] = [];
    const podmanCpu: number[] = [];
    for (let i = 0; i < Math.ceil(rounds / 2); i++) {
      const c = cpuMs(process.execPath, [cliPath(), 'run', '--rm', '--network', 'none', 'busybox', 'true'], sb.env);
      const p = cpuMs('podman', podman.args(['--runtime', 'runc', 'run', '--rm', '--network', 'none', 'busybox', 'true']), podman.env);
      if (c === null || p === null) break;
      coveCpu.push(c);
      podmanCpu.push(p);
    }
    const m = median;
    return {
      coveMedianMs: m(runs),
      coveP95Ms: percentile(runs, 95),
      coveMinMs: Math.min(...runs),
      podmanMedianMs: m(pod),
      podmanP95Ms: percentile(pod, 95),
      podmanMinMs: Math.min(...pod),
      ratio: m(runs) / m(pod),
      ratioOfMins: Math.min(...runs) / Math.min(...pod),
      // NaN without perf.
      coveCpuMs: coveCpu.length ? m(coveCpu) : NaN,
      podmanCpuMs: podmanCpu.length ? m(podmanCpu) : NaN,
      cpuRatio: coveCpu.length ? m(coveCpu) / m(podmanCpu) : NaN,
      // The breakdown (medians of the same rounds).
      nodeStartMs: m(node),
      cliLoadMs: m(load) - m(node),
      createMs: m(create) - m(load),
      removeMs: m(remove) - m(load),
      containerRunMs: m(runs) - m(create) - (m(remove) - m(load)),
      loadAvg1: Number(os.loadavg()[0]?.toFixed(2)),
    };
  } finally {
    await cleanup();
  }
}
