#!/usr/bin/env bash
# The registry path end to end, as a router would pull it: starts Debian's docker-registry
# (the CNCF distribution registry) on loopback, publishes with `make publish`, twice (the
# digests must not change), and reads everything back with skopeo:
#  - :TAG is a list of exactly linux/amd64, linux/arm64, linux/arm/v7;
#  - each platform, pulled with --override-arch/--override-variant, holds a binary that runs
#    under qemu (--version, /health, TLS handshake, SIGTERM) and a config whose Healthcheck
#    runs `/ddns-gateway --healthcheck`;
#  - :TAG-armv5 is a single linux/arm/v5 image whose binary runs on an ARMv5 CPU;
#  - the arm64 image pulled and written as a docker-archive is the image `make image
#    ARCH=arm64` made: the same manifest, so the same config digest and layer content.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
need docker-registry docker-registry
need_skopeo
need_qemu

work=$(mktemp -d)
on_exit 'rm -rf "$work"'
port=$(free_port)
cat >"$work/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/storage
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/config.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
# Stopped on every way out, failures included (before its storage is removed).
on_exit 'kill $registry_pid 2>/dev/null; wait $registry_pid 2>/dev/null'
for _ in $(seq 1 100); do
    http_get "$port" /v2/ >/dev/null 2>&1 && break
    sleep 0.1
done
repo="127.0.0.1:$port/ddns-gateway"
tag=$(sed -n 's/^version = "\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)
ro=(--tls-verify=false)

digests() { for t in "$tag" latest "$tag-armv5" latest-armv5; do skopeo inspect "${ro[@]}" --raw "docker://$repo:$t" | sha256sum | cut -c1-64; done; }
make -C "$top" --no-print-directory publish REGISTRY="$repo" TAG="$tag" TLS_VERIFY=false
first=$(digests)
make -C "$top" --no-print-directory publish REGISTRY="$repo" TAG="$tag" TLS_VERIFY=false
[ "$first" = "$(digests)" ] || { echo "FAIL publish: digests changed between two pushes" >&2; exit 1; }
echo "ok publish: the same digests on a second push:" $first

check_manifest() { # TAG WANT: the raw manifest's media type and platforms
    python3 - "$2" "$(skopeo inspect "${ro[@]}" --raw "docker://$repo:$1")" <<'PY'
import json, sys
want, m = sys.argv[1], json.loads(sys.argv[2])
if want == "list":
    assert m["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json", m["mediaType"]
    got = sorted("/".join(filter(None, [p["platform"]["os"], p["platform"]["architecture"], p["platform"].get("variant")])) for p in m["manifests"])
    assert got == ["linux/amd64", "linux/arm/v7", "linux/arm64"], got
    assert all(d["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json" for d in m["manifests"])
else:
    assert m["mediaType"] == "application/vnd.docker.distribution.manifest.v2+json", m["mediaType"]
    assert [l["mediaType"] for l in m["layers"]] == ["application/vnd.docker.image.rootfs.diff.tar.gzip"]
print("ok", sys.argv[1], "manifest")
PY
}
check_manifest "$tag" list
check_manifest latest list
check_manifest "$tag-armv5" single

# pull ARCH VARIANT REF → the binary out of the pulled image, run on that CPU.
pull_and_run() {
    local arch=$1 variant=$2 ref=$3 target dir="$work/pull-$1$2"
    read -r target _ _ < <(arch_target "$4")
    skopeo copy --quiet "${ro[@]}" --override-os linux --override-arch "$arch" ${variant:+--override-variant "$variant"} \
        "docker://$repo:$ref" "dir:$dir"
    local got
    got=$(skopeo inspect --config "dir:$dir" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(c["architecture"] + "/" + c.get("variant", ""))')
    [ "$got" = "$arch/$variant" ] || { echo "FAIL $ref for $arch/$variant: got $got" >&2; return 1; }
    local layer
    layer=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["digest"].split(":")[1])' "$dir/manifest.json")
    mkdir -p "$dir/root"
    tar -xzf "$dir/$layer" -C "$dir/root"
    check_binary "$target" "$dir/root/ddns-gateway"
    check_healthcheck "$ref $arch/$variant" "$(skopeo inspect --config --raw "dir:$dir")"
}
pull_and_run amd64 "" "$tag" amd64
pull_and_run arm64 "" "$tag" arm64
# What an arm64 router downloads: the compressed layer, within its ceiling.
layer_size=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["layers"][0]["size"])' "$work/pull-arm64/manifest.json")
[ "$layer_size" -le 740000 ] || { echo "FAIL size: the arm64 image is $layer_size bytes compressed, over 740000" >&2; exit 1; }
echo "ok size: the arm64 image is $layer_size bytes compressed (ceiling 740000)"
pull_and_run arm v7 "$tag" arm
pull_and_run arm v5 "$tag-armv5" armv5
# The armv5 image is also :latest-armv5.
pull_and_run arm v5 "latest-armv5" armv5

skopeo copy --quiet "${ro[@]}" --override-os linux --override-arch arm64 "docker://$repo:$tag" \
    "docker-archive:$work/pulled-arm64.tar:ddns-gateway:latest"
pulled=$(skopeo inspect --raw "docker-archive:$work/pulled-arm64.tar")
made=$(skopeo inspect --raw "docker-archive:$top/dist/ddns-gateway-arm64.tar")
[ "$pulled" = "$made" ] || { echo "FAIL registry: the pulled arm64 image is not the one make image made" >&2; exit 1; }
echo "ok registry: the arm64 image pulled back is the one make image made (same config digest and layer)"
