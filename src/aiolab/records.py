"""What a :class:`~aiolab.timeline.Timeline` remembers about one row of the chart.

A row is usually an asyncio task, but it can also be a hand-marked block of synchronous
code (:meth:`Timeline.span`) or a function run in a worker thread
(:meth:`Timeline.to_thread`). All three share one record type so that queries, charts and
exports treat them alike; :attr:`TaskRecord.kind` tells them apart.

Why the odd layout: records are written on the hot path of every task step, so they keep
*raw* clock readings (absolute loop time) in slots and a flat ``array('d')``, and translate
them to times relative to the timeline's origin only when somebody reads them. Reading is
rare (a test, a chart); writing happens hundreds of thousands of times in the benchmark.
For the same reason the record of a *task* is an instance of a subclass,
:class:`aiolab._tracing.TracedCoroutine`, which is at the same time the coroutine the task
drives: one object per task rather than two.
"""

from __future__ import annotations

import asyncio
import re
from array import array
from typing import Any, Literal

Kind = Literal["task", "span", "thread"]
Outcome = Literal["pending", "result", "exception", "cancelled"]

#: Names asyncio gives tasks nobody named. Rows with such names get their coroutine's
#: name appended in labels, because "Task-17" alone tells a learner nothing.
_DEFAULT_TASK_NAME = re.compile(r"^Task-\d+$")


