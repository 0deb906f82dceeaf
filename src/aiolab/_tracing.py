"""The hot path: a coroutine wrapper that times every step, and the task factory using it.

How a task runs: the event loop calls ``Task.__step``, which pushes the task's coroutine one
step with ``coro.send(None)`` (or ``coro.throw(exc)`` to deliver a cancellation) until the
coroutine yields a future it must wait for. So if the *coroutine* a task drives is ours,
we see every step from the inside, on every Python version and event loop (uvloop included,
since it uses asyncio's Task), with no monkeypatching of asyncio itself.

The wrapper therefore has to be a coroutine as far as asyncio is concerned:
``asyncio.iscoroutine`` accepts any ``collections.abc.Coroutine``, and the C Task drives it
through ``PyIter_Send``, which calls ``tp_iternext`` (our ``__next__``) when the value sent
is ``None`` and the ``send`` method otherwise. Everything else (``cr_frame``, ``cr_await``,
``__qualname__``, ...) is forwarded to the real coroutine so that ``repr(task)``,
``task.get_stack()`` and debuggers keep working.

Why it is written the way it is: this runs for every step of every task while a Timeline is
active, and the course benchmark creates 100,000 tasks. Each step costs two clock reads, two
``perf_counter`` calls and three floats appended to an ``array('d')`` (which creates no
object per step for the garbage collector to track); no dicts, no locks, no callbacks.
How a task ended is seen here too (the coroutine raises StopIteration, CancelledError or
another exception out of its last step), so we need no done-callback per task either.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine
from time import perf_counter
from typing import TYPE_CHECKING, Any

from .records import TaskRecord

if TYPE_CHECKING:
    from .timeline import Timeline

class CoroutineRecord(TaskRecord, Coroutine[Any, Any, Any]):
    """A task's record that is also the coroutine its task drives, passing every call on to
    the real coroutine without recording anything.

    One object rather than a record plus a wrapper: with 100,000 tasks, every object the
    garbage collector has to track costs about a microsecond per task. Tasks still running
    when their timeline stops are switched to this class (``__class__`` assignment; the
    layouts are identical), which stops the recording at no cost to their later steps.
    """

    __slots__ = ("_coro", "_clock", "_owner", "_threshold")

    def __init__(
        self,
        coro: Coroutine[Any, Any, Any],
        index: int,
        parent: TaskRecord | None,
        owner: Timeline,
    ) -> None:
        clock = owner._clock
        TaskRecord.__init__(self, "task", index, owner._origin, clock(), parent,
                            getattr(coro, "__qualname__", None))
        self._coro = coro
        self._clock = clock
        self._owner = owner
        #: Steps holding the loop longer than this (real seconds) are reported to the owner.
        self._threshold = owner._slow_threshold

    def __next__(self) -> Any:
        return self._coro.send(None)

    def send(self, value: Any) -> Any:
        return self._coro.send(value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if val is None and tb is None:
            return self._coro.throw(typ)
        return self._coro.throw(typ, val, tb)  # the deprecated form, passed on as given

    def close(self) -> None:
        self._coro.close()

    def __await__(self) -> CoroutineRecord:
        return self

    def __iter__(self) -> CoroutineRecord:
        return self

    def __getattr__(self, name: str) -> Any:
        # cr_frame, cr_await, cr_running, cr_code, cr_origin, __name__, __qualname__, ...
        # (only reached for names the record itself does not have).
        try:
            coro = object.__getattribute__(self, "_coro")
        except AttributeError:
            raise AttributeError(name) from None
        return getattr(coro, name)

    def _detach(self) -> None:
        """Stop recording (the timeline stopped) without disturbing the running task."""
        self.__class__ = CoroutineRecord


class TracedCoroutine(CoroutineRecord):
    """The recording version: times each step as ``(start, end, real seconds)``."""

    __slots__ = ()

    # The three entry points are deliberately written out in full rather than sharing a
    # helper: a shared helper would add a Python call to every step.

    def __next__(self) -> Any:
        clock = self._clock
        t0 = clock()
        p0 = perf_counter()
        try:
            out = self._coro.send(None)
        except BaseException as exc:
            self._end(t0, p0, exc)
            raise
        real = perf_counter() - p0
        self._steps.extend((t0, clock(), real))
        if real > self._threshold:
            self._owner._slow_step(self, p0, real)
        return out

    def send(self, value: Any) -> Any:
        clock = self._clock
        t0 = clock()
        p0 = perf_counter()
        try:
            out = self._coro.send(value)
        except BaseException as exc:
            self._end(t0, p0, exc)
            raise
        real = perf_counter() - p0
        self._steps.extend((t0, clock(), real))
        if real > self._threshold:
            self._owner._slow_step(self, p0, real)
        return out

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        clock = self._clock
        t0 = clock()
        p0 = perf_counter()
        try:
            if val is None and tb is None:
                out = self._coro.throw(typ)
            else:  # the deprecated three-argument form, passed on as given
                out = self._coro.throw(typ, val, tb)
        except BaseException as exc:
            self._end(t0, p0, exc)
            raise
        real = perf_counter() - p0
        self._steps.extend((t0, clock(), real))
        if real > self._threshold:
            self._owner._slow_step(self, p0, real)
        return out

    def _end(self, t0: float, p0: float, exc: BaseException) -> None:
        """The last step: the coroutine returned (StopIteration) or raised."""
        real = perf_counter() - p0
        t1 = self._clock()
        self._steps.extend((t0, t1, real))
        self._finish(t1, exc)
        if real > self._threshold:
            self._owner._slow_step(self, p0, real)


def record_of(task: asyncio.Task[Any] | None, owner: Timeline) -> TaskRecord | None:
    """The record ``owner`` keeps for ``task``, if ``task`` is being recorded by it.

    A recorded task's coroutine *is* its record. Finding it that way also works while an
    eager task (Python 3.12+) runs its first step inside the factory, before anyone outside
    could have noted which task object the factory returned. Nested timelines wrap the
    coroutine once each, so we walk the chain.
    """
    if task is None:
        return None
    coro = task.get_coro()
    while isinstance(coro, CoroutineRecord):
        if type(coro) is TracedCoroutine and coro._owner is owner:
            return coro
        coro = coro._coro
    return None


def _task_class() -> type[asyncio.Task[Any]]:
    """The Task class the factory builds when there is no previous factory to chain to.

    CPython 3.13.0 to 3.13.2 call ``task.set_name(name)`` after *any* custom task factory
    even when no name was given, renaming every task "None" (python/cpython#130033). Just
    installing a factory must not rename the tasks of a notebook's kernel, so on those
    versions we build Tasks that ignore ``set_name(None)``.
    """
    if (3, 13, 0) <= sys.version_info[:3] < (3, 13, 3):

        class Task(asyncio.Task):  # type: ignore[type-arg]
            def set_name(self, value: object) -> None:
                if value is not None:
                    super().set_name(value)

        return Task
    return asyncio.Task


_Task = _task_class()


def make_task_factory(
    owner: Timeline,
    previous: Callable[..., asyncio.Task[Any]] | None,
    root: asyncio.Task[Any] | None,
    record_orphans: bool,
) -> Callable[..., asyncio.Task[Any]]:
    """A task factory that records the tasks ``owner`` is interested in and chains on.

    Which tasks: those created by ``root`` (the task that started the timeline) or by a task
    already recorded, and with ``record_orphans`` those created where no task is running
    (plain callbacks). That is what keeps a Jupyter kernel's own tasks, which share the loop
    with the learner's code, out of the learner's chart.

    Chaining: the coroutine is wrapped first, then handed to the factory that was installed
    before (``asyncio.eager_task_factory``, another timeline, ...), so behaviour other than
    the recording stays whatever it was.
    """
    current_task = asyncio.current_task
    Task = _Task
    records = owner._records

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        creator = current_task(loop)
        wanted = owner._active
        parent: TaskRecord | None = None
        if wanted:
            if creator is None:
                wanted = record_orphans
            elif creator is not root:
                parent = record_of(creator, owner)
                wanted = parent is not None
        if wanted and asyncio.iscoroutine(coro):
            # Only coroutines are recorded: anything else (a coroutine *function*, a
            # Future) goes on unwrapped, so asyncio raises its usual TypeError for it.
            rec = TracedCoroutine(coro, len(records), parent, owner)
            records.append(rec)
            if previous is None:
                task = Task(rec, loop=loop, **kwargs)
            else:
                task = previous(loop, rec, **kwargs)
            # Kept to read the name when the task ends: asyncio names the task only after
            # the factory returns (and an eager task may already have ended by then, in
            # which case the name is read when the timeline stops).
            rec._task = task
            return task
        if previous is None:
            return Task(coro, loop=loop, **kwargs)
        return previous(loop, coro, **kwargs)

    factory.aiolab_owner = owner  # type: ignore[attr-defined]
    return factory
