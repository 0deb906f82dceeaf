"""A million concurrent waits, measured: the benchmark ladder of lesson 10 and ``make bench``.

The workload is the one the course's study notes promise in their title: N tasks that each
wait ``delay`` seconds (``await asyncio.sleep(delay)``), started together and gathered. Each
*rung* of the ladder runs the same waits a cheaper way, or trades something away to need
less; they are measured side by side in one run, and each rung's cost per task is compared
with the plain rung's::

    from aiolab import bench

    ladder = bench.run_ladder(100_000, delay=1.0)
    print(bench.format_table(ladder))
    ladder.best.speedup                  # typed results: attributes, not string keys
    ladder.versus[0]                     # Python's best against Go's best (Go installed)
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
``go``, ``go-shared``, ``go-pool``
             optional (:data:`GO_RUNGS`), when ``go`` is installed (Debian:
             ``apt-get install golang-go``): the Go program in ``aiolab/bench/go``, run in
             the mode that mirrors a Python rung: a goroutine per wait with a timer each
             (``time.Sleep``, like plain), all blocked on one channel that one timer closes
             (like one shared timer), and the pool's jobs through as many worker goroutines.
             :attr:`Ladder.versus` pairs them: Python's best against Go's best, then like
             with like, wall time and memory for both (:func:`format_versus`).

How it measures, and why:

* **Every rung runs in a fresh interpreter** (:mod:`.child` run as a script, ``python -I``),
  so one rung's garbage, allocator arenas and imports never land on another's bill, and the
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

The modules, one idea each: :mod:`.rungs` (the table of rungs), :mod:`.child` (what runs in
each fresh interpreter), :mod:`.results` (the typed results and the ratios to plain),
:mod:`.runner` (running rungs, a ladder, a scaling curve), :mod:`.go` (the Go program and
its modes),
:mod:`.report` (text and JSON) and :mod:`.plot` (the charts; matplotlib is imported only
when one is drawn).
"""

from .go import (GO_DIR, GO_MODES, PUBLISHED_GO, build_go, default_build_dir, go_available,
                 run_go)
from .plot import plot_ladder, plot_scaling, save_png
from .report import format_result, format_table, format_versus, load_ladder, save_json
from .results import (Best, GoResult, Ladder, Machine, Pair, RungResult, ScalePoint,
                      compare_to_plain, versus_go)
from .rungs import GO_INSTALL, GO_KEYS, GO_RUNG, GO_RUNGS, RUNGS, Rung
from .runner import run_ladder, run_rung, scale

__all__ = [
    "RUNGS", "GO_RUNGS", "GO_RUNG", "GO_KEYS", "GO_INSTALL", "Rung",
    "RungResult", "GoResult", "Ladder", "Best", "Machine", "ScalePoint", "Pair",
    "compare_to_plain", "versus_go",
    "run_rung", "run_ladder", "scale",
    "GO_DIR", "GO_MODES", "PUBLISHED_GO", "go_available", "default_build_dir", "build_go",
    "run_go",
    "format_result", "format_table", "format_versus", "save_json", "load_ladder",
    "plot_ladder", "plot_scaling", "save_png",
]