class TaskRecord:
    """One row: when it was created, each step it ran, and how it ended.

    Times are seconds relative to the start of the timeline (its t = 0), read from the
    event loop's clock, so under virtual time they are virtual and exact.

    A row is in one of three states at any moment, the three shades of its chart row:

    * *running* (:attr:`steps`): a step is one uninterrupted stretch of running, from the
      moment the event loop resumed the task until it next awaited something that was not
      ready (or finished);
    * *ready* (:attr:`ready`): the loop could have resumed it (it was just created, it
      yielded with ``await asyncio.sleep(0)``, what it awaited was done, or its sleep was
      due) but was busy running something else: the visible sign of another step holding
      the loop. How the moment it became ready is known: :mod:`aiolab._tracing`;
    * *waiting*: the rest of its life, awaiting something that is not done yet.

    Spans and thread work have no ready time (a thread queued for a free worker is not
    waiting for the event loop).
    """

    __slots__ = (
        "kind",
        "index",
        "coro_name",
        "parent",
        "outcome",
        "exception",
        "exception_message",
        "timed_out",
        "_name",
        "_task",
        "_origin",
        "_created",
        "_ended",
        "_steps",
    )

    def __init__(
        self,
        kind: Kind,
        index: int,
        origin: float,
        created: float,
        parent: TaskRecord | None,
        coro_name: str | None = None,
        name: str | None = None,
    ) -> None:
        self.kind: Kind = kind
        #: Position in creation order (0 for the first row of the timeline).
        self.index = index
        #: ``__qualname__`` of the task's coroutine (``None`` for spans and threads).
        self.coro_name = coro_name
        #: Record of the task that created this one; ``None`` for top-level rows.
        self.parent = parent
        #: ``"pending"`` until it ends, then ``"result"``, ``"exception"`` or ``"cancelled"``.
        self.outcome: Outcome = "pending"
        #: Type name of the exception it ended with, if it failed.
        self.exception: str | None = None
        #: ``str()`` of that exception, for error messages and graders.
        self.exception_message: str | None = None
        #: It ended with a :class:`TimeoutError` (for example from ``asyncio.timeout``).
        self.timed_out = False
        self._name = name
        self._task: asyncio.Task[Any] | None = None
        self._origin = origin
        self._created = created
        self._ended: float | None = None
        # ready_since, start, end, real_seconds of each step, flat (four floats a step);
        # the first three are raw clock readings, ready_since == start when it ran at once.
        self._steps = array("d")

    # -- identity -------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The task's name (as ``Task.get_name()`` reported it when the task ended)."""
        if self._name is None:
            return self._task.get_name() if self._task is not None else "?"
        return self._name

    @property
    def label(self) -> str:
        """The name shown in charts: asyncio's default ``Task-N`` names get the coroutine."""
        name = self.name
        if self.coro_name and _DEFAULT_TASK_NAME.match(name):
            return f"{name} {self.coro_name}()"
        return name

    @property
    def parent_name(self) -> str | None:
        return self.parent.name if self.parent is not None else None

    # -- times ----------------------------------------------------------------------------

    @property
    def created(self) -> float:
        """When the task was created (``create_task``, ``gather``, ...)."""
        return self._created - self._origin

    @property
    def started(self) -> float | None:
        """Start of its first step, or ``None`` if it never ran."""
        return self._steps[1] - self._origin if self._steps else None

    @property
    def ended(self) -> float | None:
        """When it finished, or ``None`` while pending."""
        return None if self._ended is None else self._ended - self._origin

    @property
    def done(self) -> bool:
        return self.outcome != "pending"

    @property
    def steps(self) -> list[tuple[float, float]]:
        """``(start, end)`` of every step it ran, in order."""
        o = self._origin
        st = self._steps
        return [(s - o, e - o) for s, e in zip(st[1::4], st[2::4])]

    @property
    def ready(self) -> list[tuple[float, float]]:
        """``(ready since, start)`` before every step, one pair per step in the order of
        :attr:`steps`: how long the task was ready, queued for the loop, before the loop
        resumed it. ``(start, start)`` when it ran at once (as under virtual time, where the
        clock stands still while anything runs)."""
        o = self._origin
        st = self._steps
        return [(r - o, s - o) for r, s in zip(st[0::4], st[1::4])]

    @property
    def step_real_durations(self) -> list[float]:
        """Real (``perf_counter``) seconds each step took, even under virtual time."""
        return self._steps[3::4].tolist()

    @property
    def n_steps(self) -> int:
        return len(self._steps) // 4

    @property
    def duration(self) -> float | None:
        """Creation to end, or ``None`` while pending."""
        return None if self._ended is None else self._ended - self._created

    @property
    def running_time(self) -> float:
        """Loop-clock seconds spent running (always 0 under virtual time: steps take no
        virtual time; see :attr:`real_running_time`)."""
        st = self._steps
        return sum(e - s for s, e in zip(st[1::4], st[2::4]))

    @property
    def real_running_time(self) -> float:
        """Real seconds spent running, summed over steps."""
        return sum(self._steps[3::4])

    @property
    def ready_time(self) -> float:
        """Loop-clock seconds spent ready, queued behind other work on the loop (always 0
        under virtual time)."""
        st = self._steps
        return sum(s - r for r, s in zip(st[0::4], st[1::4]))

    @property
    def waiting_time(self) -> float | None:
        """Creation to end, minus running: time spent ready *or* awaiting something (it
        includes :attr:`ready_time`, as it always has; the chart's waiting shade is
        ``waiting_time - ready_time``)."""
        duration = self.duration
        return None if duration is None else max(0.0, duration - self.running_time)

    def states(self, until: float | None = None) -> list[tuple[str, float, float]]:
        """The row's life as consecutive ``(state, start, end)`` pieces, state
        ``"waiting"``, ``"ready"`` or ``"running"``, from creation to end (``until``, by
        default the last step's end, stands in for the end of a pending row). Pieces of
        zero length are left out, so under virtual time there is no ``"ready"``."""
        o = self._origin
        created = self._created - o
        ended = self.ended
        end = ended if ended is not None else until
        pieces: list[tuple[str, float, float]] = []
        cursor = created
        st = self._steps
        for i in range(0, len(st), 4):
            ready, start, stop = st[i] - o, st[i + 1] - o, st[i + 2] - o
            ready = min(max(ready, cursor), start)
            if ready > cursor:
                pieces.append(("waiting", cursor, ready))
            if start > ready:
                pieces.append(("ready", ready, start))
            if stop > start:
                pieces.append(("running", start, stop))
            cursor = max(cursor, stop)
        if end is not None and end > cursor:
            pieces.append(("waiting", cursor, end))
        return pieces

    def interval(self, until: float) -> tuple[float, float]:
        """``(created, ended)``, with ``until`` standing in for the end of a pending row."""
        ended = self.ended
        return self.created, (until if ended is None else ended)

    # -- life cycle (called by the recorder) -----------------------------------------------

    def _finish(self, ended: float, exc: BaseException | None) -> None:
        """Record how it ended. ``exc`` is ``None`` or a StopIteration for a result."""
        self._ended = ended
        if exc is None or isinstance(exc, StopIteration):
            self.outcome = "result"
        elif isinstance(exc, asyncio.CancelledError):
            self.outcome = "cancelled"
        else:
            self.outcome = "exception"
            self.exception = type(exc).__name__
            try:
                self.exception_message = str(exc)
            except Exception:  # a broken __str__ must not break the recording
                self.exception_message = None
            self.timed_out = isinstance(exc, TimeoutError)
        self._freeze()

    def _freeze(self) -> None:
        """Stop referring to the live task (and through it, frames and results)."""
        task = self._task
        if task is not None:
            self._name = task.get_name()
            self._task = None

    # -- export ---------------------------------------------------------------------------

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary (see :meth:`Timeline.records`)."""
        return {
            "index": self.index,
            "name": self.name,
            "label": self.label,
            "kind": self.kind,
            "coro": self.coro_name,
            "parent": self.parent_name,
            "parent_index": None if self.parent is None else self.parent.index,
            "created": self.created,
            "started": self.started,
            "ended": self.ended,
            "outcome": self.outcome,
            "exception": self.exception,
            "exception_message": self.exception_message,
            "timed_out": self.timed_out,
            "steps": [[s, e] for s, e in self.steps],
            "ready": [[r, s] for r, s in self.ready],
            "step_real_durations": self.step_real_durations,
            "running_time": self.running_time,
            "real_running_time": self.real_running_time,
            "ready_time": self.ready_time,
            "waiting_time": self.waiting_time,
        }

    @classmethod
    def from_dict(cls, row: dict[str, Any], parent: TaskRecord | None = None) -> TaskRecord:
        """A finished row rebuilt from :meth:`as_dict` (for example in another process,
        to chart a timeline recorded elsewhere). Times are relative to the timeline's start.
        A row written before ready times were recorded (no ``"ready"``) was never ready."""
        rec = cls(row["kind"], int(row["index"]), 0.0, float(row["created"]), parent,
                  coro_name=row.get("coro"), name=str(row["name"]))
        ended = row.get("ended")
        rec._ended = None if ended is None else float(ended)
        rec.outcome = row.get("outcome", "pending")
        rec.exception = row.get("exception")
        rec.exception_message = row.get("exception_message")
        rec.timed_out = bool(row.get("timed_out", False))
        reals = list(row.get("step_real_durations") or [])
        ready = list(row.get("ready") or [])
        for i, (start, end) in enumerate(row.get("steps") or []):
            since = float(ready[i][0]) if i < len(ready) else float(start)
            rec._steps.extend([min(since, float(start)), float(start), float(end),
                               float(reals[i]) if i < len(reals) else 0.0])
        return rec

    def __repr__(self) -> str:
        ended = self.ended
        end = "pending" if ended is None else f"{ended:g}"
        detail = self.outcome if self.exception is None else f"{self.outcome} {self.exception}"
        return (f"<TaskRecord {self.label!r} {self.kind} {self.created:g}..{end} "
                f"{detail} steps={self.n_steps}>")

