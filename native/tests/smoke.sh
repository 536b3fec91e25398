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
make -C "$HERE" all build/console-recv build/pty-expect build/netprobe >/dev/null || { echo "Bail out! build failed"; exit 1; }

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
    # Network tests: helper processes and the namespaces they made.
    for p in ${HOLD:-} ${SRV:-}; do kill "$p" 2>/dev/null; done
    [ -n "${NSH:-}" ] && ip netns del "$NSH" 2>/dev/null
    [ -n "${NSS:-}" ] && ip netns del "$NSS" 2>/dev/null
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
    cp $BUSYBOX $T/lower/bin/busybox && cp $B/netprobe $T/lower/bin/netprobe
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

echo "1..114"

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
check "hostile: image /dev -> outside: /dev built in the rootfs, canary dir untouched" "$RC:$(ls -A "$OUTSIDE" | tr '\n' ' ')" "0:HOSTFILE "
check_match "container saw its own /dev" "$OUT" "^/dev/null"

# Mount targets that are symlinks out of the rootfs (absolute, relative
# "../../..", and a file bind target): mounted inside the rootfs, nothing
# created or mounted outside.
as_user sh -c "mkdir -p $T/evil2 && cp -a $T/lower/. $T/evil2/ && ln -s $OUTSIDE/sub $T/evil2/mnt &&
    ln -s ../../../../../../../../../..$OUTSIDE/sub2 $T/evil2/mnt2 && ln -s $OUTSIDE/created-by-bind $T/evil2/etc/evilfile && echo hostfile2 > $T/hostfile2"
mkbundle symlink2 '["sh","-c","echo c > /mnt/canary && echo c > /mnt2/canary && cat /etc/evilfile && grep -c \" '"$OUTSIDE"'/sub2\\{0,1\\} tmpfs\" /proc/mounts"]' "" "$T/evil2"
as_user sed -i 's|{"destination":"/sys"|{"destination":"/mnt","type":"tmpfs","source":"tmpfs","options":["nosuid"]},{"destination":"/mnt2","type":"tmpfs","source":"tmpfs","options":["nosuid"]},{"destination":"/etc/evilfile","type":"bind","source":"'"$T"'/hostfile2","options":["bind","ro"]},&|' "$T/symlink2/config.json"
crun symlink2
check "hostile: tmpfs/bind targets symlinked out of the rootfs land inside it; canary dir untouched" \
    "$RC:$(printf '%s\n' "$OUT" | tr '\n' '|'):$(ls -A "$OUTSIDE" | tr '\n' ' ')" "0:hostfile2|2|:HOSTFILE "
[ -n "$STATUS" ] && echo "# $STATUS"

# /proc: an image whose /proc is a symlink, a config bind over /proc/sys,
# and a bind whose target resolves into /proc through an image symlink.
as_user sh -c "mkdir -p $T/evil3 && cp -a $T/lower/bin $T/lower/etc $T/evil3/ && mkdir -p $T/evil3/tmp $T/evil3/sys && ln -s $OUTSIDE $T/evil3/proc"
mkbundle procsym '["true"]' "" "$T/evil3"
crun procsym
check_match "hostile: image /proc -> outside: proc refused" "$RC:$STATUS" '^1:\{"code":"E_RUNTIME_MOUNT","message":"mount proc on /proc: the path is a symlink'
check "hostile: image /proc -> outside: canary dir untouched" "$(ls -A "$OUTSIDE" | tr '\n' ' ')" "HOSTFILE "
mkbundle procsys '["true"]'
as_user sed -i 's|{"destination":"/dev","type":"tmpfs"|{"destination":"/proc/sys","type":"bind","source":"'"$T"'/hostdir","options":["rbind","rw"]},&|' "$T/procsys/config.json"
crun procsys
check_match "hostile: config bind over /proc/sys refused" "$RC:$STATUS" '^1:\{"code":"E_RUNTIME_MOUNT","message":"mount on /proc/sys: mounts inside /proc are refused'
as_user sh -c "mkdir -p $T/evil4 && cp -a $T/lower/. $T/evil4/ && ln -s /proc $T/evil4/mnt"
mkbundle procvia '["true"]' "" "$T/evil4"
as_user sed -i 's|{"destination":"/sys"|{"destination":"/mnt/sys","type":"bind","source":"'"$T"'/hostdir","options":["rbind","rw"]},&|' "$T/procvia/config.json"
crun procvia
check_match "hostile: bind on /mnt/sys with image /mnt -> /proc refused" "$RC:$STATUS" '^1:\{"code":"E_RUNTIME_MOUNT","message":"mount on /mnt/sys \(resolves to /proc/sys\): mounts inside /proc are refused'
check "hostile: host dir behind the refused binds untouched" "$(ls -A "$T/hostdir" | tr '\n' ' ')" "hf "

mkbundle seccomp '["sh","-c","mkdir /x 2>&1; echo rc=$?"]' ',"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
crun seccomp
check_match "seccomp filter applied" "$OUT" "Operation not permitted"

