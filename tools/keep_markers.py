"""`make lock`'s last step: a fresh `pip freeze` becomes constraints.txt, keeping the pins
that environment markers hold for other interpreters.

`pip freeze` runs on one interpreter, so it knows only the versions for that one. Some
packages need another version elsewhere (numpy 2.4.6 has no wheels for Python 3.15), pinned
by marker: ``numpy==2.4.6; python_version < "3.15"`` and ``numpy==2.5.5; python_version >=
"3.15"``. For such a package the frozen version replaces the line whose marker holds for
this interpreter; the other lines stay as written (they are kept by hand, checked by
tests/test_environment.py).

Usage: pip freeze | python tools/keep_markers.py constraints.txt > constraints.new
"""

from __future__ import annotations

import re
import sys

from packaging.requirements import Requirement

HEADER_LINES = 3


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def merge(old: list[str], frozen: list[str]) -> list[str]:
    """The new constraints: ``old``'s header, then ``frozen`` with ``old``'s marker lines kept."""
    marked: dict[str, list[Requirement]] = {}
    for line in old[HEADER_LINES:]:
        if ";" in line and not line.lstrip().startswith("#"):
            req = Requirement(line)
            marked.setdefault(canonical(req.name), []).append(req)
    out = list(old[:HEADER_LINES])
    for line in frozen:
        name, sep, version = line.partition("==")
        if not sep or canonical(name) not in marked:
            out.append(line)
            continue
        for req in marked[canonical(name)]:
            out.append(f"{name}=={version}; {req.marker}" if req.marker.evaluate() else str(req))
    return out


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        old = f.read().splitlines()
    print("\n".join(merge(old, sys.stdin.read().splitlines())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
