#!/usr/bin/env bash
# Checks dist/ddns-gateway-ARCH.tar with an independent reader (skopeo): platform, entry
# point, port, the Healthcheck the image carries; runs the binary taken
# out of its layer, and proves the archive is reproducible.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
arch=${1:?usage: check-image.sh ARCH}
read -r target image_arch variant < <(arch_target "$arch")
[ "$variant" = "-" ] && variant=""
tarball="$top/dist/ddns-gateway-$arch.tar"

need_skopeo
need_qemu

inspect=$(skopeo inspect "docker-archive:$tarball")
config=$(skopeo inspect --config "docker-archive:$tarball")
python3 - "$image_arch" "$variant" "$inspect" "$config" <<'PY'
import json, sys
arch, variant, inspect, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
problems = []
if inspect.get("Architecture") != arch: problems.append(f"architecture {inspect.get('Architecture')} != {arch}")
if config.get("variant", "") != variant: problems.append(f"variant {config.get('variant')!r} != {variant!r}")
if inspect.get("Os") != "linux": problems.append("os is not linux")
if len(inspect.get("Layers", [])) != 1: problems.append(f"{len(inspect.get('Layers', []))} layers, want 1")
c = config.get("config", {})
if c.get("Entrypoint") != ["/ddns-gateway"]: problems.append(f"entrypoint {c.get('Entrypoint')}")
if "38080/tcp" not in c.get("ExposedPorts", {}): problems.append("port 38080/tcp not exposed")
if problems:
    sys.exit("FAIL image: " + "; ".join(problems))
print(f"ok image: {arch}{'/' + variant if variant else ''}, entrypoint /ddns-gateway, 38080/tcp, 1 layer")
PY
# The raw config: `--config` alone shows the OCI form, which has no Healthcheck.
check_healthcheck image "$(skopeo inspect --config --raw "docker-archive:$tarball")"

# The binary, as RouterOS will unpack it, must run on the board's CPU.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
layer=$(tar -tf "$tarball" | grep '/layer.tar$')
tar -xOf "$tarball" "$layer" | tar -x -C "$work"
check_binary "$target" "$work/ddns-gateway"

# Reproducible: the same binary gives the same bytes.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || echo 0)}
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)
python3 "$here/image.py" --binary "$top/dist/ddns-gateway-$target" --out "$work/again.tar" \
    --arch "$image_arch" --variant "$variant" --version "$version" --epoch "$epoch"
cmp -s "$tarball" "$work/again.tar" || { echo "FAIL image: not reproducible" >&2; exit 1; }
echo "ok image: reproducible ($(sha256sum "$tarball" | cut -c1-16)…)"
