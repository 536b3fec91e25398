// The rows `ps`, `images`, `volume ls` and `stats` format: docker's field
// names and docker's text for each (cli/command/formatter/container.go,
// image.go, volume.go, stats.go).
import type { ContainerSummary, ImageSummary, StatsSample, VolumeSummary } from '../api/contract.js';
import { humanDuration } from '../engine/container/human-time.js';
import { shortId } from '../engine/digest.js';
import type { ListFormat, Row } from './template-output.js';
import { humanSize } from './format.js';

/** Go's time.Time.String() in UTC, as docker prints CreatedAt: "2024-05-01 10:00:00 +0000 UTC". */
export function goTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '') + ' +0000 UTC';
}

function ago(iso: string | null): string {
  if (!iso) return 'N/A';
  return `${humanDuration(Date.now() - Date.parse(iso))} ago`;
}

function labelsText(labels: Record<string, string>): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(',');
}

/** What ps needs beyond the summary: mounts and network mode from the container's record. */
export interface ContainerExtras {
  mounts: string[];
  networks: string[];
}

export const PS_FORMAT: ListFormat = {
  defaultFormat: 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}',
  headers: { ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Label: 'LABEL', Mounts: 'MOUNTS', Networks: 'NETWORKS', LocalVolumes: 'LOCAL VOLUMES' },
};

export function psRow(c: ContainerSummary, opts: { noTrunc: boolean; extras?: ContainerExtras; size?: number }): Row {
  const command = c.command.join(' ');
  // docker: strconv.Quote of the command, cut to 20 characters with an ellipsis unless --no-trunc.
  const shown = !opts.noTrunc && [...command].length > 20 ? [...command].slice(0, 19).join('') + '…' : command;
  const labels = c.labels ?? {};
  const mounts = opts.extras?.mounts ?? [];
  return {
    ID: opts.noTrunc ? c.id : shortId(c.id),
    Image: c.image,
    Command: JSON.stringify(shown),
    CreatedAt: goTime(c.createdAt),
    RunningFor: ago(c.createdAt),
    Ports: (c.ports ?? []).map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', '),
    State: c.state,
    Status: c.status,
    Size: opts.size === undefined ? '0B' : humanSize(opts.size),
    Names: c.name,
    Labels: labelsText(labels),
    Label: (key: unknown) => labels[String(key)] ?? '',
    Mounts: mounts.map((m) => (opts.noTrunc || m.length <= 15 ? m : m.slice(0, 14) + '…')).join(','),
    Networks: (opts.extras?.networks ?? []).join(','),
    LocalVolumes: String(mounts.length),
  };
}

export const IMAGES_FORMAT: ListFormat = {
  defaultFormat: 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}',
  headers: { ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE' },
};
export const IMAGES_DIGESTS_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

/** `repo:tag` -> [repo, tag]; the colon of a registry port is not a tag. */
export function splitReference(ref: string): [string, string] {
  const at = ref.indexOf('@');
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const colon = name.lastIndexOf(':');
  const slash = name.lastIndexOf('/');
  return colon > slash ? [name.slice(0, colon), name.slice(colon + 1)] : [name, '<none>'];
}

/** One row per reference, as docker lists an image once per tag (`<none>` when it has none). */
export function imageRows(img: ImageSummary, opts: { noTrunc: boolean; digests?: Map<string, string> }): Row[] {
  const refs = img.references.length > 0 ? img.references : ['<none>:<none>'];
  return refs.map((ref) => {
    const [repo, tag] = ref === '<none>:<none>' ? ['<none>', '<none>'] : splitReference(ref);
    return {
      ID: opts.noTrunc ? img.id : shortId(img.id),
      Repository: repo,
      Tag: tag,
      Digest: opts.digests?.get(repo) ?? '<none>',
      CreatedSince: ago(img.createdAt),
      CreatedAt: goTime(img.createdAt),
      Size: humanSize(img.size),
      Containers: 'N/A',
      SharedSize: 'N/A',
      UniqueSize: 'N/A',
      VirtualSize: humanSize(img.size),
    };
  });
}

export const VOLUMES_FORMAT: ListFormat = {
  defaultFormat: 'table {{.Driver}}\t{{.Name}}',
  headers: { Name: 'VOLUME NAME', Driver: 'DRIVER', Scope: 'SCOPE', Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Label: 'LABEL', CreatedAt: 'CREATED AT', Size: 'SIZE', Links: 'LINKS' },
};

export function volumeRow(v: VolumeSummary): Row {
  return {
    Name: v.name,
    Driver: 'local',
    Scope: 'local',
    Mountpoint: v.mountpoint,
    Labels: labelsText(v.labels),
    Label: (key: unknown) => v.labels[String(key)] ?? '',
    CreatedAt: goTime(v.createdAt),
    Size: 'N/A',
    Links: String(v.usedBy.length),
  };
}

export const STATS_FORMAT: ListFormat = {
  defaultFormat: 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}',
  headers: { Container: 'CONTAINER', ID: 'CONTAINER ID', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS' },
};

export function statsRow(s: StatsSample, name: string, noTrunc: boolean): Row {
  return {
    Container: noTrunc ? s.id : shortId(s.id),
    ID: noTrunc ? s.id : shortId(s.id),
    Name: name,
    CPUPerc: `${s.cpuPercent.toFixed(2)}%`,
    MemUsage: `${humanSize(s.memoryBytes)} / ${humanSize(s.memoryLimitBytes)}`,
    MemPerc: `${s.memoryLimitBytes ? ((100 * s.memoryBytes) / s.memoryLimitBytes).toFixed(2) : '0.00'}%`,
    NetIO: `${humanSize(s.netRxBytes)} / ${humanSize(s.netTxBytes)}`,
    BlockIO: `${humanSize(s.blockReadBytes)} / ${humanSize(s.blockWriteBytes)}`,
    PIDs: String(s.pids),
  };
}
