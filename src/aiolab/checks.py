"""Named scenarios: how an exercise's tests are written, run, reported and scored.

Why scenarios instead of bare ``assert`` lines: a test cell is read by a learner (in the
Validate dialog, in their feedback) and scored by nbgrader. A bare assert stops at the first
failure, names no requirement, scores all or nothing, and its traceback walks through the
course's helpers. Here each requirement of the exercise is one scenario with a one-line
title in the exercise's own words and its points. Every scenario runs, whatever happened to
the others; each failure is reported as

    ✗ add_later · waits `delay` seconds without blocking (1 point)
      Expected this to take 5 s of virtual time; it took 0 s. ...
      Your code raised ValueError: boom, at cell In[4], line 3 (add): return a + b

and the cell scores the points of the scenarios that passed (nbgrader reads a test cell's
numeric result as partial credit).

A test cell of the learner's edition::

    checks = Checks("add_later")

    @checks.scenario("add_later(1, 2, 0.01) returns 3", points=1)
    async def _():
        assert await add_later(1, 2, 0.01) == 3, "..."

    checks.done()

``done()`` runs the scenarios and raises :class:`ChecksFailed` if any failed, so Validate
and Run All show the failure. Under nbgrader's autograde it only reports: the hidden part of
the cell then adds its own scenarios and ends with the cell's score
(:meth:`Checks.score`), so one failed scenario costs only its own points.
"""

from __future__ import annotations

import contextlib
import gc
import inspect
import linecache
import logging
import os
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ._stacks import is_cell, place
from .grading import GradingFailure, RealTimeBudget, run
from . import messages
from .messages import _

__all__ = ["Checks", "ChecksFailed", "Score", "Verdict"]

#: Frames of these packages are the course's machinery, never shown as "your code".
_MACHINERY = (os.sep + "aiolab" + os.sep, os.sep + "asyncio" + os.sep,
              os.sep + "looptime" + os.sep, "threading.py", "concurrent" + os.sep)


class ChecksFailed(AssertionError):
    """Some scenarios of an exercise failed; the message lists each, for the learner."""


@dataclass
class Scenario:
    title: str                      # one line, in the words of the exercise text
    points: float
    func: Callable[[], Any]


@dataclass
class Verdict:
    exercise: str
    scenario: Scenario
    passed: bool
    message: str = ""

    def lines(self) -> list[str]:
        mark = "✓" if self.passed else "✗"
        points = self.scenario.points
        pts = _("{points:g} point" if points == 1 else "{points:g} points", points=points)
        head = _("{mark} {exercise} · {title} ({points})", mark=mark, exercise=self.exercise,
                 title=messages.title(self.scenario.title), points=pts)
        return [head] + ["    " + line for line in self.message.splitlines()]


class Score(float):
    """A cell's score: nbgrader reads its text (``repr``) as the points earned; JupyterLab
    shows the sentence."""

    def __new__(cls, points: float, total: float) -> Score:
        self = super().__new__(cls, round(points, 4))
        self.total = total
        return self

    def __repr__(self) -> str:
        return f"{float(self):g}"

    def _repr_markdown_(self) -> str:
        return _("**Score: {earned:g} of {total:g} points**", earned=float(self), total=self.total)


def _your_line(err: BaseException, test_files: set[str]) -> str:
    """Where the learner's code raised: the innermost frame of a notebook cell that is not
    the test cell itself ('' if the error came from elsewhere)."""
    for frame in reversed(traceback.extract_tb(err.__traceback__)):
        name = frame.filename
        if name in test_files or any(part in name for part in _MACHINERY):
            continue
        if is_cell(name):
            line = (frame.line or linecache.getline(name, frame.lineno)).strip()
            return _(", at {place} ({function}): {line}", place=place(name, frame.lineno),
                     function=frame.name, line=line)
    return ""


def _message(err: BaseException, test_files: set[str]) -> str:
    if isinstance(err, (GradingFailure, ChecksFailed)) or type(err) is AssertionError:
        return messages.detail(str(err)) or _("a check failed")     # written per exercise: its details
    if isinstance(err, NotImplementedError):
        return _("Not written yet: the code still raises NotImplementedError.")
    if isinstance(err, BaseExceptionGroup):
        inner = "; ".join(f"{type(e).__name__}: {e}" for e in err.exceptions[:3])
        return _("Your code raised an ExceptionGroup ({inner}){where}", inner=inner,
                 where=_your_line(err, test_files))
    text = _(": {error}", error=err) if str(err) else ""
    return _("Your code raised {name}{text}{where}", name=type(err).__name__, text=text,
             where=_your_line(err, test_files))


@contextlib.contextmanager
def _asyncio_log(collect: bool = True) -> Iterator[list[str]]:
    """Collect what asyncio logs (e.g. "Task exception was never retrieved") instead of
    letting it reach stderr."""
    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage().splitlines()[0])

    logger = logging.getLogger("asyncio")
    handler, propagate = Collect(), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        if collect:
            gc.collect()                # a task destroyed with its exception logs here
        logger.removeHandler(handler)
        logger.propagate = propagate


