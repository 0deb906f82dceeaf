"""A million concurrent waits, measured: the benchmark ladder of lesson 10 and ``make bench``.

The workload is the one the course's study notes promise in their title: N tasks that each
wait ``delay`` seconds (``await asyncio.sleep(delay)``), started together and gathered. Each
*rung* of the ladder runs the same waits a cheaper way, or trades something away to need
less; they are measured side by side in one run, and each rung's cost per task is compared
with the plain rung's::

    from aiolab import bench

    ladder = bench.run_ladder(100_000, delay=1.0)
    print(bench.format_table(ladder))
    bench.plot_ladder(ladder)            # a Figure: time and memory per task, per rung

The rungs (:data:`RUNGS`, in order):

``plain``    ``create_task`` + ``gather``; every task awaits ``asyncio.sleep(delay)``.
``gc``       the same, with the cycle collector paused while the tasks are created and
             started, then ``gc.freeze()`` so later collections skip them.
``eager``    ``gc`` + ``asyncio.eager_task_factory`` (Python 3.12+; skipped on 3.11).
``uvloop``   ``gc`` + uvloop's event loop (libuv underneath).
``shared``   ``uvloop`` + one shared timer: all tasks await one Future that a single
             ``loop.call_later`` completes, instead of a timer per task.
``pool``     not N concurrent waits but N jobs through K worker tasks fed by an
             ``asyncio.Queue``: the jobs are shortened so that the ideal makespan is still
             ``delay`` (K = N / 100 workers, jobs of ``delay / 100``), so the per-job cost
             is comparable while only K tasks ever exist.
``threads``  for contrast: one OS thread per wait (``time.sleep``), capped at a safe count.
``go``       optional: ``benchmarks/go`` (a goroutine per wait) when ``go`` is installed.

How it measures, and why:

* **Every rung runs in a fresh interpreter** (this file run as a script, ``python -I``), so
  one rung's garbage, allocator arenas and imports never land on another's bill, and the
  peak resident set size (``VmHWM`` on Linux) is that rung's own.
* **Time** is wall-clock (``perf_counter``) from the first ``create_task`` to the end of
  ``gather``. The *cost per task* is that time minus the ideal wait, divided by N: what
  the machinery added on top of the waiting itself.
* **Memory** is the peak RSS minus the RSS just before the tasks were created (psutil),
  divided by N. A second, separate measure counts only Python's own allocations
  (``tracemalloc``) for a smaller batch of the same tasks, after the timed run: tracing
  slows allocation down several times, so it never runs while the clock does.
* Threads get the same measures. Each thread starts sleeping as soon as it starts, so if
  starting them all takes longer than the wait, the first ones end before the last begin:
  the rung reports how many were alive at once, and divides the memory by that. Their
  stacks are *reserved* at full size (8 MiB of address space by default on Linux) but
  only the pages a thread touches are resident, which is what RSS counts.

Timings depend on the machine and its load; ratios measured in one run are what to read.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "RUNGS", "Rung", "GO_DIR", "PUBLISHED_GO", "run_rung", "run_ladder", "scale",
    "format_table", "format_result", "plot_ladder", "plot_scaling", "go_available",
    "build_go", "run_go", "save_json", "save_png",
]

#: The repository's ``benchmarks/go`` folder (exists in a source checkout).
ROOT = Path(__file__).resolve().parents[2]
GO_DIR = ROOT / "benchmarks" / "go"
#: Marks the child's result line on its stdout.
_MARK = "AIOLAB-BENCH "

#: What Go's own sources and release notes say a goroutine costs, for when Go is not
#: installed. These are documented facts, not measurements made here.
PUBLISHED_GO = [
    ("Minimum goroutine stack: 2,048 bytes (`_StackMin = 2048`, \"the minimum size of stack "
     "used by Go code\")", "https://github.com/golang/go/blob/go1.19/src/runtime/stack.go"),
    ("Go 1.4 cut a new goroutine's starting stack from 8 KB to 2 KB (stacks became "
     "contiguous and grow by copying)", "https://go.dev/doc/go1.4#runtime"),
    ("Go 1.19 may start goroutines with a larger stack, based on the average stack use "
     "seen so far", "https://go.dev/doc/go1.19#runtime"),
]


@dataclass(frozen=True)
class Rung:
    """One way of running N concurrent waits."""

    key: str
    title: str
    kind: str                    # "tasks", "pool", "threads" or "go"
    about: str
    options: dict[str, Any] = field(default_factory=dict)
    #: Same workload as ``plain`` (N waits of ``delay`` at once): its wall time compares
    #: directly. The others do something else on purpose (fewer threads, a pool).
    same_workload: bool = True


RUNGS: list[Rung] = [
    Rung("plain", "plain", "tasks",
         "create_task + gather; each task awaits asyncio.sleep(delay)"),
    Rung("gc", "+ GC paused", "tasks",
         "GC paused while creating and starting the tasks, then gc.freeze()",
         {"gc": True}),
    Rung("eager", "+ eager tasks", "tasks",
         "GC paused + asyncio.eager_task_factory (3.12+)",
         {"gc": True, "eager": True}),
    Rung("uvloop", "+ uvloop", "tasks",
         "GC paused + uvloop's event loop",
         {"gc": True, "loop": "uvloop"}),
    Rung("shared", "+ one shared timer", "tasks",
         "GC paused + uvloop; every task awaits one Future, completed by one call_later",
         {"gc": True, "loop": "uvloop", "shared": True}),
    Rung("pool", "worker pool", "pool",
         "N jobs of delay/100 through N/100 worker tasks and a Queue (same ideal makespan)",
         {"rounds": 100}, same_workload=False),
    Rung("threads", "threads", "threads",
         "one OS thread per wait (time.sleep), capped", same_workload=False),
]
_BY_KEY = {r.key: r for r in RUNGS}
GO_RUNG = Rung("go", "Go goroutines", "go",
               "benchmarks/go: one goroutine per wait (time.Sleep), sync.WaitGroup")


# =========================================================================================
# The child: runs one rung in a fresh interpreter and prints its measurements as JSON.
# Only the standard library (plus psutil and uvloop when asked) is imported here.
# =========================================================================================

def _rss() -> int:
    """Resident set size of this process, in bytes."""
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:  # pragma: no cover - psutil is in the course's requirements
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss() -> int:
    """Peak resident set size of this process so far, in bytes.

    On Linux this is ``VmHWM`` from /proc/self/status: the high-water mark of this
    program's own memory, which starts afresh at ``exec``. ``getrusage().ru_maxrss`` does
    not: Linux carries it over from the parent, so a child of a 100 MB Jupyter kernel would
    report at least 100 MB. Elsewhere (macOS) ru_maxrss is what there is.
    """
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024          # "VmHWM:   12345 kB"
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)  # macOS: bytes; Linux: KiB


def _gc_collections() -> tuple[int, int]:
    """Collections so far: of any generation, and full ones (of the oldest generation,
    the ones that examine every tracked object)."""
    stats = gc.get_stats()
    return sum(s["collections"] for s in stats), stats[-1]["collections"]


async def _sleeper(delay: float) -> None:
    await asyncio.sleep(delay)


async def _waiter(wake: asyncio.Future[None]) -> None:
    await wake


async def _start_tasks(n: int, delay: float, shared: bool
                       ) -> tuple[list[asyncio.Task[None]], asyncio.Future[None] | None]:
    loop = asyncio.get_running_loop()
    if shared:
        wake: asyncio.Future[None] | None = loop.create_future()
        tasks = [asyncio.create_task(_waiter(wake)) for _ in range(n)]  # type: ignore[arg-type]
    else:
        wake = None
        tasks = [asyncio.create_task(_sleeper(delay)) for _ in range(n)]
    return tasks, wake


async def _run_tasks(spec: dict[str, Any]) -> dict[str, Any]:
    n, delay = spec["n"], spec["delay"]
    pause_gc, shared = spec.get("gc", False), spec.get("shared", False)
    loop = asyncio.get_running_loop()
    if spec.get("eager"):
        loop.set_task_factory(asyncio.eager_task_factory)  # type: ignore[attr-defined]
    collections0 = _gc_collections()
    rss_before = _rss()
    t0 = time.perf_counter()
    if pause_gc:
        gc.disable()
    tasks, wake = await _start_tasks(n, delay, shared)
    t_created = time.perf_counter()
    # The tasks are scheduled ahead of us: after this, every one has reached its first
    # await (eager tasks got there inside create_task already).
    await asyncio.sleep(0)
    t_started = time.perf_counter()
    rss_alive = _rss()
    if wake is not None:
        # One timer for all of them, armed once they all wait: the same `delay` from the
        # moment they are ready as a per-task sleep gives.
        loop.call_later(delay, wake.set_result, None)
    if pause_gc:
        gc.freeze()      # everything alive now is skipped by later collections
        gc.enable()
    await asyncio.gather(*tasks)
    t_done = time.perf_counter()
    collections = _gc_collections()
    peak = _peak_rss()
    del tasks, wake
    if pause_gc:
        gc.unfreeze()
    result = {
        "units": n, "ideal_s": delay,
        "wall_s": t_done - t0, "create_s": t_created - t0, "start_s": t_started - t_created,
        "rss_before": rss_before, "rss_alive": rss_alive, "peak_rss": peak,
        "gc_collections": collections[0] - collections0[0],
        "gc_full_collections": collections[1] - collections0[1],
    }
    trace_n = min(n, spec.get("trace_n", 0))
    if trace_n:
        result["traced_bytes_per_task"] = await _traced_tasks(trace_n, delay, shared)
    return result


async def _traced_tasks(n: int, delay: float, shared: bool) -> float:
    """Bytes Python itself allocated per task (tracemalloc), for n tasks all waiting."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tasks, wake = await _start_tasks(n, delay, shared)
        await asyncio.sleep(0)
        alive = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    if wake is not None:
        wake.set_result(None)
    else:
        for t in tasks:
            t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return (alive - before) / n


