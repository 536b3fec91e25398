#!/bin/bash
# End-to-end checks of cove-runtime, cove-monitor and cove-unshare with real
# rootless containers. Run as root: everything namespaced runs as the
# unprivileged user $COVE_TEST_USER (default cove-test), which needs
# /etc/subuid and /etc/subgid ranges. Prints TAP.
set -u
HERE=$(cd "$(dirname "$0")/.." && pwd)
B=$HERE/build
USER_=${COVE_TEST_USER:-cove-test}
UID_=$(id -u "$USER_") || { echo "1..0 # SKIP no user $USER_"; exit 0; }
GID_=$(id -g "$USER_")
SUB=$(awk -F: -v u="$USER_" '$1==u {print $2":"$3; exit}' /etc/subuid)
SUBG=$(awk -F: -v u="$USER_" '$1==u {print $2":"$3; exit}' /etc/subgid)
[ -n "$SUB" ] && [ -n "$SUBG" ] || { echo "1..0 # SKIP no subuid/subgid range for $USER_"; exit 0; }
SUBSTART=${SUB%%:*}; SUBCOUNT=${SUB##*:}
SUBGSTART=${SUBG%%:*}; SUBGCOUNT=${SUBG##*:}
BUSYBOX=$(command -v busybox) || { echo "1..0 # SKIP busybox not installed"; exit 0; }
make -C "$HERE" all build/console-recv >/dev/null || { echo "Bail out! build failed"; exit 1; }

T=$(mktemp -d /tmp/cove-smoke.XXXXXX)
OUTSIDE=$(mktemp -d /tmp/cove-outside.XXXXXX)
chmod 755 "$T"
chown "$USER_:" "$T" "$OUTSIDE"
MAPS="--uid-map 0:$UID_:1,1:$SUBSTART:$SUBCOUNT --gid-map 0:$GID_:1,1:$SUBGSTART:$SUBGCOUNT"
N=0; FAILED=0

as_user() { runuser -u "$USER_" -- "$@"; }
ok() { N=$((N+1)); echo "ok $N - $1"; }
nok() { N=$((N+1)); FAILED=$((FAILED+1)); echo "not ok $N - $1"; shift; for l in "$@"; do echo "#   $l"; done; }
check() { # check NAME GOT WANT
    if [ "$2" = "$3" ]; then ok "$1"; else nok "$1" "got:  $(printf %q "$2")" "want: $(printf %q "$3")"; fi
}
check_match() { # check_match NAME GOT REGEX
    if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else nok "$1" "got: $(printf %q "$2")" "want match: $3"; fi
}

cleanup() {
    as_user "$B/cove-runtime" --root "$T/state" list -q 2>/dev/null | while read -r id; do
        as_user "$B/cove-runtime" --root "$T/state" delete --force "$id" >/dev/null 2>&1
    done
    # Container files belong to subordinate ids: remove them from inside
    # a user namespace with the same mapping.
    as_user "$B/cove-unshare" $MAPS -- rm -rf "$T" "$OUTSIDE" 2>/dev/null
    rm -rf "$T" "$OUTSIDE"
}
trap cleanup EXIT

# --- image: a busybox rootfs ------------------------------------------------
as_user sh -c "
    set -e
    mkdir -p $T/lower/bin $T/lower/etc $T/lower/proc $T/lower/sys $T/lower/tmp $T/lower/root
    cp $BUSYBOX $T/lower/bin/busybox
    for x in \$($T/lower/bin/busybox --list); do [ \$x = busybox ] || ln -s busybox $T/lower/bin/\$x; done
    echo 'root:x:0:0:root:/root:/bin/sh' > $T/lower/etc/passwd
    echo 'root:x:0:' > $T/lower/etc/group
    mkdir -p $T/evil/bin
    ln -s $OUTSIDE $T/evil/dev
    touch $OUTSIDE/HOSTFILE
" || { echo "Bail out! cannot build the busybox image"; exit 1; }

# mkbundle NAME ARGS_JSON [EXTRA_LINUX_JSON] [LOWER]
mkbundle() {
    local name=$1 args=$2 extra=${3:-} lower=${4:-$T/lower}
    local d=$T/$name
    as_user mkdir -p "$d/rootfs" "$d/upper" "$d/work"
    as_user tee "$d/config.json" >/dev/null <<JSON
{"ociVersion":"1.2.0",
 "process":{"terminal":false,"user":{"uid":0,"gid":0},"args":$args,
  "env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","HOSTNAME=smokehost"],
  "cwd":"/","noNewPrivileges":true,
  "capabilities":{"bounding":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"],
   "effective":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"],
   "permitted":["CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FSETID","CAP_FOWNER","CAP_MKNOD","CAP_NET_RAW","CAP_SETGID","CAP_SETUID","CAP_SETFCAP","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_KILL","CAP_AUDIT_WRITE"]},
  "rlimits":[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}]},
 "root":{"path":"rootfs"},"hostname":"smokehost",
 "mounts":[{"destination":"/","type":"overlay","source":"overlay","options":["lowerdir=$lower","upperdir=$d/upper","workdir=$d/work","userxattr"]},
  {"destination":"/proc","type":"proc","source":"proc","options":["nosuid","noexec","nodev"]},
  {"destination":"/dev","type":"tmpfs","source":"tmpfs","options":["nosuid","strictatime","mode=755","size=65536k"]},
  {"destination":"/dev/pts","type":"devpts","source":"devpts","options":["nosuid","noexec","newinstance","ptmxmode=0666","mode=0620","gid=5"]},
  {"destination":"/dev/shm","type":"tmpfs","source":"shm","options":["nosuid","noexec","nodev","mode=1777","size=65536k"]},
  {"destination":"/dev/mqueue","type":"mqueue","source":"mqueue","options":["nosuid","noexec","nodev"]},
  {"destination":"/sys","type":"sysfs","source":"sysfs","options":["nosuid","noexec","nodev","ro"]}],
 "linux":{"namespaces":[{"type":"user"},{"type":"mount"},{"type":"pid"},{"type":"uts"},{"type":"ipc"},{"type":"network"}],
  "uidMappings":[{"containerID":0,"hostID":$UID_,"size":1},{"containerID":1,"hostID":$SUBSTART,"size":$SUBCOUNT}],
  "gidMappings":[{"containerID":0,"hostID":$GID_,"size":1},{"containerID":1,"hostID":$SUBGSTART,"size":$SUBGCOUNT}],
  "maskedPaths":["/proc/acpi","/proc/kcore","/proc/keys","/proc/latency_stats","/proc/timer_list","/proc/timer_stats","/proc/sched_debug","/proc/scsi","/sys/firmware","/sys/dev/block","/sys/fs/selinux"],
  "readonlyPaths":["/proc/asound","/proc/bus","/proc/fs","/proc/irq","/proc/sys","/proc/sysrq-trigger"]$extra}}
JSON
}

