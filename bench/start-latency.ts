// Cold start of `true` in busybox, create to exit, --network none, through
// the CLI, alternating with podman --runtime runc (issue 3), and where
// Cove's time goes, measured in the same rounds: Node's own start, loading
// the CLI, create alone, rm alone; the container's own run is the rest.
// Cove runs as a new CLI process each time with no engine running (the
// in-process engine), as `cove run` from a shell does.
import os from 'node:os';
import { cliPath } from '../app/testing/harness.js';
import { busyboxOnBoth, median, percentile, run, timed } from './bench-kit.js';

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
