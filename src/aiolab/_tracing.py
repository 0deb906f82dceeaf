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
``perf_counter`` calls and four floats appended to an ``array('d')`` (which creates no
object per step for the garbage collector to track); no dicts, no locks, no callbacks.
How a task ended is seen here too (the coroutine raises StopIteration, CancelledError or
another exception out of its last step), so we need no done-callback per task either.

When a task became *ready* (the loop could have resumed it; the chart's third shade)
-----------------------------------------------------------------------------------------

A step's start is when the loop got round to the task; the interesting moment is earlier:
when the task was put in the loop's queue. asyncio queues a task's next step with
``loop.call_soon`` in exactly three situations, and at that very moment:

* when the task is created (``Task()`` queues its first step; an eager task runs it at
  once instead);
* when a step ends with a bare ``yield`` (``await asyncio.sleep(0)``): the next step is
  queued straight away;
* when the future it awaits is done (a result, an exception, or ``task.cancel()``
  cancelling that future): the future hands each of its done-callbacks to
  ``loop.call_soon``, the task's wake-up among them. Awaiting another task is the same:
  a task is a future, done when its last step ends.

A done-callback of our own cannot tell that moment: the future *queues* its callbacks, so
ours would run on the loop's next round, after whatever step completed the future has
finished (a step that sets an event and then blocks for a second) and right before the
task's own wake-up; it would measure nothing. (A done-callback would also cost a handle
and a loop round per await.) So while a Timeline records, the loop's ``call_soon`` is
wrapped (an attribute of that loop object; asyncio itself is not touched): when the callback
being queued belongs to a recorded task (it is the task's step or wake-up, whose
``__self__`` is the task), the task's record notes the time, the first time after each step.
asyncio's C and Python futures and tasks both call ``loop.call_soon`` by name, on 3.11 to
3.13, so every wake-up passes through it.

Sleeping is the exception. ``asyncio.sleep(d)`` completes its future from a timer, and the
loop runs due timers only between steps: a sleep that comes due while another step blocks
the loop is completed, and its task queued, only after that step. From the loop's point of
view an overdue timer is already work it owes (its next round moves every due timer to the
ready queue before running anything), so for a sleep the task counts as ready from the
timer's due time *if a recorded step was holding the loop at that moment*. For that,
``loop.call_later`` is wrapped too, and remembers, for the task that is running, the handle
of the timer ``asyncio.sleep`` schedules (recognised by its callback,
``asyncio.futures._set_result_unless_cancelled``), and the Timeline remembers every step
longer than ``BUSY_STEP`` (1 ms; rare, so this costs nothing on the hot path). Without a
step holding the loop, a late timer is the OS's doing (an idle loop sleeping in
``select()`` wakes up a millisecond or more after a timer's time, more on a loaded
machine) and does not count. Other timers (``asyncio.timeout``) and I/O are counted from
the moment the loop processes them: a timeout that expires while the loop is blocked shows
its task waiting until then.

The wrappers are plain attributes of the loop object, so they work on any loop whose
futures and tasks are asyncio's (they call the loop's methods by name): asyncio's loops,
looptime's, uvloop's. On a loop that refuses new attributes, a task is ready only after
its creation and after a bare ``yield``; the rest shows as waiting up to the step.

What this costs: two ``getattr`` on every ``call_soon`` of the loop while recording, a few
attribute reads per sleep and per wake-up, one more float per step (``install_loop_hooks``
says how the wrappers avoid adding a call of their own); see ``make bench-timeline``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from array import array
from bisect import bisect_left
from collections.abc import Callable, Coroutine
from time import perf_counter
from typing import TYPE_CHECKING, Any

from .records import TaskRecord

if TYPE_CHECKING:
    from .timeline import Timeline

#: Steps longer than this (real seconds) are remembered as the loop being busy: a sleep
#: that came due during one of them counts as ready from its due time.
BUSY_STEP = 0.001

_NOT_QUEUED = float("inf")  # "not queued since its last step": any real time is earlier