# crun NAME -> runs the bundle in the foreground; stdout in $OUT, status-fd
# output in $STATUS, exit code in $RC.
crun() {
    local name=$1
    OUT=$(cd "$T/$name" && as_user "$B/cove-runtime" --root "$T/state" --status-fd 3 run "$name" 3>"$T/$name.status" 2>"$T/$name.err")
    RC=$?
    STATUS=$(cat "$T/$name.status")
}

echo "1..53"

mkbundle basic '["sh","-c","id -u; echo $$; hostname; cat /proc/self/uid_map /proc/self/gid_map"]'
crun basic
check "run exits 0" "$RC" 0
LINES=$(printf '%s\n' "$OUT" | tr -s ' ' | sed 's/^ //')
check "id -u is 0" "$(printf '%s\n' "$LINES" | sed -n 1p)" 0
check "pid 1 in the pid namespace" "$(printf '%s\n' "$LINES" | sed -n 2p)" 1
check "hostname" "$(printf '%s\n' "$LINES" | sed -n 3p)" smokehost
check "uid_map" "$(printf '%s\n' "$LINES" | sed -n 4,5p | tr '\n' '|')" "0 $UID_ 1|1 $SUBSTART $SUBCOUNT|"
check "gid_map" "$(printf '%s\n' "$LINES" | sed -n 6,7p | tr '\n' '|')" "0 $GID_ 1|1 $SUBGSTART $SUBGCOUNT|"
check "no status line on success" "$STATUS" ""

mkbundle files '["sh","-c","echo hi > /root/a; echo x > /root/b; chown 1000:1000 /root/b"]'
crun files
check "write files exits 0" "$RC" 0
check "file lands in upperdir" "$(cat "$T/files/upper/root/a" 2>&1)" hi
check "root-owned file is the user's on the host" "$(stat -c %u:%g "$T/files/upper/root/a")" "$UID_:$GID_"
check "chown 1000 lands on subuid" "$(stat -c %u:%g "$T/files/upper/root/b")" "$((SUBSTART+999)):$((SUBGSTART+999))"

