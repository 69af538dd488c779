#!/usr/bin/env bash
# Installs what cross builds need, pinned (versions.env), into places this script owns:
# zig, cargo-zigbuild and zopfli in cross/.venv (PyPI), the pinned nightly with rust-src (rustup).
# Idempotent: a second run only checks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
. "$here/versions.env"

venv="$here/.venv"
if ! "$venv/bin/cargo-zigbuild" --version 2>/dev/null | grep -q "$CARGO_ZIGBUILD_VERSION" \
    || ! "$venv/bin/python" -m ziglang version 2>/dev/null | grep -q "^$ZIG_VERSION" \
    || ! "$venv/bin/python" -c "import zopfli" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "ziglang==$ZIG_VERSION" "cargo-zigbuild==$CARGO_ZIGBUILD_VERSION" \
        "zopfli==$ZOPFLI_VERSION"
fi

if ! rustup run "$NIGHTLY" rustc --version >/dev/null 2>&1 \
    || ! rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null | grep -q '^rust-src'; then
    rustup toolchain install "$NIGHTLY" --profile minimal --component rust-src
fi
echo "cross tools ready: zig $("$venv/bin/python" -m ziglang version), $("$venv/bin/cargo-zigbuild" --version), $(rustup run "$NIGHTLY" rustc --version)"
