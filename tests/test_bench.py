"""aiolab.bench and benchmarks/bench_million.py: the ladder's output, at a tiny N.

Timings are not checked (they depend on the machine and its load); the structure is: every
rung present and either measured or skipped with a reason, per-task figures and ratios to
the plain rung computed, the JSON and the chart written. Go is never required: without it
the Go rungs are skipped, the report says how to install it, and the documented figures
(with their sources) stand in; building it and running its three modes are checked with a
stand-in ``go`` command, and with the real one when it is installed (those tests skip
otherwise). The typed results are unit-tested on synthetic figures: ratios, the best rung,
Python's best against Go's best, and the JSON round trip.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from aiolab import bench
from aiolab.bench import GoResult, Ladder, RungResult, ScalePoint

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


def test_the_runner_returns_typed_results(ladder_run):
    ladder, _ = ladder_run
    assert isinstance(ladder, Ladder)
    assert all(isinstance(r, RungResult) for r in ladder.rungs)
    assert ladder.n == N and ladder.delay == 0.05 and ladder.thread_cap == 200
    assert ladder.thread_delay == 0.5 and ladder.trace_n == 500
    assert ladder.python and ladder.machine.cpus and ladder.total_s > 0


def test_every_rung_is_present_in_order(ladder_run):
    ladder, _ = ladder_run
    assert [r.rung for r in ladder.rungs] == [r.key for r in bench.RUNGS]


def test_measured_rungs_have_per_task_figures_and_ratios(ladder_run):
    ladder, _ = ladder_run
    measured = ladder.measured
    assert {"plain", "gc", "pool", "threads"} <= {r.rung for r in measured}
    for r in measured:
        for name in ("wall_s", "us_per_task", "bytes_per_task", "peak_rss", "time_ratio",
                     "memory_ratio"):
            value = getattr(r, name)
            assert isinstance(value, (int, float)) and math.isfinite(value), (r.rung, name)
        assert r.wall_s >= r.ideal_s, f"{r.rung}: finished before the wait was over"
    plain = measured[0]
    assert plain.rung == "plain"
    assert plain.time_ratio == pytest.approx(1.0) and plain.memory_ratio == pytest.approx(1.0)
    for r in measured:
        assert r.time_ratio == pytest.approx(r.us_per_task / plain.us_per_task)


def test_task_rungs_measure_python_allocations(ladder_run):
    ladder, _ = ladder_run
    for r in ladder.measured:
        if r.kind == "tasks":
            assert r.traced_bytes_per_task > 100, r.rung   # a task is ~1 KB or more


def test_pool_and_threads_report_what_they_ran(ladder_run):
    ladder, _ = ladder_run
    pool = ladder.rung("pool")
    assert pool.units == N and pool.workers == N // 100
    assert pool.ideal_s == pytest.approx(0.05)
    threads = ladder.rung("threads")
    assert threads.units == 200, "the thread cap must hold"
    assert threads.ideal_s == 0.5, "the threads sleep --thread-delay"
    assert 0 < threads.alive <= 200


def test_eager_rung_is_skipped_only_before_312(ladder_run):
    ladder, _ = ladder_run
    eager = ladder.rung("eager")
    if sys.version_info < (3, 12):
        assert "3.12" in eager.skipped
        assert not eager.measured and eager.wall_s is None and eager.time_ratio is None
    else:
        assert eager.skipped is None and eager.traced_bytes_per_task > 0


def test_best_rung_and_files(ladder_run):
    ladder, out = ladder_run
    best = ladder.best
    assert best.rung in {r.key for r in bench.RUNGS if r.kind == "tasks"}
    assert best.speedup == pytest.approx(best.plain_wall_s / best.wall_s)
    saved = json.loads((out / "million.json").read_text())
    assert [r["rung"] for r in saved["rungs"]] == [r.rung for r in ladder.rungs]
    assert saved["best"] == dataclasses.asdict(best)
    assert saved["target_speedup"] == 3.0 and "bench_million" in saved["command"]
    assert bench.load_ladder(out / "million.json") == ladder, "the JSON must read back whole"
    png = (out / "million.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_table_names_every_rung_and_ratio(ladder_run):
    ladder, _ = ladder_run
    table = bench.format_table(ladder)
    for r in ladder.rungs:
        assert r.title in table
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
    assert res.peak_rss < 200 * 2**20, f"the child reported the parent's peak: {res.peak_rss:,} B"
    assert res.bytes_per_task < 20_000


def test_scale_returns_one_point_per_n():
    points = bench.scale([500, 1000], 0.01, trace_n=200)
    assert [p.n for p in points] == [500, 1000]
    assert all(isinstance(p, ScalePoint) and p.rung == "plain" for p in points)
    assert all(p.wall_s >= 0.01 and p.bytes_per_task > 0 and p.traced_bytes_per_task > 0
               for p in points)
    assert "asyncio.sleep(0.01)" in bench.plot_scaling(points).get_suptitle()


def test_scale_refuses_a_rung_that_cannot_run(monkeypatch):
    monkeypatch.setattr(bench.runner, "_skip_reason", lambda rung, python: "not here")
    with pytest.raises(ValueError, match="not here"):
        bench.scale([100], 0.01, rung="uvloop")


def test_unknown_rung_is_an_error():
    with pytest.raises(ValueError, match="unknown rung 'fast'"):
        bench.run_rung("fast", 10, 0.01)


# -- Go ----------------------------------------------------------------------------------

def test_without_go_the_go_rung_is_skipped_with_sources(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert bench.go_available() is None
    res = bench.run_go(1000, 0.01)
    assert isinstance(res, GoResult) and "not installed" in res.skipped
    assert res.gomaxprocs is None and res.stack_bytes_per_goroutine is None
    assert "skipped" in bench.format_result(res)
    assert all(url.startswith("https://") for _, url in bench.PUBLISHED_GO)


def test_go_sources_ship_inside_the_package():
    assert bench.GO_DIR.parent == Path(bench.__file__).resolve().parent
    assert {"go.mod", "main.go"} <= {p.name for p in bench.GO_DIR.iterdir()}
    assert not (ROOT / "benchmarks" / "go").exists(), "the Go sources moved into aiolab"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"bench/go/*.go"' in pyproject and '"bench/go/go.mod"' in pyproject


def test_build_dir_is_a_per_user_cache_not_the_repository(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert bench.default_build_dir() == tmp_path / "cache" / "aiolab" / "go"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert bench.default_build_dir() == tmp_path / "home" / ".cache" / "aiolab" / "go"


FAKE_GO = """#!{python}
# A stand-in for `go build -o OUT .`: records what it was given, writes a program that
# prints what the real gomillion prints (and logs the arguments it was run with).
import json, os, sys
out = sys.argv[sys.argv.index("-o") + 1]
with open(os.environ["FAKE_GO_LOG"], "a") as f:
    f.write(json.dumps({{"cwd": os.getcwd(), "files": sorted(os.listdir(".")),
                        "argv": sys.argv[1:]}}) + "\\n")
