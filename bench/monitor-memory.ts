// Resident memory of the monitor of one idle container against podman's
// conmon (issue 3).
import fs from 'node:fs';
import path from 'node:path';
import { createSandbox, fixtures } from '../app/testing/harness.js';
import { parentOf, Podman, vmRssKb } from './bench-kit.js';

export async function monitorMemory(): Promise<Record<string, number>> {
  const fx = await fixtures();
  const sb = await createSandbox('cove-bench-');
  const podman = new Podman();
  try {
    await sb.cove(['load', '-q', '-i', fx.busyboxDocker]);
    const id = (await sb.cove(['run', '-d', 'busybox', 'sleep', '1000'])).stdout.trim();
    const pid = Number(fs.readFileSync(path.join(sb.home, 'containers', id, 'pid'), 'utf8'));
    const monitor = parentOf(pid);
    podman.run(['load', '-q', '-i', fx.busyboxDocker]);
    const pid2 = podman.run(['--runtime', 'runc', 'run', '-d', '--network', 'none', 'busybox', 'sleep', '1000']).trim();
    const conmon = Number(podman.run(['inspect', '--format', '{{.State.ConmonPid}}', pid2]).trim());
    await new Promise((r) => setTimeout(r, 500));
    const coveKb = vmRssKb(monitor);
    const conmonKb = vmRssKb(conmon);
    return { coveMonitorRssKb: coveKb, conmonRssKb: conmonKb, ratio: coveKb / conmonKb };
  } finally {
    podman.cleanup();
    await sb.cleanup();
  }
}
