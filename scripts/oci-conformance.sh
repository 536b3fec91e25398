#!/bin/bash
# Runs the OCI runtime validation suite (opencontainers/runtime-tools,
# validation/*.t with runtimetest) against cove-runtime and runc side by
# side, and prints per-file results and totals. It does not build the
# suite: build it outside this repository (see docs/conformance.md) and give
# its directory, which holds runtimetest, rootfs-amd64.tar.gz and
# validation/*/*.t.
#
#   sudo scripts/oci-conformance.sh /path/to/runtime-tools [REGEX]
#   OCI_VALIDATION_DIR=/path/to/runtime-tools sudo scripts/oci-conformance.sh
#
# Every generated config.json gets the same user namespace and id mappings
# (container 0..65535 -> host 100000..165535, override with
# OCI_CONFORMANCE_HOST_ID) for every runtime, so both run rootless-style:
# container root is not host root; the rootfs the suite unpacked as root is
# handed to the container's root (files owned by 0 -> the mapped id). REGEX narrows the files by path. A file
# passes when it exits 0 with no "not ok" line (some only check that create
# fails, and print no TAP line then); a file with no test line but a YAML
# "error" (the lifecycle files) counts as one failure.
# Takes minutes; not part of npm test.
set -u
SUITE=${1:-${OCI_VALIDATION_DIR:-}}
ONLY=${2:-.}
[ -n "$SUITE" ] && [ -x "$SUITE/runtimetest" ] || {
    echo "usage: $0 RUNTIME_TOOLS_DIR [REGEX]  (a built runtime-tools checkout: runtimetest, validation/*/*.t)" >&2
    exit 2
}
SUITE=$(cd "$SUITE" && pwd)
HERE=$(cd "$(dirname "$0")/.." && pwd)
COVE=${COVE_RUNTIME:-$HERE/native/build/cove-runtime}
RUNC=${RUNC:-$(command -v runc || echo /usr/sbin/runc)}
HOST_ID=${OCI_CONFORMANCE_HOST_ID:-100000}
PER_FILE_TIMEOUT=${OCI_CONFORMANCE_TIMEOUT:-120}
[ -x "$COVE" ] || { echo "no $COVE: run node scripts/build.mjs first" >&2; exit 2; }
[ -x "$RUNC" ] || { echo "runc not found (apt-get install runc)" >&2; exit 2; }

WORK=$(mktemp -d /tmp/oci-conformance.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# The wrapper the suite calls as $RUNTIME: on create/run it adds the user
# namespace and mappings to the bundle's config.json, then runs the real runtime.
cat > "$WORK/runtime-wrapper" <<'JS'
#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const args = process.argv.slice(2);
const verb = args.find((a) => !a.startsWith('-'));
if (verb === 'create' || verb === 'run') {
  let bundle = '.';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--bundle' || args[i] === '-b') bundle = args[i + 1];
    else if (args[i].startsWith('--bundle=')) bundle = args[i].slice(9);
  }
  const file = path.join(bundle, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  const linux = (config.linux ??= {});
  const namespaces = (linux.namespaces ??= []);
  if (!namespaces.some((n) => n.type === 'user')) namespaces.push({ type: 'user' });
  const id = Number(process.env.OCI_CONFORMANCE_HOST_ID);
  if (!linux.uidMappings?.length) linux.uidMappings = [{ containerID: 0, hostID: id, size: 65536 }];
  if (!linux.gidMappings?.length) linux.gidMappings = [{ containerID: 0, hostID: id, size: 65536 }];
  fs.writeFileSync(file, JSON.stringify(config));
  // The suite unpacks the rootfs as host root; give what root owns to the
  // container's root, as a rootless user's own rootfs would be.
  const root = path.resolve(bundle, config.root?.path ?? 'rootfs');
  const shift = (p) => {
    const st = fs.lstatSync(p);
    if (st.uid === 0 || st.gid === 0) fs.lchownSync(p, st.uid === 0 ? id : st.uid, st.gid === 0 ? id : st.gid);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) shift(path.join(p, e));
  };
  if (process.getuid() === 0) shift(root);
}
const r = spawnSync(process.env.OCI_CONFORMANCE_RUNTIME, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
JS
chmod 755 "$WORK/runtime-wrapper"

# run_file RUNTIME FILE -> "OK NOTOK" counts; the TAP goes to $WORK/<name>.<runtime>.tap
run_file() {
    local rt=$1 t=$2 name out
    name=$(basename "$t" .t)
    out="$WORK/$name.$(basename "$rt").tap"
    (cd "$SUITE" && OCI_CONFORMANCE_RUNTIME=$rt OCI_CONFORMANCE_HOST_ID=$HOST_ID RUNTIME="$WORK/runtime-wrapper" \
        timeout "$PER_FILE_TIMEOUT" "$t" > "$out" 2>&1)
    local rc=$? ok bad
    ok=$(grep -c '^ok ' "$out"); bad=$(grep -c '^not ok ' "$out")
    # Lifecycle files report a failure only as a YAML "error" with no test line.
    if [ "$ok" = 0 ] && [ "$bad" = 0 ] && grep -q '^ *"error":' "$out"; then bad=1; fi
    echo "$rc $ok $bad"
}

printf '%-40s %-14s %-14s %s\n' FILE runc cove-runtime NOTE
tot_runc=0; tot_cove=0; nc_runc=0; nc_cove=0; worse=0; files_runc=0; files_cove=0
for t in $(cd "$SUITE" && ls validation/*/*.t | grep -E -- "$ONLY"); do
    read -r rc_r ok_r bad_r <<< "$(run_file "$RUNC" "$t")"
    read -r rc_c ok_c bad_c <<< "$(run_file "$COVE" "$t")"
    tot_runc=$((tot_runc + ok_r)); tot_cove=$((tot_cove + ok_c))
    case $t in *cgroups*) ;; *) nc_runc=$((nc_runc + ok_r)); nc_cove=$((nc_cove + ok_c));; esac
    pass_r=$([ "$rc_r" = 0 ] && [ "$bad_r" = 0 ] && echo pass || echo fail)
    pass_c=$([ "$rc_c" = 0 ] && [ "$bad_c" = 0 ] && echo pass || echo fail)
    [ "$pass_r" = pass ] && files_runc=$((files_runc + 1))
    [ "$pass_c" = pass ] && files_cove=$((files_cove + 1))
    note=""
    if [ "$pass_r" = pass ] && [ "$pass_c" = fail ]; then
        case $t in *cgroups*) note="cgroup (no delegation here)";; *) note="REGRESSION vs runc"; worse=$((worse + 1));; esac
    fi
    printf '%-40s %-14s %-14s %s\n' "$(basename "$t" .t)" "$pass_r $ok_r/$((ok_r + bad_r))" "$pass_c $ok_c/$((ok_c + bad_c))" "$note"
    if [ -n "${OCI_CONFORMANCE_KEEP:-}" ]; then mkdir -p "$OCI_CONFORMANCE_KEEP" && cp "$WORK"/*.tap "$OCI_CONFORMANCE_KEEP"/; fi
done
echo
echo "files passing: runc $files_runc, cove-runtime $files_cove"
echo "total ok: runc $tot_runc, cove-runtime $tot_cove"
echo "total ok without the cgroup files: runc $nc_runc, cove-runtime $nc_cove"
echo "files passing for runc but not cove-runtime (cgroups aside): $worse"
[ "$worse" = 0 ] && [ "$nc_cove" -ge "$nc_runc" ]
