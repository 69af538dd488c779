#!/usr/bin/env python3
"""Writes routeros/setup.rsc from setup.rsc.in, with the update script ddns.rsc embedded.

`make routeros` runs this. The part of ddns.rsc after its "# --- end of settings ---" line
becomes one `:set body ($body . "...")` line per source line (RouterOS string escapes),
so the setup can write the script with the user's settings in front of it. A test
(tests/routeros.rs) reads the embedded lines back and compares them with ddns.rsc.
"""
import pathlib
import sys

here = pathlib.Path(__file__).resolve().parent
MARK_END = "# --- end of settings ---\n"


def escape(line: str) -> str:
    out = []
    for c in line:
        if c in '\\"$?':
            out.append("\\" + c)
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) > 0x7E:
            sys.exit(f"ddns.rsc: keep the script ASCII (found {c!r})")
        else:
            out.append(c)
    return "".join(out)


def main() -> None:
    script = (here / "ddns.rsc").read_text()
    body = script[script.index(MARK_END) + len(MARK_END):]
    lines = [f':set body ($body . "{escape(line)}\\n")' for line in body.splitlines()]
    template = (here / "setup.rsc.in").read_text()
    marker = "# @embed ddns.rsc\n"
    if template.count(marker) != 1:
        sys.exit("setup.rsc.in: expected one '# @embed ddns.rsc' line")
    header = "# Generated from routeros/setup.rsc.in and routeros/ddns.rsc by `make routeros` (developers: edit those).\n"
    out = header + template.replace(marker, "\n".join(lines) + "\n")
    (here / "setup.rsc").write_text(out)


if __name__ == "__main__":
    main()