with open(out, "w") as f:
    f.write('''#!{python}
import json, os, sys
def arg(name, default=None):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default
with open(os.environ["FAKE_GO_LOG"] + ".runs", "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\\\n")
n = int(arg("-n")); delay = float(arg("-delay")); mode = arg("-mode", "timer")
out = {{"mode": mode, "units": n, "ideal_s": delay, "wall_s": delay + 0.5, "create_s": 0.1,
       "start_s": 0.0, "rss_before": 1000, "rss_alive": 1000 + 3000 * n,
       "peak_rss": 1000 + 3000 * n, "stack_inuse_alive": 2048 * n,
       "go": "go1.19.8", "gomaxprocs": 2, "python": ""}}
if mode == "pool":
    out.update(workers=int(arg("-workers")), job_delay=float(arg("-job-delay")))
print(json.dumps(out))
''')
os.chmod(out, 0o755)
"""


@pytest.mark.skipif(os.name == "nt", reason="the stand-in go is a script with a shebang")
def test_build_go_copies_the_sources_out_of_the_package(monkeypatch, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "go"
    fake.write_text(FAKE_GO.format(python=sys.executable))
    fake.chmod(0o755)
    log = tmp_path / "go-log.json"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GO_LOG", str(log))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert bench.go_available() == str(fake)

    res = bench.run_go(1000, 0.25)                  # builds into the default cache folder
    built = json.loads(log.read_text().splitlines()[-1])
    assert {"go.mod", "main.go"} <= set(built["files"])
    assert Path(built["cwd"]).resolve() != bench.GO_DIR, "never build inside the package"
    assert not Path(built["cwd"]).exists(), "the temporary copy is removed"
    assert (tmp_path / "cache" / "aiolab" / "go" / "gomillion").is_file()
    assert [p.name for p in (tmp_path / "cache" / "aiolab" / "go").iterdir()] == ["gomillion"]

    assert isinstance(res, GoResult) and res.measured and res.python is None
    assert (res.go, res.gomaxprocs, res.units, res.mode) == ("go1.19.8", 2, 1000, "timer")
    assert res.stack_bytes_per_goroutine == 2048
    assert res.us_per_task == pytest.approx(0.5 / 1000 * 1e6)
    assert res.bytes_per_task == pytest.approx(3000)
    assert "goroutines" in bench.format_result(res)

    out = tmp_path / "explicit"
    binary = bench.build_go(out)
    assert binary == out / "gomillion" and binary.is_file()
    monkeypatch.chdir(tmp_path)                     # make bench passes build/bench
    binary = bench.build_go("relative/out")
    assert binary == tmp_path / "relative" / "out" / "gomillion" and binary.is_file()


def _fake_go(monkeypatch, tmp_path) -> Path:
    """Put the stand-in go first on PATH; return its log (one line per build)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "go"
    fake.write_text(FAKE_GO.format(python=sys.executable))
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_GO_LOG", str(tmp_path / "go-log"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "go-log"


