#!/usr/bin/env python3
"""Regenerate cdefs.tsv (the C constants dsock-lint knows without a checkout).

Usage: python3 lint/data/gen_cdefs.py EMSCRIPTEN/src/struct_info_generated.json > lint/data/cdefs.tsv

Run it on a checkout with the series applied, so the names its NFC struct_info commit
adds are included. Only the socket, errno, fcntl and poll families are kept: those are
the ones the DS001/DS002/DS003 rules reason about.
"""
import json
import re
import sys

FAMILIES = re.compile(
    r"^(AF_|PF_|SOCK_|SOL_|SO_|IPPROTO_|IP_|IPV6_|TCP_|MSG_|SHUT_|POLL|EPOLL|E[A-Z0-9]+$|F_|O_|"
    r"FIO|SIOC|S_IF|INADDR_|AI_|EAI_|NI_|SOMAXCONN)"
)

HEADER = """\
# C constants `{{{ cDefs.NAME }}}` can name, used by dsock-lint when no Emscripten checkout
# is configured (with a checkout, its src/struct_info_generated.json is read instead).
# Values are Emscripten's: errno uses WASI numbering (EAGAIN=6), sockets follow musl.
# Source: struct_info_generated.json at base a04d0be plus the names the series' NFC
# struct_info commit adds. Regenerate with lint/data/gen_cdefs.py.
"""


def main() -> None:
    defines = json.load(open(sys.argv[1]))["defines"]
    sys.stdout.write(HEADER)
    for name in sorted(defines):
        if FAMILIES.match(name):
            sys.stdout.write(f"{name}\t{defines[name]}\n")


if __name__ == "__main__":
    main()
