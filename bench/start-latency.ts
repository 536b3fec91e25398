// Cold start of `true` in busybox, create to exit, --network none, through
// the CLI, alternating with podman --runtime runc (issue 3).
import { cliPath } from '../app/testing/harness.js';
import { busyboxOnBoth, median, percentile, timed } from './bench-kit.js';

export async function startLatency(rounds = 20): Promise<Record<string, number>> {
  const { sb, podman, cleanup } = await busyboxOnBoth();
  try {
    // Warm both once (page cache, first-run setup) before measuring.
    timed(process.execPath, [cliPath(), 'run', '--rm', 'busybox', 'true'], { env: sb.env });
    podman.timed(['--runtime', 'runc', 'run', '--rm', '--network', 'none', 'busybox', 'true']);
    const cove: number[] = [];
    const pod: number[] = [];
    for (let i = 0; i < rounds; i++) {
      cove.push(timed(process.execPath, [cliPath(), 'run', '--rm', '--network', 'none', 'busybox', 'true'], { env: sb.env }));
      pod.push(podman.timed(['--runtime', 'runc', 'run', '--rm', '--network', 'none', 'busybox', 'true']));
    }
    const result = {
      coveMedianMs: median(cove),
      coveP95Ms: percentile(cove, 95),
      podmanMedianMs: median(pod),
      podmanP95Ms: percentile(pod, 95),
      ratio: median(cove) / median(pod),
    };
    return result;
  } finally {
    await cleanup();
  }
}
