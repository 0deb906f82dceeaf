"""The grader's side of grading from outside the kernel: verdicts made from data.

At grading time, a test cell whose exercise is judged outside (its lesson module in
:mod:`coursetools.checks` lists it in ``OUTSIDE``) is not run in the learner's kernel.
:class:`coursetools.preprocessors.SandboxedExecute` hands it to :func:`judge_cell`
instead, with a :class:`Kernel` that can only ask the sandboxed kernel to run the learner's
functions (:func:`aiolab.drive.call`) and get data back. The exercise's scenarios run here,
in the grader's process: they pick the inputs (some at random), read the answers as data
(results parsed as Python literals, never the learner's objects), decide each verdict,
draw the charts, and the cell's outputs are written from that: the report, the charts and
the score that nbgrader reads. Nothing the kernel says about itself decides a verdict.

The same scenarios also run inside a kernel, with a :class:`LocalKernel` over the learner's
own objects: in the instructor's notebook (its hidden region calls ``check`` as before) and
in the unit tests. One set of scenarios per exercise, two places to run it.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import importlib
import io
import json
import math
import random
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import nbformat
from nbformat import NotebookNode

from aiolab import drive, grading, messages
from aiolab.checks import Checks
from aiolab.grading import GradingFailure
from aiolab.messages import _
from aiolab.timeline import Timeline

__all__ = ["Answer", "Kernel", "LocalKernel", "Opaque", "Target", "expect_elapsed", "expect_task", "in_kernel",
           "judge_cell", "names", "outside_target", "rng", "shared", "show"]


class Opaque:
    """A result that was not a plain value (the learner's own object): equal to nothing."""

    def __init__(self, kind: str, shown: str) -> None:
        self.kind, self.shown = kind, shown

    def __eq__(self, other: object) -> bool:
        return False

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<a {self.kind} object: {self.shown}>"


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("literal"), str) and len(value["literal"]) <= drive.MAX_LITERAL:
        try:
            return ast.literal_eval(value["literal"])
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            pass
    if isinstance(value, dict):
        return Opaque(str(value.get("opaque", "unknown"))[:80], str(value.get("repr", "?"))[:200])
    return Opaque("unknown", "?")


@dataclass
class Answer:
    """What the kernel said one request did, checked for shape and nothing more."""

    function: str
    defined: bool
    coroutine_function: bool
    results: list[Any] | None
    elapsed: float | None
    timeline: Timeline | None
    failure: str | None
    notes: str = ""

    def values(self, count: int) -> list[Any]:
        """The results, or the failure (in the learner's terms) as a failed check."""
        if self.failure:
            raise GradingFailure(self.failure)
        if self.results is None or len(self.results) != count:
            raise GradingFailure(_("The kernel's answer was malformed (did code in the notebook change how "
                                   "cells run?)."))
        return self.results

    @classmethod
    def parse(cls, text: str | None, function: str) -> Answer:
        try:
            data = json.loads(text or "")
            assert isinstance(data, dict)
            results = data.get("results")
            if results is not None and not isinstance(results, list):
                raise ValueError("results")
            records = data.get("records") or []
            timeline = None
            if results is not None:
                timeline = Timeline.from_records(records, stopped_at=float(data.get("end") or 0.0))
            elapsed = data.get("elapsed")
            if elapsed is not None and not (isinstance(elapsed, (int, float)) and math.isfinite(elapsed)):
                raise ValueError("elapsed")
            return cls(function, bool(data.get("defined")), bool(data.get("coroutine_function")),
                       None if results is None else [_decode(r) for r in results],
                       None if elapsed is None else float(elapsed), timeline,
                       None if data.get("failure") is None else str(data["failure"])[:4000],
                       str(data.get("notes") or "")[:2000])
        except Exception:       # noqa: BLE001 - anything unexpected is the kernel's doing
            raise GradingFailure(_("The kernel did not answer the grader with data (did code in the notebook "
                                   "change how cells run?).")) from None