# --- create / start / state / kill / delete ---------------------------------
mkbundle life '["sleep","30"]' ',"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["swapon"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}'
as_user sed -i 's|"user":{"uid":0,"gid":0}|"user":{"uid":0,"gid":0,"additionalGids":[10,20]}|; s|"cwd":"/"|"cwd":"/tmp"|' "$T/life/config.json"
R="$B/cove-runtime --root $T/state"
(cd "$T/life" && as_user $R create --pid-file "$T/life.pid" life >/dev/null 2>&1)
check_match "create -> created" "$(as_user $R state life)" '"status":"created"'
as_user $R start life
check_match "start -> running" "$(as_user $R state life)" '"status":"running"'
check "pid file matches state" "$(as_user $R state life | sed 's/.*"pid":\([0-9]*\).*/\1/')" "$(cat "$T/life.pid")"
E=$(as_user $R exec --env X=y --cwd /proc life sh -c 'hostname; echo $X; pwd; ps -o pid,comm | grep -c sleep; exit 7')
check "exec joins the container" "$?:$(printf '%s\n' "$E" | tr '\n' '|')" "7:smokehost|y|/proc|1|"
check "exec --user" "$(as_user $R exec --user 1000:1000 life id)" "uid=1000 gid=1000 groups=10,20"
# exec joins the user namespace first and re-applies the process settings.
E=$(as_user $R exec life sh -c 'grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " " | tr "\n" "|"; id -G; pwd')
check "exec: CapEff, NoNewPrivs, Seccomp, additionalGids, config cwd" "$(printf '%s\n' "$E" | tr '\n' '|')" \
    "CapEff: 00000000a80425fb|NoNewPrivs: 1|Seccomp: 2|0 10 20|/tmp|"
E=$(as_user $R exec -u 1000 life sh -c 'id -u; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t" " " | tr "\n" "|"')
check "exec -u 1000: uid 1000, no capabilities, still no_new_privs + seccomp" "$(printf '%s\n' "$E" | tr '\n' '|')" \
    "1000|CapEff: 0000000000000000|NoNewPrivs: 1|Seccomp: 2||"
# cove exec -it: --tty without --console-socket: the runtime relays a pty of
# the container's own to the caller's (node-pty's), runc's foreground mode.
E=$(as_user "$B/pty-expect" -s 25,81 'expect:isatty 25 81' 'expect:# ' 'send:echo $((7*6))\r' 'expect:42' \
    'resize:30,90' 'send:stty size\r' 'expect:30 90' 'send:exit 9\r' -- \
    $R exec --tty life sh -c 'test -t 0 && echo isatty $(stty size); exec sh' 2>&1)
X=$?
check "exec --tty under a pty: tty, size, input, resize, exit code" "$X" 9
[ "$X" = 9 ] || printf '%s\n' "$E" | tail -5 | sed 's/^/#   /'
# The container's pty turns "\n" into "\r\n"; the relay's own terminal has
# output processing off (as docker's CLI), so no line arrives as "\r\r\n".
check "exec --tty passes the container's line ends through unchanged" \
    "$(printf '%s' "$E" | grep -c $'\r\r')/$(printf '%s' "$E" | grep -c $'^42\r$')" "0/1"
E=$(as_user $R --status-fd 3 exec life no-such-binary 3>&1 2>/dev/null)
check "exec not found status JSON" "$E:$(as_user $R state life | grep -c running)" '{"code":"E_RUNTIME_EXEC","message":"exec \"no-such-binary\": No such file or directory"}:1'
as_user $R kill life KILL
for _ in $(seq 50); do as_user $R state life | grep -q stopped && break; sleep 0.1; done
check_match "kill -> stopped" "$(as_user $R state life)" '"status":"stopped"'
as_user $R delete life
check "delete removes it" "$(as_user $R state life 2>&1)" "cove-runtime: container life does not exist"

# The init outlives create however slowly it runs: slirp4netns joins its
# network namespace between create and start. strace delays every prctl(2)
# by 0.3 s, so the init is still busy when create exits; a parent-death
# signal armed then would kill it (prctl(2) PR_SET_PDEATHSIG). strace runs
# as root (-u) so that it can be killed, detaching the waiting init.
if command -v strace >/dev/null; then
    mkbundle slowinit '["sh","-c","echo started"]'
    (cd "$T/slowinit" && exec strace -u "$USER_" -f -qq -o /dev/null -e trace=prctl -e inject=prctl:delay_enter=300000 \
        $R create --pid-file "$T/slowinit.pid" slowinit >/dev/null 2>&1) &
    ST=$!
    for _ in $(seq 200); do [ -s "$T/slowinit.pid" ] && break; sleep 0.1; done
    sleep 2
    kill -9 $ST 2>/dev/null; wait $ST 2>/dev/null
    P=$(cat "$T/slowinit.pid" 2>/dev/null)
    check "create under a slow init: the init lives on, created" \
        "$(awk '{print $3}' /proc/${P:-0}/stat 2>/dev/null || echo gone):$(as_user $R state slowinit | grep -o '"status":"[a-z]*"')" 'S:"status":"created"'
    as_user $R delete --force slowinit >/dev/null 2>&1
else
    ok "create under a slow init # SKIP strace not installed"
fi