mkbundle dev '["sh","-c","ls -A /dev | tr \"\\n\" \" \"; for l in fd ptmx stdin; do printf \"%s \" $(readlink /dev/$l); done; echo abc > /dev/null && head -c 4 /dev/zero | wc -c"]'
crun dev
check "/dev has exactly the default entries" "$(printf '%s\n' "$OUT" | sed -n 1p)" \
    "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero /proc/self/fd pts/ptmx /proc/self/fd/0 4"

mkbundle masked '["sh","-c","cat /proc/keys | wc -c; (ls -A /proc/acpi; ls -A /sys/firmware) | wc -l; echo x > /proc/sys/kernel/hostname 2>/dev/null && echo writable || echo ro; grep -c \" /sys sysfs ro,\" /proc/mounts"]'
crun masked
check "masked file reads empty" "$(printf '%s\n' "$OUT" | sed -n 1p | tr -d ' ')" 0
check "masked dirs are empty" "$(printf '%s\n' "$OUT" | sed -n 2p | tr -d ' ')" 0
check "readonly /proc/sys" "$(printf '%s\n' "$OUT" | sed -n 3p)" ro
check "sysfs mounted read-only" "$(printf '%s\n' "$OUT" | sed -n 4p)" 1

as_user sh -c "mkdir -p $T/hostdir && echo hd > $T/hostdir/hf && echo hostfile > $T/hostfile"
mkbundle binds '["sh","-c","cat /mnt/hd/hf /etc/hostfile; touch /mnt/hd/new 2>&1 | grep -c Read-only; echo w >> /etc/hostfile && cat /etc/hostfile"]'
as_user sed -i 's|{"destination":"/sys"|{"destination":"/mnt/hd","type":"bind","source":"'"$T"'/hostdir","options":["rbind","ro","nosuid","nodev"]},{"destination":"/etc/hostfile","type":"bind","source":"'"$T"'/hostfile","options":["bind"]},&|' "$T/binds/config.json"
crun binds
check "bind mounts: ro dir, rw file" "$RC:$(printf '%s\n' "$OUT" | tr '\n' '|')" "0:hd|hostfile|1|hostfile|w|"
[ -n "$STATUS" ] && echo "# $STATUS"

mkbundle nonet '["sh","-c","grep -c \" /sys\" /proc/mounts; grep \" /sys\" /proc/mounts | grep -vc \" ro,\"; exit 0"]'
as_user sed -i 's/,{"type":"network"}//' "$T/nonet/config.json"
crun nonet
check "shared net ns: /sys is a recursive read-only bind" "$RC:$(printf '%s\n' "$OUT" | sed -n 2p)" "0:0"

mkbundle proc '["sh","-c","grep -E \"^(CapBnd|CapEff|NoNewPrivs)\" /proc/self/status | tr -s \"\\t \" \" \" | tr \"\\n\" \"|\"; echo; ulimit -n; ip link show lo | grep -c UP"]'
crun proc
check "caps and no_new_privs" "$(printf '%s\n' "$OUT" | sed -n 1p)" "CapEff: 00000000a80425fb|CapBnd: 00000000a80425fb|NoNewPrivs: 1|"
check "rlimit NOFILE" "$(printf '%s\n' "$OUT" | sed -n 2p)" 1024
check "loopback is up" "$(printf '%s\n' "$OUT" | sed -n 3p)" 1

mkbundle exit42 '["sh","-c","exit 42"]'
crun exit42
check "exit code propagates" "$RC" 42

mkbundle notfound '["no-such-binary"]'
crun notfound
check "exec not found exits 1" "$RC" 1
check "exec not found status JSON" "$STATUS" '{"code":"E_RUNTIME_EXEC","message":"exec \"no-such-binary\": No such file or directory"}'
check "state dir removed after failure" "$(ls "$T/state" 2>/dev/null | grep -c notfound)" 0

mkbundle badcfg '["true"]' ',"resources":{"memory":{"limit":1000000}}'
crun badcfg
check_match "unsupported config refused" "$STATUS" '^\{"code":"E_RUNTIME_CONFIG","message":".*resources'

# dev -> $OUTSIDE in the image: /dev must be built inside the rootfs.
as_user mkdir -p "$T/evil/tmp" "$T/evil/proc" "$T/evil/sys"
as_user cp -a "$T/lower/bin" "$T/evil/"
mkbundle symlink '["sh","-c","ls /dev/null && ls -A '"$OUTSIDE"'"]' "" "$T/evil"
crun symlink
check "symlinked mount target stays in the rootfs" "$RC:$(ls -A "$OUTSIDE" | tr '\n' ' ')" "0:HOSTFILE "
check_match "container saw its own /dev" "$OUT" "^/dev/null"

