"""Errors raised by :func:`aiolab.run_virtual` when a run goes wrong in a way virtual time
would otherwise hide or turn into a hang.

Each carries the :class:`~aiolab.timeline.Timeline` recorded up to the failure (as
``err.timeline``), so a grader can still draw the learner's chart, and the tasks that were
still pending, each with where it was waiting, so the message points at the learner's line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .messages import _

if TYPE_CHECKING:
    from .timeline import Timeline

__all__ = [
    "VirtualTimeError",
    "VirtualTimeLimitError",
    "RealTimeLimitError",
    "BlockingCallError",
    "BlockingCallWarning",
]


def _pending_lines(pending: list[str]) -> str:
    if not pending:
        return _("\nNo task was pending.")
    shown = pending[:12]
    more = _("\n  ... and {count} more", count=len(pending) - len(shown)) if len(pending) > len(shown) else ""
    return _("\nPending tasks:\n") + "\n".join(f"  {line}" for line in shown) + more


class VirtualTimeError(Exception):
    """Base class of the errors :func:`aiolab.run_virtual` raises about the run itself
    (as opposed to the exceptions the learner's code raises, which propagate unchanged)."""

    timeline: Timeline | None

    def __init__(self, message: str, *, timeline: Timeline | None = None,
                 pending: list[str] | None = None, virtual_time: float | None = None) -> None:
        super().__init__(message)
        self.timeline = timeline
        #: One line per task still pending: its name and where it was waiting.
        self.pending: list[str] = list(pending or [])
        #: Loop time (virtual seconds under virtual time) when the error was detected.
        self.virtual_time = virtual_time


class VirtualTimeLimitError(VirtualTimeError):
    """The loop's clock reached ``limit`` before the main coroutine finished: usually a
    task waiting for something that never happens (an Event nobody sets, a queue nobody
    fills), or a loop that keeps sleeping."""

    def __init__(self, limit: float, *, pending: list[str],
                 timeline: Timeline | None = None) -> None:
        super().__init__(
            _("The coroutine was still running at t = {limit:g} s of virtual time (the "
              "limit). Something is waiting for an event that never comes, or looping "
              "forever; raise `limit=` if it really needs longer.", limit=limit) + _pending_lines(pending),
            timeline=timeline, pending=pending, virtual_time=limit)
        self.limit = limit


class RealTimeLimitError(VirtualTimeError):
    """The run took more than ``real_limit`` seconds of real time. Under virtual time that
    means the loop never got to skip ahead: synchronous code that never returns
    (``while True: pass``), or tasks that keep running without ever waiting for a timer
    (``while True: await asyncio.sleep(0)``)."""

    def __init__(self, message: str, *, real_limit: float, stuck: bool,
                 pending: list[str], virtual_time: float | None,
                 timeline: Timeline | None = None) -> None:
        super().__init__(message + _pending_lines(pending), timeline=timeline,
                         pending=pending, virtual_time=virtual_time)
        self.real_limit = real_limit
        #: True when the event loop itself was stuck (a step never returned); False when
        #: the loop kept cycling but never reached an end.
        self.stuck = stuck


class BlockingCallError(VirtualTimeError):
    """A task held the event loop for longer than ``blocking_threshold`` seconds of real
    time in one step (``time.sleep``, a CPU-bound loop, blocking I/O). Under virtual time
    such a call takes no virtual time at all, so the chart would hide it: we refuse."""

    def __init__(self, task: str, duration: float, where: str, threshold: float, *,
                 virtual_time: float | None = None, timeline: Timeline | None = None) -> None:
        super().__init__(
            _("Task {task!r} blocked the event loop for {duration:.3f} s of real time in "
              "one step (the threshold is {threshold:g} s); the step ended at {where}. "
              "Blocking calls such as time.sleep() or long computations stop every other "
              "task; use `await asyncio.sleep()`, `await asyncio.to_thread(...)`, or split "
              "the work. (If one long step is intended, e.g. creating 100,000 tasks at "
              "once, pass a larger `blocking_threshold=`, or None.)",
              task=task, duration=duration, threshold=threshold, where=where),
            timeline=timeline, virtual_time=virtual_time)
        self.task = task
        self.duration = duration
        self.where = where
        self.threshold = threshold


class BlockingCallWarning(RuntimeWarning):
    """:func:`aiolab.run_virtual` with ``on_blocking="warn"``: the same finding as
    :class:`BlockingCallError`, reported without stopping the run."""
