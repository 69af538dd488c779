#!/usr/bin/env bash
# Runs every built binary the way a board would: under qemu-user it must be static, print
# --version, answer GET /health, and stop cleanly on SIGTERM. A link that succeeded proves
# nothing (a mips static-pie links fine and crashes at once).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
need_qemu

for target in "$@"; do
    bin="$top/dist/ddns-gateway-$target"
    check_binary "$target" "$bin"
done
