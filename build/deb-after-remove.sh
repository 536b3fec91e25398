#!/bin/sh
# Removes the /usr/bin/cove link deb-after-install.sh made, only if it is still ours.
set -e
if [ -L /usr/bin/cove ] && [ "$(readlink /usr/bin/cove)" = "/opt/Cove/resources/bin/cove" ]; then
  rm -f /usr/bin/cove
fi
