"""Benchmark: a million concurrent coroutines, and the ladder of ways to make them cheaper.

    .venv/bin/python benchmarks/bench_million.py [--n 1000000] [--delay 1] [--threads 10000]
                                                 [--rungs plain,gc,...] [--go auto|yes|no]
                                                 [--out build/bench] [--python PATH]

N tasks each wait ``delay`` seconds, started together and gathered; every rung of the ladder
(see ``aiolab.bench``) runs the same waits a cheaper way, each in a fresh interpreter, one
after another in this one run. Printed per rung: wall time, time per task beyond the wait
itself, memory per task (peak RSS growth / N, and Python's own allocations measured with
tracemalloc on a smaller batch), and both as a ratio to the plain rung. Go joins the table
when ``go`` is installed (``--go auto``, the default; Debian: ``apt-get install golang-go``):
the Go program ships inside aiolab (``aiolab/bench/go``), is built into ``<out>``, and runs
three rungs, each the twin of a Python one (a timer per goroutine: plain; one shared timer;
the worker pool). Then Python's best against Go's best, side by side, wall time and memory
(peak RSS, and its growth per wait) for both, and each Go rung against its twin. Without
``go``, the Go rungs are listed as skipped, with how to install it.

Writes ``<out>/million.json`` (every figure: the typed results as ``dataclasses.asdict``, plus
the command line and the target) and ``<out>/million.png`` (the chart).
Target on a 2-core machine at N = 1,000,000: the fastest rung at least 3x faster than plain.
``--python`` runs the rungs under another interpreter (e.g. a 3.12 venv for eager tasks).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from aiolab import bench

TARGET_SPEEDUP = 3.0


def main(argv: list[str] | None = None) -> bench.Ladder:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="concurrent waits (tasks)")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds each task waits")
    parser.add_argument("--threads", type=int, default=10_000,
                        help="safety cap on the threads rung (default 10,000)")
    parser.add_argument("--thread-delay", type=float,
                        help="seconds each thread sleeps (default: the longer of --delay and "
                             "10 s, so that all the threads are alive at once)")
    parser.add_argument("--rungs", default=",".join(r.key for r in bench.RUNGS),
                        help="comma-separated rungs to run, in order (default: all)")
    parser.add_argument("--go", choices=("auto", "yes", "no"), default="auto",
                        help="also run the Go rungs (" + ", ".join(bench.GO_KEYS) + ") of the "
                             "program shipped in aiolab/bench/go, built into --out (auto: "
                             "when `go` is installed, else listed as skipped)")
    parser.add_argument("--trace-n", type=int, default=20_000,
                        help="tasks in the separate tracemalloc measurement")
    parser.add_argument("--out", type=Path, default=Path("build/bench"),
                        help="folder for million.json and million.png")
    parser.add_argument("--python", help="interpreter for the rungs (default: this one)")
    args = parser.parse_args(argv)

    keys = [k.strip() for k in args.rungs.split(",") if k.strip()]
    known = [r.key for r in bench.RUNGS] + bench.GO_KEYS
    unknown = [k for k in keys if k not in known]
    if unknown:
        parser.error(f"unknown rung(s) {unknown}; choose from {known}")
    go = {"auto": None, "yes": True, "no": False}[args.go]
    if go and bench.go_available() is None:
        parser.error(f"--go yes: `go` is not on PATH ({bench.GO_INSTALL})")
    if go is False:
        keys = [k for k in keys if k not in bench.GO_KEYS]

    print(f"{args.n:,} tasks x wait {args.delay:g} s; one fresh interpreter per rung "
          f"(threads capped at {args.threads:,})", flush=True)
    t0 = time.perf_counter()
    ladder = bench.run_ladder(args.n, args.delay, rungs=keys, go=go, thread_cap=args.threads,
                              thread_delay=(args.thread_delay if args.thread_delay is not None
                                            else max(args.delay, 10.0)),
                              trace_n=args.trace_n, python=args.python,
                              go_build_dir=args.out,
                              progress=lambda line: print("  " + line, flush=True))
    total_s = time.perf_counter() - t0
    print()
    print(bench.format_table(ladder))
    best = ladder.best
    if best and best.rung != "plain":
        verdict = "met" if best.speedup >= TARGET_SPEEDUP else "NOT met"
        print(f"target: fastest rung >= {TARGET_SPEEDUP:g}x faster than plain: {verdict}")

    json_path = bench.save_json(ladder, args.out / "million.json", extra={
        "command": _command(argv),
        "target_speedup": TARGET_SPEEDUP})
    png_path = bench.save_png(bench.plot_ladder(ladder), args.out / "million.png")
    print(f"wrote {json_path} and {png_path} (ladder took {total_s:.0f} s)")
    return ladder


def _command(argv: list[str] | None) -> str:
    """The command line that made this run, for the JSON (main() may be given its argv)."""
    if argv is None:
        return " ".join([Path(sys.executable).name, *sys.argv])
    return " ".join([Path(sys.executable).name, "benchmarks/bench_million.py", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
