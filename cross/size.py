#!/usr/bin/env python3
"""Where the bytes of a binary go: `make size` runs this on an unstripped aarch64 build
(cross/build.sh's flags, symbols kept) and prints one table, so nobody has to redo the study.

Symbols (`nm -S`, demangled) are grouped by the crate that defines them: a Rust path's first
segment (the type's crate for `<T as Trait>` impls), ring's C and assembly by its
`ring_core_` prefix, any other C symbol as musl libc. Unwind tables are their sections;
what no symbol covers (string literals, constants, tables merged by the linker) is
"unattributed". The stripped size is the file as shipped.
"""

import collections
import re
import subprocess
import sys

# First path segment → the row it counts in.
GROUPS = {
    "core": "core/alloc/std", "alloc": "core/alloc/std", "std": "core/alloc/std",
    "compiler_builtins": "core/alloc/std", "panic_abort": "core/alloc/std",
    "webpki": "webpki", "rustls_webpki": "webpki", "webpki_roots": "webpki",
    "tokio_rustls": "rustls", "rustls_pki_types": "rustls",
    "serde": "serde/serde_json", "serde_json": "serde/serde_json", "serde_core": "serde/serde_json",
    "toml": "toml", "toml_parser": "toml", "toml_datetime": "toml", "winnow": "toml",
    "sha1": "hashes (sha1/sha2/hmac)", "sha2": "hashes (sha1/sha2/hmac)",
    "hmac": "hashes (sha1/sha2/hmac)", "digest": "hashes (sha1/sha2/hmac)",
    "block_buffer": "hashes (sha1/sha2/hmac)", "cpufeatures": "hashes (sha1/sha2/hmac)",
}


def crate_of(name):
    if name.startswith(("ring_core_", "GFp_", "ecp_nistz256", "aes_", "gcm_", "chacha20_", "ChaCha20",
                        "x25519_", "bn_", "sha256_block", "sha512_block", "LIMBS_", "p256_", "p384_")):
        return "ring"
    name = name.lstrip("<&*( ").removeprefix("dyn ").removeprefix("mut ")
    m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)::", name)
    if not m:
        return "musl libc (C)"
    first = m.group(1)
    return GROUPS.get(first, first)


def main():
    path, stripped = sys.argv[1], int(sys.argv[2])
    syms = subprocess.run(["nm", "-C", "-S", "--size-sort", path], check=True, capture_output=True, text=True)
    sizes = collections.Counter()
    for line in syms.stdout.splitlines():
        parts = line.split(" ", 3)
        if len(parts) == 4 and parts[2].lower() in "tdrbvw":
            sizes[crate_of(parts[3])] += int(parts[1], 16)
    sections = subprocess.run(["readelf", "-SW", path], check=True, capture_output=True, text=True)
    loaded = unwind = 0
    for line in sections.stdout.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+([0-9a-f]+)\s+\S+\s+(\S*)", line)
        if not m or "A" not in m.group(4) or m.group(2) == "NOBITS":
            continue
        size = int(m.group(3), 16)
        if m.group(1).startswith(".eh_frame"):
            unwind += size
        else:
            loaded += size
    rows = sizes.most_common()
    rows.append(("unwind tables (.eh_frame, .eh_frame_hdr)", unwind))
    rows.append(("unattributed (constants, strings, tables, headers)", max(0, loaded - sum(sizes.values()))))
    width = max(len(r[0]) for r in rows)
    print(f"{'part':<{width}}  {'bytes':>9}")
    for name, size in sorted(rows, key=lambda r: -r[1]):
        if size >= 1024:
            print(f"{name:<{width}}  {size:>9,}")
    small = sum(s for _, s in rows if s < 1024)
    print(f"{'(parts under 1 KiB)':<{width}}  {small:>9,}")
    print(f"{'stripped binary, as shipped':<{width}}  {stripped:>9,}")


if __name__ == "__main__":
    main()
