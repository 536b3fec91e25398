#!/bin/sh
# `cove` in the packaged app (electron-builder.yml puts this file at
# resources/bin/cove): the CLI bundle unpacked beside the asar, run by the
# app's own Electron binary acting as Node (ELECTRON_RUN_AS_NODE), so the
# installed app needs no separate Node. A symlink to this file (the .deb's
# /usr/bin/cove, or `npm run install-cli -- <this file>`) works too.
set -e
self=$(readlink -f "$0")
resources=$(dirname "$(dirname "$self")")
app=$(dirname "$resources")
for electron in "${COVE_ELECTRON:-}" "$app/cove-desktop" "$app/MacOS/Cove"; do
  if [ -n "$electron" ] && [ -x "$electron" ]; then
    ELECTRON_RUN_AS_NODE=1 exec "$electron" "$resources/app.asar.unpacked/dist/cove.cjs" "$@"
  fi
done
echo "cove: the Cove app's executable is not beside $resources" >&2
exit 125