@pytest.mark.skipif(os.name == "nt", reason="the stand-in go is a script with a shebang")
def test_go_modes_mirror_their_python_twins(monkeypatch, tmp_path):
    """Each Go rung runs the program in its mode; the pool gets the Python pool's plan."""
    log = _fake_go(monkeypatch, tmp_path)
    assert [r.key for r in bench.GO_RUNGS] == bench.GO_KEYS == ["go", "go-shared", "go-pool"]
    assert {r.twin for r in bench.GO_RUNGS} == {"plain", "shared", "pool"}
    python_pool = next(r for r in bench.RUNGS if r.key == "pool")
    assert bench.GO_MODES["pool"].options["rounds"] == python_pool.options["rounds"]
    shared = bench.run_go(1000, 0.25, mode="shared")
    assert shared.mode == "shared" and shared.unit_name == "goroutines"
    pool = bench.run_go(1000, 0.5, mode="pool")
    runs = [json.loads(line) for line in (tmp_path / "go-log.runs").read_text().splitlines()]
    assert runs[-1][runs[-1].index("-mode") + 1] == "pool"
    assert runs[-1][runs[-1].index("-workers") + 1] == "10"       # 1000 / 100 rounds
    assert float(runs[-1][runs[-1].index("-job-delay") + 1]) == pytest.approx(0.005)
    assert (pool.mode, pool.workers, pool.job_delay, pool.unit_name) == ("pool", 10, 0.005, "jobs")
    assert pool.stack_bytes_per_goroutine == pytest.approx(2048 * 1000 / 10), "per worker"
    assert not pool.same_workload and shared.same_workload
    assert "jobs of 0.005 s through 10 workers" in "\n".join(bench.report._notes(pool))
    with pytest.raises(ValueError, match="unknown Go mode"):
        bench.run_go(10, 0.01, mode="fast")
    assert len(log.read_text().splitlines()) == 2, "run_go alone builds every time"


