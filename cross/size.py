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
    "toml": "toml", "toml_parser": "toml", "serde_spanned": "toml",
    "signal_hook_registry": "tokio", "mio": "tokio", "toml_datetime": "toml", "winnow": "toml",
}


# ring's C and assembly: prefixed `ring_core_…`, except some assembly and static tables.
RING_C = re.compile(r"^_*(ring_core_|GFp_|ecp_nistz|nistz|ChaCha20|chacha20|aes_|vpaes|_vpaes|gcm_|"
                    r"x25519|fe_|ge_|k25519|bn_|LIMBS_|LIMB_|sha1_block|sha256_block|sha512_block|"
                    r"poly1305|fiat_|p256_|p384_|table_select|CRYPTO_|OPENSSL_)")


def crate_of(name):
    if RING_C.match(name):
        return "ring"
    # The first crate named, preferring one that is not the standard library: for
    # `<u16 as core::convert::From<rustls::…>>::from` that is rustls.
    crates = re.findall(r"(?:^|[<\s(&*,\[])([A-Za-z_][A-Za-z0-9_]*)::", name)
    if not crates:
        return "musl libc (C)"
    own = [c for c in crates if GROUPS.get(c, c) != "core/alloc/std"]
    first = (own or crates)[0]
    return GROUPS.get(first, first)


def module_of(name):
    """Our own symbols by module: `providers::huaweicloud` (its signer counted with it), `api`, ..."""
    m = re.search(r"ddns_gateway::([a-z0-9_]+)(?:::([a-z0-9_]+))?", name)
    if not m:
        return "(crate root)"
    if m.group(1) == "providers" and m.group(2) and m.group(2)[0].islower():
        return "providers::" + m.group(2).removesuffix("_sign")
    return m.group(1)


def main():
    path, stripped = sys.argv[1], int(sys.argv[2])
    syms = subprocess.run(["nm", "-C", "-S", "--size-sort", path], check=True, capture_output=True, text=True)
    sizes = collections.Counter()
    ours = collections.Counter()
    seen = set()
    for line in syms.stdout.splitlines():
        parts = line.split(" ", 3)
        # Aliases (musl's weak `pthread_create` for `__pthread_create`) share an address.
        if len(parts) == 4 and parts[2].lower() in "tdrbvw" and parts[0] not in seen:
            seen.add(parts[0])
            crate = crate_of(parts[3])
            sizes[crate] += int(parts[1], 16)
            if crate == "ddns_gateway":
                ours[module_of(parts[3])] += int(parts[1], 16)
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
    # Our crate by module, so each provider's cost shows (symbols only: what the optimiser
    # inlined elsewhere, and generic code instantiated in another crate, count there).
    print()
    width = max([len(k) for k in ours] + [len("ddns_gateway, by module")])
    print(f"{'ddns_gateway, by module':<{width}}  {'bytes':>9}")
    for name, size in ours.most_common():
        print(f"{name:<{width}}  {size:>9,}")


if __name__ == "__main__":
    main()
