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

import contextlib
import contextvars
import inspect
import math
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import BlockingCallError, RealTimeLimitError, VirtualTimeLimitError
from .messages import _, detail
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
#: Real seconds all the runs of one test cell may take together. nbgrader interrupts a cell
#: after 30 s (``Execute.timeout``) and then the cell scores nothing at all; this leaves
#: room for drawing charts and keeps the points of the scenarios that did pass.
CELL_BUDGET = 20.0
#: Real seconds each later run of a cell gets once one run had to be stopped at its limit:
#: an answer that got stuck once will usually get stuck again.
AFTER_STUCK = 0.5


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


class RealTimeBudget:
    """The real time the checks of one test cell may spend running the learner's code.

    Why one budget for a cell and not a limit per run: a correct answer takes milliseconds,
    but a stuck one (a busy loop, ``time.sleep``) uses up each run's limit, and a cell runs
    ten or twenty scenarios. Past nbgrader's per-cell timeout the whole cell scores 0 and its
    verdicts are lost. So every run gets ``min(per_run, what is left)``; once one run was
    stopped at its limit the later ones get :data:`AFTER_STUCK`; once nothing is left they
    are not run at all, with a message saying why. The clock starts at the first run.

    :class:`aiolab.checks.Checks` puts its budget in force (:meth:`active`) while it runs a
    scenario, so every :func:`run` inside one is bounded without the scenario doing
    anything; the hidden checks of a cell share the visible checks' budget.
    """

    def __init__(self, total: float = CELL_BUDGET, per_run: float = REAL_LIMIT,
                 after_stuck: float = AFTER_STUCK) -> None:
        self.total = total
        self.per_run = per_run
        self.after_stuck = after_stuck
        self.deadline: float | None = None
        self.stuck = ""                 # why a run was stopped, first line

    def remaining(self) -> float:
        if self.deadline is None:
            return self.total
        return self.deadline - time.monotonic()

    def limit(self, wanted: float | None = None, *, shrink: bool = True) -> float:
        """Real seconds the next run may take (``wanted`` caps it further; ``shrink=False``
        for runs that need real time, such as real sockets, keeps them from getting only
        :data:`AFTER_STUCK`); raises :class:`GradingFailure` if the cell's time is used up."""
        if self.deadline is None:
            self.deadline = time.monotonic() + self.total
        left = self.remaining()
        if left <= 0.05:
            why = _(" ({why})", why=self.stuck) if self.stuck else ""
            raise GradingFailure(_("Not run: the checks of this cell already took their "
                                   "{total:g} s of real time{why}.", total=self.total, why=why))
        cap = self.after_stuck if self.stuck and shrink else self.per_run
        return round(min(left, wanted if wanted is not None else cap, cap if shrink else math.inf), 2)

    def note_stuck(self, why: str) -> None:
        """A run had to be stopped at its limit: later runs get less."""
        self.stuck = self.stuck or why.splitlines()[0]

    @contextlib.contextmanager
    def active(self) -> Iterator[RealTimeBudget]:
        token = _BUDGET.set(self)
        try:
            yield self
        finally:
            _BUDGET.reset(token)


_BUDGET: contextvars.ContextVar[RealTimeBudget | None] = contextvars.ContextVar("aiolab_budget", default=None)


def budget() -> RealTimeBudget:
    """The budget in force (a test cell's, while :class:`~aiolab.checks.Checks` runs its
    scenarios), or a fresh one for a single run."""
    return _BUDGET.get() or RealTimeBudget()


def _coroutine(fn: Callable[..., Awaitable[Any]] | Awaitable[Any], args: Sequence[Any],
               kwargs: dict[str, Any]) -> Awaitable[Any]:
    if inspect.isawaitable(fn):
        return fn
    if not callable(fn):
        raise GradingFailure(_("expected an async function, got {fn!r}", fn=fn))
    made = fn(*args, **kwargs)
    if not inspect.isawaitable(made):
        name = getattr(fn, "__name__", repr(fn))
        raise GradingFailure(_("{name}() must be an `async def` function: calling it returned "
                               "{kind}, not a coroutine", name=name, kind=type(made).__name__))
    return made