async def _run_pool(spec: dict[str, Any]) -> dict[str, Any]:
    n, delay = spec["n"], spec["delay"]
    workers = spec["workers"]
    job_delay = spec["job_delay"]
    collections0 = _gc_collections()
    rss_before = _rss()
    t0 = time.perf_counter()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(n):
        queue.put_nowait(i)
    done = [False] * n

    async def worker() -> None:
        while True:
            try:
                job = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await asyncio.sleep(job_delay)       # the job: one wait
            done[job] = True

    tasks = [asyncio.create_task(worker()) for _ in range(workers)]
    t_created = time.perf_counter()
    await asyncio.sleep(0)
    t_started = time.perf_counter()
    rss_alive = _rss()
    await asyncio.gather(*tasks)
    t_done = time.perf_counter()
    assert all(done), "the pool left jobs undone"
    return {
        "units": n, "ideal_s": math.ceil(n / workers) * job_delay,
        "wall_s": t_done - t0, "create_s": t_created - t0, "start_s": t_started - t_created,
        "rss_before": rss_before, "rss_alive": rss_alive, "peak_rss": _peak_rss(),
        "gc_collections": _gc_collections()[0] - collections0[0],
        "gc_full_collections": _gc_collections()[1] - collections0[1],
        "workers": workers, "job_delay": job_delay,
    }