# --- OCI hooks (runtime.md "Lifecycle"): order, state on stdin, failure, timeout
as_user tee "$T/hook.sh" >/dev/null <<'SH'
#!/bin/sh
read -r s
echo "$1 $(printf %s "$s" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')" >> "$2"
SH
as_user chmod 755 "$T/hook.sh"
hk() { printf '{"path":"%s","args":["hook.sh","%s","%s"]}' "$T/hook.sh" "$1" "$T/hooks.log"; }
mkbundle hooks '["sh","-c","cat /start.state; echo; grep -c \"^[0-9]* [0-9]* [0-9:]* / / .*shared:\" /proc/self/mountinfo"]' ',"rootfsPropagation":"rshared"'
HOOKS="{\"prestart\":[$(hk prestart)],\"createRuntime\":[$(hk createRuntime)],\"createContainer\":[$(hk createContainer)],\"startContainer\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\",\"-c\",\"cat > /start.state\"]}],\"poststart\":[$(hk poststart)],\"poststop\":[$(hk poststop)]}"
as_user sed -i "s|^{\"ociVersion\":\"1.2.0\",|{\"ociVersion\":\"1.2.0\",\"annotations\":{\"k\":\"v\"},\"hooks\":$HOOKS,|" "$T/hooks/config.json"
(cd "$T/hooks" && as_user $R create hooks > "$T/hooks.out" 2>&1)
check "hooks: prestart, createRuntime, createContainer at create, with status created" "$(tr '\n' '|' < "$T/hooks.log" 2>&1)" \
    "prestart created|createRuntime created|createContainer created|"
as_user $R start hooks
for _ in $(seq 50); do as_user $R state hooks 2>/dev/null | grep -q stopped && break; sleep 0.05; done
check_match "hooks: startContainer inside the container gets the state (id, annotations)" "$(cat "$T/hooks.out")" '"id":"hooks".*"annotations":\{"k":"v"\}'
check_match "state lists the annotations" "$(as_user $R state hooks)" '"annotations":\{"k":"v"\}'
as_user $R delete hooks
check "hooks: poststart after start, poststop after delete" "$(tr '\n' '|' < "$T/hooks.log" | cut -d'|' -f4-)" "poststart running|poststop stopped|"
mkbundle hookfail '["true"]'
as_user sed -i "s|^{\"ociVersion\":\"1.2.0\",|{\"ociVersion\":\"1.2.0\",\"hooks\":{\"createRuntime\":[{\"path\":\"/bin/false\"}]},|" "$T/hookfail/config.json"
E=$(cd "$T/hookfail" && as_user $R --status-fd 3 create hookfail 3>&1 2>/dev/null)
check "failing createRuntime hook: create fails, nothing left" "$?:$E:$(as_user $R list -q | grep -c hookfail)" \
    '1:{"code":"E_RUNTIME_FAILED","message":"createRuntime hook /bin/false exited with status 1"}:0'
mkbundle hookslow '["true"]'
as_user sed -i "s|^{\"ociVersion\":\"1.2.0\",|{\"ociVersion\":\"1.2.0\",\"hooks\":{\"prestart\":[{\"path\":\"/bin/sleep\",\"args\":[\"sleep\",\"10\"],\"timeout\":1}]},|" "$T/hookslow/config.json"
S=$(date +%s)
E=$(cd "$T/hookslow" && as_user $R --status-fd 3 create hookslow 3>&1 2>/dev/null)
check "hook timeout: killed after 1 s, create fails" "$(( $(date +%s) - S < 5 )):$E" \
    '1:{"code":"E_RUNTIME_FAILED","message":"prestart hook /bin/sleep timed out after 1 s"}'
check "rootfsPropagation rshared: / is shared inside" "$(tail -n 1 "$T/hooks.out")" 1

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
# --instance-lock: a monitor holds it for its life; the next one waits for it before create.
mkbundle monlock '["sleep","30"]'
as_user sh -c "exec flock '$T/monlock.lock' sleep 1.5" &
HOLDER=$!
for _ in $(seq 50); do as_user flock -n "$T/monlock.lock" true 2>/dev/null || break; sleep 0.05; done
S=$(date +%s%N)
as_user "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" --bundle "$T/monlock" --id monlock \
    --log "$T/monlock.log" --exit-file "$T/monlock.exit" --pid-file "$T/monlock.pid" --instance-lock "$T/monlock.lock"
check "instance lock: a new monitor starts its container only once the last one let go" "$?:$(( ($(date +%s%N) - S) / 1000000 >= 1000 ))" "0:1"
wait "$HOLDER"
check "instance lock: held while the container runs" "$(as_user flock -n "$T/monlock.lock" true 2>/dev/null; echo $?)" 1
as_user "$B/cove-runtime" --root "$T/state" kill monlock KILL
for _ in $(seq 50); do [ -f "$T/monlock.exit" ] && as_user flock -n "$T/monlock.lock" true 2>/dev/null && break; sleep 0.1; done
check "instance lock: released when the monitor is gone" "$(as_user flock -n "$T/monlock.lock" true 2>/dev/null; echo $?)" 0
mkbundle monbad '["no-such-binary"]'
as_user "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" --bundle "$T/monbad" --id monbad \
    --log "$T/monbad.log" --exit-file "$T/monbad.exit" --pid-file "$T/monbad.pid" --status-fd 3 3>"$T/monbad.status" 2>/dev/null
