#!/usr/bin/env python3
"""Lays out the release images for a registry push, from the docker-archives `make image`
writes (so a pulled image is the very image of the archive: same config, same layer).

Output: two folders in skopeo's `dir:` layout (the one whose manifests skopeo pushes as
they are, Docker media types included):
  multi/  a Docker manifest list for linux/amd64, linux/arm64 and linux/arm/v7;
  armv5/  the single-platform linux/arm/v5 image (EN7562CT boards pick it by tag: from a
          list RouterOS would take the arm/v7 image, which they cannot run).
Manifests use Docker schema-2 media types, the ones registry clients read most widely;
layers are gzip streams deflated by zopfli (about 2 % smaller than gzip -9: every router
downloads them) with a fixed header (no name, mtime 0), so the same archives always give
the same digests, and `skopeo copy --preserve-digests` pushes them unchanged.
"""

import argparse
import hashlib
import json
import os
import tarfile

import zopfli.gzip

LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
CONFIG = "application/vnd.docker.container.image.v1+json"
LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"
# The archives (`make image ARCH=…`) that go into the list; armv5 is tagged on its own.
MULTI = ["amd64", "arm64", "arm"]


def compact(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


class DirLayout:
    """skopeo's dir: transport: `manifest.json` (the top manifest or list), each list
    entry's manifest as `<hex>.manifest.json`, every blob as `<hex>`."""

    def __init__(self, path):
        os.makedirs(path, exist_ok=True)
        self.path = path
        with open(os.path.join(path, "version"), "w") as f:
            f.write("Directory Transport Version: 1.1\n")

    def put(self, data, media_type, name=None):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.path, name or digest), "wb") as f:
            f.write(data)
        return {"mediaType": media_type, "size": len(data), "digest": "sha256:" + digest}


def read_archive(path):
    """(config bytes, uncompressed layer bytes) of a single-layer docker-archive."""
    with tarfile.open(path) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        if len(manifest) != 1 or len(manifest[0]["Layers"]) != 1:
            raise SystemExit(f"{path}: expected one image with one layer")
        config = tar.extractfile(manifest[0]["Config"]).read()
        layer = tar.extractfile(manifest[0]["Layers"][0]).read()
    return config, layer


def image(layout, archive, top):
    """Writes one image's blobs and manifest (as the top manifest, or as a list entry)."""
    config, layer = read_archive(archive)
    # The diff id in the config is the uncompressed layer's digest: check it still is.
    meta = json.loads(config)
    if meta["rootfs"]["diff_ids"] != ["sha256:" + hashlib.sha256(layer).hexdigest()]:
        raise SystemExit(f"{archive}: config and layer disagree")
    packed = zopfli.gzip.compress(layer, numiterations=15)
    # The fixed header zopfli writes (no name, mtime 0) is what makes digests repeatable.
    if packed[:10] != bytes.fromhex("1f8b0800000000000203"):
        raise SystemExit("zopfli wrote an unexpected gzip header")
    manifest = compact({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": layout.put(config, CONFIG),
        "layers": [layout.put(packed, LAYER)],
    })
    name = "manifest.json" if top else hashlib.sha256(manifest).hexdigest() + ".manifest.json"
    platform = {"architecture": meta["architecture"], "os": meta["os"]}
    if meta.get("variant"):
        platform["variant"] = meta["variant"]
    return dict(layout.put(manifest, MANIFEST, name), platform=platform)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dist", required=True, help="folder with ddns-gateway-ARCH.tar")
    p.add_argument("--out", required=True, help="folder to write multi/ and armv5/ into")
    a = p.parse_args()

    archive = lambda arch: os.path.join(a.dist, f"ddns-gateway-{arch}.tar")
    multi = DirLayout(os.path.join(a.out, "multi"))
    entries = [image(multi, archive(arch), top=False) for arch in MULTI]
    listed = multi.put(compact({"schemaVersion": 2, "mediaType": LIST, "manifests": entries}), LIST,
                       "manifest.json")
    single = image(DirLayout(os.path.join(a.out, "armv5")), archive("armv5"), top=True)
    print("multi", listed["digest"])
    print("armv5", single["digest"])


if __name__ == "__main__":
    main()