class Kernel:
    """The learner's kernel as a scenario sees it: it runs the learner's functions on
    request. ``execute(code)`` runs code there and returns the ``text/plain`` of its
    result (or raises :class:`GradingFailure`).

    One kernel serves one test cell, whose requests may take ``budget`` real seconds
    together (each request is also bounded in the kernel, :data:`aiolab.grading.REAL_LIMIT`):
    a stuck answer fails the scenarios left with a message instead of holding the whole
    notebook's time. The grader's clock measures it; it bounds time, it decides no verdict."""

    def __init__(self, execute: Callable[[str], str | None], budget: float = grading.CELL_BUDGET,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._execute, self._clock = execute, clock
        self.budget, self.spent = budget, 0.0

    def call(self, function: str, *calls: tuple[Any, ...], together: bool = False) -> Answer:
        args = [tuple(c) for c in calls]
        for a in args:
            drive.literal(a)            # the grader's own inputs are plain values
        return self._ask(f"call({function!r}, {args!r}, together={together!r})", function)

    def probe(self, name: str, objects: tuple[str, ...] | str, *args: Any) -> Answer:
        """Run :mod:`aiolab.probes` ``name`` on the learner's ``objects`` (names) with
        ``args``; the answer's one value is what the probe returned."""
        objects = (objects,) if isinstance(objects, str) else tuple(objects)
        drive.literal(args)
        return self._ask(f"probe({name!r}, {list(objects)!r}, {args!r})", objects[0])

    def _ask(self, request: str, function: str) -> Answer:
        if self.spent >= self.budget:
            raise GradingFailure(_("Not run: the grader's requests for this cell used up their {budget:g} s of "
                                   "real time (the code was stuck or very slow in an earlier scenario).",
                                   budget=self.budget))
        started = self._clock()
        try:
            said = self._execute(f"__import__('aiolab.drive').drive.{request}")
        finally:
            self.spent += self._clock() - started
        try:
            text = ast.literal_eval(said) if said is not None else None
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            text = None
        return Answer.parse(text if isinstance(text, str) else None, function)


class LocalKernel(Kernel):
    """The same requests answered in this process, from ``namespace`` (the instructor's
    notebook, unit tests): no sandbox, the same data."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace

    def call(self, function: str, *calls: tuple[Any, ...], together: bool = False) -> Answer:
        return Answer.parse(drive.call(function, [tuple(c) for c in calls], together=together,
                                       namespace=self.namespace), function)

    def probe(self, name: str, objects: tuple[str, ...] | str, *args: Any) -> Answer:
        objects = (objects,) if isinstance(objects, str) else tuple(objects)
        return Answer.parse(drive.probe(name, list(objects), args, namespace=self.namespace), objects[0])


#: Randomness for inputs the kernel cannot foresee (a fresh seed per process).
rng = random.SystemRandom()


def names(count: int, *, taken: tuple[str, ...] = ("main",)) -> list[str]:
    """``count`` distinct random lowercase words (task names, values), none of ``taken``
    (``"main"``: the row of the grader's request on a timeline)."""
    found: list[str] = []
    while len(found) < count:
        word = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 7)))
        if word not in found and word not in taken:
            found.append(word)
    return found


def shared(ask: Callable[..., Answer]) -> Callable[..., Answer]:
    """``ask(*args)`` asked once per distinct ``args`` (plain values): scenarios that judge
    the same run, each its own requirement, share one request, as a notebook's visible
    scenarios share one helper's run (a stuck answer then costs the cell's budget once)."""
    answers: dict[str, Answer] = {}

    def ask_once(*args: Any) -> Answer:
        key = repr(args)
        if key not in answers:
            answers[key] = ask(*args)
        return answers[key]
    return ask_once


# ---- charts ----------------------------------------------------------------------------

#: The PNGs drawn for the cell being judged (None: inside a kernel, display them).
_charts: ContextVar[list[str] | None] = ContextVar("charts", default=None)


def show(actual: Timeline | None, expected: Timeline | None, title: str) -> None:
    """Draw the learner's chart (above the expected one) into the judged cell's outputs;
    inside a kernel (LocalKernel), display it as the in-kernel checks do."""
    if actual is None:
        return
    pngs = _charts.get()
    if pngs is None:
        grading.show_comparison(actual, expected, title)
        return
    figure = grading.comparison_figure(actual, expected, title)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    pngs.append(base64.b64encode(buffer.getvalue()).decode())
    import matplotlib.pyplot as plt

    plt.close(figure)


def expect_elapsed(answer: Answer, expected: float, *, reference: Any = None, args: tuple = (),
                   hint: str = "") -> None:
    """:func:`aiolab.grading.expect_elapsed` on an answer: the run took exactly ``expected``
    virtual seconds, else both charts (the expected one from the model answer, run here)."""
    if answer.elapsed is not None and math.isclose(answer.elapsed, expected, abs_tol=grading.TOLERANCE):
        return
    show(answer.timeline, grading.reference_timeline(reference, *args), grading.took(answer.elapsed))
    raise GradingFailure(grading.elapsed_failure(expected, answer.elapsed, hint))


