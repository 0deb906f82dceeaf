"""aiolab.bench and benchmarks/bench_million.py: the ladder's output, at a tiny N.

Timings are not checked (they depend on the machine and its load); the structure is: every
rung present and either measured or skipped with a reason, per-task figures and ratios to
the plain rung computed, the JSON and the chart written. Go is never required: without it
the Go rung is skipped and the documented figures (with their sources) stand in.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

from aiolab import bench

ROOT = Path(__file__).resolve().parent.parent
N = 2_000


def _load_runner():
    spec = importlib.util.spec_from_file_location("bench_million",
                                                  ROOT / "benchmarks" / "bench_million.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ladder_run(tmp_path_factory):
    """One run of the command-line runner at N = 2,000, without Go."""
    out = tmp_path_factory.mktemp("bench")
    runner = _load_runner()
    ladder = runner.main(["--n", str(N), "--delay", "0.05", "--threads", "200",
                          "--thread-delay", "0.5", "--trace-n", "500", "--go", "no",
                          "--out", str(out)])
    return ladder, out


def test_every_rung_is_present_in_order(ladder_run):
    ladder, _ = ladder_run
    assert [r["rung"] for r in ladder["rungs"]] == [r.key for r in bench.RUNGS]


def test_measured_rungs_have_per_task_figures_and_ratios(ladder_run):
    ladder, _ = ladder_run
    measured = [r for r in ladder["rungs"] if "skipped" not in r]
    assert {"plain", "gc", "pool", "threads"} <= {r["rung"] for r in measured}
    for r in measured:
        for key in ("wall_s", "us_per_task", "bytes_per_task", "peak_rss", "time_ratio",
                    "memory_ratio"):
            assert isinstance(r[key], (int, float)) and math.isfinite(r[key]), (r["rung"], key)
        assert r["wall_s"] >= r["ideal_s"], f"{r['rung']}: finished before the wait was over"
    plain = measured[0]
    assert plain["rung"] == "plain"
    assert plain["time_ratio"] == pytest.approx(1.0) and plain["memory_ratio"] == pytest.approx(1.0)
    for r in measured:
        assert r["time_ratio"] == pytest.approx(r["us_per_task"] / plain["us_per_task"])


def test_task_rungs_measure_python_allocations(ladder_run):
    ladder, _ = ladder_run
    for r in ladder["rungs"]:
        if r["kind"] == "tasks" and "skipped" not in r:
            assert r["traced_bytes_per_task"] > 100, r["rung"]   # a task is ~1 KB or more


def test_pool_and_threads_report_what_they_ran(ladder_run):
    ladder, _ = ladder_run
    rows = {r["rung"]: r for r in ladder["rungs"]}
    pool = rows["pool"]
    assert pool["units"] == N and pool["workers"] == N // 100
    assert pool["ideal_s"] == pytest.approx(0.05)
    threads = rows["threads"]
    assert threads["units"] == 200, "the thread cap must hold"
    assert threads["ideal_s"] == 0.5, "the threads sleep --thread-delay"
    assert 0 < threads["alive"] <= 200


def test_eager_rung_is_skipped_only_before_312(ladder_run):
    ladder, _ = ladder_run
    eager = next(r for r in ladder["rungs"] if r["rung"] == "eager")
    if sys.version_info < (3, 12):
        assert "3.12" in eager["skipped"]
    else:
        assert "skipped" not in eager and eager["traced_bytes_per_task"] > 0


def test_best_rung_and_files(ladder_run):
    ladder, out = ladder_run
    best = ladder["best"]
    assert best["rung"] in {r.key for r in bench.RUNGS if r.kind == "tasks"}
    assert best["speedup"] == pytest.approx(best["plain_wall_s"] / best["wall_s"])
    saved = json.loads((out / "million.json").read_text())
    assert [r["rung"] for r in saved["rungs"]] == [r["rung"] for r in ladder["rungs"]]
    png = (out / "million.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_table_names_every_rung_and_ratio(ladder_run):
    ladder, _ = ladder_run
    table = bench.format_table(ladder)
    for r in ladder["rungs"]:
        assert r["title"] in table
    assert "time/plain" in table and "1.00x" in table
    assert "fastest same-workload rung" in table


def test_runner_printed_the_table(ladder_run, capsys):
    # The module-scoped run printed before this test captured anything; print it again
    # the way the runner does, to check the lines a reader sees.
    ladder, _ = ladder_run
    print(bench.format_table(ladder))
    out = capsys.readouterr().out
    assert f"N = {N:,} concurrent waits" in out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is Linux's")
def test_peak_memory_is_the_childs_own():
    """Linux carries ru_maxrss over from the parent; a child of a big process (a Jupyter
    kernel) must still report its own peak."""
    ballast = bytearray(300 * 2**20)             # make this (the parent) process big
    ballast[::4096] = b"x" * len(ballast[::4096])  # touch every page: resident
    res = bench.run_rung("plain", 1000, 0.01, trace_n=0)
    del ballast
    assert res["peak_rss"] < 200 * 2**20, f"the child reported the parent's peak: {res['peak_rss']:,} B"
    assert res["bytes_per_task"] < 20_000


def test_without_go_the_go_rung_is_skipped_with_sources(monkeypatch):
    monkeypatch.setattr(bench.shutil, "which", lambda name: None)
    assert bench.go_available() is None
    res = bench.run_go(1000, 0.01)
    assert "not installed" in res["skipped"]
    assert all(url.startswith("https://") for _, url in bench.PUBLISHED_GO)


def test_ratios_from_a_synthetic_ladder():
    def row(key, wall, us, b, kind="tasks", same=True):
        return {"rung": key, "title": key, "kind": kind, "same_workload": same,
                "wall_s": wall, "us_per_task": us, "bytes_per_task": b}

    ladder = {"rungs": [row("plain", 22.0, 21.0, 1500), row("gc", 11.0, 10.0, 1500),
                        {"rung": "eager", "skipped": "needs Python 3.12+"},
                        row("shared", 5.0, 4.0, 750),
                        row("threads", 2.0, 100.0, 15000, kind="threads", same=False)]}
    bench._add_ratios(ladder)
    rows = {r["rung"]: r for r in ladder["rungs"]}
    assert rows["gc"]["time_ratio"] == pytest.approx(10 / 21)
    assert rows["shared"]["memory_ratio"] == pytest.approx(0.5)
    assert ladder["best"]["rung"] == "shared", "threads ran fewer waits: never the best"
    assert ladder["best"]["speedup"] == pytest.approx(22 / 5)
