// The cost of sampling stats for 50 running containers (issue 5): CPU time
// of Cove's one sampler per second of wall time, against the CPU time of
// one `podman stats --no-stream` of the same number of containers.
import { spawnSync } from 'node:child_process';
import { Engine } from '../app/engine/engine.js';
import { createSandbox, fixtures, cliPath } from '../app/testing/harness.js';
import { Podman, run } from './bench-kit.js';

/** CPU seconds of a command, or NaN (with why on stderr) when it fails: a failed run is no comparison. */
function cpuSecondsOf(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const r = spawnSync('/usr/bin/time', ['-f', '%U %S', cmd, ...args], { encoding: 'utf8', env });
  if (r.status !== 0) {
    process.stderr.write(`stats-cost: ${cmd} ${args.slice(-2).join(' ')} failed here: ${r.stderr.trim().split('\n')[0]}\n`);
    return NaN;
  }
  const m = /([\d.]+) ([\d.]+)\s*$/.exec(r.stderr.trim());
  return m ? Number(m[1]) + Number(m[2]) : NaN;
}

export async function statsCost(count = 50, seconds = 10): Promise<Record<string, number>> {
  const fx = await fixtures();
  const sb = await createSandbox('cove-bench-');
  const podman = new Podman();
  try {
    await sb.cove(['load', '-q', '-i', fx.busyboxDocker]);
    for (let i = 0; i < count; i++) run(process.execPath, [cliPath(), 'run', '-d', '--network', 'none', 'busybox', 'sleep', '100000'], { env: sb.env });
    const engine = await Engine.open({ home: sb.home });
    const before = process.cpuUsage();
    const t0 = Date.now();
    let samples = 0;
    for (let i = 0; i < seconds; i++) {
      samples += (await engine.stats.tick()).length;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const used = process.cpuUsage(before);
    const wall = (Date.now() - t0) / 1000;
    await engine.close();
    const coveCpuPerSecondMs = (used.user + used.system) / 1000 / wall;

    podman.run(['load', '-q', '-i', fx.busyboxDocker]);
    for (let i = 0; i < count; i++) podman.run(['--runtime', 'runc', 'run', '-d', '--network', 'none', 'busybox', 'sleep', '100000']);
    const podmanCpuMs = cpuSecondsOf('podman', podman.args(['stats', '--no-stream']), podman.env) * 1000;
    return { containers: count, samplesTaken: samples, coveSamplerCpuMsPerSecond: coveCpuPerSecondMs, podmanStatsNoStreamCpuMs: podmanCpuMs, ratio: coveCpuPerSecondMs / podmanCpuMs };
  } finally {
    podman.cleanup();
    await sb.cleanup();
  }
}