def run(fn: Callable[..., Awaitable[Any]] | Awaitable[Any], *args: Any,
        limit: float = VIRTUAL_LIMIT, real_limit: float | None = None, **kwargs: Any) -> Run:
    """Run ``fn(*args, **kwargs)`` (or an awaitable) in virtual time, as a test.

    The learner's own exceptions propagate unchanged, so tests can expect them. Problems of
    the runner become :class:`GradingFailure` with a message for the learner: a blocking
    call (named, with its real duration), or a coroutine that never finishes (with the tasks
    still pending and where each one waits). The run may take ``real_limit`` real seconds
    at most (default :data:`REAL_LIMIT`), less if the cell's :class:`RealTimeBudget` has
    less left.
    """
    spend = budget()
    real_limit = spend.limit(real_limit)
    try:
        result, timeline = run_virtual(_coroutine(fn, args, kwargs), limit=limit, real_limit=real_limit,
                                       blocking_threshold=BLOCKING_THRESHOLD)
    except BlockingCallError as err:
        spend.note_stuck(_("an earlier run blocked the event loop for {duration:.1f} s", duration=err.duration))
        # Not err's own text: it suggests a larger `blocking_threshold=`, which a learner
        # cannot pass from a locked test cell.
        raise GradingFailure(_(
            "Your code blocked the event loop: Task {task!r} blocked the event loop for "
            "{duration:.3f} s of real time in one step, without awaiting (the step ended "
            "at {where}).\n"
            "While one task runs without awaiting, no other task can run. Use "
            "`await asyncio.sleep(...)` instead of time.sleep(), and move slow synchronous "
            "work to `await asyncio.to_thread(...)`.",
            task=err.task, duration=err.duration, where=err.where)) from None
    except VirtualTimeLimitError as err:
        # Not err's own text: it suggests raising `limit=`, which a learner cannot do in a
        # locked test cell.
        pending = "\n".join(f"  {line}" for line in err.pending[:12]) or _("  (no task was pending)")
        raise GradingFailure(_("Your code did not finish within {limit:g} s of virtual time, "
                               "so it probably waits for something that never happens (an event "
                               "nobody sets, a task nobody finishes) or loops forever.\n"
                               "Still waiting at that moment:\n{pending}",
                               limit=limit, pending=pending)) from None
    except RealTimeLimitError as err:
        spend.note_stuck(_("an earlier run was stopped after {real_limit:g} s of real time",
                           real_limit=real_limit))
        if err.stuck:
            raise GradingFailure(_(
                "Your code blocked the event loop: one step ran for {real_limit:g} s of real "
                "time without ever awaiting (a blocking call such as time.sleep(), or a loop "
                "with no await in it).\n{error}", real_limit=real_limit, error=err)) from None
        raise GradingFailure(_("Your code was still running after {real_limit:g} s of real time "
                               "(an endless loop?).\n{error}", real_limit=real_limit, error=err)) from None
    return Run(result, timeline)


def show_comparison(actual: Timeline, expected: Timeline | None, title: str) -> None:
    """Display the learner's chart above the expected one, in the cell's output."""
    try:
        from IPython.display import display
    except ImportError:  # plain Python: nothing to display into
        return
    display(comparison_figure(actual, expected, title))


def comparison_figure(actual: Timeline, expected: Timeline | None, title: str):
    """The learner's chart (titled "Your code: ``title``") above the expected one."""
    from .gantt import plot_side_by_side

    mine = _("Your code: {title}", title=title)
    if expected is None:
        return actual.plot(title=mine)
    return plot_side_by_side(actual, expected, titles=(mine, _("Expected")))


def reference_timeline(reference: Callable[..., Awaitable[Any]] | None, *args: Any, **kwargs: Any):
    """The timeline of ``reference`` (a model answer) run with these arguments, to draw the
    expected chart; None when there is no reference (the grader may have none to show: a
    grading sandbox keeps model answers out), or it needs one that is missing, or it failed."""
    if reference is None:
        return None
    try:
        return run(reference, *args, **kwargs).timeline
    except Exception:       # noqa: BLE001 - a chart we cannot draw is left out, never a failure of its own
        return None


