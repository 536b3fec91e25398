// cove-runtime's linux.resources on cgroup v2, checked the way OCI
// runtime-tools' linux_cgroups_* validations check them on v1 (create the
// container, read its cgroup's files from outside through its pid, delete),
// with the values runc's v1-to-v2 conversions give. Runs in the Cove VM: one
// `machine ssh` runs every case there (bundles on the home share), and the
// caller asserts the result of each. docs/conformance.md maps each
// runtime-tools file to the cases here.

/** A case: the spec's cgroupsPath and resources, and what the cgroup must hold after create, or the error create must fail with. */
export interface CgroupCase {
  name: string;
  /** What runtime-tools file(s) it stands for. */
  covers: string;
  cgroupsPath: string;
  resources: Record<string, unknown>;
  /** The cgroup (under /sys/fs/cgroup) the container's init must be in. */
  cgroup?: string;
  /** cgroup file -> its content after create (lines joined by ';'). */
  files?: Record<string, string>;
  /** create fails, its error matching this; no cgroup is left behind. */
  refused?: RegExp;
  /** A directory that must be gone after delete (levels the runtime made for a relative path). */
  goneAfter?: string;
}

const M1 = 50593792; // runtime-tools' memory limits
const M2 = 151781376;

/** The virtio disk the io cases throttle: "MAJ:MIN" of /dev/vda in the VM. */
export function cgroupCases(disk: string): CgroupCase[] {
  const [major, minor] = disk.split(':').map(Number);
  const dev = { major, minor };
  return [
    { name: 'memory', covers: 'linux_cgroups_memory', cgroupsPath: '/cove/cgtest-memory', resources: { memory: { limit: M1, reservation: M1 / 2, swap: 2 * M1 } }, cgroup: '/cove/cgtest-memory', files: { 'memory.max': String(M1), 'memory.low': String(M1 / 2), 'memory.swap.max': String(M1) } },
    { name: 'memory-rel', covers: 'linux_cgroups_relative_memory', cgroupsPath: 'testdir/cgrouptest/memory', resources: { memory: { limit: M2, reservation: M2, swap: -1 } }, cgroup: '/cove/testdir/cgrouptest/memory', files: { 'memory.max': String(M2), 'memory.low': String(M2), 'memory.swap.max': 'max' }, goneAfter: '/cove/testdir' },
    { name: 'cpu', covers: 'linux_cgroups_cpus', cgroupsPath: '/cove/cgtest-cpu', resources: { cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0', mems: '0' } }, cgroup: '/cove/cgtest-cpu', files: { 'cpu.weight': '39', 'cpu.max': '50000 100000', 'cpuset.cpus': '0', 'cpuset.mems': '0' } },
    { name: 'cpu-2', covers: 'linux_cgroups_cpus', cgroupsPath: '/cove/cgtest-cpu2', resources: { cpu: { shares: 2048, quota: 200000, period: 500000, cpus: '0-1', mems: '0', burst: 20000, idle: 0 } }, cgroup: '/cove/cgtest-cpu2', files: { 'cpu.weight': '79', 'cpu.max': '200000 500000', 'cpu.max.burst': '20000', 'cpu.idle': '0', 'cpuset.cpus': '0-1' } },
    { name: 'cpu-rel', covers: 'linux_cgroups_relative_cpus', cgroupsPath: 'testdir/cgrouptest/cpu', resources: { cpu: { shares: 2, period: 500000 } }, cgroup: '/cove/testdir/cgrouptest/cpu', files: { 'cpu.weight': '1', 'cpu.max': 'max 500000' }, goneAfter: '/cove/testdir' },
    { name: 'cpu-empty', covers: 'linux_cgroups_cpus (testEmptyCPU)', cgroupsPath: '/cove/cgtest-cpu-empty', resources: { cpu: {} }, cgroup: '/cove/cgtest-cpu-empty', files: { 'cpu.weight': '100', 'cpu.max': 'max 100000', 'cpuset.cpus': '' } },
    { name: 'pids', covers: 'linux_cgroups_pids', cgroupsPath: '/cove/cgtest-pids', resources: { pids: { limit: 1000 } }, cgroup: '/cove/cgtest-pids', files: { 'pids.max': '1000' } },
    { name: 'pids-rel', covers: 'linux_cgroups_relative_pids', cgroupsPath: 'testdir/cgrouptest/container', resources: { pids: { limit: 1000 } }, cgroup: '/cove/testdir/cgrouptest/container', files: { 'pids.max': '1000' }, goneAfter: '/cove/testdir' },
    {
      name: 'blkio',
      covers: 'linux_cgroups_blkio, linux_cgroups_relative_blkio',
      cgroupsPath: 'testdir/cgrouptest/blkio',
      resources: {
        blockIO: {
          weight: 500,
          throttleReadBpsDevice: [{ ...dev, rate: 102400 }],
          throttleWriteBpsDevice: [{ ...dev, rate: 204800 }],
          throttleReadIOPSDevice: [{ ...dev, rate: 1000 }],
          throttleWriteIOPSDevice: [{ ...dev, rate: 2000 }],
        },
      },
      cgroup: '/cove/testdir/cgrouptest/blkio',
      // runc's conversion: weight [10, 1000] -> [1, 10000], 1 + (w - 10) * 9999 / 990.
      files: { 'io.weight': 'default 4950', 'io.max': `${disk} rbps=102400 wbps=204800 riops=1000 wiops=2000` },
      goneAfter: '/cove/testdir',
    },
    // Per-device weights are iocost's, which the VM's disks do not enable (io.cost.qos): refused, and the failed create leaves no cgroup.
    { name: 'blkio-weight-device', covers: 'linux_cgroups_blkio (weightDevice)', cgroupsPath: 'testdir/cgrouptest/blkio-dev', resources: { blockIO: { weightDevice: [{ ...dev, weight: 300 }] } }, refused: new RegExp(`weightDevice ${disk}: this device has no weight-based IO control`), goneAfter: '/cove/testdir' },
    { name: 'hugetlb', covers: 'linux_cgroups_hugetlb, linux_cgroups_relative_hugetlb', cgroupsPath: '/cove/cgtest-hugetlb', resources: { hugepageLimits: [{ pageSize: '2MB', limit: 2 * 2 ** 30 }] }, cgroup: '/cove/cgtest-hugetlb', files: { 'hugetlb.2MB.max': String(2 * 2 ** 30) } },
    { name: 'hugetlb-3mb', covers: 'linux_cgroups_hugetlb (testWrongHugetlb)', cgroupsPath: '/cove/cgtest-hugetlb3', resources: { hugepageLimits: [{ pageSize: '3MB', limit: 100 * 3 * 2 ** 20 }] }, refused: /hugetlb\.3MB\.max: this kernel has no such cgroup file/ },
    { name: 'devices', covers: 'linux_cgroups_devices, linux_cgroups_relative_devices', cgroupsPath: 'testdir/cgrouptest/devices', resources: { devices: [{ allow: false, access: 'rwm' }, { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' }, { allow: true, type: 'b', major: 8, minor: 20, access: 'rw' }] }, cgroup: '/cove/testdir/cgrouptest/devices', files: {}, goneAfter: '/cove/testdir' },
    { name: 'unified', covers: 'runtime-spec linux.resources.unified', cgroupsPath: '/cove/cgtest-unified', resources: { unified: { 'memory.high': '104857600', 'pids.max': '77' } }, cgroup: '/cove/cgtest-unified', files: { 'memory.high': '104857600', 'pids.max': '77' } },
    { name: 'not-delegated', covers: "runtime-tools' absolute path /cgrouptest", cgroupsPath: '/cgrouptest', resources: { pids: { limit: 1000 } }, refused: /cannot create cgroup \/sys\/fs\/cgroup\/cgrouptest: its parent is not delegated/ },
    { name: 'no-kernel-memory', covers: 'linux_cgroups_memory (kernel)', cgroupsPath: '/cove/cgtest-r1', resources: { memory: { limit: M1, kernel: M1 } }, refused: /memory\.kernel is not supported: cgroup v2 has no separate kernel memory limit/ },
    { name: 'no-kernel-tcp', covers: 'linux_cgroups_memory (kernelTCP)', cgroupsPath: '/cove/cgtest-r2', resources: { memory: { kernelTCP: M1 } }, refused: /memory\.kernelTCP is not supported/ },
    { name: 'no-swappiness', covers: 'linux_cgroups_memory (swappiness)', cgroupsPath: '/cove/cgtest-r3', resources: { memory: { limit: M1, swappiness: 10 } }, refused: /memory\.swappiness is not supported: cgroup v2 has no per-cgroup swappiness/ },
    { name: 'no-oom-disable', covers: 'linux_cgroups_memory (disableOOMKiller)', cgroupsPath: '/cove/cgtest-r4', resources: { memory: { disableOOMKiller: true } }, refused: /disableOOMKiller is not supported: cgroup v2 cannot disable the OOM killer/ },
    { name: 'no-realtime', covers: 'linux_cgroups_cpus (realtime)', cgroupsPath: '/cove/cgtest-r5', resources: { cpu: { realtimeRuntime: 950000, realtimePeriod: 1000000 } }, refused: /cpu\.realtime(Runtime|Period) is not supported: cgroup v2 has no real-time CPU bandwidth/ },
    { name: 'no-leaf-weight', covers: 'linux_cgroups_blkio (leafWeight)', cgroupsPath: '/cove/cgtest-r6', resources: { blockIO: { weight: 500, leafWeight: 300 } }, refused: /blockIO\.leafWeight is not supported: cgroup v2's io controller has no leaf weight/ },
    { name: 'no-network', covers: 'linux_cgroups_network, linux_cgroups_relative_network', cgroupsPath: '/cove/cgtest-r7', resources: { network: { classID: 255, priorities: [{ name: 'lo', priority: 10 }] } }, refused: /linux\.resources\.network is not supported: net_cls and net_prio exist only in cgroup v1/ },
  ];
}

/** The bundle's config.json: busybox sleeping in its own user, mount, pid, uts and ipc namespaces, as the user that runs the runtime. */
export function cgroupCaseConfig(c: CgroupCase, rootfs: string, uid: number, gid: number): string {
  return JSON.stringify({
    ociVersion: '1.2.0',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args: ['/bin/busybox', 'sleep', '600'], env: ['PATH=/bin'], cwd: '/' },
    root: { path: rootfs, readonly: true },
    hostname: c.name,
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: {
      namespaces: [{ type: 'user' }, { type: 'mount' }, { type: 'pid' }, { type: 'uts' }, { type: 'ipc' }],
      uidMappings: [{ containerID: 0, hostID: uid, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: gid, size: 1 }],
      cgroupsPath: c.cgroupsPath,
      resources: c.resources,
    },
  });
}

/**
 * The script the VM runs (as the engine's user) over the bundles in DIR:
 * per case "NAME|KEY|VALUE" lines: created (0/1), error, cgroup (from
 * /proc/PID/cgroup of the container's init, as runtime-tools reads it), one
 * line per file in DIR/NAME/files, after (whether the cgroup and goneAfter
 * still exist once deleted).
 */
export const CGROUP_RUNNER = String.raw`set -u
D=$1
R="/opt/cove/native/build/cove-runtime --root /tmp/cgtest-state"
# Where a relative cgroupsPath goes: under the parent of this process's cgroup (runc's rule).
base=$(dirname "$(sed -n 's/^0:://p' /proc/self/cgroup)")
gone() { [ -n "$(cat "$1/gone")" ] && [ -e "/sys/fs/cgroup$(cat "$1/gone")" ] && echo parent-left; }
mkdir -p /tmp/cgtest-rootfs/bin /tmp/cgtest-rootfs/proc
cp /bin/busybox /tmp/cgtest-rootfs/bin/busybox
for name in $(cat "$D/cases"); do
	b=$D/$name
	if $R create --bundle "$b" "$name" > /dev/null 2> "$b/err"; then
		echo "$name|created|1"
		pid=$($R state "$name" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
		cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
		echo "$name|cgroup|$cg"
		while read -r f; do
			[ -n "$f" ] && echo "$name|file:$f|$(tr '\n' ';' < "/sys/fs/cgroup$cg/$f" | sed 's/;$//')"
		done < "$b/files"
		$R delete --force "$name" > /dev/null 2>&1
		echo "$name|after|$([ -e "/sys/fs/cgroup$cg" ] && echo cgroup-left)$(gone "$b")"
	else
		echo "$name|created|0"
		echo "$name|error|$(tr '\n' ' ' < "$b/err")"
		$R delete --force "$name" > /dev/null 2>&1
		p=$(cat "$b/path")
		case $p in /*) ;; *) p=$base/$p ;; esac
		echo "$name|after|$([ -e "/sys/fs/cgroup$p" ] && echo cgroup-left)$(gone "$b")"
	fi
done
`;

export interface CgroupCaseResult {
  created: boolean;
  error: string;
  cgroup: string;
  files: Record<string, string>;
  after: string;
}

export function parseCgroupRun(out: string): Map<string, CgroupCaseResult> {
  const res = new Map<string, CgroupCaseResult>();
  for (const line of out.split('\n')) {
    const [name, key, ...rest] = line.split('|');
    if (!name || !key) continue;
    const value = rest.join('|');
    const r = res.get(name) ?? { created: false, error: '', cgroup: '', files: {}, after: '' };
    if (key === 'created') r.created = value === '1';
    else if (key === 'error') r.error = value;
    else if (key === 'cgroup') r.cgroup = value;
    else if (key === 'after') r.after = value;
    else if (key.startsWith('file:')) r.files[key.slice(5)] = value;
    res.set(name, r);
  }
  return res;
}