class CoroutineRecord(TaskRecord, Coroutine[Any, Any, Any]):
    """A task's record that is also the coroutine its task drives, passing every call on to
    the real coroutine without recording anything.

    One object rather than a record plus a wrapper: with 100,000 tasks, every object the
    garbage collector has to track costs about a microsecond per task. Tasks still running
    when their timeline stops are switched to this class (``__class__`` assignment; the
    layouts are identical), which stops the recording at no cost to their later steps.
    """

    __slots__ = ("_coro", "_clock", "_owner", "_threshold", "_queued", "_due")

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
        #: Steps holding the loop longer than this (real seconds) are reported to the owner:
        #: it keeps those longer than BUSY_STEP, and passes on those above its threshold.
        self._threshold = owner._step_threshold
        # When the loop queued the task's next step (raw clock; see the module docstring):
        # creation queues the first step.
        self._queued = self._created
        # When the asyncio.sleep the task is in is due (raw clock, set by the loop hook);
        # _NOT_QUEUED when it is not sleeping.
        self._due = _NOT_QUEUED

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
        self._due = _NOT_QUEUED

    def _woken_after_sleep(self, now: float, due: float) -> float:
        """When the task became ready, queued at ``now`` after a sleep due at ``due``
        (earlier): the due time if a step was holding the loop then, else ``now``."""
        if not self._owner._busy.cover(due):
            return now
        st = self._steps
        last_end = st[-2] if st else self._created
        return due if due > last_end else last_end


class TracedCoroutine(CoroutineRecord):
    """The recording version: times each step as ``(start, end, real seconds)``."""

    __slots__ = ()

    # The three entry points are deliberately written out in full rather than sharing a
    # helper: a shared helper would add a Python call to every step.

    # Each step: ready = when the loop queued it (or the sleep's due time: the loop hook
    # works it out), at most t0; after it, a bare yield (out is None) is queued at once,
    # anything else when the loop hook says so.

    def __next__(self) -> Any:
        clock = self._clock
        t0 = clock()
        ready = self._queued
        if ready > t0:
            ready = t0
        p0 = perf_counter()
        try:
            out = self._coro.send(None)
        except BaseException as exc:
            self._end(ready, t0, p0, exc)
            raise
        real = perf_counter() - p0
        t1 = clock()
        self._steps.extend((ready, t0, t1, real))
        self._queued = _NOT_QUEUED if out is not None else t1
        if real > self._threshold:
            self._owner._slow_step(self, p0, real, t0, t1)
        return out

    def send(self, value: Any) -> Any:
        clock = self._clock
        t0 = clock()
        ready = self._queued
        if ready > t0:
            ready = t0
        p0 = perf_counter()
        try:
            out = self._coro.send(value)
        except BaseException as exc:
            self._end(ready, t0, p0, exc)
            raise
        real = perf_counter() - p0
        t1 = clock()
        self._steps.extend((ready, t0, t1, real))
        self._queued = _NOT_QUEUED if out is not None else t1
        if real > self._threshold:
            self._owner._slow_step(self, p0, real, t0, t1)
        return out

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        clock = self._clock
        t0 = clock()
        ready = self._queued
        if ready > t0:
            ready = t0
        p0 = perf_counter()
        try:
            if val is None and tb is None:
                out = self._coro.throw(typ)
            else:  # the deprecated three-argument form, passed on as given
                out = self._coro.throw(typ, val, tb)
        except BaseException as exc:
            self._end(ready, t0, p0, exc)
            raise
        real = perf_counter() - p0
        t1 = clock()
        self._steps.extend((ready, t0, t1, real))
        self._queued = _NOT_QUEUED if out is not None else t1
        if real > self._threshold:
            self._owner._slow_step(self, p0, real, t0, t1)
        return out

    def _end(self, ready: float, t0: float, p0: float, exc: BaseException) -> None:
        """The last step: the coroutine returned (StopIteration) or raised."""
        real = perf_counter() - p0
        t1 = self._clock()
        self._steps.extend((ready, t0, t1, real))
        self._finish(t1, exc)
        if real > self._threshold:
            self._owner._slow_step(self, p0, real, t0, t1)


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


class BusySteps:
    """The recorded steps that held the loop longer than ``BUSY_STEP``, as raw clock
    readings, in the order they ended (steps run one at a time, so in the order they
    started too, but for an eager task's first step inside its creator's)."""

    __slots__ = ("starts", "ends", "last_end")

    def __init__(self) -> None:
        self.starts = array("d")
        self.ends = array("d")
        self.last_end = float("-inf")

    def add(self, start: float, end: float) -> None:
        self.starts.append(start)
        self.ends.append(end)
        self.last_end = end

    def cover(self, t: float) -> bool:
        """Whether one of these steps was running at ``t``."""
        ends, starts = self.ends, self.starts
        i = bisect_left(ends, t)  # the first step that ended at t or later
        for j in range(i, min(i + 4, len(ends))):  # (an enclosing step ends later)
            if starts[j] <= t:
                return True
        return False


