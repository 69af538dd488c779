#!/usr/bin/env python3
"""Writes a RouterOS-ready container image without Docker: a single-platform `docker save`
archive (manifest.json, repositories, the image config with the binary's own health check,
one uncompressed layer holding the static binary as /ddns-gateway). Every byte is fixed by
the inputs: sorted entries, owner 0:0, mtimes from SOURCE_DATE_EPOCH, so the same binary
always gives the same archive."""

import argparse
import hashlib
import io
import json
import tarfile
import time

SECOND = 1_000_000_000  # a Docker duration: nanoseconds


def entry(tar, name, data, mode, mtime):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = mtime
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


def directory(tar, name, mtime):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = mtime
    info.uid = info.gid = 0
    tar.addfile(info)


def compact(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--binary", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--arch", required=True, help="arm64, arm or amd64")
    p.add_argument("--variant", default="", help="v7 or v5 for arm")
    p.add_argument("--version", required=True)
    p.add_argument("--epoch", type=int, default=0)
    a = p.parse_args()

    with open(a.binary, "rb") as f:
        binary = f.read()
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(a.epoch))

    layer_buf = io.BytesIO()
    with tarfile.open(fileobj=layer_buf, mode="w", format=tarfile.USTAR_FORMAT) as layer:
        entry(layer, "ddns-gateway", binary, 0o755, a.epoch)
    layer_bytes = layer_buf.getvalue()
    diff_id = hashlib.sha256(layer_bytes).hexdigest()

    config = {
        "architecture": a.arch,
        "os": "linux",
        "created": created,
        "config": {
            "Entrypoint": ["/ddns-gateway"],
            "Cmd": [],
            "Env": [
                "PATH=/",
                # Listen on every interface of the container's veth.
                "DDNS_GATEWAY_SERVER_HOST=0.0.0.0",
                "DDNS_GATEWAY_SERVER_PORT=38080",
            ],
            "ExposedPorts": {"38080/tcp": {}},
            "WorkingDir": "/",
            "StopSignal": "SIGTERM",
            # The image has no shell: the binary is its own probe (exec form, "CMD").
            # Docker stores the durations in nanoseconds; the probe gives up after 2 s.
            "Healthcheck": {
                "Test": ["CMD", "/ddns-gateway", "--healthcheck"],
                "Interval": 60 * SECOND,
                "Timeout": 5 * SECOND,
                "StartPeriod": 10 * SECOND,
                "Retries": 3,
            },
            "Labels": {
                "org.opencontainers.image.title": "ddns-gateway",
                "org.opencontainers.image.version": a.version,
                "org.opencontainers.image.licenses": "MIT",
            },
        },
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
        "history": [{"created": created, "created_by": "cross/image.py"}],
    }
    if a.variant:
        config["variant"] = a.variant
    config_bytes = compact(config)
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"

    # The legacy per-layer files `docker save` writes; older importers look for them.
    layer_id = diff_id
    v1 = {"id": layer_id, "created": created, "os": "linux", "architecture": a.arch,
          "config": config["config"]}
    manifest = [{"Config": config_name, "RepoTags": ["ddns-gateway:latest"],
                 "Layers": [layer_id + "/layer.tar"]}]
    repositories = {"ddns-gateway": {"latest": layer_id}}

    with tarfile.open(a.out, mode="w", format=tarfile.USTAR_FORMAT) as out:
        directory(out, layer_id, a.epoch)
        entry(out, layer_id + "/VERSION", b"1.0", 0o644, a.epoch)
        entry(out, layer_id + "/json", compact(v1), 0o644, a.epoch)
        entry(out, layer_id + "/layer.tar", layer_bytes, 0o644, a.epoch)
        entry(out, config_name, config_bytes, 0o644, a.epoch)
        entry(out, "manifest.json", compact(manifest), 0o644, a.epoch)
        entry(out, "repositories", compact(repositories), 0o644, a.epoch)


if __name__ == "__main__":
    main()
