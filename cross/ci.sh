#!/usr/bin/env bash
# The release path CI proves on every change: every static binary run under qemu, then the
# images published to a registry on loopback and read back as a router would pull them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
make -C "$top" dist
bash "$here/check-registry.sh"