mkbundle seccomp '["sh","-c","mkdir /x 2>&1; echo rc=$?"]' ',"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
crun seccomp
check_match "seccomp filter applied" "$OUT" "Operation not permitted"

# --- create / start / state / kill / delete ---------------------------------
mkbundle life '["sleep","30"]'
R="$B/cove-runtime --root $T/state"
(cd "$T/life" && as_user $R create --pid-file "$T/life.pid" life >/dev/null 2>&1)
check_match "create -> created" "$(as_user $R state life)" '"status":"created"'
as_user $R start life
check_match "start -> running" "$(as_user $R state life)" '"status":"running"'
check "pid file matches state" "$(as_user $R state life | sed 's/.*"pid":\([0-9]*\).*/\1/')" "$(cat "$T/life.pid")"
E=$(as_user $R exec --env X=y --cwd /proc life sh -c 'hostname; echo $X; pwd; ps -o pid,comm | grep -c sleep; exit 7')
check "exec joins the container" "$?:$(printf '%s\n' "$E" | tr '\n' '|')" "7:smokehost|y|/proc|1|"
check "exec --user" "$(as_user $R exec --user 1000:1000 life id)" "uid=1000 gid=1000"
E=$(as_user $R --status-fd 3 exec life no-such-binary 3>&1 2>/dev/null)
check "exec not found status JSON" "$E:$(as_user $R state life | grep -c running)" '{"code":"E_RUNTIME_EXEC","message":"exec \"no-such-binary\": No such file or directory"}:1'
as_user $R kill life KILL
for _ in $(seq 50); do as_user $R state life | grep -q stopped && break; sleep 0.1; done
check_match "kill -> stopped" "$(as_user $R state life)" '"status":"stopped"'
as_user $R delete life
check "delete removes it" "$(as_user $R state life 2>&1)" "cove-runtime: container life does not exist"

# --- monitor ---------------------------------------------------------------
mkbundle mon '["sh","-c","echo out1; echo err1 >&2; echo out2; exit 3"]'
as_user "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" --bundle "$T/mon" --id mon \
    --log "$T/mon.log" --exit-file "$T/mon.exit" --pid-file "$T/mon.pid" --status-fd 3 3>"$T/mon.status"
check "monitor returns 0 when started" "$?" 0
for _ in $(seq 50); do [ -f "$T/mon.exit" ] && break; sleep 0.1; done
check_match "exit file" "$(cat "$T/mon.exit" 2>&1)" '^\{"exitCode":3,"finishedAt":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z"\}$'
check "CRI log" "$(sed -E 's/^[0-9-]+T[0-9:.]+Z //' "$T/mon.log" | sort | tr '\n' '|')" "stderr F err1|stdout F out1|stdout F out2|"
mkbundle monlong '["sleep","30"]'
S=$(date +%s)
X=$(as_user sh -c "'$B/cove-monitor' --runtime '$B/cove-runtime' --runtime-root '$T/state' --bundle '$T/monlong' --id monlong \
    --log '$T/monlong.log' --exit-file '$T/monlong.exit' --pid-file '$T/monlong.pid' 5>&1; echo started" | cat)
check "detached monitor keeps no inherited fd (caller's pipe reaches EOF)" "$X:$(( $(date +%s) - S < 10 ))" "started:1"
as_user "$B/cove-runtime" --root "$T/state" kill monlong KILL
for _ in $(seq 50); do [ -f "$T/monlong.exit" ] && break; sleep 0.1; done
check "killed container: exit code 137" "$(sed 's/,.*//' "$T/monlong.exit" 2>&1)" '{"exitCode":137'
mkbundle monbad '["no-such-binary"]'
as_user "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" --bundle "$T/monbad" --id monbad \
    --log "$T/monbad.log" --exit-file "$T/monbad.exit" --pid-file "$T/monbad.pid" --status-fd 3 3>"$T/monbad.status" 2>/dev/null
check "monitor forwards the runtime's error" "$?:$(cat "$T/monbad.status")" '1:{"code":"E_RUNTIME_EXEC","message":"exec \"no-such-binary\": No such file or directory"}'

# --- unshare ----------------------------------------------------------------
check "cove-unshare overlay probe" "$(as_user "$B/cove-unshare" $MAPS --probe-overlay "$T/probe" 2>&1):$(ls -A "$T" | grep -c probe)" "ok:0"
check "cove-unshare runs as 0 and passes the exit code" "$(as_user "$B/cove-unshare" $MAPS -- sh -c 'id -u; exit 5' ; echo $?)" "0
5"