@pytest.mark.skipif(os.name == "nt", reason="the stand-in go is a script with a shebang")
def test_ladder_builds_go_once_and_runs_every_go_rung(monkeypatch, tmp_path):
    log = _fake_go(monkeypatch, tmp_path)
    ladder = bench.run_ladder(1000, 0.01, rungs=["plain"], trace_n=0, go_build_dir=tmp_path / "out")
    assert [r.rung for r in ladder.rungs] == ["plain", "go", "go-shared", "go-pool"]
    assert [r.mode for r in ladder.rungs[1:]] == ["timer", "shared", "pool"]
    assert len(log.read_text().splitlines()) == 1, "one build for the three Go rungs"
    assert (tmp_path / "out" / "gomillion").is_file()
    pairs = ladder.versus
    assert [p.label for p in pairs] == ["best vs best", "timer each", "shared timer",
                                        "worker pool"]
    assert pairs[0].python.rung == "plain" and pairs[0].go.rung in ("go", "go-shared")
    assert pairs[2].python is None and "not in this run" in pairs[2].why
    table = bench.format_table(ladder)
    assert "Python's best: plain" in table and "Go's best:" in table
    off = bench.run_ladder(1000, 0.01, rungs=["plain"], trace_n=0, go=False)
    assert [r.rung for r in off.rungs] == ["plain"] and off.versus == []
    assert "Python vs Go" not in bench.format_table(off)


