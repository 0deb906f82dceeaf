"""Run a snippet as a separate Python program, from a notebook, and show what it printed.

Why lessons need this: a notebook cell always runs inside the kernel's event loop, so the
behaviour of a *script* (``asyncio.run``, ``get_event_loop()`` with no loop, warnings at
exit, ``run_forever``) cannot be shown in a cell. A fresh interpreter, the one running the
kernel, shows it exactly as ``python script.py`` would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

__all__ = ["run_script", "newest_python"]


def newest_python(minimum: tuple[int, int], newest: tuple[int, int] = (3, 15)) -> str | None:
    """The newest ``python3.X`` on PATH with ``minimum <= (3, X) <= newest``, or None.

    Why: a lesson teaches what 3.14 and 3.15 add even when its kernel runs 3.11 to 3.13; when
    the machine also has a newer interpreter, the lesson runs that part there instead of
    only quoting recorded output."""
    for minor in range(newest[1], minimum[1] - 1, -1):
        found = shutil.which(f"python3.{minor}")
        if found:
            return found
    return None


def _version_of(python: str) -> str:
    done = subprocess.run([python, "-c", "import sys; print(*sys.version_info[:3], sep='.')"],
                          capture_output=True, text=True, timeout=60)
    return done.stdout.strip() or "unknown version"


def run_script(source: str, *python_options: str, args: tuple[str, ...] = (),
               timeout: float = 60.0, quiet: bool = False, python: str | None = None) -> str:
    """Run ``source`` with this interpreter (or ``python``, e.g. from :func:`newest_python`)
    as ``python [options] -c source [args]``.

    stdout and stderr are merged in the order they were written (``-u``: unbuffered) and
    printed under a header naming the Python version, unless ``quiet``. Returns that text,
    so a test can check it. ``python_options`` are interpreter flags such as
    ``"-W", "default"`` or ``"-X", "dev"``.
    """
    # Plain text: the kernel sets FORCE_COLOR, which makes 3.13+ colour its tracebacks.
    env = {**os.environ, "PYTHON_COLORS": "0"}
    done = subprocess.run(
        [python or sys.executable, "-u", *python_options, "-c", textwrap.dedent(source), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=env)
    output = done.stdout
    if done.returncode:
        output += f"[exit status {done.returncode}]\n"
    if not quiet:
        version = _version_of(python) if python else ".".join(map(str, sys.version_info[:3]))
        command = " ".join(["python", *python_options, "script.py", *args])
        print(f"--- {command}  (Python {version}) ---")
        print(output, end="" if output.endswith("\n") or not output else "\n")
    return output
