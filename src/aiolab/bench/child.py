"""The child program: runs one rung in a fresh interpreter and prints what it measured.

The runner starts this file by its path (``python -I .../aiolab/bench/child.py SPEC``), never
as ``aiolab.bench.child``: a fresh interpreter per rung means one rung's garbage, allocator
arenas and imports never land on another's bill, and its peak resident set size is its own.
Running the file rather than the module keeps the child from importing ``aiolab`` (and with
it numpy and matplotlib) before measuring, and lets ``--python`` point at another
interpreter where aiolab is not installed. So this file imports only the standard library,
plus psutil and uvloop when a rung asks for them, and nothing from its own package.

Protocol: the only argument is the rung's spec as JSON (``kind``, ``n``, ``delay`` and the
rung's options); the result is one line on stdout, :data:`MARK` followed by a JSON object of
raw measurements. The parent turns that into a typed result (:mod:`.results`).
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import os
import platform
import sys
import threading
import time
import tracemalloc
from collections.abc import Sequence
from typing import Any

#: Marks the child's result line on its stdout.
MARK = "AIOLAB-BENCH "


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
    n = spec["n"]
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


def main(argv: Sequence[str]) -> None:
    """Run the rung ``argv[0]`` (a JSON spec) describes; print its measurements."""
    spec = json.loads(argv[0])
    kind = spec["kind"]
    if kind == "threads":
        result = _run_threads(spec)
    else:
        run = _run_pool if kind == "pool" else _run_tasks
        if spec.get("loop") == "uvloop":
            import uvloop

            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                result = runner.run(run(spec))
        else:
            result = asyncio.run(run(spec))
    result["python"] = platform.python_version()
    print(MARK + json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
