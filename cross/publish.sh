#!/usr/bin/env bash
# make publish REGISTRY=host[:port]/path TAG=x.y.z: pushes the release images with skopeo.
#   :TAG and :latest               one list for linux/amd64, linux/arm64, linux/arm/v7
#   :TAG-armv5 and :latest-armv5   the linux/arm/v5 image alone (EN7562CT boards)
# The images are the archives `make image` writes (rebuilt when the source changed; cargo
# and the image writer are reproducible, so an unchanged commit pushes the same digests).
# Credentials are skopeo's own: `skopeo login HOST` or REGISTRY_AUTH_FILE.
# TLS_VERIFY=false for a plain-HTTP registry on loopback (CI).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
. "$here/lib.sh"
registry=${REGISTRY:?REGISTRY=host[:port]/path is required}
tag=${TAG:?TAG=x.y.z is required}
tls=${TLS_VERIFY:-true}
need_skopeo

for arch in amd64 arm64 arm armv5; do
    bash "$here/image.sh" "$arch"
done
out="$top/dist/publish"
rm -rf "$out"
"$here/.venv/bin/python" "$here/publish.py" --dist "$top/dist" --out "$out"

for t in "$tag" latest; do
    skopeo copy --quiet --all --preserve-digests --dest-tls-verify="$tls" \
        "dir:$out/multi" "docker://$registry:$t"
    skopeo copy --quiet --preserve-digests --dest-tls-verify="$tls" \
        "dir:$out/armv5" "docker://$registry:$t-armv5"
done
echo "published $registry:$tag and :latest ($(sha256sum <"$out/multi/manifest.json" | cut -c1-64 | sed 's/^/sha256:/'))"
echo "published $registry:$tag-armv5 and :latest-armv5 ($(sha256sum <"$out/armv5/manifest.json" | cut -c1-64 | sed 's/^/sha256:/'))"
