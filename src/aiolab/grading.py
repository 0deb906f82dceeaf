"""Helpers for the tests of graded exercises: judge timing exactly, and explain failures.

Why a layer over :func:`aiolab.run_virtual`: a test cell is read by a learner (in the
Validate report) and by an instructor (in nbgrader's feedback), not by a developer. So a
runaway coroutine, a blocking call or a wrong schedule must end in an ``AssertionError``
whose message says what went wrong in the learner's terms, and a timing mistake must come
with a picture: the learner's Gantt chart above the expected one.

Typical hidden test::

    from aiolab import grading

    run = grading.run(fetch_all, [1, 2, 3])                 # learner's code, virtual time
    assert run.result == [1, 2, 3], "results must be in input order"
    grading.expect_elapsed(run, 3.0, reference=model_fetch_all, args=([1, 2, 3],))
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import BlockingCallError, RealTimeLimitError, VirtualTimeLimitError
from .timeline import Timeline
from .virtual import run_virtual

#: Virtual seconds an exercise may take before it counts as never finishing.
VIRTUAL_LIMIT = 600.0
#: Real seconds an exercise may take (a busy loop that never lets virtual time advance).
#: A correct run takes milliseconds; nbgrader's own per-cell limit (30 s) is the backstop.
REAL_LIMIT = 5.0
#: Real seconds one step may hold the loop before it counts as a blocking call. Generous on
#: purpose: a loaded grading machine must never fail a correct answer, and the exercises
#: use virtual delays of a second or more, so a blocking `time.sleep(delay)` is far above it.
BLOCKING_THRESHOLD = 0.5
#: Two virtual times this close are equal (sums of decimal delays are not exact in binary).
TOLERANCE = 1e-6


class GradingFailure(AssertionError):
    """A learner's code failed a test for a reason the message explains."""


@dataclass
class Run:
    """What a learner's coroutine returned, and the timeline of what it did."""

    result: Any
    timeline: Timeline

    @property
    def elapsed(self) -> float:
        return self.timeline.elapsed


def _coroutine(fn: Callable[..., Awaitable[Any]] | Awaitable[Any], args: Sequence[Any],
               kwargs: dict[str, Any]) -> Awaitable[Any]:
    if inspect.isawaitable(fn):
        return fn
    if not callable(fn):
        raise GradingFailure(f"expected an async function, got {fn!r}")
    made = fn(*args, **kwargs)
    if not inspect.isawaitable(made):
        name = getattr(fn, "__name__", repr(fn))
        raise GradingFailure(f"{name}() must be an `async def` function: calling it returned "
                             f"{type(made).__name__}, not a coroutine")
    return made


def run(fn: Callable[..., Awaitable[Any]] | Awaitable[Any], *args: Any,
        limit: float = VIRTUAL_LIMIT, real_limit: float = REAL_LIMIT, **kwargs: Any) -> Run:
    """Run ``fn(*args, **kwargs)`` (or an awaitable) in virtual time, as a test.

    The learner's own exceptions propagate unchanged, so tests can expect them. Problems of
    the runner become :class:`GradingFailure` with a message for the learner: a blocking
    call (named, with its real duration), or a coroutine that never finishes (with the tasks
    still pending and where each one waits).
    """
    try:
        result, timeline = run_virtual(_coroutine(fn, args, kwargs), limit=limit, real_limit=real_limit,
                                       blocking_threshold=BLOCKING_THRESHOLD)
    except BlockingCallError as err:
        # Not err's own text: it suggests a larger `blocking_threshold=`, which a learner
        # cannot pass from a locked test cell.
        raise GradingFailure(
            f"Your code blocked the event loop: Task {err.task!r} blocked the event loop for "
            f"{err.duration:.3f} s of real time in one step, without awaiting (the step ended "
            f"at {err.where}).\n"
            "While one task runs without awaiting, no other task can run. Use "
            "`await asyncio.sleep(...)` instead of time.sleep(), and move slow synchronous "
            "work to `await asyncio.to_thread(...)`.") from None
    except VirtualTimeLimitError as err:
        # Not err's own text: it suggests raising `limit=`, which a learner cannot do in a
        # locked test cell.
        pending = "\n".join(f"  {line}" for line in err.pending[:12]) or "  (no task was pending)"
        raise GradingFailure(f"Your code did not finish within {limit:g} s of virtual time, "
                             "so it probably waits for something that never happens (an event "
                             "nobody sets, a task nobody finishes) or loops forever.\n"
                             f"Still waiting at that moment:\n{pending}") from None
    except RealTimeLimitError as err:
        if err.stuck:
            raise GradingFailure(
                f"Your code blocked the event loop: one step ran for {real_limit:g} s of real "
                "time without ever awaiting (a blocking call such as time.sleep(), or a loop "
                f"with no await in it).\n{err}") from None
        raise GradingFailure(f"Your code was still running after {real_limit:g} s of real time "
                             f"(an endless loop?).\n{err}") from None
    return Run(result, timeline)


def show_comparison(actual: Timeline, expected: Timeline | None, title: str) -> None:
    """Display the learner's chart above the expected one, in the cell's output."""
    try:
        from IPython.display import display
    except ImportError:  # plain Python: nothing to display into
        return
    from .gantt import plot_side_by_side

    if expected is None:
        display(actual.plot(title=f"Your code: {title}"))
    else:
        display(plot_side_by_side(actual, expected, titles=(f"Your code: {title}", "Expected")))


def expect_elapsed(run_: Run, expected: float, *, reference: Callable[..., Awaitable[Any]] | None = None,
                   args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None,
                   hint: str = "") -> None:
    """Assert the run took exactly ``expected`` virtual seconds, else show both charts.

    ``reference`` (a model solution, hidden from learners) is run with ``args`` to draw the
    expected chart; without it only the learner's chart is shown.
    """
    if math.isclose(run_.elapsed, expected, abs_tol=TOLERANCE):
        return
    expected_tl = run(reference, *args, **(kwargs or {})).timeline if reference else None
    show_comparison(run_.timeline, expected_tl, f"took {run_.elapsed:g} s")
    if run_.elapsed > expected:
        why = ("Too slow: tasks that could overlap ran one after another?" if not hint else hint)
    else:
        why = "Too fast: some work was skipped or not awaited?" if not hint else hint
    raise GradingFailure(f"Expected this to take {expected:g} s of virtual time; it took "
                         f"{run_.elapsed:g} s. {why}")
