#!/bin/sh
# The unprivileged user namespace Cove needs is what newuidmap grants; the
# package makes sure the icon cache sees the new icon and puts the `cove`
# CLI on PATH (/usr/bin/cove, unless another cove is there already).
set -e
if command -v gtk-update-icon-cache >/dev/null 2>&1; then
  gtk-update-icon-cache -q /usr/share/icons/hicolor || true
fi
if [ ! -e /usr/bin/cove ] || [ "$(readlink /usr/bin/cove 2>/dev/null)" = "/opt/Cove/resources/bin/cove" ]; then
  ln -sf /opt/Cove/resources/bin/cove /usr/bin/cove
fi
