#!/usr/bin/env bash
# The release path CI proves on every change: the aarch64 static binary (run under qemu)
# and the arm64 RouterOS image (read by skopeo, binary run from its layer).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
make -C "$top" dist TARGETS=aarch64-unknown-linux-musl
make -C "$top" image ARCH=arm64
