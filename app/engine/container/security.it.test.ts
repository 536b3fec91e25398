// What a container gets by default, observed from inside real containers,
// under Cove's runtime and under runc on the same bundles (issue 3).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { busyboxSandbox, type CoveSandbox } from '../../testing/harness.js';
import { DEFAULT_CAPABILITIES, MASKED_PATHS } from './oci-defaults.js';

// capability numbers from linux/capability.h
const CAP_BITS: Record<string, number> = {
  CAP_CHOWN: 0, CAP_DAC_OVERRIDE: 1, CAP_FOWNER: 3, CAP_FSETID: 4, CAP_KILL: 5, CAP_SETGID: 6, CAP_SETUID: 7,
  CAP_SETPCAP: 8, CAP_NET_BIND_SERVICE: 10, CAP_SYS_CHROOT: 18, CAP_SETFCAP: 31,
};
const expectedCapEff = DEFAULT_CAPABILITIES.reduce((m, c) => m | (1n << BigInt(CAP_BITS[c] ?? 63)), 0n).toString(16).padStart(16, '0');
const EXPECTED_DEV = ['fd', 'full', 'mqueue', 'null', 'ptmx', 'pts', 'random', 'shm', 'stderr', 'stdin', 'stdout', 'tty', 'urandom', 'zero'];
const runtimes = ['cove', ...(['/usr/sbin/runc', '/usr/bin/runc'].some((p) => fs.existsSync(p)) ? ['runc'] : [])];

let sb: CoveSandbox;
before(async () => {
  sb = await busyboxSandbox();
});
after(async () => sb?.cleanup());

function nofileHard(): number {
  const m = /Max open files\s+\d+\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
  return Math.min(1_048_576, Number(m?.[1] ?? 1024));
}

/** Runs a script in a fresh container and returns its stdout as KEY=VALUE pairs. */
async function observe(runtime: string, script: string, extra: string[] = []): Promise<Record<string, string>> {
  const r = await sb.cove(['run', '--rm', '--runtime', runtime, ...extra, 'busybox', 'sh', '-c', script]);
  assert.equal(r.code, 0, `${runtime}: ${r.stderr}`);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

for (const runtime of runtimes) {
  test(`${runtime}: capabilities, no_new_privs and seccomp`, async () => {
    const o = await observe(runtime, 'for k in CapEff CapPrm CapBnd CapInh CapAmb NoNewPrivs Seccomp Seccomp_filters; do echo "$k=$(grep "^$k:" /proc/self/status | cut -f2)"; done');
    assert.equal(o.CapEff, expectedCapEff, 'CapEff is the containers/common default set');
    assert.equal(o.CapPrm, expectedCapEff);
    assert.equal(o.CapBnd, expectedCapEff);
    assert.equal(o.CapInh, '0000000000000000');
    assert.equal(o.CapAmb, '0000000000000000');
    assert.equal(o.NoNewPrivs, '0', 'no_new_privs only with --security-opt no-new-privileges (docker and podman default)');
    assert.equal(o.Seccomp, '2', 'a seccomp filter is installed');
    assert.ok(Number(o.Seccomp_filters) >= 1, `seccomp filters: ${o.Seccomp_filters}`);
  });

  test(`${runtime}: masked paths are empty or unreadable; /proc/sys and /sys are read-only`, async () => {
    const script = [
      ...MASKED_PATHS.map((p) => `if [ -d ${p} ]; then echo "${p}=dir:$(ls -A ${p} | wc -l)"; elif [ -e ${p} ]; then echo "${p}=file:$(cat ${p} 2>/dev/null | wc -c)"; else echo "${p}=absent"; fi`),
      'echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null; echo "procsys=$?"',
      'touch /sys/cove-probe 2>/dev/null; echo "sys=$?"',
      'grep -E " /proc/sys | /sys " /proc/self/mounts | awk \'{print "mnt" $2 "=" substr($4,1,2)}\'',
    ].join('\n');
    const o = await observe(runtime, script);
    for (const p of MASKED_PATHS) {
      const v = o[p] ?? '';
      assert.ok(v === 'absent' || v === 'dir:0' || v === 'file:0', `${p} is masked: ${v}`);
    }
    assert.notEqual(o.procsys, '0', 'writing /proc/sys fails');
    assert.notEqual(o.sys, '0', 'writing /sys fails');
    assert.equal(o['mnt/proc/sys'], 'ro');
    assert.equal(o['mnt/sys'], 'ro');
  });

  test(`${runtime}: exactly the expected /dev entries, rlimits, hostname, ids`, async () => {
    const o = await observe(runtime, 'echo "dev=$(ls -A /dev | sort | tr "\\n" " ")"; echo "nofile=$(ulimit -n)"; echo "host=$(hostname)"; echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "groups=$(id -G)"; echo "null=$(echo x > /dev/null && echo w)"');
    assert.deepEqual((o.dev ?? '').trim().split(' '), EXPECTED_DEV);
    assert.equal(Number(o.nofile), nofileHard());
    assert.match(o.host ?? '', /^[a-f0-9]{12}$/);
    assert.equal(o.uid, '0');
    assert.equal(o.gid, '0');
    assert.equal(o.null, 'w', '/dev/null is writable');
  });

  test(`${runtime}: exec -u 1000 runs as 1000 with the container's confinement`, async () => {
    const name = `exec-${runtime}`;
    const r = await sb.cove(['run', '-d', '--runtime', runtime, '--name', name, 'busybox', 'sleep', '1000']);
    assert.equal(r.code, 0, r.stderr);
    try {
      const e = await sb.cove(['exec', '-u', '1000', '-w', '/tmp', '-e', 'X=y', name, 'sh', '-c', 'echo "$(id -u) $(pwd) $X $(grep ^NoNewPrivs: /proc/self/status | cut -f2) $(grep ^Seccomp: /proc/self/status | cut -f2) $(grep ^CapEff: /proc/self/status | cut -f2)"']);
      assert.equal(e.code, 0, e.stderr);
      assert.equal(e.stdout.trim(), '1000 /tmp y 0 2 0000000000000000');
      const root = await sb.cove(['exec', name, 'sh', '-c', 'grep ^CapEff: /proc/self/status | cut -f2; echo $$; cat /proc/1/cmdline | tr "\\0" " "']);
      const [capEff, pid, init] = root.stdout.trim().split('\n');
      assert.equal(capEff, expectedCapEff, 'exec as root gets the default set back, not more');
      assert.notEqual(pid, '1');
      assert.equal(init?.trim(), 'sleep 1000', 'exec joined the container pid namespace');
    } finally {
      await sb.cove(['rm', '-f', name]);
    }
  });
}