def test_without_go_the_report_says_how_to_install_it(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    ladder = bench.run_ladder(1000, 0.01, rungs=["plain"], trace_n=0)   # go=None: auto
    assert [r.rung for r in ladder.rungs] == ["plain", *bench.GO_KEYS]
    assert all(not r.measured and "not installed" in r.skipped for r in ladder.rungs[1:])
    assert ladder.rung("plain").measured and ladder.best.rung == "plain"
    [pair] = ladder.versus
    assert pair.python.rung == "plain" and pair.go is None and not pair.complete
    assert pair.time_ratio is None and pair.memory_ratio is None
    table = bench.format_table(ladder)
    assert "apt-get install golang-go" in table
    assert "Python's best: plain" in table and "Go's best:     not measured" in table
    runner = _load_runner()
    with pytest.raises(SystemExit):
        runner.main(["--n", "10", "--go", "yes", "--out", "unused"])


needs_go = pytest.mark.skipif(bench.go_available() is None,
                              reason="`go` is not installed (apt-get install golang-go)")


@needs_go
def test_real_go_runs_every_mode_with_all_goroutines_alive(tmp_path):
    binary = bench.build_go(tmp_path)
    for mode in ("timer", "shared", "pool"):
        r = bench.run_go(1000, 0.05, mode=mode, binary=binary)
        assert r.measured and r.mode == mode and r.units == 1000 and r.go.startswith("go")
        assert r.wall_s >= r.ideal_s > 0 and r.peak_rss > 0 and r.gomaxprocs >= 1
        if mode == "pool":
            assert (r.workers, r.job_delay) == (10, pytest.approx(0.0005))
            assert r.ideal_s == pytest.approx(0.05)
        else:
            # every goroutine exists at once: at least the minimum stack (2 KiB) each
            assert r.stack_inuse_alive >= 2048 * 1000, mode
            assert r.bytes_per_task > 1000, mode


# -- Python against Go, on synthetic figures -----------------------------------------------

def _go_row(key, wall, us, b, **more):
    rung = bench.rungs.rung_by_key(key)
    return GoResult(rung=key, title=rung.title, kind="go", same_workload=rung.same_workload,
                    n=1000, delay=1.0, units=1000, ideal_s=1.0, wall_s=wall,
                    overhead_s=us * 1e-3, us_per_task=us, bytes_per_task=b,
                    peak_rss=3 * 10**6, mode=rung.options["mode"], go="go1.19.8",
                    gomaxprocs=2, **more)


def test_best_against_best_and_like_with_like():
    rows = [_row("plain", 22.0, 21.0, 1700), _row("gc", 11.0, 10.0, 1700),
            _row("shared", 5.0, 4.0, 1100),
            _row("pool", 4.0, 3.0, 66, kind="pool", same=False, workers=10, job_delay=0.01),
            _go_row("go", 4.5, 3.5, 2800), _go_row("go-shared", 3.0, 2.0, 2700),
            _go_row("go-pool", 1.5, 0.5, 40, workers=10, job_delay=0.01)]
    rated, best = bench.compare_to_plain(rows)
    assert best.rung == "shared", "Go is never Python's best"
    pairs = bench.versus_go(rated)
    assert [(p.label, p.python.rung, p.go.rung) for p in pairs] == [
        ("best vs best", "shared", "go-shared"), ("timer each", "plain", "go"),
        ("shared timer", "shared", "go-shared"), ("worker pool", "pool", "go-pool")]
    top = pairs[0]
    assert top.complete and top.time_ratio == pytest.approx(5.0 / 3.0)
    assert top.memory_ratio == pytest.approx(1100 / 2700)
    assert pairs[3].time_ratio == pytest.approx(4.0 / 1.5), "the pools pair with each other"
    text = bench.format_versus(pairs)
    assert text == bench.format_versus(rated), "rungs are paired first"
    assert "Python's best: shared, 5.00 s, peak 1 MiB, 1,100 B/task" in text
    assert "Go's best:     Go: shared timer, 3.00 s, peak 3 MiB, 2,700 B/goroutine" in text
    assert "Go took 0.60x Python's time (1.67x faster)" in text
    assert "Go needed 2.45x Python's memory per wait" in text
    assert "GOMAXPROCS=2" in text and "time Py/Go" in text
    # a slower Go: the words follow the figures
    slow = bench.versus_go([_row("plain", 2.0, 1.0, 1700), _go_row("go", 4.0, 3.0, 800)])
    words = bench.format_versus(slow)
    assert "Python took 0.50x Go's time (2.00x faster)" in words
    assert "Python needed 2.12x Go's memory per wait" in words


def test_go_pool_is_never_gos_best_and_a_skipped_twin_is_said():
    rows = [_row("plain", 22.0, 21.0, 1700), _skipped("eager", "needs Python 3.12+"),
            _go_row("go", 4.5, 3.5, 2800),
            _go_row("go-pool", 1.5, 0.5, 40, workers=10, job_delay=0.01)]
    pairs = bench.versus_go(rows)
    assert pairs[0].go.rung == "go", "the pool does other work: not Go's best"
    assert bench.versus_go([_row("plain", 2.0, 1.0, 1700)]) == []
    assert bench.format_versus([]) == ""


def test_ladder_with_go_rungs_round_trips(tmp_path):
    rows = [_row("plain", 22.0, 21.0, 1700), _go_row("go-shared", 3.0, 2.0, 2700)]
    rated, best = bench.compare_to_plain(rows)
    ladder = Ladder(n=1000, delay=1.0, python="3.13.0",
                    machine=bench.Machine(platform="Linux", cpus=2), thread_cap=100,
                    thread_delay=10.0, trace_n=500, rungs=rated, best=best)
    back = bench.load_ladder(bench.save_json(ladder, tmp_path / "l.json"))
    assert back == ladder and back.rung("go-shared").mode == "shared"
    assert back.versus == ladder.versus


# -- the typed results, on synthetic figures ----------------------------------------------

def _row(key, wall, us, b, kind="tasks", same=True, **more):
    return RungResult(rung=key, title=key, kind=kind, same_workload=same, n=1000, delay=1.0,
                      units=1000, ideal_s=1.0, wall_s=wall, overhead_s=us * 1e-3, us_per_task=us,
                      bytes_per_task=b,
                      peak_rss=10**6, **more)


def _skipped(key, why):
    return RungResult.skip(next(r for r in bench.RUNGS if r.key == key), 1000, 1.0, why)


def test_ratios_from_a_synthetic_ladder():
    rows = [_row("plain", 22.0, 21.0, 1500), _row("gc", 11.0, 10.0, 1500),
            _skipped("eager", "needs Python 3.12+"), _row("shared", 5.0, 4.0, 750),
            _row("threads", 2.0, 100.0, 15000, kind="threads", same=False)]
    rated, best = bench.compare_to_plain(rows)
    by_key = {r.rung: r for r in rated}
    assert by_key["gc"].time_ratio == pytest.approx(10 / 21)
    assert by_key["shared"].memory_ratio == pytest.approx(0.5)
    assert by_key["eager"].time_ratio is None and by_key["eager"].skipped
    assert best.rung == "shared", "threads ran fewer waits: never the best"
    assert best.speedup == pytest.approx(22 / 5)
    assert rows[1].time_ratio is None, "results are frozen: ratios come in new copies"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rows[0].wall_s = 1.0


def test_without_plain_there_are_no_ratios_and_no_best():
    rated, best = bench.compare_to_plain([_row("gc", 11.0, 10.0, 1500)])
    assert best is None and rated[0].time_ratio is None and rated[0].memory_ratio is None


def test_per_task_figures_from_raw_measurements():
    rung = next(r for r in bench.RUNGS if r.key == "threads")
    raw = {"units": 100, "ideal_s": 1.0, "wall_s": 1.2, "create_s": 0.1, "start_s": 0.0,
           "rss_before": 10_000, "rss_alive": 10_000 + 50 * 16_000, "peak_rss": 10**7,
           "alive": 50, "stack_size": None, "default_stack_limit": 8 * 2**20, "error": None,
           "python": "3.11.7"}
    r = RungResult.from_measurement(rung, 100, 1.0, raw)
    assert r.overhead_s == pytest.approx(0.2) and r.us_per_task == pytest.approx(2000)
    assert r.bytes_per_task == pytest.approx(16_000), "threads: RSS growth / alive at once"
    assert r.alive_bytes_per_task == pytest.approx(8_000)
    with pytest.raises(ValueError, match="unexpected"):
        RungResult.from_measurement(rung, 100, 1.0, {**raw, "surprise": 1})


def test_ladder_json_round_trip(tmp_path):
    go = GoResult(rung="go", title="Go goroutines", kind="go", n=1000, delay=1.0, units=1000,
                  ideal_s=1.0, wall_s=1.5, us_per_task=500.0, bytes_per_task=2800.0,
                  peak_rss=10**7, go="go1.19.8", gomaxprocs=2, stack_inuse_alive=2048 * 1000)
    rows = [_row("plain", 22.0, 21.0, 1500, traced_bytes_per_task=1300.0,
                 gc_collections=40, gc_full_collections=3),
            _skipped("eager", "needs Python 3.12+"),
            _row("pool", 2.0, 1.0, 66, kind="pool", same=False, workers=10, job_delay=0.01),
            go]
    rated, best = bench.compare_to_plain(rows)
    ladder = Ladder(n=1000, delay=1.0, python="3.11.7",
                    machine=bench.Machine(platform="Linux", cpus=2), thread_cap=100,
                    thread_delay=10.0, trace_n=500, rungs=rated, best=best, total_s=30.0)
    path = bench.save_json(ladder, tmp_path / "ladder.json", extra={"command": "x"})
    data = json.loads(path.read_text())
    assert data["rungs"][3]["gomaxprocs"] == 2 and data["command"] == "x"
    assert data["rungs"][0]["time_ratio"] == 1.0 and data["best"]["rung"] == "plain"
    back = bench.load_ladder(path)
    assert back == ladder
    assert isinstance(back.rung("go"), GoResult) and back.rung("go").gomaxprocs == 2
    assert back.rung("pool").workers == 10 and back.best == best


def test_scale_points_and_lists_save_as_json(tmp_path):
    point = ScalePoint.from_result(_row("plain", 1.5, 5.0, 1600, traced_bytes_per_task=1300.0))
    assert point.us_per_task == 5.0 and point.traced_bytes_per_task == 1300.0
    path = bench.save_json([point, point], tmp_path / "scale.json")
    assert [ScalePoint.from_dict(d) for d in json.loads(path.read_text())] == [point, point]
    with pytest.raises(ValueError, match="did not run"):
        ScalePoint.from_result(_skipped("eager", "needs Python 3.12+"))
    with pytest.raises(TypeError):
        bench.save_json({"not": "a result"}, tmp_path / "x.json")


def test_importing_bench_does_not_import_matplotlib():
    code = ("import sys; import aiolab; from aiolab import bench; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