def _run_threads(spec: dict[str, Any]) -> dict[str, Any]:
    n, delay = spec["n"], spec["delay"]
    stack = spec.get("stack_size") or 0
    if stack:
        threading.stack_size(stack)
    import resource

    soft_stack = resource.getrlimit(resource.RLIMIT_STACK)[0]
    rss_before = _rss()
    threads: list[threading.Thread] = []
    error = None
    t0 = time.perf_counter()
    try:
        for _ in range(n):
            t = threading.Thread(target=time.sleep, args=(delay,), daemon=True)
            t.start()
            threads.append(t)
    except (RuntimeError, MemoryError) as err:   # "can't start new thread"
        error = f"{type(err).__name__}: {err}"
    t_started = time.perf_counter()
    # Each thread started sleeping as soon as it started; if starting them all took longer
    # than `delay`, the first ones have already ended. Count who is alive now, and divide
    # the memory by that. (A gate that holds every thread until the last one has started
    # would change what is measured: thousands of threads then wake at the same moment
    # and queue for the GIL, which takes far longer than the waits themselves.)
    alive = threading.active_count() - 1
    rss_alive = _rss()
    for t in threads:
        t.join()
    t_done = time.perf_counter()
    started = len(threads)
    return {
        "units": started, "ideal_s": delay,
        "wall_s": t_done - t0, "create_s": t_started - t0, "start_s": 0.0,
        "rss_before": rss_before, "rss_alive": rss_alive, "peak_rss": _peak_rss(),
        "alive": alive,
        # The stack each thread reserved: threading.stack_size() if set, else the
        # platform's default, which on Linux is the soft RLIMIT_STACK (`ulimit -s`).
        "stack_size": threading.stack_size() or None,
        "default_stack_limit": None if soft_stack == resource.RLIM_INFINITY else soft_stack,
        "error": error,
    }


