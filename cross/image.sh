#!/usr/bin/env bash
# make image ARCH=arm64|arm|armv5|amd64 → dist/ddns-gateway-ARCH.tar, then checks it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
arch=${1:?usage: image.sh arm64|arm|armv5|amd64}
read -r target image_arch variant < <(arch_target "$arch")
[ "$variant" = "-" ] && variant=""

bash "$here/build.sh" "$target"
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)
out="$top/dist/ddns-gateway-$arch.tar"
python3 "$here/image.py" --binary "$top/dist/ddns-gateway-$target" --out "$out" \
    --arch "$image_arch" --variant "$variant" --version "$version" --epoch "$epoch"
echo "$out: $(stat -c %s "$out") bytes, $(gzip -9n <"$out" | wc -c) gzip-compressed"
write_sums "$top/dist"
bash "$here/check-image.sh" "$arch"