class Checks:
    """The scenarios of one exercise (named after its solution cell's ``grade_id``)."""

    def __init__(self, exercise: str, heading: str = "") -> None:
        self.exercise = exercise
        self.heading = heading          # a line printed above the verdicts
        self.scenarios: list[Scenario] = []
        self.verdicts: list[Verdict] | None = None
        #: the real time the cell's runs may take together (shared with the hidden checks)
        self.budget = RealTimeBudget()
        #: Collect garbage after each scenario, so what the learner's code left behind
        #: (a coroutine never awaited, a task's unretrieved exception) is caught and
        #: reported. Off where the scenarios only read data (the course's judge): costly
        #: in a big process, and nothing of the learner's lives there.
        self.collect_garbage = True

    def scenario(self, title: str, points: float = 1.0) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        """Register a scenario: a function of no arguments (``async def`` ones run in virtual
        time with :func:`aiolab.grading.run`) that raises when the requirement is not met."""
        if "\n" in title:
            raise ValueError("a scenario's title is one line")

        def register(func: Callable[[], Any]) -> Callable[[], Any]:
            self.scenarios.append(Scenario(title, float(points), func))
            return func
        return register

    @property
    def total(self) -> float:
        return sum(s.points for s in self.scenarios)

    def _run_one(self, scenario: Scenario) -> Verdict:
        """One scenario, with what it makes Python say kept out of stderr: nbgrader scores a
        test cell that writes to stderr as 0, so a warning or an asyncio log line must be a
        decision of the check (a failure, or a note on the verdict), never an accident."""
        with _asyncio_log(self.collect_garbage) as logged, self.budget.active():
            verdict = self._judge(scenario)
        notes = [_('(note: asyncio logged "{line}")', line=line) for line in logged[:3]]
        if notes:
            verdict.message = "\n".join(filter(None, [verdict.message, *notes]))
        return verdict

    def _judge(self, scenario: Scenario) -> Verdict:
        test_files = {inspect.getsourcefile(scenario.func) or ""}
        failure = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                try:
                    if inspect.iscoroutinefunction(scenario.func):
                        run(scenario.func)
                    else:
                        scenario.func()
                finally:
                    if self.collect_garbage:
                        gc.collect()    # "coroutine ... was never awaited" shows up here, caught
            except (Exception, BaseExceptionGroup) as err:   # noqa: B902 - every failure is a verdict
                failure = _message(err, test_files)
            except BaseException as err:    # CancelledError, SystemExit, KeyboardInterrupt
                if isinstance(err, KeyboardInterrupt):
                    raise
                failure = _("Your code raised {name}{where} (it escaped instead of being handled).",
                            name=type(err).__name__, where=_your_line(err, test_files))
            # The failure's traceback held the learner's frames (and maybe a coroutine never
            # awaited): now that it is gone, collect them while warnings are still caught.
            if self.collect_garbage:
                gc.collect()
        if failure is not None:
            return Verdict(self.exercise, scenario, False, failure)
        never_awaited = [w for w in caught if "was never awaited" in str(w.message)]
        if never_awaited:
            return Verdict(self.exercise, scenario, False,
                           _("{warning}: a coroutine was created but never awaited "
                             "(call it with `await`, or wrap it in a task).",
                             warning=never_awaited[0].message))
        others = sorted({f"{w.category.__name__}: {w.message}" for w in caught})
        return Verdict(self.exercise, scenario, True, "\n".join(_("(note: {warning})", warning=w) for w in others[:3]))

    def run(self) -> list[Verdict]:
        """Run every scenario once (later calls reuse the verdicts)."""
        if self.verdicts is None:
            self.verdicts = [self._run_one(s) for s in self.scenarios]
        return self.verdicts

    def report(self) -> str:
        verdicts = self.run()
        earned = sum(v.scenario.points for v in verdicts if v.passed)
        lines = [line for v in verdicts for line in v.lines()]
        lines.append(_("{exercise}: {earned:g} of {total:g} points from these checks",
                       exercise=self.exercise, earned=earned, total=self.total))
        if self.heading:
            lines.insert(0, _(self.heading))
        return "\n".join(lines)

    def failed(self) -> list[Verdict]:
        return [v for v in self.run() if not v.passed]

    def done(self) -> None:
        """Run the scenarios. All passed: print the verdicts. One failed: raise
        :class:`ChecksFailed` with every verdict and why, so Validate and Run All show it;
        under nbgrader's autograde only print, since the hidden part of the cell scores them."""
        __tracebackhide__ = True   # IPython: show the learner the cell's line, not this frame
        report = self.report()
        if self.failed() and os.environ.get("NBGRADER_EXECUTION") != "autograde":
            raise ChecksFailed(report) from None
        print(report, flush=True)

    def score(self, *more: Checks) -> Score:
        """The points earned by these scenarios and by ``more`` (the hidden ones)."""
        everything = [self, *more]
        for checks in more:
            print(checks.report(), flush=True)
        earned = sum(v.scenario.points for c in everything for v in c.run() if v.passed)
        return Score(earned, sum(c.total for c in everything))
