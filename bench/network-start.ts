// Start latency with networking and one published port (issue 5): `cove
// run --rm -p` against `podman --runtime runc run --rm -p`, alternating.
import { cliPath, freePort } from '../app/testing/harness.js';
import { busyboxOnBoth, median, timed } from './bench-kit.js';

export async function networkStart(rounds = 15): Promise<Record<string, number>> {
  const { sb, podman, cleanup } = await busyboxOnBoth();
  try {
    const cove: number[] = [];
    const pod: number[] = [];
    for (let i = 0; i < rounds + 1; i++) {
      const p1 = await freePort();
      const c = timed(process.execPath, [cliPath(), 'run', '--rm', '-p', `127.0.0.1:${p1}:80`, 'busybox', 'true'], { env: sb.env });
      const p2 = await freePort();
      const p = podman.timed(['--runtime', 'runc', 'run', '--rm', '--network', 'slirp4netns', '-p', `127.0.0.1:${p2}:80`, 'busybox', 'true']);
      // The first round warms caches on both sides.
      if (i > 0) {
        cove.push(c);
        pod.push(p);
      }
    }
    return { coveMedianMs: median(cove), podmanMedianMs: median(pod), ratio: median(cove) / median(pod) };
  } finally {
    await cleanup();
  }
}
