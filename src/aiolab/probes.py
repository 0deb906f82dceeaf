"""Probes: how the grader drives a learner's objects when a plain call is not enough.

Why this exists: graded checks are decided outside the learner's kernel (the course's
judge, in the grader's process), which can only ask the kernel to run something and answer
with data (:mod:`aiolab.drive`). Most requests are a plain call of the learner's function.
Some scenarios need more: await the same object twice, hold the loop up while a sleep is
due, look at what creating an object started. A probe is that driving, written once here:
an ``async def`` taking the learner's objects first and then the grader's arguments, and
returning plain data (numbers, strings, lists, dicts) about what happened.

Everything a probe returns must be plain data (the exact builtin types): a learner's
object anywhere in it makes the whole answer opaque, equal to nothing. So a probe turns
objects into what the grader needs (a class name, ``str(err)``, a count) itself.

A probe never judges: it holds no expected value and no model answer, and reports what
the learner's code did. The verdicts stay with the grader, which picks the arguments (some
at random) and compares the data it gets back. Probes are public on purpose: a learner may
read them, as they may read the scenario titles in the notebook.

Register one with :func:`probe`; :func:`aiolab.drive.probe` runs it by name.
"""

from __future__ import annotations

import asyncio
import builtins
import gc
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["PROBES", "builtin_exception", "probe"]

#: Every probe, by name.
PROBES: dict[str, Callable[..., Awaitable[Any]]] = {}


def probe(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    """Register ``fn`` as a probe named after it."""
    PROBES[fn.__name__] = fn
    return fn


def builtin_exception(err: BaseException) -> str:
    """The name of the nearest built-in class of ``err`` (a learner's own exception named
    ``ValueError`` that does not derive from the real one reports what it derives from)."""
    for kind in type(err).__mro__:
        if getattr(builtins, kind.__name__, None) is kind:
            return kind.__name__
    return "BaseException"


# ---- a function called ---------------------------------------------------------------------

@probe
async def call_with(fn: Callable[..., Awaitable[Any]], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``await fn(*args, **kwargs)`` (keyword arguments, which a plain request has not)."""
    return await fn(*args, **kwargs)


@probe
async def outcome(fn: Callable[..., Awaitable[Any]], args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``await fn(*args, **kwargs)`` with an exception as data: ``{"raised": None, "value":
    ...}`` or ``{"raised": "<built-in exception class>", "message": str(err)}``. (A value
    that is not plain data makes the whole answer opaque to the grader.)"""
    try:
        value = await fn(*args, **kwargs)
    except Exception as err:        # noqa: BLE001 - which one is the answer
        return {"raised": builtin_exception(err), "message": str(err)[:500]}
    return {"raised": None, "value": value}


# ---- a function called in odd circumstances ------------------------------------------------

@probe
async def called_late(fn: Callable[..., Awaitable[Any]], at: float, *args: Any) -> Any:
    """``await fn(*args)`` called when the loop's clock already reads ``at`` more than at
    the start."""
    await asyncio.sleep(at)
    return await fn(*args)


@probe
async def held_up(fn: Callable[..., Awaitable[Any]], busy_from: float, busy_until: float, *args: Any) -> Any:
    """``await fn(*args)`` while other work holds the loop from ``busy_from`` to
    ``busy_until`` seconds after the call: a timer falling due in that window fires only
    when the loop is free again, at ``busy_until`` (a sleep due then ends late)."""
    loop = asyncio.get_running_loop()
    start, call_at = loop.time(), loop.call_at

    def busy_call_at(when: float, callback: Callable[..., Any], *cb_args: Any, context: Any = None) -> Any:
        if start + busy_from <= when < start + busy_until:
            when = start + busy_until
        return call_at(when, callback, *cb_args, context=context)

    loop.call_at = busy_call_at             # type: ignore[method-assign]
    try:
        return await fn(*args)
    finally:
        del loop.call_at


# ---- an awaitable class ------------------------------------------------------------------

@probe
async def await_new(make: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``await make(*args)``: a new instance, awaited once."""
    return await make(*args)


@probe
async def await_twice(make: Callable[..., Awaitable[Any]], *args: Any) -> list[Any]:
    """One instance ``make(*args)`` awaited twice."""
    made = make(*args)
    return [await made, await made]


@probe
async def gather_new(make: Callable[..., Awaitable[Any]], *arg_lists: list[Any]) -> list[Any]:
    """``asyncio.gather`` over one new instance per argument list."""
    return list(await asyncio.gather(*(make(*a) for a in arg_lists)))


@probe
async def create(make: Callable[..., Any], *args: Any) -> str | None:
    """Create ``make(*args)`` and drop it: None, or the built-in exception it raised. Only
    that: what else creating it did (a coroutine never awaited) is :func:`left_unused`'s."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            made = make(*args)
        except Exception as err:        # noqa: BLE001 - which one is the answer
            return builtin_exception(err)
        del made
        gc.collect()
    return None


@probe
async def left_unused(make: Callable[..., Awaitable[Any]], *args: Any) -> dict[str, Any]:
    """Create ``make(*args)``, let the loop run a step, drop it: which "never awaited"
    warnings that caused, and the names of the tasks it started (then cancelled)."""
    before = asyncio.all_tasks()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unused = make(*args)
        await asyncio.sleep(0)
        started = asyncio.all_tasks() - before
        del unused
        gc.collect()
    for task in started:
        task.cancel()
    return {"never_awaited": [str(w.message) for w in caught if "never awaited" in str(w.message)],
            "started": sorted(t.get_name() for t in started)}
