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
"""

from __future__ import annotations

import asyncio
import inspect
import json
import reprlib
import sys
from typing import Any

from . import grading
from .checks import Checks

__all__ = ["call", "literal"]

#: Rows of the timeline sent back at most (a chart needs no more; the answer stays small).
MAX_RECORDS = 2000
#: Characters of one result's literal at most.
MAX_LITERAL = 20_000

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
    answer: dict[str, Any] = {"function": function, "defined": fn is not None,
                              "coroutine_function": inspect.iscoroutinefunction(fn),
                              "results": None, "elapsed": None, "records": [], "end": 0.0,
                              "failure": None, "notes": ""}
    if fn is None:
        answer["failure"] = f"`{function}` is not defined: run the cell that defines it (and check its name)."
        return json.dumps(answer)

    async def main() -> list[Any]:
        if together:
            return list(await asyncio.gather(*(fn(*args) for args in calls)))
        return [await fn(*args) for args in calls]

    main.__name__ = main.__qualname__ = function        # the chart's row is named after it
    checks = Checks(function)

    @checks.scenario("the grader's request", points=0)
    def _() -> None:
        run = grading.run(main)
        answer["results"] = [_encode(r) for r in run.result]
        answer["elapsed"] = run.elapsed
        answer["records"] = run.timeline.records()[:MAX_RECORDS]
        answer["end"] = run.timeline.end

    (verdict,) = checks.run()
    answer["failure" if not verdict.passed else "notes"] = verdict.message
    return json.dumps(answer)
