"""Running rungs: one fresh child interpreter per rung, its JSON typed at the boundary.

Each rung runs in its own ``python -I`` process (:mod:`.child`, started by its file path),
one after another, never side by side: rungs running together would compete for the CPU
and for memory, and each one's peak RSS would no longer be its own. A child that hangs is
given up on after a generous timeout (:func:`.rungs.timeout_for`) rather than blocking a
lesson for good. Whether a rung *can* run (eager tasks need 3.12, uvloop must be installed)
is asked of the same interpreter the child will use, so ``python=`` can point elsewhere.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import child
from .go import build_go, go_available, run_go
from .report import format_result
from .results import Ladder, Machine, RungResult, ScalePoint, compare_to_plain
from .rungs import GO_KEYS, RUNGS, Rung, pool_plan, rung_by_key, timeout_for

__all__ = ["run_rung", "run_ladder", "scale"]

#: The child program, run by its path (see :mod:`.child` for why not as a module).
CHILD = Path(child.__file__).resolve()

_PROBE = """\
import sys, asyncio
need_eager, need_uvloop = sys.argv[1] == '1', sys.argv[2] == '1'
if need_eager and not hasattr(asyncio, 'eager_task_factory'):
    print('needs Python 3.12+ (asyncio.eager_task_factory); this is '
          + '.'.join(map(str, sys.version_info[:3])))
elif need_uvloop:
    try:
        import uvloop
    except ImportError:
        print('uvloop is not installed')
"""


def _skip_reason(rung: Rung, python: str | None) -> str | None:
    """Why ``rung`` cannot run with the interpreter ``python`` (None: it can)."""
    eager = bool(rung.options.get("eager"))
    uvloop = rung.options.get("loop") == "uvloop"
    if not (eager or uvloop):
        return None
    out = subprocess.run([python or sys.executable, "-I", "-c", _PROBE,
                          "1" if eager else "0", "1" if uvloop else "0"],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip() or None


def _spawn(spec: dict[str, Any], python: str | None, timeout: float) -> dict[str, Any]:
    """Run the child with ``spec``; return its raw measurements (the JSON after the mark)."""
    cmd = [python or sys.executable, "-I", str(CHILD), json.dumps(spec)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(child.MARK):
            raw: dict[str, Any] = json.loads(line[len(child.MARK):])
            return raw
    tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
    raise RuntimeError(f"benchmark child {spec['kind']!r} failed (exit {done.returncode}): "
                       + " | ".join(tail))


def run_rung(key: str, n: int, delay: float = 1.0, *, python: str | None = None,
             thread_cap: int = 10_000, thread_delay: float | None = None,
             trace_n: int = 20_000, timeout: float | None = None,
             go_build_dir: Path | str | None = None,
             go_binary: Path | str | None = None) -> RungResult:
    """Run one rung (a key of :data:`.RUNGS` or :data:`.GO_RUNGS`) in a fresh process.

    A rung that cannot run here (eager tasks on 3.11, uvloop missing) comes back with
    ``skipped`` set to the reason. ``python`` picks another interpreter for the child (it
    needs psutil, and uvloop for the uvloop rungs). The threads rung starts at most
    ``thread_cap`` threads, each sleeping ``thread_delay`` (default: ``delay``; give it a
    longer wait than it takes to start them all, or not all are alive at once).
    ``go_build_dir``: where a Go rung builds its program (see :func:`.go.build_go`), unless
    ``go_binary`` names one already built. Without ``go``, a Go rung comes back skipped.
    """
    rung = rung_by_key(key)
    if rung.kind == "go":
        return run_go(n, delay, mode=rung.options["mode"], binary=go_binary,
                      build_dir=go_build_dir, timeout=timeout)
    reason = _skip_reason(rung, python)
    if reason:
        return RungResult.skip(rung, n, delay, reason)
    spec: dict[str, Any] = {"kind": rung.kind, "n": n, "delay": delay, **rung.options}
    if rung.kind == "tasks":
        spec["trace_n"] = trace_n
    elif rung.kind == "pool":
        spec["workers"], spec["job_delay"] = pool_plan(n, delay, rung.options["rounds"])
    elif rung.kind == "threads":
        spec["n"] = min(n, thread_cap)
        spec["delay"] = delay if thread_delay is None else thread_delay
    raw = _spawn(spec, python, timeout or timeout_for(n, delay))
    return RungResult.from_measurement(rung, n, delay, raw)


def run_ladder(n: int, delay: float = 1.0, *, rungs: Iterable[str] | None = None,
               go: bool | None = None, thread_cap: int = 10_000,
               thread_delay: float | None = None, trace_n: int = 20_000,
               python: str | None = None, go_build_dir: Path | str | None = None,
               progress: Callable[[str], None] | None = None) -> Ladder:
    """Run every rung at N = ``n`` (threads: at most ``thread_cap``, each sleeping
    ``thread_delay``, default ``delay``), one after another.

    ``go``: True adds the Go rungs (:data:`.GO_RUNGS`: a timer each, one shared timer, a
    worker pool), building the Go program once into ``go_build_dir`` (default a per-user
    cache folder); False adds none; None (default) adds them too, and when ``go`` is not
    installed they come back skipped, saying how to install it. Go rungs named in
    ``rungs`` run whatever ``go`` says. ``progress`` is called with a line per rung as it
    ends (``print`` shows the ladder climbing). Returns a :class:`.Ladder`: the run's
    settings, one result per rung in order with its ratios to plain, the best rung, and
    Python against Go (:attr:`.Ladder.versus`).
    """
    keys = list(rungs) if rungs is not None else [r.key for r in RUNGS]
    if go is not False:
        keys += [k for k in GO_KEYS if k not in keys]
    t0 = time.perf_counter()
    go_binary = None
    if any(k in GO_KEYS for k in keys) and go_available() is not None:
        go_binary = build_go(go_build_dir)       # once for all the Go rungs
    results = []
    for key in keys:
        res = run_rung(key, n, delay, python=python, thread_cap=thread_cap,
                       thread_delay=thread_delay, trace_n=trace_n, go_build_dir=go_build_dir,
                       go_binary=go_binary)
        results.append(res)
        if progress is not None:
            progress(format_result(res))
    rated, best = compare_to_plain(results)
    return Ladder(n=n, delay=delay, python=_python_version(python),
                  machine=Machine(platform=platform.platform(), cpus=os.cpu_count()),
                  thread_cap=thread_cap,
                  thread_delay=delay if thread_delay is None else thread_delay,
                  trace_n=trace_n, rungs=rated, best=best,
                  total_s=time.perf_counter() - t0)


def _python_version(python: str | None) -> str:
    if python is None:
        return platform.python_version()
    out = subprocess.run([python, "-I", "-c", "import platform; print(platform.python_version())"],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def scale(ns: Iterable[int], delay: float = 1.0, *, rung: str = "plain",
          trace_n: int = 20_000, python: str | None = None,
          progress: Callable[[str], None] | None = None) -> list[ScalePoint]:
    """Run one rung at each N in ``ns`` (each in a fresh interpreter): how cost grows.

    A rung that cannot run here raises ValueError: a curve of skips says nothing.
    """
    points = []
    for n in ns:
        res = run_rung(rung, int(n), delay, python=python, trace_n=trace_n)
        if progress is not None:
            progress(format_result(res))
        points.append(ScalePoint.from_result(res))
    return points