# --- terminal ---------------------------------------------------------------
mkbundle term '["sh","-c","tty; read x; echo got=$x; stty size"]'
as_user sed -i 's/"terminal":false/"terminal":true,"consoleSize":{"height":40,"width":120}/' "$T/term/config.json"
as_user sh -c "'$B/console-recv' '$T/term.sock' 'hello
' > '$T/term.out' 2>&1 &"
for _ in $(seq 50); do [ -S "$T/term.sock" ] && break; sleep 0.1; done
(cd "$T/term" && as_user $R run --console-socket "$T/term.sock" term >/dev/null 2>&1)
check "terminal run exits 0" "$?" 0
for _ in $(seq 50); do grep -q '40 120' "$T/term.out" 2>/dev/null && break; sleep 0.1; done
check "pty is the controlling terminal, sized" "$(tr -d '\r' < "$T/term.out" | grep -E '^(/dev/pts|got=|40 )' | tr '\n' '|')" "/dev/pts/0|got=hello|40 120|"
mkbundle noterm '["true"]'
as_user sed -i 's/"terminal":false/"terminal":true/' "$T/noterm/config.json"
crun noterm
check_match "terminal without --console-socket refused" "$STATUS" '"code":"E_RUNTIME_CONFIG"'

# --- joining namespaces (as for --network container:ID) ----------------------
mkbundle pod1 '["sh","-c","echo pod1 > /dev/shm/x; sleep 30"]'
(cd "$T/pod1" && as_user $R run --detach --pid-file "$T/pod1.pid" pod1 >/dev/null 2>&1)
P1=$(cat "$T/pod1.pid" 2>/dev/null)
mkbundle pod2 '["sh","-c","id -u; ip link show lo | grep -c UP; cat /proc/self/uid_map | wc -l"]'
as_user sed -i -e 's|"namespaces":\[{"type":"user"}|"namespaces":[{"type":"user","path":"/proc/'"$P1"'/ns/user"}|' \
    -e 's|{"type":"network"}|{"type":"network","path":"/proc/'"$P1"'/ns/net"}|' \
    -e 's|"uidMappings":\[[^]]*\],||' -e 's|"gidMappings":\[[^]]*\],||' "$T/pod2/config.json"
crun pod2
check "join user+net namespaces of a running container" "$RC:$(printf '%s\n' "$OUT" | tr -d ' ' | tr '\n' '|')" "0:0|1|2|"
[ -n "$STATUS" ] && echo "# $STATUS"
as_user $R delete --force pod1 >/dev/null 2>&1

# --- long overlay options (> page size: relative paths from a common dir) ----
LOWERS=
for i in $(seq 45); do
    L=$T/layers/layer-$i-0123456789abcdef0123456789abcdef0123456789abcdef0123456789
    as_user mkdir -p "$L"
    LOWERS="$LOWERS$L:"
done
as_user sh -c "echo deep > $T/layers/layer-1-0123456789abcdef0123456789abcdef0123456789abcdef0123456789/marker"
mkbundle long '["cat","/marker"]' "" "$LOWERS$T/lower"
crun long
check "overlay with $(printf %s "$LOWERS$T/lower" | wc -c)-byte lowerdir" "$RC:$OUT" "0:deep"
[ -n "$STATUS" ] && echo "# $STATUS"

# --- mapping errors -------------------------------------------------------------
if id nobody >/dev/null 2>&1 && ! grep -q '^nobody:' /etc/subuid; then
    NB=$(id -u nobody); NG=$(id -g nobody)
    E=$(cd / && runuser -u nobody -- "$B/cove-unshare" --status-fd 3 --uid-map "0:$NB:1,1:300000:10" --gid-map "0:$NG:1" -- true 3>&1 2>/dev/null)
    check_match "no subuid range -> E_NO_SUBUID" "$E" '^\{"code":"E_NO_SUBUID"'
else
    ok "no subuid range -> E_NO_SUBUID # SKIP no suitable user"
fi
E=$(cd / && as_user env PATH=/nonexistent "$B/cove-unshare" --status-fd 3 --uid-map "0:$UID_:1,1:$SUBSTART:1" --gid-map "0:$GID_:1" -- /bin/true 3>&1 2>/dev/null)
check "uid_map via newuidmap found in /usr/bin without PATH" "$E" ""
E=$(cd / && as_user "$B/cove-unshare" --status-fd 3 --uid-map "0:$UID_:1,1:1:1" --gid-map "0:$GID_:1" -- true 3>&1 2>/dev/null)
check_match "mapping outside the subuid range -> E_RUNTIME_IDMAP" "$E" '^\{"code":"E_RUNTIME_IDMAP","message":"[^"]*newuidmap [0-9]+ 0 '

[ "$FAILED" = 0 ]
