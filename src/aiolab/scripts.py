"""Run a snippet as a separate Python program, from a notebook, and show what it printed.

Why lessons need this: a notebook cell always runs inside the kernel's event loop, so the
behaviour of a *script* (``asyncio.run``, ``get_event_loop()`` with no loop, warnings at
exit, ``run_forever``) cannot be shown in a cell. A fresh interpreter, the one running the
kernel, shows it exactly as ``python script.py`` would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

__all__ = ["run_script"]


def run_script(source: str, *python_options: str, args: tuple[str, ...] = (),
               timeout: float = 60.0, quiet: bool = False) -> str:
    """Run ``source`` with this interpreter as ``python [options] -c source [args]``.

    stdout and stderr are merged in the order they were written (``-u``: unbuffered) and
    printed under a header naming the Python version, unless ``quiet``. Returns that text,
    so a test can check it. ``python_options`` are interpreter flags such as
    ``"-W", "default"`` or ``"-X", "dev"``.
    """
    # Plain text: the kernel sets FORCE_COLOR, which makes 3.13+ colour its tracebacks.
    env = {**os.environ, "PYTHON_COLORS": "0"}
    done = subprocess.run(
        [sys.executable, "-u", *python_options, "-c", textwrap.dedent(source), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=env)
    output = done.stdout
    if done.returncode:
        output += f"[exit status {done.returncode}]\n"
    if not quiet:
        version = ".".join(map(str, sys.version_info[:3]))
        command = " ".join(["python", *python_options, "script.py", *args])
        print(f"--- {command}  (Python {version}) ---")
        print(output, end="" if output.endswith("\n") or not output else "\n")
    return output