check "monitor forwards the runtime's error" "$?:$(cat "$T/monbad.status")" '1:{"code":"E_RUNTIME_EXEC","message":"exec \"no-such-binary\": No such file or directory"}'

# --- attach (cove run -it / -i, cove attach) ---------------------------------
# mon NAME [MONITOR ARGS]: detached monitor with the usual files.
mon() {
    local name=$1; shift
    as_user "$B/cove-monitor" --runtime "${MON_RUNTIME:-$B/cove-runtime}" --runtime-root "$T/state" --bundle "$T/$name" \
        --id "$name" --log "$T/$name.log" --exit-file "$T/$name.exit" --pid-file "$T/$name.pid" --status-fd 3 "$@" 3>"$T/$name.status"
}
tty_bundle() { mkbundle "$@"; as_user sed -i 's/"terminal":false/"terminal":true/' "$T/$1/config.json"; }
# pexp NAME STEP... -- CMD: pty-expect, transcript in $T/NAME.pty, status in $X
pexp() { local name=$1; shift; as_user "$B/pty-expect" "$@" > "$T/$name.pty" 2>&1; X=$?; }
show() { tr -d '\r' < "$1" | tail -"${2:-6}" | sed 's/^/#   /'; }

# run -it: --attach-hold keeps what came before the client connected.
tty_bundle it1 '["sh","-c","echo ready; read x; echo got=$x; stty size; read y; stty size; exit 3"]'
mon it1 --attach-socket "$T/it1.sock" --attach-hold
check "tty monitor started, attach socket is 0600" "$?:$(stat -c %a "$T/it1.sock" 2>&1)" "0:600"
pexp it1 -s 30,100 'expect:ready' 'send:hello\r' 'expect:got=hello' 'expect:30 100' 'resize:40,120' 'send:y\r' 'expect:40 120' \
    -- "$B/cove-attach" "$T/it1.sock"
check "attach: held output, input, size at attach, SIGWINCH resize; exits with the container's code" "$X" 3
[ "$X" = 3 ] || show "$T/it1.pty"
check "tty output is logged as stdout" "$(sed -E 's/^[0-9-]+T[0-9:.]+Z //' "$T/it1.log" | tr -d '\r' | grep -E 'ready|got=' | tr '\n' '|')" \
    "stdout F ready|stdout F got=hello|"
check "attach socket removed after exit" "$(ls "$T" | grep -c '^it1.sock')" 0

# Detach keys, several clients, re-attach, EOF when the container ends.
tty_bundle it2 '["sh"]'
mon it2 --attach-socket "$T/it2.sock"
A="$B/cove-attach $T/it2.sock"
pexp it2a 'send:\r' 'expect:# ' 'send:stty raw -echo; echo R$((1+1)); head -c 3 | od -An -c; echo od-$((1+1))\r' \
    'expect:R2' 'send:\x10xy' 'expect:020   x   y' 'expect:od-2' 'send:\x10\x11' -- $A
check "ctrl-p then x is forwarded; ctrl-p,ctrl-q detaches with 0" "$X" 0
[ "$X" = 0 ] || show "$T/it2a.pty"
check_match "container still running after detach" "$(as_user $R state it2)" '"status":"running"'
as_user "$B/pty-expect" 'send:\r' 'expect:# ' "touch:$T/it2b.ready" 'expect:42' 'send:\x01d' -- $A --detach-keys ctrl-a,d > "$T/it2b.pty" 2>&1 &
C2=$!
for _ in $(seq 100); do [ -f "$T/it2b.ready" ] && break; sleep 0.05; done
pexp it2c 'send:stty sane; echo $((6*7))\r' 'expect:42' 'send:\x10\x11' -- $A
wait $C2
check "two clients see the same output (custom --detach-keys ctrl-a,d)" "$X:$?" "0:0"
[ "$X" = 0 ] || show "$T/it2c.pty"
as_user "$B/pty-expect" 'send:\r' 'expect:# ' "touch:$T/it2d.ready" -- $A > "$T/it2d.pty" 2>&1 &
C2=$!
for _ in $(seq 100); do [ -f "$T/it2d.ready" ] && break; sleep 0.05; done
as_user $R kill it2 KILL
wait $C2
check "re-attach; the client ends with 137 when the container is killed" "$?" 137
for _ in $(seq 50); do [ -f "$T/it2.exit" ] && break; sleep 0.1; done
check_match "exit file of the killed tty container" "$(cat "$T/it2.exit" 2>&1)" '"exitCode":137'

# run -i without a tty: stdout and stderr stay apart, stdin EOF reaches the container.
mkbundle i1 '["sh","-c","echo early; read x; echo out=$x; echo err=$x >&2; cat; echo end; exit 4"]'
mon i1 --attach-socket "$T/i1.sock" --attach-hold --stdin
printf 'hello\nworld\n' | as_user "$B/cove-attach" --stdin-once "$T/i1.sock" > "$T/i1.out" 2> "$T/i1.err"
check "-i: stdout|stderr, stdin then EOF, exit code" "$?:$(tr '\n' ' ' < "$T/i1.out")|$(tr '\n' ' ' < "$T/i1.err")" \
    "4:early out=hello world end |err=hello "
