import fs from 'node:fs';
import os from 'node:os';

export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

export interface IdMappings {
  uid: IdMapping[];
  gid: IdMapping[];
  /** True when no subordinate range exists and only the caller's own id is mapped. */
  singleId: boolean;
  /** Why singleId was chosen, for the warning and for `cove doctor`. */
  warning: string | null;
}

export interface SubidRange {
  start: number;
  count: number;
}

/** Parses /etc/subuid-style text ("name_or_uid:start:count" per line, subuid(5)). */
export function parseSubidFile(text: string, user: string, id: number): SubidRange[] {
  const ranges: SubidRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [owner, start, count] = line.split(':');
    if (owner !== user && owner !== String(id)) continue;
    const s = Number(start);
    const c = Number(count);
    if (Number.isSafeInteger(s) && Number.isSafeInteger(c) && s >= 0 && c > 0) ranges.push({ start: s, count: c });
  }
  return ranges;
}

function readRanges(file: string, user: string, id: number): SubidRange[] {
  try {
    return parseSubidFile(fs.readFileSync(file, 'utf8'), user, id);
  } catch {
    return [];
  }
}

/** Container id 0 is the caller; ids 1.. come from the subordinate ranges in order. */
export function buildMapping(ownId: number, ranges: SubidRange[]): IdMapping[] {
  const out: IdMapping[] = [{ containerID: 0, hostID: ownId, size: 1 }];
  let next = 1;
  for (const r of ranges) {
    out.push({ containerID: next, hostID: r.start, size: r.count });
    next += r.count;
  }
  return out;
}

/**
 * The mapping every container and every unpack uses. Without
 * a subordinate range we fall back to mapping only the caller, which works
 * for images whose files all belong to root, and say so.
 */
export function currentIdMappings(files = { subuid: '/etc/subuid', subgid: '/etc/subgid' }): IdMappings {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = String(uid);
  }
  const uidRanges = readRanges(files.subuid, user, uid);
  const gidRanges = readRanges(files.subgid, user, uid);
  if (uidRanges.length === 0 || gidRanges.length === 0) {
    const missing = uidRanges.length === 0 ? files.subuid : files.subgid;
    return {
      uid: buildMapping(uid, []),
      gid: buildMapping(gid, []),
      singleId: true,
      warning: `no range for ${user} in ${missing}: only your own uid is mapped, so images with files owned by other users will fail. Fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`,
    };
  }
  return { uid: buildMapping(uid, uidRanges), gid: buildMapping(gid, gidRanges), singleId: false, warning: null };
}

export function mappingArg(mapping: IdMapping[]): string {
  return mapping.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(',');
}

/** The host uid that container uid `id` lands on, or null if unmapped. */
export function hostIdFor(mapping: IdMapping[], id: number): number | null {
  for (const m of mapping) {
    if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  }
  return null;
}

export function mappedCount(mapping: IdMapping[]): number {
  return mapping.reduce((sum, m) => Math.max(sum, m.containerID + m.size), 0);
}