def install_loop_hooks(loop: asyncio.AbstractEventLoop,
                       clock: Callable[[], float]) -> Callable[[], None] | None:
    """Wrap ``loop.call_soon`` and ``loop.call_later`` to note when recorded tasks become
    ready (see the module docstring); return the function that takes the wrappers off, or
    ``None`` if this loop's methods cannot be replaced.

    The wrappers are attributes of this loop object only, and serve every Timeline on it;
    they stamp any recorded task (records of stopped timelines just ignore the stamp).

    Speed: a wrapper that passed ``*args`` and ``context=`` on to the method it wraps
    would pack and unpack them twice, on every callback of the loop. Where the loop's
    methods are asyncio's own (``BaseEventLoop``), the wrappers do what those methods do
    outside debug mode instead: ``call_soon`` queues through ``loop._call_soon(callback,
    args, context)``, ``call_later`` calls ``loop.call_at(loop.time() + delay, ...)``.
    In debug mode, on a closed loop and on any other loop they call the original.
    """
    base = asyncio.BaseEventLoop
    cls = type(loop)
    call_soon = loop.call_soon
    call_later = loop.call_later
    # Someone's own wrappers, there before us (a method the class gives is bound to the
    # loop). Never through loop.__dict__: asking for it makes CPython give the loop a real
    # dict, and every attribute the loop's own code reads (self._ready, ...) gets slower.
    before = {name: method for name, method in (("call_soon", call_soon),
                                                 ("call_later", call_later))
              if getattr(method, "__self__", None) is not loop}
    queue = (loop._call_soon  # type: ignore[attr-defined]
             if "call_soon" not in before
             and getattr(cls, "call_soon", None) is base.call_soon
             and getattr(cls, "_call_soon", None) is base._call_soon else None)
    own_call_later = ("call_later" not in before
                      and getattr(cls, "call_later", None) is base.call_later)
    # Exact types: CoroutineRecord is a Coroutine ABC, so isinstance() would run
    # ABCMeta.__instancecheck__ in Python on every call.
    records = frozenset((CoroutineRecord, TracedCoroutine))
    current_task = asyncio.current_task
    not_queued = _NOT_QUEUED
    sleep_done = getattr(asyncio.futures, "_set_result_unless_cancelled", None)

    def hooked_call_soon(callback: Any, *args: Any, context: Any = None) -> asyncio.Handle:
        # A task's step or wake-up is a method of the task, whose _coro (the coroutine it
        # drives; get_coro() costs a call more) is a record if we record the task.
        coro = getattr(getattr(callback, "__self__", None), "_coro", None)
        # One record per timeline recording the task (usually one). Only the first
        # queueing since the task's last step counts (creation and bare yields were noted
        # already, at creation and at the step's end).
        while type(coro) in records:
            if coro._queued == not_queued:
                now = clock()
                due = coro._due
                if due < now:  # a sleep that was due before: was the loop busy then?
                    # (Quick no: the last long step ended before it was due.)
                    if coro._owner._busy.last_end >= due:
                        now = coro._woken_after_sleep(now, due)
                coro._due = not_queued
                coro._queued = now
            coro = coro._coro
        if queue is None or loop._debug or loop._closed:  # type: ignore[attr-defined]
            return call_soon(callback, *args, context=context)
        return queue(callback, args, context)

    def hooked_call_later(delay: float, callback: Any, *args: Any,
                          context: Any = None) -> asyncio.TimerHandle:
        if own_call_later and delay is not None and not loop._debug:  # type: ignore[attr-defined]
            # Looked up on every call, as BaseEventLoop.call_later does: a probe may
            # wrap call_at while we record (aiolab.probes.held_up).
            when = loop.time() + delay
            handle = loop.call_at(when, callback, *args, context=context)
        else:
            handle = call_later(delay, callback, *args, context=context)
            when = handle.when()
        if callback is sleep_done:  # asyncio.sleep's timer, for the task running now
            coro = getattr(current_task(loop), "_coro", None)
            while type(coro) in records:
                coro._due = when
                coro = coro._coro
        return handle

    hooks: dict[str, Callable[..., Any]] = {"call_soon": hooked_call_soon,
                                            "call_later": hooked_call_later}
    try:
        for name, hook in hooks.items():
            setattr(loop, name, hook)
    except (AttributeError, TypeError):
        for name in hooks:
            if name in before:
                setattr(loop, name, before[name])
            else:
                with contextlib.suppress(AttributeError):
                    delattr(loop, name)
        return None

    def remove() -> None:
        for name, hook in hooks.items():
            if getattr(loop, name, None) is hook:
                if name in before:
                    setattr(loop, name, before[name])
                else:
                    delattr(loop, name)
            # else someone wrapped ours in turn: leave theirs (ours only passes through).

    return remove


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
