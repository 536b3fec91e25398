// A fake engine for the renderer benchmark: the real web server (static UI,
// /api, /term) in front of canned data, so the figures measure the UI alone.
import type { ApiMethod, ContainerSummary, ImageSummary, StatsSample } from '../app/api/contract.js';
import { ScriptedEngine } from '../app/testing/scripted-engine.js';

export function fakeContainers(count: number): ContainerSummary[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => {
    const running = i % 3 !== 0;
    const id = (i.toString(16).padStart(8, '0') + 'c0ffee'.repeat(10)).slice(0, 64);
    return {
      id,
      name: `svc-${String(i).padStart(4, '0')}`,
      image: i % 2 ? 'busybox:latest' : 'registry.local/team/app:1.2.3',
      imageId: `sha256:${'ab'.repeat(32)}`,
      command: ['sh', '-c', `while true; do echo ${i}; sleep 1; done`],
      state: running ? 'running' : 'exited',
      status: running ? 'Up 3 minutes' : 'Exited (0) 2 minutes ago',
      exitCode: running ? null : 0,
      pid: running ? 1000 + i : null,
      createdAt: new Date(now - i * 60_000).toISOString(),
      startedAt: new Date(now - i * 30_000).toISOString(),
      finishedAt: running ? null : new Date(now - 1000).toISOString(),
    };
  });
}

/** One sample per container, as the engine's sampler would push each second. */
export function fakeSamples(ids: string[], tick: number): StatsSample[] {
  const time = new Date().toISOString();
  return ids.map((id, i) => ({
    id,
    time,
    cpuPercent: 5 + ((i * 7 + tick * 13) % 90),
    memoryBytes: (20 + ((i + tick) % 40)) * 1e6,
    memoryLimitBytes: 8e9,
    pids: 1 + (i % 5),
    netRxBytes: tick * 1000 * (i + 1),
    netTxBytes: tick * 500 * (i + 1),
    blockReadBytes: 4096 * tick,
    blockWriteBytes: 8192 * tick,
    source: 'proc' as const,
  }));
}

export class FakeEngine extends ScriptedEngine {
  latest: StatsSample[] = [];
  constructor(containers: ContainerSummary[], images: ImageSummary[] = []) {
    super(async (method) => {
      const answers: Partial<Record<ApiMethod, unknown>> = {
        'containers:list': containers,
        'images:list': images,
        'tasks:list': [],
        'settings:get': { runtime: 'cove' },
        'system:doctor': [],
        'stats:current': this.latest,
        'stats:history': [],
        'volumes:list': [],
      };
      if (method === 'containers:inspect') return { State: { Running: true } };
      if (method in answers) return answers[method];
      throw Object.assign(new Error(`${method} is not part of the benchmark`), { code: 'E_INVALID_ARGUMENT' });
    });
  }
}
