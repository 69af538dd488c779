#!/usr/bin/env bash
# make size: where the bytes of the aarch64 binary go (cross/size.py's table), from an
# unstripped build with the release flags, beside the stripped size as shipped.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
target=${1:-aarch64-unknown-linux-musl}
bash "$here/build.sh" "$target" >/dev/null
KEEP_SYMBOLS=1 bash "$here/build.sh" "$target" >/dev/null
echo "$target (make size, $(date -u +%Y-%m-%d)):"
python3 "$here/size.py" "$top/dist/ddns-gateway-$target.unstripped" "$(stat -c %s "$top/dist/ddns-gateway-$target")"