mkbundle i2 '["sh","-c","echo quick; exit 7"]'
mon i2 --attach-socket "$T/i2.sock" --attach-hold
sleep 0.3
check "a container that ended before the client came: output and code still delivered" \
    "$(as_user "$B/cove-attach" "$T/i2.sock" </dev/null; echo "rc=$?")" "quick
rc=7"
check "attach to a container that is gone: exit 125" \
    "$(as_user "$B/cove-attach" "$T/i2.sock" </dev/null 2>&1; echo "rc=$?")" \
    "cove-attach: the container is not running (no monitor at $T/i2.sock)
rc=125"
if RUNC=$(command -v runc); then
    tty_bundle it3 '["sh","-c","read x; echo got=$x; stty size"]'
    MON_RUNTIME=$RUNC mon it3 --attach-socket "$T/it3.sock" --attach-hold
    pexp it3 -s 33,99 'send:hi\r' 'expect:got=hi' 'expect:33 99' -- "$B/cove-attach" "$T/it3.sock"
    check "the monitor's pty and attach work with runc too" "$X" 0
    [ "$X" = 0 ] || show "$T/it3.pty"
else
    ok "the monitor's pty and attach work with runc too # SKIP runc not installed"
fi

# --- CVE-2019-5736: the runtime binary cannot be reached from inside ----------
# A copy of the runtime the container's root (= $USER_ on the host) could
# write. Container B is created (its init is the runtime, waiting for
# `start`) in the pid namespace of A; a process in A takes /proc/PID/exe of
# it, waits until every runtime process is gone, and writes through it.
as_user mkdir -p "$T/rt"
cp "$B/cove-runtime" "$T/rt/cove-runtime" && chown "$USER_:" "$T/rt/cove-runtime"
RT="$T/rt/cove-runtime --root $T/state"
SUM=$(sha256sum < "$T/rt/cove-runtime")
mkbundle cveA '["sleep","30"]'
(cd "$T/cveA" && as_user $RT run --detach --pid-file "$T/cveA.pid" cveA >/dev/null 2>&1)
PA=$(cat "$T/cveA.pid" 2>/dev/null)
mkbundle cveB '["true"]'
as_user sed -i -e 's|"namespaces":\[{"type":"user"}|"namespaces":[{"type":"user","path":"/proc/'"$PA"'/ns/user"}|' \
    -e 's|{"type":"pid"}|{"type":"pid","path":"/proc/'"$PA"'/ns/pid"}|' \
    -e 's|"uidMappings":\[[^]]*\],||' -e 's|"gidMappings":\[[^]]*\],||' "$T/cveB/config.json"
