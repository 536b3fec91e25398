import { EngineError } from '../errors.js';
import { DEFAULT_CAPABILITIES } from './oci-defaults.js';

/** Every capability of linux/capability.h, in bit order (capabilities(7)). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK',
  'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
] as const;

function normalize(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  const full = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
  if (!(ALL_CAPABILITIES as readonly string[]).includes(full)) {
    throw new EngineError('E_INVALID_ARGUMENT', `unknown capability "${name}" (see capabilities(7), e.g. NET_ADMIN or CAP_NET_ADMIN)`);
  }
  return full;
}

/** docker's rule: start from the default set, drop (ALL drops everything), then add (ALL adds everything). */
export function effectiveCapabilities(add: string[] = [], drop: string[] = []): string[] {
  const dropped = drop.map(normalize);
  const added = add.map(normalize);
  let caps = new Set<string>(dropped.includes('ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !dropped.includes(c)));
  if (added.includes('ALL')) caps = new Set(ALL_CAPABILITIES);
  for (const c of added) if (c !== 'ALL') caps.add(c);
  return ALL_CAPABILITIES.filter((c) => caps.has(c));
}
