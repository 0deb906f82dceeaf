"""Say, in one line a learner can act on, where a task is stuck.

asyncio can already print a task's stack, but its output is many lines of frames inside
asyncio itself. Error messages about pending tasks (virtual-time limit, real-time limit,
blocking calls) need the learner's own line and what it awaits, e.g.::

    'worker-2' awaiting at lesson.py:14 in worker() -> asyncio.sleep()

We walk the chain of coroutines a task is suspended in (``cr_await``), keep the learner's
frames, and name the first library call they went into.
"""

from __future__ import annotations

import asyncio
import os
import sys
from types import FrameType
from typing import Any

_STDLIB_DIR = os.path.dirname(os.__file__)
_OUR_DIR = os.path.dirname(__file__)


def _is_library(filename: str) -> bool:
    return (filename.startswith(_STDLIB_DIR) or filename.startswith(_OUR_DIR)
            or "site-packages" in filename)


def place(filename: str, lineno: int) -> str:
    """A line of code as the learner can find it: ``cell In[5], line 4`` for a notebook
    cell (as IPython's own tracebacks name it, not by the temporary file IPython compiled it
    from; ``line 4 of your cell`` when IPython cannot say which), else ``file.py:4``."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
        named = shell.compile.format_code_name(filename) if shell is not None else None
    except Exception:       # noqa: BLE001 - no IPython, or one without format_code_name
        named = None
    if named:
        return f"cell {named[1]}, line {lineno}"
    if is_cell(filename):
        return f"line {lineno} of your cell"
    return f"{os.path.basename(filename)}:{lineno}"


def is_cell(filename: str) -> bool:
    """Whether code compiled from ``filename`` came from a notebook cell."""
    return "ipykernel" in filename or filename.startswith(("<ipython-input", "<cell"))


def _where(frame: FrameType, qualname: str | None = None) -> str:
    code = frame.f_code
    name = qualname or code.co_qualname
    return f"{place(code.co_filename, frame.f_lineno)} in {name}()"


def _library_name(frame: FrameType, qualname: str) -> str:
    module = str(frame.f_globals.get("__name__", ""))
    if module.startswith("asyncio"):
        module = "asyncio"
    return f"{module}.{qualname}()" if module else f"{qualname}()"


def _chain(coro: Any) -> list[tuple[FrameType, str]]:
    """(frame, qualname) of each coroutine in the await chain, outermost first."""
    from ._tracing import CoroutineRecord

    out: list[tuple[FrameType, str]] = []
    seen = 0
    while coro is not None and seen < 200:
        seen += 1
        if isinstance(coro, CoroutineRecord):
            coro = coro._coro
            continue
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        qualname = getattr(coro, "__qualname__", None) or frame.f_code.co_name
        out.append((frame, qualname))
        nxt = getattr(coro, "cr_await", None)
        if nxt is None:
            nxt = getattr(coro, "gi_yieldfrom", None)
        coro = nxt
    return out


def describe_frames(chain: list[tuple[FrameType, str]]) -> str:
    """``file:line in f() -> g() -> asyncio.sleep()`` for the learner's part of a chain."""
    parts: list[str] = []
    for frame, qualname in chain:
        if _is_library(frame.f_code.co_filename):
            if parts:  # name the first library call the learner's code made, then stop
                parts.append(_library_name(frame, qualname))
                break
            continue
        parts.append(_where(frame, qualname))
    if not parts and chain:  # nothing of the learner's: show the innermost call
        frame, qualname = chain[-1]
        parts.append(_library_name(frame, qualname))
    return " -> ".join(parts)


def describe_suspension(coro: Any) -> str:
    """Where a coroutine is now suspended (or that it has finished)."""
    chain = _chain(coro)
    if chain:
        return describe_frames(chain)
    from ._tracing import CoroutineRecord

    inner = coro
    while isinstance(inner, CoroutineRecord):
        inner = inner._coro
    code = getattr(inner, "cr_code", None)
    name = getattr(inner, "__qualname__", None) or "coroutine"
    if code is not None:
        return f"{name}() (finished; defined at {place(code.co_filename, code.co_firstlineno)})"
    return f"{name}() (finished)"


def _describe_waiter(task: asyncio.Task[Any]) -> str:
    waiter = getattr(task, "_fut_waiter", None)
    if waiter is None:
        return ""
    if isinstance(waiter, asyncio.Task):
        return f" (waiting for task {waiter.get_name()!r})"
    children = getattr(waiter, "_children", None)
    if children is not None:  # asyncio's _GatheringFuture
        names = [c.get_name() for c in children if isinstance(c, asyncio.Task)]
        shown = ", ".join(repr(n) for n in names[:5]) + (" ..." if len(names) > 5 else "")
        return f" (gather of {shown})" if shown else " (gather)"
    return ""


def describe_task(task: asyncio.Task[Any], label: str | None = None) -> str:
    """``'name' awaiting at file:line in f() -> asyncio.sleep()`` (or running, or done)."""
    name = label or task.get_name()
    if task.done():
        return f"{name!r} done"
    chain = _chain(task.get_coro())
    if not chain:
        return f"{name!r} created, not started yet"
    verb = "running at" if _is_running(task) else "awaiting at"
    return f"{name!r} {verb} {describe_frames(chain)}{_describe_waiter(task)}"


def _is_running(task: asyncio.Task[Any]) -> bool:
    coro = task.get_coro()
    try:
        return bool(coro.cr_running)
    except AttributeError:
        return False


def describe_thread(thread_id: int) -> str | None:
    """Where a (stuck) thread is executing right now, as the learner's innermost line."""
    frame = sys._current_frames().get(thread_id)
    if frame is None:
        return None
    innermost_user: FrameType | None = None
    f: FrameType | None = frame
    while f is not None:
        if not _is_library(f.f_code.co_filename):
            innermost_user = f
            break
        f = f.f_back
    chosen = innermost_user or frame
    return _where(chosen)
