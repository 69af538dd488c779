#!/usr/bin/env bash
# Builds fully static, stripped binaries: cross/build.sh TARGET... → dist/ddns-gateway-TARGET
#
# One recipe for every target: the pinned nightly rebuilds std (-Zbuild-std) so that
# -Cpanic=immediate-abort drops all unwinding and panic-formatting code, zig links
# (cargo-zigbuild), and +crt-static makes the result static (without it the mips targets
# link a static-pie that crashes at once). -Zfmt-debug=none compiles every `{:?}` to nothing
# (−16.7 KB on armv7): the gateway's messages quote with error::quoted and describe TLS faults
# in tls::describe, never through Debug. Every binary is then run under qemu by check.sh.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
# shellcheck source=versions.env
. "$here/versions.env"
"$here/setup.sh" >/dev/null

export PATH="$here/.venv/bin:$PATH"
# Reproducible: the build date the binary records is the last commit's.
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
export SOURCE_DATE_EPOCH
mkdir -p "$top/dist"
# KEEP_SYMBOLS=1 (make size): an unstripped copy in its own target dir, for attribution.
suffix="" target_dir="$top/target"
if [ "${KEEP_SYMBOLS:-}" = 1 ]; then
    export CARGO_PROFILE_RELEASE_STRIP=false
    suffix=".unstripped" target_dir="$top/target/size"
fi

for target in "$@"; do
    start=$(date +%s)
    extra=""
    # Every ARMv7-A core runs Thumb-2, which is much denser than A32 code.
    case "$target" in armv7-*) extra="-C target-feature=+thumb-mode" ;; esac
    RUSTFLAGS="$extra -C force-unwind-tables=no -C target-feature=+crt-static -C link-self-contained=no -Zunstable-options -C panic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none --remap-path-prefix=$top=. --remap-path-prefix=$HOME=~" \
        cargo "+$NIGHTLY" zigbuild --manifest-path "$top/Cargo.toml" --locked --release --target-dir "$target_dir" \
        -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size --target "$target"
    cp "$target_dir/$target/release/ddns-gateway" "$top/dist/ddns-gateway-$target$suffix"
    size=$(stat -c %s "$top/dist/ddns-gateway-$target$suffix")
    echo "$target: $size bytes in $(( $(date +%s) - start )) s"
done
. "$here/lib.sh"
[ -n "$suffix" ] || write_sums "$top/dist"
