import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultSeccompProfile } from './seccomp-profile.js';
import { DEFAULT_CAPABILITIES } from './oci-defaults.js';

const names = (p: ReturnType<typeof defaultSeccompProfile>, action: string) => new Set(p.syscalls.filter((s) => s.action === action).flatMap((s) => s.names));

test('the default profile denies by default and allows the common syscalls on x86_64', () => {
  const p = defaultSeccompProfile(DEFAULT_CAPABILITIES, 'x64');
  assert.equal(p.defaultAction, 'SCMP_ACT_ERRNO');
  assert.deepEqual(p.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']);
  const allowed = names(p, 'SCMP_ACT_ALLOW');
  for (const s of ['read', 'write', 'openat', 'execve', 'clone', 'arch_prctl', 'chroot']) assert.ok(allowed.has(s), s);
  const denied = names(p, 'SCMP_ACT_ERRNO');
  for (const s of ['kexec_load', 'bpf', 'init_module', 'open_by_handle_at']) assert.ok(denied.has(s) && !allowed.has(s), s);
});

test('capability-conditional rules follow the container capabilities and arch rules the host', () => {
  const withAdmin = names(defaultSeccompProfile([...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], 'x64'), 'SCMP_ACT_ALLOW');
  assert.ok(withAdmin.has('bpf'));
  const noChroot = defaultSeccompProfile(DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_SYS_CHROOT'), 'x64');
  assert.ok(!names(noChroot, 'SCMP_ACT_ALLOW').has('chroot'));
  assert.ok(names(noChroot, 'SCMP_ACT_ERRNO').has('chroot'));
  const arm = defaultSeccompProfile(DEFAULT_CAPABILITIES, 'arm64');
  assert.ok(!names(arm, 'SCMP_ACT_ALLOW').has('arch_prctl'));
  assert.deepEqual(arm.architectures, ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM']);
});
