"""Reading the results: one line per rung, the ladder as a table, JSON in and out.

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

from .results import Ladder, RungResult, ScalePoint

__all__ = ["format_result", "format_table", "save_json", "load_ladder"]


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
    """What a pool or threads row ran, which the table's columns cannot say."""
    if r.kind == "pool":
        return [f"worker pool: {r.units or 0:,} jobs of {r.job_delay or 0:g} s through "
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
