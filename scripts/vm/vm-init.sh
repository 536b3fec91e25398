#!/bin/sh
# The Cove VM's init, in the real root: mounts, cgroup v2 with a subtree
# delegated to the user the engine runs as, QEMU user-mode networking, the
# 9p shares, the clock, then the guest agent (the engine) as that user.
# With "stage2" it is the agent's supervisor under cove-init (which reaps).
# Node runs without its optimising tiers: under TCG, short CLI runs spend
# more time compiling than running (about 40% faster without them).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CONFIG=/mnt/cove-config

if [ "$1" = stage2 ]; then
	. "$CONFIG/env"
	# The agent stays in a leaf of the delegated subtree: cgroup v2 allows no
	# processes in a cgroup whose controllers are enabled for its children.
	echo $$ > /sys/fs/cgroup/cove/agent/cgroup.procs
	while :; do
		setpriv --reuid="$COVE_UID" --regid="$COVE_GID" --init-groups --reset-env \
			env HOME="$COVE_HOST_HOME" USER="$COVE_USER" LOGNAME="$COVE_USER" PATH="$PATH" \
			XDG_RUNTIME_DIR="/run/user/$COVE_UID" COVE_HOME=/var/lib/cove/data COVE_IN_VM=1 TZ="$COVE_TZ" \
			node --no-opt --no-sparkplug /opt/cove/dist/cove.cjs machine guest-agent --port 7070 --token-file "$CONFIG/token" \
			>> /dev/console 2>&1
		echo "cove-vm: the agent exited ($?); restarting" > /dev/console
		sleep 1
	done
fi

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm /dev/mqueue
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t 9p -o trans=virtio,version=9p2000.L,ro covecfg "$CONFIG" || { echo "cove-vm: no config share" > /dev/console; echo o > /proc/sysrq-trigger; }
. "$CONFIG/env"

# Clock: QEMU's RTC is the host's UTC (-rtc base=utc); never let it lag the host's start time.
now=$(date +%s)
[ "$now" -lt "$COVE_TIME" ] && date -u -s "@$COVE_TIME" > /dev/null
[ -n "$COVE_TZ" ] && [ -e "/usr/share/zoneinfo/$COVE_TZ" ] && ln -sf "/usr/share/zoneinfo/$COVE_TZ" /etc/localtime
hostname "$COVE_HOSTNAME"
echo "$COVE_HOSTNAME" > /etc/hostname
printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$COVE_HOSTNAME" > /etc/hosts

# QEMU user-mode network: the guest is 10.0.2.15, the gateway (the host) 10.0.2.2, DNS 10.0.2.3 (the host's resolver).
busybox ip link set lo up
busybox ip link set eth0 up
busybox ip addr add 10.0.2.15/24 dev eth0
busybox ip route add default via 10.0.2.2
echo "nameserver 10.0.2.3" > /etc/resolv.conf
echo 1 > /proc/sys/net/ipv4/ping_group_range 2> /dev/null
sysctl -qw net.ipv4.ip_unprivileged_port_start=0 2> /dev/null

# The user: the host's name, uid and gid, so files on the home share keep their owner.
grep -q "^$COVE_USER:" /etc/passwd || echo "$COVE_USER:x:$COVE_UID:$COVE_GID::$COVE_HOST_HOME:/bin/sh" >> /etc/passwd
grep -q "^[^:]*:x:$COVE_GID:" /etc/group || echo "$COVE_USER:x:$COVE_GID:" >> /etc/group
echo "$COVE_USER:100000:65536" > /etc/subuid
echo "$COVE_USER:100000:65536" > /etc/subgid
mkdir -p "/run/user/$COVE_UID"
chown "$COVE_UID:$COVE_GID" "/run/user/$COVE_UID"
chmod 0700 "/run/user/$COVE_UID"
chmod 0666 /dev/net/tun 2> /dev/null

# The user's home from the host, at the same path (virtio-9p; QEMU runs as the host user).
mkdir -p "$COVE_HOST_HOME"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none coveHome "$COVE_HOST_HOME" || echo "cove-vm: the home share did not mount" > /dev/console

# The engine's store on the data disk (/dev/vdb), formatted on first boot.
mkdir -p /var/lib/cove
if ! mount -t ext4 /dev/vdb /var/lib/cove 2> /dev/null; then
	mkfs.ext4 -q -F -L cove-data /dev/vdb && mount -t ext4 /dev/vdb /var/lib/cove
fi
# `cove machine set --disk-size` grows the disk image; the filesystem follows
# here, online (ext4 grows while mounted, resize2fs(8)); when it already
# fills the disk this is a no-op.
resize2fs /dev/vdb > /dev/null 2>&1 || echo "cove-vm: resize2fs of the data disk failed" > /dev/console
mkdir -p /var/lib/cove/data
chown "$COVE_UID:$COVE_GID" /var/lib/cove/data
chmod 0700 /var/lib/cove/data

# cgroup v2 with the cpuset, cpu, memory, io, pids and hugetlb controllers, and /cove delegated
# to the user (cgroup-v2.rst "Delegation": the directory, cgroup.procs,
# cgroup.threads and cgroup.subtree_control become the delegatee's).
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup
echo "+cpuset +cpu +memory +io +pids +hugetlb" > /sys/fs/cgroup/cgroup.subtree_control
mkdir -p /sys/fs/cgroup/cove/agent
echo "+cpuset +cpu +memory +io +pids +hugetlb" > /sys/fs/cgroup/cove/cgroup.subtree_control
chown "$COVE_UID:$COVE_GID" /sys/fs/cgroup/cove /sys/fs/cgroup/cove/cgroup.procs /sys/fs/cgroup/cove/cgroup.threads /sys/fs/cgroup/cove/cgroup.subtree_control
chown -R "$COVE_UID:$COVE_GID" /sys/fs/cgroup/cove/agent

# What boot read (kernel modules, init's tools) need not stay cached; freed
# pages go back to the host through free page reporting.
sync
echo 1 > /proc/sys/vm/drop_caches
echo "cove-vm: init done" > /dev/console
exec /opt/cove/native/build/cove-init -- /opt/cove/vm-init.sh stage2
