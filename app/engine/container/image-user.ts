import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** The file as the container will see it: the top-most layer that has it (a whiteout hides it). */
function readFromLayers(layersTopFirst: string[], rel: string): string | null {
  for (const layer of layersTopFirst) {
    const file = path.join(layer, rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(file);
    } catch {
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) return null;
    if (!st.isFile()) return null;
    return fs.readFileSync(file, 'utf8');
  }
  return null;
}

function parseDb(text: string | null): string[][] {
  return (text ?? '').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
}

/**
 * docker's -u / image User: "uid", "uid:gid", "name", "name:group", names
 * looked up in the image's /etc/passwd and /etc/group (getpwnam semantics
 * of runc's libcontainer/user). A numeric uid missing from passwd is fine.
 */
export function resolveUser(spec: string | null | undefined, layersTopFirst: string[]): ResolvedUser {
  if (!spec) return { uid: 0, gid: 0, additionalGids: [] };
  const [userPart, groupPart] = spec.split(':', 2) as [string, string | undefined];
  const passwd = parseDb(readFromLayers(layersTopFirst, 'etc/passwd'));
  const groups = parseDb(readFromLayers(layersTopFirst, 'etc/group'));
  let uid: number;
  let gid: number | undefined;
  let name: string | undefined;
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart);
    const entry = passwd.find((e) => Number(e[2]) === uid);
    if (entry) {
      gid = Number(entry[3]);
      name = entry[0];
    }
  } else {
    const entry = passwd.find((e) => e[0] === userPart);
    if (!entry) throw new EngineError('E_INVALID_ARGUMENT', `unable to find user ${userPart}: no matching entries in the image's /etc/passwd`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
    name = userPart;
  }
  if (groupPart !== undefined) {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e[0] === groupPart);
      if (!g) throw new EngineError('E_INVALID_ARGUMENT', `unable to find group ${groupPart}: no matching entries in the image's /etc/group`);
      gid = Number(g[2]);
    }
  }
  const additionalGids = name
    ? groups.filter((g) => (g[3] ?? '').split(',').includes(name as string)).map((g) => Number(g[2])).filter((g) => g !== gid)
    : [];
  return { uid, gid: gid ?? 0, additionalGids };
}