def _child_main(argv: Sequence[str]) -> None:
    spec = json.loads(argv[0])
    kind = spec["kind"]
    if kind == "threads":
        result = _run_threads(spec)
    else:
        main = _run_pool if kind == "pool" else _run_tasks
        if spec.get("loop") == "uvloop":
            import uvloop

            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                result = runner.run(main(spec))
        else:
            result = asyncio.run(main(spec))
    result["python"] = platform.python_version()
    print(_MARK + json.dumps(result), flush=True)


# =========================================================================================
# The parent: runs the rungs, computes per-task figures and ratios, prints, plots, saves.
# =========================================================================================

def _skip_reason(rung: Rung, python: str | None) -> str | None:
    """Why ``rung`` cannot run with the interpreter ``python`` (None: it can)."""
    if rung.options.get("eager") or rung.options.get("loop") == "uvloop":
        probe = ("import sys, asyncio\n"
                 "need_eager, need_uvloop = sys.argv[1] == '1', sys.argv[2] == '1'\n"
                 "if need_eager and not hasattr(asyncio, 'eager_task_factory'):\n"
                 "    print('needs Python 3.12+ (asyncio.eager_task_factory); this is '\n"
                 "          + '.'.join(map(str, sys.version_info[:3])))\n"
                 "elif need_uvloop:\n"
                 "    try:\n"
                 "        import uvloop\n"
                 "    except ImportError:\n"
                 "        print('uvloop is not installed')\n")
        out = subprocess.run(
            [python or sys.executable, "-I", "-c", probe,
             "1" if rung.options.get("eager") else "0",
             "1" if rung.options.get("loop") == "uvloop" else "0"],
            capture_output=True, text=True, timeout=60)
        return out.stdout.strip() or None
    return None


def _timeout(n: int, delay: float) -> float:
    return 120.0 + delay * 10 + n * 300e-6   # generous: 1,000,000 tasks -> 7 minutes