def expect_elapsed(run_: Run, expected: float, *, reference: Callable[..., Awaitable[Any]] | None = None,
                   args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None,
                   hint: str = "") -> None:
    """Assert the run took exactly ``expected`` virtual seconds, else show both charts.

    ``reference`` (a model solution, hidden from learners) is run with ``args`` to draw the
    expected chart; without it only the learner's chart is shown.
    """
    if math.isclose(run_.elapsed, expected, abs_tol=TOLERANCE):
        return
    expected_tl = reference_timeline(reference, *args, **(kwargs or {}))
    show_comparison(run_.timeline, expected_tl, took(run_.elapsed))
    raise GradingFailure(elapsed_failure(expected, run_.elapsed, hint))


def took(elapsed: float | None) -> str:
    """A chart's title for a run that took ``elapsed`` virtual seconds."""
    return _("took {elapsed:g} s", elapsed=elapsed)


def elapsed_failure(expected: float, elapsed: float, hint: str = "") -> str:
    """What :func:`expect_elapsed` says when a run took ``elapsed`` instead of ``expected``."""
    if hint:
        why = detail(hint)
    elif (elapsed or 0) > expected:
        why = _("Too slow: tasks that could overlap ran one after another?")
    else:
        why = _("Too fast: some work was skipped or not awaited?")
    return _("Expected this to take {expected:g} s of virtual time; it took {elapsed:g} s. {why}",
             expected=expected, elapsed=elapsed, why=why)


def expect_task(run_: Run, name: str, *, outcome: str | None = None, started: float | None = None,
                ended: float | None = None, why: str = "",
                reference: Callable[..., Awaitable[Any]] | None = None,
                args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None) -> None:
    """Assert the task named ``name`` ran once, started at ``started``, ended at ``ended`` and
    ended as ``outcome`` ("result", "exception", "cancelled"); each ``None`` is not checked.
    Else show the learner's chart above the expected one (``reference`` run with ``args``)
    and fail saying what the row should have been and what it was."""
    wrong = task_mismatch(run_.timeline, name, outcome=outcome, started=started, ended=ended, why=why)
    if wrong is None:
        return
    expected_tl = reference_timeline(reference, *args, **(kwargs or {}))
    show_comparison(run_.timeline, expected_tl, _("task {name!r}", name=name))
    raise GradingFailure(wrong)


def task_mismatch(timeline: Timeline, name: str, *, outcome: str | None = None, started: float | None = None,
                  ended: float | None = None, why: str = "") -> str | None:
    """None if the task named ``name`` ran as :func:`expect_task` expects, else what the row
    should have been and what it was (also for a timeline rebuilt from records)."""
    rows = timeline.find(name)
    row = rows[0] if len(rows) == 1 else None
    ok = row is not None and (
        (started is None or (row.started is not None and math.isclose(row.started, started, abs_tol=TOLERANCE)))
        and (ended is None or (row.ended is not None and math.isclose(row.ended, ended, abs_tol=TOLERANCE)))
        and (outcome is None or row.outcome == outcome))
    if ok:
        return None
    how = {"result": _("with a value"), "exception": _("with an exception"), "cancelled": _("cancelled"),
           None: ""}
    should = _(" and ").join(filter(None, [
        _("start at {started:g} s", started=started) if started is not None else "",
        (_("end {how} at {ended:g} s", how=how.get(outcome, outcome), ended=ended) if how.get(outcome, outcome)
         else _("end at {ended:g} s", ended=ended)) if ended is not None else
        (_("end {how}", how=how.get(outcome, outcome)) if outcome else "")])) or _("run")
    if row is None:
        was = (_("it ran in {count} tasks of that name", count=len(rows)) if rows
               else _("no task of that name ran"))
    else:
        end = (_("was still running") if row.ended is None else
               _("ended {how} at {ended:g} s", how=how.get(row.outcome, row.outcome), ended=row.ended))
        was = (_("it started at {started:g} s and {end}", started=row.started, end=end) if row.started is not None
               else _("it never started and {end}", end=end))
    prefix = _("{why}: ", why=detail(why)) if why else ""
    return _("{prefix}the task {name!r} should {should}, once; {was}.", prefix=prefix, name=name,
             should=should, was=was)
