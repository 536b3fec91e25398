// The default seccomp profile of containers/common (seccomp.json, Apache-2.0,
// copied verbatim into seccomp-default.json), rendered for one container the
// way containers/common's seccomp.go does: rules are kept or dropped by the
// host architecture and the container's capabilities (includes/excludes).
import profileJson from './seccomp-default.json' with { type: 'json' };

interface ProfileArg {
  index: number;
  value: number;
  valueTwo: number;
  op: string;
}

interface ProfileRule {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: ProfileArg[] | null;
  includes?: { arches?: string[]; caps?: string[] } | null;
  excludes?: { arches?: string[]; caps?: string[] } | null;
}

interface Profile {
  defaultAction: string;
  defaultErrnoRet?: number;
  archMap: Array<{ architecture: string; subArchitectures: string[] }>;
  syscalls: ProfileRule[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  syscalls: Array<{ names: string[]; action: string; errnoRet?: number; args?: ProfileArg[] }>;
}

const profile = profileJson as unknown as Profile;

/** Node's process.arch -> the Go arch names the profile's includes use, and the libseccomp arch. */
const ARCHES: Record<string, { go: string; scmp: string }> = {
  x64: { go: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  arm: { go: 'arm', scmp: 'SCMP_ARCH_ARM' },
  ia32: { go: '386', scmp: 'SCMP_ARCH_X86' },
  ppc64: { go: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' },
  s390x: { go: 's390x', scmp: 'SCMP_ARCH_S390X' },
  riscv64: { go: 'riscv64', scmp: 'SCMP_ARCH_RISCV64' },
};

export function defaultSeccompProfile(capabilities: readonly string[], arch: string = process.arch): OciSeccomp {
  return renderSeccompProfile(profile, capabilities, arch);
}

/** Renders a docker-format profile (archMap, includes/excludes) for one container. */
export function renderSeccompProfile(input: unknown, capabilities: readonly string[], arch: string = process.arch): OciSeccomp {
  const profile = input as Profile;
  const host = ARCHES[arch] ?? { go: arch, scmp: '' };
  const caps = new Set(capabilities);
  const archEntry = (profile.archMap ?? []).find((a) => a.architecture === host.scmp);
  const syscalls: OciSeccomp['syscalls'] = [];
  for (const rule of profile.syscalls ?? []) {
    const inc = rule.includes ?? {};
    const exc = rule.excludes ?? {};
    if (inc.arches?.length && !inc.arches.includes(host.go)) continue;
    if (exc.arches?.length && exc.arches.includes(host.go)) continue;
    if (inc.caps?.length && !inc.caps.every((c) => caps.has(c))) continue;
    if (exc.caps?.length && exc.caps.some((c) => caps.has(c))) continue;
    syscalls.push({
      names: rule.names,
      action: rule.action,
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
      ...(rule.args && rule.args.length > 0 ? { args: rule.args } : {}),
    });
  }
  return {
    defaultAction: profile.defaultAction,
    ...(profile.defaultErrnoRet !== undefined ? { defaultErrnoRet: profile.defaultErrnoRet } : {}),
    architectures: archEntry ? [archEntry.architecture, ...archEntry.subArchitectures] : ((profile as { architectures?: string[] }).architectures ?? []),
    syscalls,
  };
}
