"""Reading the results: one line per rung, the ladder as a table, Python against Go, JSON in
and out.

Text first because the benchmark's first readers are a terminal (``make bench``) and a
notebook's printed output; the JSON keeps every figure, in ``dataclasses.asdict`` form, for
comparing runs later (:func:`load_ladder` reads it back into the typed results).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .results import GoResult, Ladder, Pair, RungResult, ScalePoint, versus_go

__all__ = ["format_result", "format_table", "format_versus", "save_json", "load_ladder"]


def _fmt_ratio(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}x"


def _num(x: float | None, spec: str) -> str:
    return "—" if x is None else format(x, spec)


def format_result(r: RungResult) -> str:
    """One line: the rung, its wall time, and its cost per task."""
    if not r.measured:
        return f"{r.title:<20} skipped: {r.skipped}"
    units = f"{r.units or 0:,} {r.unit_name}"
    return (f"{r.title:<20} {units:>20}  wall {_num(r.wall_s, '7.2f')} s  "
            f"{_num(r.us_per_task, '7.2f')} µs/task  {_num(r.bytes_per_task, '8,.0f')} B/task  "
            f"peak {(r.peak_rss or 0) / 2**20:7,.0f} MiB")


def _notes(r: RungResult) -> list[str]:
    """What a pool, threads or Go row ran, which the table's columns cannot say."""
    if r.kind == "pool" or (isinstance(r, GoResult) and r.mode == "pool"):
        return [f"{r.title}: {r.units or 0:,} jobs of {r.job_delay or 0:g} s through "
                f"{r.workers or 0:,} workers (ideal makespan {r.ideal_s or 0:g} s)"]
    if r.kind == "threads":
        note = f"threads: {r.units or 0:,} started (cap), {r.alive or 0:,} alive at once"
        stack = r.stack_size or r.default_stack_limit
        if stack:
            note += f"; each reserved a {stack / 2**20:g} MiB stack of address space"
        if r.error:
            note += f"; stopped by {r.error}"
        return [note]
    return []


def format_table(ladder: Ladder) -> str:
    """The ladder as a text table, with each rung's ratios to plain and the best rung."""
    head = (f"N = {ladder.n:,} concurrent waits of {ladder.delay:g} s · Python "
            f"{ladder.python} · {ladder.machine.cpus} CPUs")
    cols = (f"{'rung':<20} {'count':>11} {'wall s':>8} {'µs/task':>8} {'B/task':>8} "
            f"{'traced B':>9} {'peak MiB':>9} {'time/plain':>10} {'mem/plain':>10}")
    lines = [head, cols, "-" * len(cols)]
    notes = []
    for r in ladder.rungs:
        if not r.measured:
            lines.append(f"{r.title:<20} skipped: {r.skipped}")
            continue
        lines.append(
            f"{r.title:<20} {r.units or 0:>11,} {_num(r.wall_s, '>8.2f')} "
            f"{_num(r.us_per_task, '>8.2f')} {_num(r.bytes_per_task, '>8,.0f')} "
            f"{_num(r.traced_bytes_per_task, ',.0f'):>9} {(r.peak_rss or 0) / 2**20:>9,.0f} "
            f"{_fmt_ratio(r.time_ratio):>10} {_fmt_ratio(r.memory_ratio):>10}")
        notes.extend(_notes(r))
    lines.append("-" * len(cols))
    lines.append("µs/task: wall time beyond the ideal wait, per task · B/task: peak RSS "
                 "growth per task · traced B: Python allocations per task (tracemalloc)")
    lines.extend(notes)
    best = ladder.best
    if best:
        lines.append(f"fastest same-workload rung: {best.title.lstrip('+ ')} — "
                     f"{best.wall_s:.2f} s vs plain {best.plain_wall_s:.2f} s: "
                     f"{best.speedup:.1f}x faster")
    versus = format_versus(ladder.versus)
    if versus:
        lines.extend(["", versus])
    return "\n".join(lines)


def _side(r: RungResult | None) -> str:
    """A rung's title, wall time, peak RSS and memory per unit, in fixed columns."""
    if r is None or not r.measured:
        return f"{'—':<20} {'':>7} {'':>8} {'':>8}"
    return (f"{r.title:<20} {_num(r.wall_s, '>7.2f')} {(r.peak_rss or 0) / 2**20:>8,.0f} "
            f"{_num(r.bytes_per_task, '>8,.0f')}")


def _one_unit(r: RungResult) -> str:
    return {"tasks": "task", "goroutines": "goroutine", "jobs": "job"}.get(r.unit_name,
                                                                          r.unit_name)


