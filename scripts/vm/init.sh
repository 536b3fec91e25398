#!/bin/sh
# PID 1 of the Cove VM's initramfs: load the kernel modules, put a tmpfs over
# the read-only squashfs root (/dev/vda), copy Cove's engine bundle in, and
# switch to it. A failure here powers the VM off (panic=-1 + QEMU -no-reboot)
# so the host sees an exit instead of a hang.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() {
	echo "cove-vm: $*" > /dev/console
	echo o > /proc/sysrq-trigger
	exit 1
}
while read -r m; do
	insmod "/lib/modules/$m.ko" 2> /dev/null
done < /lib/modules/order
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mkdir -p /ro /rw
mount -t squashfs -o ro /dev/vda /ro || fail "cannot mount the root filesystem (/dev/vda)"
mount -t tmpfs -o mode=0755 tmpfs /rw || fail "no tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work /newroot || fail "overlay mount failed"
cp -a /cove/. /newroot/opt/cove/ || fail "cannot copy the engine bundle"
mkdir -p /newroot/mnt/ro /newroot/mnt/rw
mount --move /ro /newroot/mnt/ro
mount --move /rw /newroot/mnt/rw
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /opt/cove/vm-init.sh