def expect_task(answer: Answer, name: str, *, reference: Any = None, args: tuple = (), **expected: Any) -> None:
    """:func:`aiolab.grading.expect_task` on an answer's timeline: the task named ``name``
    ran once as ``expected`` (``outcome``, ``started``, ``ended``, ``why``), else both charts."""
    wrong = (grading.task_mismatch(answer.timeline, name, **expected) if answer.timeline is not None
             else _("The kernel's answer had no timeline."))
    if wrong is None:
        return
    show(answer.timeline, grading.reference_timeline(reference, *args), _("task {name!r}", name=name))
    raise GradingFailure(wrong)


# ---- test cells judged outside -----------------------------------------------------------

_HIDDEN_CALL = re.compile(r"^from coursetools\.checks\.(lesson\d\d) import check\s*\n\s*check\(checks((?:,\s*\w+)*)\)\s*$",
                          re.MULTILINE)
_EXERCISE = re.compile(r"""Checks\(\s*["'](\w+)["']""")


@dataclass
class Target:
    module: str                     # coursetools.checks.lessonNN
    exercise: str                   # the grade_id of its solution cell
    answers: tuple[str, ...]        # names the checks take


def outside_target(cell: NotebookNode) -> Target | None:
    """The exercise a test cell checks, when its lesson judges it outside the kernel."""
    meta = cell.get("metadata", {}).get("nbgrader", {})
    if cell.get("cell_type") != "code" or not meta.get("grade") or meta.get("solution"):
        return None
    hidden, exercise = _HIDDEN_CALL.search(cell.source), _EXERCISE.search(cell.source)
    if hidden is None or exercise is None:
        return None
    module = importlib.import_module(f"coursetools.checks.{hidden.group(1)}")
    if exercise.group(1) not in getattr(module, "OUTSIDE", {}):
        return None
    names = tuple(n.strip() for n in hidden.group(2).split(",") if n.strip())
    return Target(module.__name__, exercise.group(1), names)


def judge_cell(target: Target, kernel: Kernel, language: str | None = None) -> list[NotebookNode]:
    """Every scenario of ``target`` (the visible ones re-made from data, and the hidden
    ones) judged here; the test cell's outputs: the report, the charts, the score.
    ``language``: the learner's (:func:`aiolab.messages.notebook_language` of the judged
    notebook; None: the language in force), which the report and the charts speak."""
    if language is not None:
        with messages.speaking(language):
            return judge_cell(target, kernel)
    factory = importlib.import_module(target.module).OUTSIDE[target.exercise]
    pngs: list[str] = []
    printed = io.StringIO()
    token = _charts.set(pngs)
    try:
        visible, hidden = _data_only(*factory(kernel))
        with contextlib.redirect_stdout(printed):
            print(visible.report(), flush=True)
            score = visible.score(hidden)
    finally:
        _charts.reset(token)
    outputs = [nbformat.v4.new_output("stream", name="stdout", text=printed.getvalue())]
    outputs += [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<a chart>"})
                for png in pngs]
    outputs.append(nbformat.v4.new_output("execute_result", execution_count=None,
                                          data={"text/plain": repr(score), "text/markdown": score._repr_markdown_()}))
    return outputs


def in_kernel(factory: Callable[[Kernel], tuple[Checks, Checks]],
              names: tuple[str, ...]) -> Callable[..., Checks]:
    """An exercise judged outside, as the in-kernel hidden checks of
    :func:`coursetools.checks.checker` take it: ``make(*answer)`` gives its hidden
    scenarios, asking a :class:`LocalKernel` that holds the answer's objects under
    ``names``. So the instructor's notebook and the unit tests run the very scenarios the
    grader runs outside."""
    def make(*answer: Any) -> Checks:
        return _data_only(*factory(LocalKernel(dict(zip(names, answer)))))[1]
    return make


def in_kernel_all(outside: dict[str, Callable[[Kernel], tuple[Checks, Checks]]],
                  answers: dict[str, tuple[str, ...]] | None = None) -> dict[str, Callable[..., Checks]]:
    """A lesson's ``EXERCISES``: :func:`in_kernel` of each exercise of its ``OUTSIDE``, the
    answer's objects named by ``answers`` (its ``ANSWERS``), else by the exercise's name."""
    answers = answers or {}
    return {name: in_kernel(factory, answers.get(name, (name,))) for name, factory in outside.items()}


def new_checks(exercise: str) -> tuple[Checks, Checks]:
    """The two sets of scenarios an exercise's factory fills: the notebook's visible ones,
    and the grader's hidden ones (headed as such in the report)."""
    return Checks(exercise), Checks(exercise, heading="The grader's hidden checks:")


def _data_only(*checks: Checks) -> tuple[Checks, ...]:
    """Scenarios that only read answers (each request collects its own garbage, in the kernel)."""
    for c in checks:
        c.collect_garbage = False
    return checks
