#!/usr/bin/env bash
# Size ceilings of the shipped binaries: a change that grows them past these fails CI with
# the number (see `make size` for where the bytes go).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
rc=0
for limit in aarch64-unknown-linux-musl:1150000 armv7-unknown-linux-musleabihf:800000; do
    target=${limit%%:*} max=${limit##*:}
    bin="$top/dist/ddns-gateway-$target"
    [ -f "$bin" ] || continue
    size=$(stat -c %s "$bin")
    if [ "$size" -gt "$max" ]; then
        echo "FAIL size: $target is $size bytes, over the ceiling of $max" >&2
        rc=1
    else
        echo "ok size: $target is $size bytes (ceiling $max)"
    fi
done
exit $rc