(cd "$T/cveB" && as_user $RT create --pid-file "$T/cveB.pid" cveB >/dev/null 2>&1)
check_match "the runtime's process in the container runs from a memfd" "$(readlink "/proc/$(cat "$T/cveB.pid" 2>/dev/null)/exe")" '^/memfd:cove-runtime'
as_user touch "$T/cve.out"
as_user $RT exec --detach cveA sh -c '
  for p in /proc/[0-9]*; do l=$(readlink $p/exe); case "$l" in */bin/busybox|"") ;; *) pid=${p#/proc/}; exe=$l;; esac; done
  # Waiting for start, the runtime still holds the full capability set, so a
  # container process (default capabilities) may not even read its exe link
  # (ptrace access mode, proc(5)): that is a refusal too.
  if [ -z "$pid" ]; then echo "invisible: Operation not permitted"; echo finished; exit 0; fi
  exec 3< /proc/$pid/exe || exit 1
  echo opened
  while [ "$(readlink /proc/$pid/exe)" = "$exe" ]; do sleep 0.05; done
  for i in $(seq 60); do
    if echo x 2>/tmp/err > /proc/self/fd/3; then echo WRITTEN; break; fi
    grep -q busy /tmp/err || break; sleep 0.05
  done 2>/dev/null
  sed "s/.*: //" /tmp/err; echo finished' >> "$T/cve.out" 2>&1
for _ in $(seq 50); do grep -q opened "$T/cve.out" && break; sleep 0.1; done
as_user $RT start cveB
for _ in $(seq 50); do grep -q finished "$T/cve.out" && break; sleep 0.1; done
check_match "write through /proc/PID/exe of the runtime refused; host binary unchanged" \
    "$(tr '\n' '|' < "$T/cve.out"):$([ "$(sha256sum < "$T/rt/cove-runtime")" = "$SUM" ] && echo unchanged)" \
    '^(opened\|Operation not permitted|invisible: Operation not permitted)\|finished\|:unchanged$'
BSUM=$(sha256sum < "$T/lower/bin/busybox")
E=$(as_user $RT exec cveA sh -c 'echo x > /proc/self/exe; echo x > /proc/1/exe' 2>&1)
check "echo x > /proc/self/exe, /proc/1/exe from an exec: refused; runtime and image binaries unchanged" \
    "$(printf '%s' "$E" | grep -c 'busy\|denied\|not permitted'):$([ "$(sha256sum < "$T/rt/cove-runtime")" = "$SUM" ] && echo unchanged):$([ "$(sha256sum < "$T/lower/bin/busybox")" = "$BSUM" ] && echo unchanged)" \
    "2:unchanged:unchanged"
as_user $RT delete --force cveA >/dev/null 2>&1

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

# --- network: slirp4netns (cove-monitor --network slirp4netns) ---------------
# nmon NAME [ARGS]: monitor with slirp4netns, API socket and ports file in $T.
nmon() { local name=$1; shift; mon "$name" --network slirp4netns --slirp-api-socket "$T/$name.api" --ports-file "$T/$name.ports" "$@"; }
# slirps PATTERN: live slirp4netns processes of the user whose arguments contain PATTERN
slirps() { ps -u "$USER_" -o stat=,comm=,args= | awk -v p="$1" '$1 !~ /^Z/ && $2 == "slirp4netns" && index($0, p)' | wc -l; }
hostport() { grep -o "\"protocol\":\"$2\",\"hostIp\":\"[^\"]*\",\"hostPort\":[0-9]*" "$1" | grep -o '[0-9]*$'; }
NP=$B/netprobe
mkbundle net1 '["sh","-c","netprobe tcp-serve 80 hello-tcp & netprobe udp-echo 81 & ip -4 addr show tap0 | grep -o \"inet [0-9./]*\"; ip route show default; ip link show tap0 | grep -o \"mtu [0-9]*\"; wait"]'
nmon net1 --publish tcp:127.0.0.1:0:80 --publish udp:127.0.0.1:0:81 --monitor-pid-file "$T/net1.mpid"
check "network monitor started" "$?:$(cat "$T/net1.status")" "0:"
check_match "ports file: picked host ports" "$(cat "$T/net1.ports" 2>&1)" \
    '^\[\{"protocol":"tcp","hostIp":"127\.0\.0\.1","hostPort":[1-9][0-9]*,"containerPort":80\},\{"protocol":"udp","hostIp":"127\.0\.0\.1","hostPort":[1-9][0-9]*,"containerPort":81\}\]$'
TP=$(hostport "$T/net1.ports" tcp); UP=$(hostport "$T/net1.ports" udp)
check "published TCP port reaches the container" "$("$NP" tcp-get 127.0.0.1 "$TP" 2>&1)" hello-tcp
# UDP from 127.0.0.1: datagrams reach the container; its replies cannot come
# back (libslirp drops packets to the host's loopback under
# --disable-host-loopback); two-way UDP is checked below from another address.
for _ in $(seq 60); do
    "$NP" udp-send 127.0.0.1 "$UP" ping-from-host
    grep -q 'stdout F ping-from-host' "$T/net1.log" && break; sleep 0.05
done
# Sent until one is seen: a second may land before the log shows the first.
check "published UDP port: datagrams from the host reach the container" "$(grep -c 'stdout F ping-from-host' "$T/net1.log" | awk '{print ($1 >= 1)}')" 1
check "container: tap0 10.0.2.100/24, default route via 10.0.2.2, mtu 65520" \
    "$(sed -E 's/^[0-9-]+T[0-9:.]+Z stdout F //' "$T/net1.log" | grep -E '^(inet|default|mtu)' | sed 's/ proto [a-z]*//; s/ *$//' | tr '\n' '|')" \
    "inet 10.0.2.100/24|default via 10.0.2.2 dev tap0|mtu 65520|"
for _ in $(seq 50); do [ "$(slirps "$T/net1.api")" = 1 ] && break; sleep 0.02; done
check "one slirp4netns, for this container" "$(slirps "$T/net1.api")" 1
# A second container in the first one's network namespace (--network
# container:net1), through create/start: it reaches the server on 127.0.0.1.
P1=$(cat "$T/net1.pid" 2>/dev/null)
mkbundle net2 '["sh","-c","netprobe tcp-get 127.0.0.1 80; ip -4 addr show tap0 | grep -c 10.0.2.100"]'
as_user sed -i -e 's|"namespaces":\[{"type":"user"}|"namespaces":[{"type":"user","path":"/proc/'"$P1"'/ns/user"}|' \
    -e 's|{"type":"network"}|{"type":"network","path":"/proc/'"$P1"'/ns/net"}|' \
    -e 's|"uidMappings":\[[^]]*\],||' -e 's|"gidMappings":\[[^]]*\],||' "$T/net2/config.json"
(cd "$T/net2" && as_user $R create --pid-file "$T/net2.pid" net2 > "$T/net2.out" 2>&1 && as_user $R start net2)
for _ in $(seq 50); do as_user $R state net2 2>/dev/null | grep -q stopped && break; sleep 0.05; done
check "create/start joining the net namespace: reaches the first container on 127.0.0.1" "$(tr '\n' '|' < "$T/net2.out")" "hello-tcp|1|"
as_user $R delete --force net2 >/dev/null 2>&1
as_user $R kill net1 KILL
for _ in $(seq 50); do [ -f "$T/net1.exit" ] && break; sleep 0.05; done
check "container ended: slirp4netns gone, API socket removed, host port free" \
    "$(sed 's/,.*//' "$T/net1.exit" 2>&1):$(slirps "$T/net1.api"):$(ls "$T" | grep -c '^net1.api'):$("$NP" bind tcp 127.0.0.1 "$TP" 2>&1)" \
    "{\"exitCode\":137:0:0:$TP"

# A busy host port: refused before anything is created.
"$NP" hold tcp 127.0.0.1 0 > "$T/hold.port" & HOLD=$!
for _ in $(seq 50); do [ -s "$T/hold.port" ] && break; sleep 0.02; done
HP=$(cat "$T/hold.port")
mkbundle netbusy '["sleep","30"]'
nmon netbusy --publish tcp:127.0.0.1:$HP:80 2>/dev/null
check "host port in use -> E_PORT_IN_USE" "$?:$(cat "$T/netbusy.status")" \
    "1:{\"code\":\"E_PORT_IN_USE\",\"message\":\"host port $HP/tcp (127.0.0.1) is already in use: pick another host port\"}"
check "... and nothing left (no container, no slirp4netns)" "$(as_user $R list -q | grep -c netbusy):$(slirps "$T/netbusy.api")" "0:0"
kill "$HOLD"; wait "$HOLD" 2>/dev/null
# The same host port twice: the second add_hostfwd fails after the
# container was created; it is killed and deleted, slirp4netns stopped.
FP=$HP
mkbundle netdup '["sleep","30"]'
nmon netdup --publish tcp:127.0.0.1:$FP:80 --publish tcp:127.0.0.1:$FP:81 2>/dev/null
check "port conflict after create -> E_PORT_IN_USE" "$?:$(cat "$T/netdup.status")" \
    "1:{\"code\":\"E_PORT_IN_USE\",\"message\":\"host port $FP/tcp (127.0.0.1) is already in use: pick another host port\"}"
DP=$(cat "$T/netdup.pid" 2>/dev/null)
check "... container killed and deleted, slirp4netns gone, no ports file" \
    "$(as_user $R list -q | grep -c netdup):$([ -n "$DP" ] && kill -0 "$DP" 2>/dev/null && echo alive):$(slirps "$T/netdup.api"):$(ls "$T" | grep -c '^netdup.ports')" "0::0:0"

# slirp4netns missing; /dev/net/tun not usable (a 0600 file over it, in a mount namespace of our own).
mkbundle netmiss '["true"]'
nmon netmiss --slirp4netns /nonexistent/slirp4netns 2>/dev/null
check_match "slirp4netns missing -> E_NETWORK, install it" "$?:$(cat "$T/netmiss.status")" \
    '^1:\{"code":"E_NETWORK","message":"slirp4netns /nonexistent/slirp4netns \(install slirp4netns[^"]*\): No such file or directory"\}$'
E=$(cd "$T" && as_user env PATH=/nonexistent "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" --bundle "$T/netmiss" \
    --id netmiss --log "$T/netmiss.log" --exit-file "$T/netmiss.exit" --pid-file "$T/netmiss.pid" --status-fd 3 \
    --network slirp4netns 3>&1 2>/dev/null)
check_match "slirp4netns not in PATH -> E_NETWORK" "$E" '^\{"code":"E_NETWORK","message":"slirp4netns not found in PATH: install slirp4netns'
: > "$T/fake-tun"; chmod 0600 "$T/fake-tun"
E=$(unshare -m sh -c 'mount --bind "$1" /dev/net/tun && shift && exec "$@"' - "$T/fake-tun" \
    runuser -u "$USER_" -- "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" --bundle "$T/netmiss" \
    --id netmiss --log "$T/netmiss.log" --exit-file "$T/netmiss.exit" --pid-file "$T/netmiss.pid" --status-fd 3 \
    --network slirp4netns 3>&1 2>/dev/null)
check_match "/dev/net/tun not usable -> E_NETWORK with the chmod" "$E" \
    '^\{"code":"E_NETWORK","message":"/dev/net/tun \(needed by slirp4netns\) cannot be opened: run `sudo chmod 0666 /dev/net/tun`: Permission denied"\}$'

# slirp4netns itself fails (after create): reported, container removed.
as_user sh -c "printf '#!/bin/sh\necho starting >&2\necho \"open /dev/net/tun: Permission denied\" >&2\nexit 1\n' > '$T/fake-slirp' && chmod 755 '$T/fake-slirp'"
mkbundle netfail '["sleep","30"]'
nmon netfail --slirp4netns "$T/fake-slirp" 2>/dev/null
check "slirp4netns fails -> E_NETWORK with its message; container removed" \
    "$?:$(cat "$T/netfail.status"):$(as_user $R list -q | grep -c netfail)" \
    '1:{"code":"E_NETWORK","message":"slirp4netns: open /dev/net/tun: Permission denied: /dev/net/tun must be usable by everyone (sudo chmod 0666 /dev/net/tun)"}:0'

# kill -9 of the monitor: slirp4netns sees its exit fd close and ends.
mkbundle netk '["sleep","30"]'
nmon netk --monitor-pid-file "$T/netk.mpid"
for _ in $(seq 50); do [ "$(slirps "$T/netk.api")" = 1 ] && break; sleep 0.02; done
check "slirp4netns running for the container" "$(slirps "$T/netk.api")" 1
kill -9 "$(cat "$T/netk.mpid")"
for _ in $(seq 50); do [ "$(slirps "$T/netk.api")" = 0 ] && break; sleep 0.02; done
check "monitor killed with SIGKILL: slirp4netns ends too" "$(slirps "$T/netk.api")" 0
as_user $R delete --force netk >/dev/null 2>&1

# tty + attach socket + network; a long API socket path (> sun_path).
LONGD=$T/$(printf 'd%.0s' $(seq 120))
as_user mkdir -p "$LONGD"
tty_bundle nettty '["sh","-c","ip -4 addr show tap0 | grep -o \"inet [0-9.]*\"; read x; echo got=$x; exit 5"]'
mon nettty --network slirp4netns --slirp-api-socket "$LONGD/nettty.api" --publish tcp:127.0.0.1:0:80 \
    --ports-file "$T/nettty.ports" --attach-socket "$T/nettty.sock" --attach-hold
check "tty + network monitor started (API socket path of ${#LONGD}+ bytes)" "$?:$(cat "$T/nettty.status")" "0:"
pexp nettty 'expect:inet 10.0.2.100' 'send:hi\r' 'expect:got=hi' -- "$B/cove-attach" "$T/nettty.sock"
check "tty + network: attach, input, exit code" "$X" 5
[ "$X" = 5 ] || show "$T/nettty.pty"
for _ in $(seq 50); do [ -f "$T/nettty.exit" ] && break; sleep 0.05; done
check "tty + network: exit file, slirp4netns gone, long API socket removed" \
    "$(sed 's/,.*//' "$T/nettty.exit" 2>&1):$(slirps nettty.api):$(ls "$LONGD" | wc -l)" '{"exitCode":5:0:0'

# Outbound: a TCP server in a network namespace of our own (S), the monitor
# and slirp4netns in another (H), joined by a veth pair; nothing else is contacted.
NSH=cove-smoke-h-$$ NSS=cove-smoke-s-$$
if ip netns add "$NSH" 2>/dev/null && ip netns add "$NSS" && ip link add cvh$$ type veth peer name cvs$$ netns "$NSS" 2>/dev/null &&
   ip link set cvh$$ netns "$NSH" && ip -n "$NSH" addr add 10.233.7.1/24 dev cvh$$ && ip -n "$NSH" link set cvh$$ up &&
   ip -n "$NSS" addr add 10.233.7.2/24 dev cvs$$ && ip -n "$NSS" link set cvs$$ up && ip -n "$NSH" link set lo up; then
    ip netns exec "$NSS" "$NP" tcp-serve 8080 outbound-ok & SRV=$!
    mkbundle netout '["sh","-c","netprobe udp-echo 81 >/dev/null & netprobe tcp-get 10.233.7.2 8080; wait"]'
    ip netns exec "$NSH" runuser -u "$USER_" -- "$B/cove-monitor" --runtime "$B/cove-runtime" --runtime-root "$T/state" \
        --bundle "$T/netout" --id netout --log "$T/netout.log" --exit-file "$T/netout.exit" --pid-file "$T/netout.pid" \
        --network slirp4netns --slirp-api-socket "$T/netout.api" --publish udp::0:81 --ports-file "$T/netout.ports"
    for _ in $(seq 60); do grep -q outbound-ok "$T/netout.log" 2>/dev/null && break; sleep 0.05; done
    check "outbound: the container reaches a server in another network namespace" \
        "$(sed -E 's/^[0-9-]+T[0-9:.]+Z stdout F //' "$T/netout.log" | tr '\n' '|')" 'outbound-ok|'
    check "UDP published on 0.0.0.0 answers a client on the host's own (non-loopback) address" \
        "$(ip netns exec "$NSH" "$NP" udp-ask 10.233.7.1 "$(hostport "$T/netout.ports" udp)" ping 2>&1)" echo:ping
    as_user $R kill netout KILL
    for _ in $(seq 50); do [ -f "$T/netout.exit" ] && break; sleep 0.05; done
    kill "$SRV"; wait "$SRV" 2>/dev/null
else
    ok "outbound: the container reaches a server in another network namespace # SKIP cannot create network namespaces"
    ok "UDP published on 0.0.0.0 answers a client on the host's own (non-loopback) address # SKIP cannot create network namespaces"
fi
ip netns del "$NSH" 2>/dev/null; ip netns del "$NSS" 2>/dev/null

if [ -n "${RUNC:-}" ]; then
    mkbundle netrunc '["netprobe","tcp-serve","80","hello-runc"]'
    MON_RUNTIME=$RUNC nmon netrunc --publish tcp:127.0.0.1:0:80
    check "runc + network: create/start, published port" "$?:$("$NP" tcp-get 127.0.0.1 "$(hostport "$T/netrunc.ports" tcp)" 2>&1)" "0:hello-runc"
    as_user "$RUNC" --root "$T/state" kill netrunc KILL 2>/dev/null
    for _ in $(seq 50); do [ -f "$T/netrunc.exit" ] && break; sleep 0.05; done
    check "runc + network: slirp4netns gone with the container" "$(slirps "$T/netrunc.api")" 0
else
    ok "runc + network: create/start, published port # SKIP runc not installed"
    ok "runc + network: slirp4netns gone with the container # SKIP runc not installed"
fi

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