def _figures(rung: RungResult, title: str) -> str:
    """One side of the verdict: wall time, peak RSS and growth per unit."""
    return (f"{title}, {rung.wall_s or 0:.2f} s, peak {(rung.peak_rss or 0) / 2**20:,.0f} MiB, "
            f"{rung.bytes_per_task or 0:,.0f} B/{_one_unit(rung)}")


def _in_words(ratio: float | None, missing: str, at_least_one: str, below_one: str) -> str:
    """A Python/Go ratio as a sentence: ``at_least_one`` or ``below_one`` formatted with the
    ratio ``r`` and its inverse ``inv``."""
    if ratio is None:
        return missing
    return (at_least_one if ratio >= 1 else below_one).format(r=ratio, inv=1 / ratio)


def _verdict(pair: Pair) -> str:
    """Python's best against Go's best, in words, from the figures only."""
    py, go = pair.python, pair.go
    if py is None or not py.measured:
        return f"Python against Go: {pair.why or 'no Python rung ran'}"
    mine = _figures(py, py.title.lstrip("+ "))
    if go is None or not go.measured:
        return f"Python's best: {mine}\nGo's best:     not measured: {pair.why}"
    theirs = _figures(go, go.title)
    speed = _in_words(pair.time_ratio, "no time to compare",
                      "Go took {inv:.2f}x Python's time ({r:.2f}x faster)",
                      "Python took {r:.2f}x Go's time ({inv:.2f}x faster)")
    memory = _in_words(pair.memory_ratio, "no memory to compare",
                       "Python needed {r:.2f}x Go's memory per wait",
                       "Go needed {inv:.2f}x Python's memory per wait")
    return f"Python's best: {mine}\nGo's best:     {theirs}\n=> {speed}; {memory}"


def format_versus(pairs: Sequence[Pair] | Sequence[RungResult]) -> str:
    """Python against Go (:func:`.results.versus_go`), as text: best vs best, then like with
    like, each side's wall time, peak RSS and RSS growth per unit, and the ratios. Given
    rungs, pairs them first. Empty when there is no Go rung; when Go did not run, says why
    and how to install it."""
    if pairs and isinstance(pairs[0], RungResult):
        pairs = versus_go(pairs)                  # type: ignore[arg-type]
    pairs = [p for p in pairs if isinstance(p, Pair)]
    if not pairs:
        return ""
    best = pairs[0]
    go_ran = [p.go for p in pairs if isinstance(p.go, GoResult) and p.go.measured]
    if not go_ran:
        return "Python vs Go\n" + _verdict(best)
    g = go_ran[0]
    assert isinstance(g, GoResult)
    head = (f"Python vs Go, the same work at the same N ({g.go}, GOMAXPROCS={g.gomaxprocs}; "
            f"Python's event loop runs on one core)")
    cols = (f"{'pairing':<14} {'Python':<20} {'wall s':>7} {'peak MiB':>8} {'B/unit':>8}  | "
            f"{'Go':<20} {'wall s':>7} {'peak MiB':>8} {'B/unit':>8}  | "
            f"{'time Py/Go':>10} {'mem Py/Go':>9}")
    lines = [head, cols, "-" * len(cols)]
    for p in pairs:
        row = (f"{p.label:<14} {_side(p.python)}  | {_side(p.go)}  | "
               f"{_fmt_ratio(p.time_ratio):>10} {_fmt_ratio(p.memory_ratio):>9}")
        if p.why and not p.complete:
            row += f"  ({p.why})"
        lines.append(row)
    lines.append("-" * len(cols))
    lines.append("B/unit: peak RSS growth per task, goroutine or job · time Py/Go > 1: Go "
                 "faster · mem Py/Go < 1: Python lighter")
    lines.append(_verdict(best))
    return "\n".join(lines)


Saveable = Ladder | RungResult | ScalePoint | Sequence[RungResult] | Sequence[ScalePoint]


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return dataclasses.asdict(obj)
    if isinstance(obj, (list, tuple)):
        return [_plain(x) for x in obj]
    raise TypeError(f"save_json takes the bench's results, not {type(obj).__name__}")


def save_json(results: Saveable, path: Path | str, *,
              extra: Mapping[str, Any] | None = None) -> Path:
    """Write ``results`` (a ladder, a result, or a list of them) as JSON, every field
    included (``dataclasses.asdict``). ``extra``: more top-level keys, such as the
    command line that made the run (only for a single object, not a list)."""
    data = _plain(results)
    if extra:
        if not isinstance(data, dict):
            raise TypeError("extra keys need a single result or ladder, not a list")
        data = {**data, **extra}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def load_ladder(path: Path | str) -> Ladder:
    """Read a ladder written by :func:`save_json` back into typed results."""
    return Ladder.from_dict(json.loads(Path(path).read_text()))
