"""The kernel's side of grading from outside: run the learner's functions, answer with data.

Why: when the hidden checks ran in the learner's kernel, the verdict was whatever that
kernel reported, and a notebook's own code runs first there and can change anything in it.
So at grading time the grader (the course's judge, in its own process) does not run
the test cell in the kernel. It asks the kernel, cell by cell, to call the learner's
functions with arguments the grader picked (some at random), and this module answers with
plain data: the results as Python literals, how long the run took in virtual time, the
timeline as records, or why it failed, in the learner's terms. The grader decides the
verdicts from that data, so a forged answer must contain the right results for inputs the
kernel had not seen.

One request is one virtual-time run (:func:`aiolab.grading.run`), judged for blocking
calls, endless waits and stray warnings exactly as a visible check is (:class:`Checks`)::

    call("add_later", [(1, 2, 5)])                   # one call
    call("add_later", [(1, 1, 2), (2, 2, 2)], together=True)   # gathered in one run
    probe("twice", ["Later"], ("tea", 1.5))           # a probe of aiolab.probes on Later

A probe (:mod:`aiolab.probes`) drives the learner's objects in a way a plain call cannot
(a class awaited twice, a loop whose clock is held up) and returns what happened as data.
A real-time probe (``@probe(real_time=True)``: a crawl of a local server, real sockets)
runs on a real event loop instead, within :data:`REAL_TIME_LIMIT` real seconds; its answer
has the same shape, its times in real seconds, and is never judged by the clock.

Like the test cells in the kernel, an answer stopped once at its real-time limit (it got
stuck: a busy loop, a blocking call) gets :data:`aiolab.grading.AFTER_STUCK` s in its later
virtual-time requests, so a stuck answer cannot spend the grader's whole budget for a cell
on its first scenarios (the grader's own budget, on its side, bounds
the cell's requests together).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import json
import reprlib
import sys
import weakref
from typing import Any

from . import grading
from .checks import Checks
from .errors import RealTimeLimitError
from .messages import _
from .virtual import run_virtual

__all__ = ["call", "literal", "probe"]

#: Rows of the timeline sent back at most (a chart needs no more; the answer stays small).
MAX_RECORDS = 2000
#: Characters of one result's literal at most.
MAX_LITERAL = 20_000
#: Real seconds a real-time probe may take: generous (a correct crawl of the local demo
#: server takes 0.1 to 2.5 s); the grader's budget for the cell bounds them together.
REAL_TIME_LIMIT = 8.0

#: Why each answer (the first learner object of a request) was stopped at its real-time
#: limit, if it was: its later virtual-time requests get AFTER_STUCK seconds.
_STUCK: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

_PLAIN = (type(None), bool, int, float, complex, str, bytes)


def literal(value: Any, depth: int = 0) -> str:
    """``value`` as the source of a Python literal, built from the exact builtin types only
    (a subclass's own ``__repr__`` or ``__eq__`` says nothing); ValueError for anything else."""
    kind = type(value)
    if depth > 20:
        raise ValueError("nested too deeply")
    if kind in _PLAIN:
        return kind.__repr__(value)
    if kind in (list, tuple, set):
        items = [literal(v, depth + 1) for v in value]
        if kind is list:
            return "[" + ", ".join(items) + "]"
        if kind is tuple:
            return "(" + "".join(i + ", " for i in items) + ")"
        return "{" + ", ".join(sorted(items)) + "}" if items else "set()"
    if kind is dict:
        return "{" + ", ".join(f"{literal(k, depth + 1)}: {literal(v, depth + 1)}" for k, v in value.items()) + "}"
    raise ValueError(f"not a plain value: {kind.__name__}")


def _encode(value: Any) -> dict[str, str]:
    try:
        text = literal(value)
        if len(text) <= MAX_LITERAL:
            return {"literal": text}
    except (ValueError, RecursionError):
        pass
    try:
        shown = reprlib.repr(value)
    except Exception:       # noqa: BLE001 - a learner's __repr__ may raise anything
        shown = "?"
    return {"opaque": type(value).__qualname__, "repr": shown[:200]}


def _namespace() -> dict[str, Any]:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else vars(sys.modules["__main__"])


def call(function: str, calls: list[tuple[Any, ...]], *, together: bool = False,
         namespace: dict[str, Any] | None = None) -> str:
    """Run the learner's ``function`` once per argument tuple of ``calls`` (one after the
    other, or all at once with ``asyncio.gather`` when ``together``) in one virtual-time
    run; answer with JSON (see the module's docstring)."""
    fn = (_namespace() if namespace is None else namespace).get(function)
    if fn is None:
        return _missing(function, function)

    async def main() -> list[Any]:
        if together:
            return list(await asyncio.gather(*(fn(*args) for args in calls)))
        return [await fn(*args) for args in calls]

    return _answer(function, main, inspect.iscoroutinefunction(fn), fn)


def probe(name: str, objects: list[str], args: tuple[Any, ...] = (), *,
          namespace: dict[str, Any] | None = None) -> str:
    """Run the probe :data:`aiolab.probes` ``name`` on the learner's ``objects`` (names in
    the notebook) and the grader's ``args``, in one virtual-time run (a real-time probe: on
    a real event loop); the one result is what the probe returned (plain data; the probes
    never judge)."""
    from . import probes

    run_probe = probes.PROBES[name]
    space = _namespace() if namespace is None else namespace
    missing = [o for o in objects if o not in space]
    if missing:
        return _missing(objects[0] if objects else name, missing[0])
    learner = [space[o] for o in objects]

    async def main() -> list[Any]:
        return [await run_probe(*learner, *args)]

    return _answer(objects[0] if objects else name, main,
                   bool(learner) and inspect.iscoroutinefunction(learner[0]),
                   learner[0] if learner else None, real_time=name in probes.REAL_TIME)


def _missing(function: str, name: str) -> str:
    return json.dumps({"function": function, "defined": False, "coroutine_function": False, "results": None,
                       "elapsed": None, "records": [], "end": 0.0, "notes": "",
                       "failure": _("`{name}` is not defined: run the cell that defines it (and check its name).",
                                    name=name)})


def _answer(function: str, main: Any, coroutine_function: bool, learner: Any = None, *,
            real_time: bool = False) -> str:
    main.__name__ = main.__qualname__ = function        # the chart's row is named after it
    answer: dict[str, Any] = {"function": function, "defined": True, "coroutine_function": coroutine_function,
                              "results": None, "elapsed": None, "records": [], "end": 0.0,
                              "failure": None, "notes": ""}
    checks = Checks(function)
    checks.budget.stuck = _stuck(learner)

    @checks.scenario("the grader's request", points=0)
    def _request() -> None:
        run = _real_time_run(main) if real_time else grading.run(main)
        answer["results"] = [_encode(r) for r in run.result]
        answer["elapsed"] = run.elapsed
        answer["records"] = run.timeline.records()[:MAX_RECORDS]
        answer["end"] = run.timeline.end

    (verdict,) = checks.run()
    answer["failure" if not verdict.passed else "notes"] = verdict.message
    if checks.budget.stuck:
        with contextlib.suppress(Exception):    # an object that cannot be weakly referenced (or hashed)
            _STUCK[learner] = checks.budget.stuck
    return json.dumps(answer)


def _stuck(learner: Any) -> str:
    """Why ``learner`` was stopped at its real-time limit in an earlier request ('' if never)."""
    try:
        return _STUCK.get(learner, "")
    except Exception:       # noqa: BLE001 - an object that cannot be weakly referenced (or hashed)
        return ""


def _real_time_run(main: Any) -> grading.Run:
    """``main()`` on a real event loop (real sockets need real time), in a worker thread,
    within :data:`REAL_TIME_LIMIT` real seconds; nothing is judged by the clock, so no
    blocking threshold and no virtual-time limit."""
    budget = grading.budget()
    real_limit = budget.limit(REAL_TIME_LIMIT, shrink=False)
    try:
        result, timeline = run_virtual(main, loop_factory=asyncio.new_event_loop, limit=None,
                                       real_limit=real_limit, blocking_threshold=None)
    except RealTimeLimitError:
        budget.note_stuck(_("a real-time run was stopped after {real_limit:g} s", real_limit=real_limit))
        raise grading.GradingFailure(_("Your code did not finish within {real_limit:g} s of real time: a wait "
                                       "that never ends, or a request without a timeout?",
                                       real_limit=real_limit)) from None
    return grading.Run(result, timeline)
