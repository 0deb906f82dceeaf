"""Export a Timeline as Chrome trace-event JSON, for Perfetto (ui.perfetto.dev) or
chrome://tracing.

Matplotlib shows a whole run at once; a trace viewer lets a learner zoom from the whole
run down to single microsecond steps and click a step to see its details. The format is
the "Trace Event Format" (the JSON variant): a dict with a ``traceEvents`` list.

Mapping:

* the run is one process (pid 1) named after the timeline;
* each row (task, span, thread work) is one "thread" (tid = creation order + 1), named by
  ``thread_name`` metadata and kept in creation order by ``thread_sort_index``;
* each step is a complete ("X") event, category ``running`` (or ``thread`` for thread
  work), named after the coroutine; the time a task was ready before a step (queued while
  the loop ran something else; see :attr:`TaskRecord.ready`) is an "X" event named and
  categorised ``ready``, right before it, when it lasted at all (never under virtual time);
  each remaining gap between creation, steps and the end is an "X" event of category
  ``waiting``, so the viewer can hide or colour each state separately;
* how the row ended is an instant ("i") event at its end, category ``outcome``.

Timestamps are microseconds from the timeline's t = 0.
"""

from __future__ import annotations

import json
from os import PathLike
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = ["to_chrome_trace", "save_chrome_trace"]

PID = 1


def _us(seconds: float) -> float:
    # Rounded to nanoseconds: keeps the JSON short and the virtual times exact.
    return round(seconds * 1e6, 3)


def to_chrome_trace(tl: Timeline, *, name: str = "aiolab timeline") -> dict[str, Any]:
    """The trace as a dict ready for ``json.dump``."""
    events: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": PID, "tid": 0, "args": {"name": name}},
    ]
    now = tl._now()
    origin = tl._origin
    for rec in tl._records:
        tid = rec.index + 1
        events.append({"ph": "M", "name": "thread_name", "pid": PID, "tid": tid,
                       "args": {"name": rec.label}})
        events.append({"ph": "M", "name": "thread_sort_index", "pid": PID, "tid": tid,
                       "args": {"sort_index": tid}})
        created, ended = rec.interval(now)
        step_name = (f"{rec.coro_name}()" if rec.coro_name else rec.name)
        category = "thread" if rec.kind == "thread" else "running"
        cursor = created
        st = rec._steps
        for i in range(0, len(st), 4):
            ready, start = st[i] - origin, st[i + 1] - origin
            end, real = st[i + 2] - origin, st[i + 3]
            ready = min(max(ready, cursor), start)
            if ready > cursor:
                events.append(_complete("waiting", "waiting", cursor, ready, tid))
            if start > ready:
                events.append(_complete("ready", "ready", ready, start, tid))
            ev = _complete(step_name, category, start, end, tid)
            ev["args"] = {"step": i // 4, "real_ms": round(real * 1e3, 6), "kind": rec.kind}
            events.append(ev)
            cursor = max(cursor, end)
        if ended > cursor:
            events.append(_complete("waiting", "waiting", cursor, ended, tid))
        outcome: dict[str, Any] = {"ph": "i", "s": "t", "cat": "outcome", "pid": PID,
                                   "tid": tid, "ts": _us(ended), "name": rec.outcome,
                                   "args": {"parent": rec.parent_name}}
        if rec.exception is not None:
            outcome["name"] = "timed out" if rec.timed_out else f"raised {rec.exception}"
            outcome["args"]["exception"] = rec.exception
            outcome["args"]["message"] = rec.exception_message
        events.append(outcome)
    return {
        "traceEvents": events,
        "displayTimeUnit": "ms",
        "otherData": {
            "generator": "aiolab",
            "clock": "virtual" if tl.virtual else "real",
            "elapsed_s": tl.elapsed,
            "total_task_time_s": tl.total_task_time,
        },
    }


def _complete(name: str, cat: str, start: float, end: float, tid: int) -> dict[str, Any]:
    return {"ph": "X", "name": name, "cat": cat, "pid": PID, "tid": tid,
            "ts": _us(start), "dur": _us(max(0.0, end - start))}


def save_chrome_trace(tl: Timeline, path: str | PathLike[str], **kwargs: Any) -> None:
    """Write :func:`to_chrome_trace` to ``path`` (open it in Perfetto / chrome://tracing)."""
    with open(path, "w", encoding="utf-8") as f:
        json.dump(to_chrome_trace(tl, **kwargs), f, separators=(",", ":"))
