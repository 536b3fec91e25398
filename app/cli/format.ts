import type { ContainerSummary, ImageSummary } from '../api/contract.js';
import { shortId } from '../engine/digest.js';
import { humanDuration } from '../engine/container/human-time.js';

/** Left-aligned columns separated by three spaces, as docker prints tables. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)}${units[u]}`;
}

function ago(iso: string | null): string {
  if (!iso) return 'N/A';
  return `${humanDuration(Date.now() - Date.parse(iso))} ago`;
}

function quoteCommand(cmd: string[], trunc: boolean): string {
  const text = cmd.join(' ');
  const shown = trunc && text.length > 20 ? text.slice(0, 19) + '…' : text;
  return `"${shown}"`;
}

function portsText(c: ContainerSummary): string {
  return (c.ports ?? []).map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
}

export function containersTable(list: ContainerSummary[], noTrunc: boolean): string {
  return table(
    ['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'],
    list.map((c) => [noTrunc ? c.id : shortId(c.id), c.image, quoteCommand(c.command, !noTrunc), ago(c.createdAt), c.status, portsText(c), c.name]),
  );
}

export function imagesTable(list: ImageSummary[], noTrunc: boolean): string {
  const rows: string[][] = [];
  for (const img of list) {
    const id = noTrunc ? img.id : shortId(img.id);
    const refs = img.references.length > 0 ? img.references : ['<none>:<none>'];
    for (const ref of refs) {
      const colon = ref.lastIndexOf(':');
      const slash = ref.lastIndexOf('/');
      const [repo, tag] = colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, '<none>'];
      rows.push([repo, tag, id, ago(img.createdAt), humanSize(img.size)]);
    }
  }
  return table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows);
}
