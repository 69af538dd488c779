#!/usr/bin/env bash
# The release path CI proves on every change: the static binaries of the four image
# targets run under qemu, then the images published to a registry on loopback and read back
# as a router would pull them, and the aarch64 size ceiling. (The two MIPS binaries use the
# same recipe; `make release` builds them too, left out here to keep CI under 20 minutes.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
make -C "$top" dist TARGETS="x86_64-unknown-linux-musl aarch64-unknown-linux-musl armv7-unknown-linux-musleabihf armv5te-unknown-linux-musleabi"
bash "$here/check-size.sh"
bash "$here/check-registry.sh"