def _spawn(spec: dict[str, Any], python: str | None, timeout: float) -> dict[str, Any]:
    cmd = [python or sys.executable, "-I", str(Path(__file__).resolve()), json.dumps(spec)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(_MARK):
            return json.loads(line[len(_MARK):])
    tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
    raise RuntimeError(f"benchmark child {spec['kind']!r} failed (exit {done.returncode}): "
                       + " | ".join(tail))


def _finish(rung: Rung, n: int, delay: float, raw: dict[str, Any]) -> dict[str, Any]:
    """Add the rung's identity and the per-task figures to a child's raw measurements."""
    units = raw["units"] or 1
    res = {"rung": rung.key, "title": rung.title, "about": rung.about, "kind": rung.kind,
           "same_workload": rung.same_workload, "n": n, "delay": delay, **raw}
    res["overhead_s"] = max(0.0, raw["wall_s"] - raw["ideal_s"])
    res["us_per_task"] = res["overhead_s"] / units * 1e6
    res["bytes_per_task"] = max(0, raw["peak_rss"] - raw["rss_before"]) / units
    if rung.kind == "threads" and raw.get("alive"):
        # Threads are not all alive at the peak if starting them took longer than the
        # wait: measure them at the end of starting, divided by those alive then.
        res["bytes_per_task"] = max(0, raw["rss_alive"] - raw["rss_before"]) / raw["alive"]
    res["alive_bytes_per_task"] = max(0, raw["rss_alive"] - raw["rss_before"]) / units
    return res


def run_rung(key: str, n: int, delay: float = 1.0, *, python: str | None = None,
             thread_cap: int = 10_000, thread_delay: float | None = None,
             trace_n: int = 20_000, timeout: float | None = None) -> dict[str, Any]:
    """Run one rung (a key of :data:`RUNGS`) in a fresh interpreter and return its figures.

    A rung that cannot run here (eager tasks on 3.11, uvloop missing) comes back as
    ``{"rung": key, "skipped": "<why>"}``. ``python`` picks another interpreter for the
    child (it needs psutil, and uvloop for the uvloop rungs). The threads rung starts at
    most ``thread_cap`` threads, each sleeping ``thread_delay`` (default: ``delay``; give
    it a longer wait than it takes to start them all, or not all are alive at once).
    """
    if key == "go":
        return run_go(n, delay)
    rung = _BY_KEY[key]
    base = {"rung": rung.key, "title": rung.title, "about": rung.about, "kind": rung.kind,
            "same_workload": rung.same_workload, "n": n, "delay": delay}
    reason = _skip_reason(rung, python)
    if reason:
        return {**base, "skipped": reason}
    spec: dict[str, Any] = {"kind": rung.kind, "n": n, "delay": delay, **rung.options}
    if rung.kind == "tasks":
        spec["trace_n"] = trace_n
    elif rung.kind == "pool":
        rounds = min(rung.options["rounds"], n)
        spec["workers"] = workers = max(1, math.ceil(n / rounds))
        spec["job_delay"] = delay / math.ceil(n / workers)
    elif rung.kind == "threads":
        spec["n"] = min(n, thread_cap)
        spec["delay"] = delay if thread_delay is None else thread_delay
    raw = _spawn(spec, python, timeout or _timeout(n, delay))
    return _finish(rung, n, delay, raw)


def run_ladder(n: int, delay: float = 1.0, *, rungs: Iterable[str] | None = None,
               go: bool | None = None, thread_cap: int = 10_000,
               thread_delay: float | None = None, trace_n: int = 20_000,
               python: str | None = None,
               progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every rung at N = ``n`` (threads: at most ``thread_cap``, each sleeping
    ``thread_delay``, default ``delay``), one after another.

    ``go``: True runs ``benchmarks/go`` (building it), False leaves it out, None (default)
    runs it when :func:`go_available`. ``progress`` is called with a line per rung as it
    ends (``print`` shows the ladder climbing). Returns a dict with the run's settings,
    ``"rungs"`` (one result per rung, in order, with ratios to plain) and ``"best"``.
    """
    keys = list(rungs) if rungs is not None else [r.key for r in RUNGS]
    if go is None:
        go = go_available() is not None
    if go and "go" not in keys:
        keys.append("go")
    results = []
    for key in keys:
        res = run_rung(key, n, delay, python=python, thread_cap=thread_cap,
                       thread_delay=thread_delay, trace_n=trace_n)
        results.append(res)
        if progress is not None:
            progress(format_result(res))
    ladder = {
        "n": n, "delay": delay, "python": _python_version(python),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "thread_cap": thread_cap, "thread_delay": delay if thread_delay is None else thread_delay,
        "trace_n": trace_n, "rungs": results,
    }
    _add_ratios(ladder)
    return ladder


def _python_version(python: str | None) -> str:
    if python is None:
        return platform.python_version()
    out = subprocess.run([python, "-I", "-c", "import platform; print(platform.python_version())"],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def _add_ratios(ladder: dict[str, Any]) -> None:
    """Each rung's time and memory per task as a ratio to plain's; the fastest rung that
    ran the same workload as plain, and its speed-up in wall time."""
    rows = [r for r in ladder["rungs"] if "skipped" not in r]
    plain = next((r for r in rows if r["rung"] == "plain"), None)
    for r in rows:
        if plain is None:
            r["time_ratio"] = r["memory_ratio"] = None
            continue
        r["time_ratio"] = (r["us_per_task"] / plain["us_per_task"]
                           if plain["us_per_task"] else None)
        r["memory_ratio"] = (r["bytes_per_task"] / plain["bytes_per_task"]
                             if plain["bytes_per_task"] else None)
    same = [r for r in rows if r["same_workload"] and r["kind"] == "tasks"]
    if plain is not None and same:
        best = min(same, key=lambda r: r["wall_s"])
        ladder["best"] = {"rung": best["rung"], "title": best["title"],
                          "wall_s": best["wall_s"], "plain_wall_s": plain["wall_s"],
                          "speedup": plain["wall_s"] / best["wall_s"]}
    else:
        ladder["best"] = None


def scale(ns: Iterable[int], delay: float = 1.0, *, rung: str = "plain",
          trace_n: int = 20_000, python: str | None = None,
          progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Run one rung at each N in ``ns`` (each in a fresh interpreter): how cost grows."""
    out = []
    for n in ns:
        res = run_rung(rung, int(n), delay, python=python, trace_n=trace_n)
        out.append(res)
        if progress is not None:
            progress(format_result(res))
    return out


# -- Go ----------------------------------------------------------------------------------

def go_available() -> str | None:
    """Path of the ``go`` command when it and ``benchmarks/go`` are both here, else None."""
    go = shutil.which("go")
    return go if go and (GO_DIR / "main.go").is_file() else None


def build_go(out_dir: Path | str | None = None) -> Path:
    """``go build`` benchmarks/go into ``out_dir`` (default build/bench); return the binary.

    Offline by construction (``GOPROXY=off``, ``GOTOOLCHAIN=local``): the program uses the
    standard library only.
    """
    go = go_available()
    if go is None:
        raise RuntimeError("`go` is not on PATH (or benchmarks/go is missing)")
    out = Path(out_dir) if out_dir is not None else ROOT / "build" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    binary = out / ("gomillion.exe" if os.name == "nt" else "gomillion")
    env = {**os.environ, "GOPROXY": "off", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod"}
    if "GOCACHE" not in env and not env.get("HOME"):
        env["GOCACHE"] = str(out / "go-cache")
    done = subprocess.run([go, "build", "-o", str(binary), "."], cwd=GO_DIR, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"go build failed: {done.stderr.strip()}")
    return binary


def run_go(n: int, delay: float = 1.0, *, binary: Path | str | None = None,
           timeout: float | None = None) -> dict[str, Any]:
    """Build (unless ``binary`` is given) and run the Go program; same figures as a rung.
    Without Go: ``{"rung": "go", "skipped": ...}``."""
    base = {"rung": "go", "title": GO_RUNG.title, "about": GO_RUNG.about, "kind": "go",
            "same_workload": True, "n": n, "delay": delay}
    if binary is None:
        if go_available() is None:
            return {**base, "skipped": "`go` is not installed: see PUBLISHED_GO"}
        binary = build_go()
    done = subprocess.run([str(binary), "-n", str(n), "-delay", repr(float(delay))],
                          capture_output=True, text=True, timeout=timeout or _timeout(n, delay))
    lines = [ln for ln in done.stdout.splitlines() if ln.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(f"the Go benchmark failed (exit {done.returncode}): "
                           f"{done.stderr.strip()[-500:]}")
    raw = json.loads(lines[-1])
    return _finish(GO_RUNG, n, delay, raw)


# -- output ------------------------------------------------------------------------------

def _fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}x"


def format_result(r: dict[str, Any]) -> str:
    """One line: the rung, its wall time, and its cost per task."""
    if "skipped" in r:
        return f"{r['title']:<20} skipped: {r['skipped']}"
    units = f"{r['units']:,} {'threads' if r['kind'] == 'threads' else 'goroutines' if r['kind'] == 'go' else 'jobs' if r['kind'] == 'pool' else 'tasks'}"
    return (f"{r['title']:<20} {units:>20}  wall {r['wall_s']:7.2f} s  "
            f"{r['us_per_task']:7.2f} µs/task  {r['bytes_per_task']:8,.0f} B/task  "
            f"peak {r['peak_rss'] / 2**20:7,.0f} MiB")


def format_table(ladder: dict[str, Any]) -> str:
    """The ladder as a text table, with each rung's ratios to plain and the best rung."""
    head = (f"N = {ladder['n']:,} concurrent waits of {ladder['delay']:g} s · Python "
            f"{ladder['python']} · {ladder['machine']['cpus']} CPUs")
    cols = (f"{'rung':<20} {'count':>11} {'wall s':>8} {'µs/task':>8} {'B/task':>8} "
            f"{'traced B':>9} {'peak MiB':>9} {'time/plain':>10} {'mem/plain':>10}")
    lines = [head, cols, "-" * len(cols)]
    notes = []
    for r in ladder["rungs"]:
        if "skipped" in r:
            lines.append(f"{r['title']:<20} skipped: {r['skipped']}")
            continue
        traced = r.get("traced_bytes_per_task")
        lines.append(
            f"{r['title']:<20} {r['units']:>11,} {r['wall_s']:>8.2f} {r['us_per_task']:>8.2f} "
            f"{r['bytes_per_task']:>8,.0f} {'—' if traced is None else format(traced, ',.0f'):>9} "
            f"{r['peak_rss'] / 2**20:>9,.0f} {_fmt_ratio(r.get('time_ratio')):>10} "
            f"{_fmt_ratio(r.get('memory_ratio')):>10}")
        if r["kind"] == "pool":
            notes.append(f"worker pool: {r['units']:,} jobs of {r['job_delay']:g} s through "
                         f"{r['workers']:,} workers (ideal makespan {r['ideal_s']:g} s)")
        if r["kind"] == "threads":
            note = f"threads: {r['units']:,} started (cap), {r.get('alive', 0):,} alive at once"
            stack = r.get("stack_size") or r.get("default_stack_limit")
            if stack:
                note += f"; each reserved a {stack / 2**20:g} MiB stack of address space"
            if r.get("error"):
                note += f"; stopped by {r['error']}"
            notes.append(note)
    lines.append("-" * len(cols))
    lines.append("µs/task: wall time beyond the ideal wait, per task · B/task: peak RSS "
                 "growth per task · traced B: Python allocations per task (tracemalloc)")
    lines.extend(notes)
    best = ladder.get("best")
    if best:
        lines.append(f"fastest same-workload rung: {best['title'].lstrip('+ ')} — "
                     f"{best['wall_s']:.2f} s vs plain {best['plain_wall_s']:.2f} s: "
                     f"{best['speedup']:.1f}x faster")
    return "\n".join(lines)


def save_json(ladder: dict[str, Any] | list[dict[str, Any]], path: Path | str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ladder, indent=2) + "\n")
    return path


def _style() -> Any:
    """The course's chart style (aiolab's mplstyle) as a context manager, if present."""
    import contextlib

    import matplotlib.style

    from .gantt import STYLE_PATH

    if STYLE_PATH.is_file():
        return matplotlib.style.context(str(STYLE_PATH))
    return contextlib.nullcontext()


def _figure(figsize: tuple[float, float]) -> Figure:
    """A figure Jupyter shows as PNG when a cell ends with it (no pyplot involved)."""
    from .gantt import GanttFigure

    return GanttFigure(figsize=figsize, layout="constrained")


def save_png(fig: Figure, path: Path | str) -> Path:
    """Save a chart of this module as PNG, in the course style."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _style():
        fig.savefig(path, format="png")
    return path


def _label(r: dict[str, Any]) -> str:
    if "skipped" in r:
        return f"{r['title']}\n(skipped)"
    if r["kind"] == "threads":
        return f"{r['title']}\n({r['units']:,} threads)"
    if r["kind"] == "pool":
        return f"{r['title']}\n({r['workers']:,} workers)"
    return r["title"]


def plot_ladder(ladder: dict[str, Any], *, title: str | None = None) -> Figure:
    """Two bar charts, one bar per rung: time per task and memory per task (log scales:
    threads cost a hundred times what tasks do), each labelled with its ratio to plain."""
    rows = ladder["rungs"]
    with _style():
        fig = _figure((9.0, 1.5 + 0.5 * len(rows)))
        ax_t, ax_m = fig.subplots(1, 2, sharey=True)
        y = list(range(len(rows)))[::-1]
        colours = ["#888888" if r["rung"] == "plain" else "#0072B2" if r["kind"] == "tasks"
                   else "#E69F00" if r["kind"] in ("pool", "threads") else "#009E73"
                   for r in rows]
        for ax, key, ratio_key in ((ax_t, "us_per_task", "time_ratio"),
                                   (ax_m, "bytes_per_task", "memory_ratio")):
            measured = [r[key] for r in rows if "skipped" not in r and r[key] > 0]
            lo = min(measured) / 3 if measured else 1.0
            hi = max(measured) * 12 if measured else 10.0
            for yi, r, colour in zip(y, rows, colours):
                if "skipped" in r:
                    ax.text(lo * 1.1, yi, r["skipped"].split(";")[0], va="center", fontsize=8,
                            color="#666666")
                    continue
                v = max(r[key], lo)
                ax.barh(yi, v - lo, left=lo, color=colour, height=0.62)
                text = f"{v:,.1f}" if v < 100 else f"{v:,.0f}"
                if r.get(ratio_key) is not None and r["rung"] != "plain":
                    text += f"  ({r[ratio_key]:.2f}x)"
                ax.text(v * 1.08, yi, text, va="center", fontsize=8)
            ax.set_xscale("log")
            ax.set_xlim(lo, hi)
            ax.grid(axis="y", visible=False)
        ax_t.set_yticks(y, [_label(r) for r in rows])
        ax_t.set_xlabel("time per task beyond the wait (µs, log scale)")
        ax_m.set_xlabel("peak memory per task (bytes, log scale)")
        heading = title or (f"{ladder['n']:,} concurrent waits of {ladder['delay']:g} s, "
                            f"Python {ladder['python']}")
        fig.suptitle(heading + "  ·  (ratio to plain)", x=0.01, ha="left", fontsize=11)
    return fig


def plot_scaling(results: Sequence[dict[str, Any]], *, title: str | None = None) -> Figure:
    """How the cost grows with N: time per task (each point labelled with its wall time),
    and memory per task (peak RSS growth, and Python's own allocations by tracemalloc)."""
    rows = [r for r in results if "skipped" not in r]
    with _style():
        fig = _figure((9.0, 3.6))
        ax_w, ax_m = fig.subplots(1, 2)
        ns = [r["n"] for r in rows]
        us = [r["us_per_task"] for r in rows]
        ax_w.plot(ns, us, "o-", label="time per task beyond the wait")
        for n, u, r in zip(ns, us, rows):
            ax_w.annotate(f"{r['wall_s']:.2f} s", (n, u), textcoords="offset points",
                          xytext=(0, 7), ha="center", fontsize=8, color="#444444")
        ax_w.set_xscale("log")
        ax_w.set_ylim(0, max(us, default=1) * 1.3)
        ax_w.set_xlabel("N concurrent tasks")
        ax_w.set_ylabel("µs per task (labels: wall time)")
        ax_w.legend(loc="lower right")
        ax_w.grid(True, which="major", axis="both")
        ax_m.plot(ns, [r["bytes_per_task"] for r in rows], "o-", label="peak RSS growth / N")
        traced = [(r["n"], r["traced_bytes_per_task"]) for r in rows
                  if r.get("traced_bytes_per_task")]
        if traced:
            ax_m.plot(*zip(*traced), "s--", label="Python allocations / task (tracemalloc)")
        ax_m.set_xscale("log")
        ax_m.set_ylim(bottom=0)
        for ax in (ax_w, ax_m):                    # ticks at the measured sizes, plainly
            ax.minorticks_off()
            ax.set_xticks(ns, [f"{n:,}" for n in ns])
        ax_m.set_xlabel("N concurrent tasks")
        ax_m.set_ylabel("bytes per task")
        ax_m.legend(loc="lower right")
        ax_m.grid(True, which="major", axis="both")
        first = rows[0] if rows else {"delay": 0, "title": "", "python": ""}
        fig.suptitle(title or f"{first['title']}: N tasks each awaiting asyncio.sleep"
                     f"({first['delay']:g}), Python {first.get('python', '')}",
                     x=0.01, ha="left", fontsize=11)
    return fig


if __name__ == "__main__":
    _child_main(sys.argv[1:])
