import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import type { DoctorCheck } from '../api/contract.js';
import { currentIdMappings, mappingArg, type IdMappings } from './idmap.js';
import { nativeBinary } from './install-paths.js';
import { findHostTool } from './host-tools.js';
import { checkMachine } from './machine/machine-doctor.js';

function readNumber(file: string): number | null {
  try {
    return Number(fs.readFileSync(file, 'utf8').trim());
  } catch {
    return null;
  }
}

/** newuidmap must be setuid root or carry cap_setuid (shadow-utils installs either). */
function checkIdHelper(name: 'newuidmap' | 'newgidmap'): DoctorCheck {
  const found = findHostTool(name);
  if (!found) return { name, status: 'fail', detail: `${name} is not installed`, fix: 'sudo apt-get install uidmap' };
  const st = fs.statSync(found);
  if ((st.mode & 0o4000) !== 0 && st.uid === 0) return { name, status: 'ok', detail: `${found} is setuid root` };
  let caps: string;
  try {
    caps = execFileSync('getcap', [found], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    caps = '';
  }
  const cap = name === 'newuidmap' ? 'cap_setuid' : 'cap_setgid';
  if (caps.includes(cap)) return { name, status: 'ok', detail: `${found} has ${cap}` };
  return { name, status: 'fail', detail: `${found} is neither setuid root nor has ${cap}`, fix: `sudo setcap ${cap}=ep ${found}  (or: sudo chmod u+s ${found})` };
}

function checkSubids(mappings: IdMappings): DoctorCheck {
  if (mappings.singleId) return { name: 'subuid/subgid', status: 'warn', detail: mappings.warning ?? 'no subordinate ids', fix: 'sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER' };
  const uids = mappings.uid.slice(1).map((m) => `${m.hostID}-${m.hostID + m.size - 1}`).join(',');
  const gids = mappings.gid.slice(1).map((m) => `${m.hostID}-${m.hostID + m.size - 1}`).join(',');
  return { name: 'subuid/subgid', status: 'ok', detail: `uids ${uids}, gids ${gids}` };
}

function checkUserns(): DoctorCheck {
  const max = readNumber('/proc/sys/user/max_user_namespaces');
  if (max === 0) return { name: 'user namespaces', status: 'fail', detail: 'user.max_user_namespaces is 0', fix: 'sudo sysctl -w user.max_user_namespaces=15000' };
  if (readNumber('/proc/sys/kernel/unprivileged_userns_clone') === 0) {
    return { name: 'user namespaces', status: 'fail', detail: 'kernel.unprivileged_userns_clone is 0', fix: 'sudo sysctl -w kernel.unprivileged_userns_clone=1' };
  }
  if (readNumber('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === 1) {
    return { name: 'user namespaces', status: 'warn', detail: 'AppArmor restricts unprivileged user namespaces', fix: 'add an AppArmor profile allowing userns for Cove, or: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0' };
  }
  return { name: 'user namespaces', status: 'ok', detail: `max_user_namespaces=${max ?? 'unknown'}` };
}

function checkKernel(): DoctorCheck {
  const [major = 0, minor = 0] = os.release().split('.').map((n) => parseInt(n, 10));
  const ok = major > 5 || (major === 5 && minor >= 11);
  return ok
    ? { name: 'kernel', status: 'ok', detail: `${os.release()} (overlayfs in user namespaces needs >= 5.11)` }
    : { name: 'kernel', status: 'fail', detail: `${os.release()} is older than 5.11: rootless overlayfs is unavailable`, fix: 'upgrade the kernel to 5.11 or later' };
}

function checkOverlay(mappings: IdMappings, scratch: string): DoctorCheck {
  const dir = path.join(scratch, `probe-${crypto.randomBytes(4).toString('hex')}`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const out = execFileSync(
      nativeBinary('cove-unshare'),
      ['--uid-map', mappingArg(mappings.uid), '--gid-map', mappingArg(mappings.gid), '--probe-overlay', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000 },
    );
    return { name: 'overlayfs in a user namespace', status: 'ok', detail: out.trim() || 'ok' };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const why = (e.stdout || e.stderr || e.message).trim().split('\n').pop() ?? '';
    return { name: 'overlayfs in a user namespace', status: 'fail', detail: why, fix: 'needs kernel >= 5.11 with overlayfs; run npm run build if cove-unshare is missing' };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function checkSlirp(): DoctorCheck {
  const found = findHostTool('slirp4netns');
  return found
    ? { name: 'slirp4netns', status: 'ok', detail: found }
    : { name: 'slirp4netns', status: 'warn', detail: 'not installed: containers can only use --network none', fix: 'sudo apt-get install slirp4netns' };
}

function checkTun(): DoctorCheck {
  try {
    fs.accessSync('/dev/net/tun', fs.constants.R_OK | fs.constants.W_OK);
    return { name: '/dev/net/tun', status: 'ok', detail: 'readable and writable' };
  } catch {
    const exists = fs.existsSync('/dev/net/tun');
    return exists
      ? { name: '/dev/net/tun', status: 'warn', detail: 'not writable by you: slirp4netns cannot create its tap device', fix: 'sudo chmod 0666 /dev/net/tun' }
      : { name: '/dev/net/tun', status: 'warn', detail: 'missing', fix: 'sudo modprobe tun' };
  }
}

/** Which cgroup setup is in force decides where limits and stats come from (cgroup v2 files where delegated, else /proc). */
export function cgroupMode(): { mode: 'v2-delegated' | 'v2' | 'hybrid' | 'v1'; detail: string } {
  if (fs.existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    let own: string;
    try {
      own = (fs.readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.startsWith('0::')) ?? '').slice(3);
    } catch {
      own = '';
    }
    const dir = path.join('/sys/fs/cgroup', own);
    try {
      fs.accessSync(path.join(dir, 'cgroup.subtree_control'), fs.constants.W_OK);
      return { mode: 'v2-delegated', detail: `cgroup v2, ${dir} is delegated to you` };
    } catch {
      return { mode: 'v2', detail: `cgroup v2 without a delegated subtree at ${dir}` };
    }
  }
  if (fs.existsSync('/sys/fs/cgroup/unified')) return { mode: 'hybrid', detail: 'cgroup v1/v2 hybrid with nothing delegated' };
  return { mode: 'v1', detail: 'cgroup v1' };
}

function checkCgroups(): DoctorCheck {
  const { mode, detail } = cgroupMode();
  if (mode === 'v2-delegated') return { name: 'cgroups', status: 'ok', detail: `${detail}: limits and cgroup stats available` };
  return {
    name: 'cgroups',
    status: 'warn',
    detail: `${detail}: --memory/--cpus/--pids-limit are refused and stats come from /proc`,
    fix: mode === 'v2'
      ? "enable delegation: sudo mkdir -p /etc/systemd/system/user@.service.d && printf '[Service]\\nDelegate=cpu cpuset io memory pids\\n' | sudo tee /etc/systemd/system/user@.service.d/delegate.conf && sudo systemctl daemon-reload, then log out and in; or run containers in the Cove VM, where it is delegated: cove machine init && cove --connection machine run ..."
      : 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2), then enable delegation for user@.service (Delegate=yes); or run containers in the Cove VM: cove machine init && cove --connection machine run ...',
  };
}

function checkNative(): DoctorCheck {
  const missing = (['cove-runtime', 'cove-monitor', 'cove-unshare', 'cove-layer-tool'] as const).filter((n) => !fs.existsSync(nativeBinary(n)));
  return missing.length === 0
    ? { name: 'cove native tools', status: 'ok', detail: path.dirname(nativeBinary('cove-runtime')) }
    : { name: 'cove native tools', status: 'fail', detail: `missing ${missing.join(', ')}`, fix: 'npm run build (needs gcc, make and libseccomp-dev)' };
}

/** `cove doctor`: every prerequisite of rootless containers, each with OK or what to do. */
export function runDoctor(scratch: string): DoctorCheck[] {
  const mappings = currentIdMappings();
  return [
    checkNative(),
    checkIdHelper('newuidmap'),
    checkIdHelper('newgidmap'),
    checkSubids(mappings),
    checkUserns(),
    checkKernel(),
    checkOverlay(mappings, scratch),
    checkSlirp(),
    checkTun(),
    checkCgroups(),
    checkMachine(),
  ];
}
