"""Record what every task did, and when: the data behind the course's Gantt charts.

Usage, in a notebook cell (top-level await) or inside ``asyncio.run``::

    async with Timeline() as tl:
        await asyncio.gather(fetch(1), fetch(2), fetch(3))
    tl.plot()

While it is active, a Timeline installs a task factory on the running loop (chained to
whatever factory was there, so ``asyncio.eager_task_factory`` keeps working) and records
every task created *by the code under it*: tasks created by the task that entered the
Timeline, and tasks created by those, recursively. A Jupyter kernel runs its own tasks on
the same loop; they are created by other tasks or by plain callbacks, so they are not
recorded (pass ``record_orphans=True`` to also record tasks created from callbacks).

Note that the body of the ``async with`` block is not itself a task, so awaits written
directly in it show no row; to see them, use :func:`record` (``result, tl = await
aiolab.record(main())``) or :func:`aiolab.run_virtual`, which run the main coroutine as a
task, the row "main".

Times are seconds from the moment the Timeline started, read from the loop's own clock.
Under :func:`aiolab.run_virtual` that clock is virtual, so recorded times are exact: three
concurrent ``asyncio.sleep(1/2/3)`` end at exactly 1.0, 2.0 and 3.0.

Each task is recorded in three states, the three shades of its chart row: *running* (its
steps), *ready* (the loop could have resumed it but was running something else: the sign
of a step blocking the loop) and *waiting* (for something not done yet); see
:class:`TaskRecord`. To know when a task became ready, a recording Timeline also wraps the
loop's ``call_soon`` and ``call_at`` (on that loop object only, until the last Timeline on
it stops); why and how is explained in :mod:`aiolab._tracing`.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import time
import warnings
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from os import PathLike
from time import perf_counter
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from ._tracing import (BUSY_STEP, BusySteps, TracedCoroutine, install_loop_hooks,
                       make_task_factory, record_of)
from .records import Kind, TaskRecord

if TYPE_CHECKING:
    from matplotlib.figure import Figure

T = TypeVar("T")

__all__ = ["Timeline", "TaskRecord", "current", "plot_side_by_side", "record", "span",
           "to_thread"]

_CURRENT: Any = object()  # "the task running start()", distinct from an explicit None

# Timelines active on each loop, innermost last (for `current()`).
_active: dict[asyncio.AbstractEventLoop, list[Timeline]] = {}
# While any Timeline records on a loop: what takes the loop hooks (when tasks become
# ready) off it (None where the loop cannot be hooked), and the (start, end) raw clock
# readings of the steps that held it longer than _tracing.BUSY_STEP, shared by them all.
_hooks: dict[asyncio.AbstractEventLoop, tuple[Callable[[], None] | None, BusySteps]] = {}


def _clock_for(loop: asyncio.AbstractEventLoop) -> Callable[[], float]:
    """A fast clock that agrees with ``loop.time()``.

    asyncio's own loops read ``time.monotonic()``; calling it directly skips a Python-level
    method call on every step. uvloop's ``loop.time()`` is the same clock cut to whole
    milliseconds (libuv keeps time in ms), too coarse to see a step, so we read the
    monotonic clock at full resolution there too. Any other loop, and in particular
    looptime's virtual-time loop, is asked for its own time.
    """
    cls = type(loop)
    if getattr(cls, "time", None) is asyncio.BaseEventLoop.time:
        return time.monotonic
    if cls.__module__.partition(".")[0] == "uvloop":
        return time.monotonic
    return loop.time


def _is_virtual(loop: asyncio.AbstractEventLoop) -> bool:
    looptime = sys.modules.get("looptime")  # never import it just to ask: it imports pytest
    return (looptime is not None and isinstance(loop, looptime.LoopTimeEventLoop)
            and bool(loop.looptime_on))


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def current(loop: asyncio.AbstractEventLoop | None = None) -> Timeline | None:
    """The innermost Timeline recording on ``loop`` (default: the running loop), if any."""
    loop = loop or _running_loop()
    stack = _active.get(loop) if loop is not None else None
    return stack[-1] if stack else None


def span(name: str) -> contextlib.AbstractContextManager[TaskRecord | None]:
    """:meth:`Timeline.span` on the current Timeline; does nothing when none is recording.

    Lets lesson code mark its synchronous blocks once and run the same code with or
    without a timeline (``run_virtual`` records one the code cannot otherwise reach).
    """
    tl = current()
    return tl.span(name) if tl is not None else contextlib.nullcontext()


async def to_thread(name: str, func: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """:meth:`Timeline.to_thread` on the current Timeline, else plain ``asyncio.to_thread``."""
    tl = current()
    if tl is None:
        return await asyncio.to_thread(func, *args, **kwargs)
    return await tl.to_thread(name, func, *args, **kwargs)


def plot_side_by_side(top: Timeline, bottom: Timeline, **kwargs: Any) -> Figure:
    """Two timelines one above the other on the same time scale; see
    :func:`aiolab.gantt.plot_side_by_side`. Imports matplotlib only when called."""
    from .gantt import plot_side_by_side as plot

    return plot(top, bottom, **kwargs)


def _as_coroutine(main: Any, args: tuple[Any, ...], who: str) -> Coroutine[Any, Any, Any]:
    """The coroutine to run, from a coroutine object or an async function and arguments."""
    if asyncio.iscoroutine(main):
        if args:
            main.close()
            raise TypeError(f"{who} takes either a coroutine object, or an async function "
                            f"and its arguments, not both")
        return main
    if inspect.isawaitable(main) and not isinstance(main, asyncio.Future) and not args:
        # An object with __await__ (not a Future, which would belong to another loop).
        return _await(main)
    if not callable(main):
        raise TypeError(f"{who} needs a coroutine or an async function, "
                        f"not {type(main).__name__}")
    made = main(*args)
    if asyncio.iscoroutine(made):
        return made
    fn = getattr(main, "__name__", repr(main))
    if isinstance(made, asyncio.Future):
        made.cancel()
        raise TypeError(
            f"{fn}() returned a Future: whatever it waits for was started before {who} "
            f"could record it (and on the caller's loop). Pass an async function instead, "
            f"e.g. `async def main(): return await asyncio.gather(...)`")
    if inspect.isawaitable(made):
        return _await(made)
    raise TypeError(f"{who} needs an async function; {fn}() returned "
                    f"{type(made).__name__}, not a coroutine (missing `async`?)")


async def _await(awaitable: Awaitable[Any]) -> Any:
    return await awaitable


async def record(main: Coroutine[Any, Any, T] | Callable[..., Awaitable[T]], /,
                 *args: Any, name: str = "main",
                 record_orphans: bool = False) -> tuple[T, Timeline]:
    """Run ``main`` (a coroutine, or an async function and its arguments) as a task named
    ``name`` on the running loop, in real time, under a Timeline; return ``(result,
    timeline)``. The real-time twin of :func:`aiolab.run_virtual`, for a notebook cell::

        result, tl = await aiolab.record(main())
        tl.plot()

    Unlike awaiting ``main()`` directly in an ``async with Timeline()`` block, this gives
    the main coroutine a row of its own, so even purely sequential awaits show up. Its
    exceptions propagate unchanged, with the timeline attached as ``exc.timeline``.
    """
    coro = _as_coroutine(main, args, "record()")
    tl = Timeline(record_orphans=record_orphans)
    async with tl:
        task = asyncio.create_task(coro, name=name)
        try:
            result = await task
        except BaseException as exc:
            exc.timeline = tl  # type: ignore[attr-defined]
            raise
    return result, tl


class Timeline:
    """Records tasks (and marked spans and thread work) while active; then answers queries.

    :param record_orphans: also record tasks created where no task is running (from plain
        callbacks such as ``loop.call_later``). Off by default because in Jupyter those are
        the kernel's.
    """

    def __init__(self, *, record_orphans: bool = False) -> None:
        self.record_orphans = record_orphans
        #: True when the loop's clock is looptime's virtual clock.
        self.virtual = False
        self._records: list[TaskRecord] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._clock: Callable[[], float] = time.monotonic
        self._origin = 0.0
        self._stopped_at: float | None = None
        self._active = False
        self._root: asyncio.Task[Any] | None = None
        self._factory: Callable[..., Any] | None = None
        self._previous_factory: Callable[..., Any] | None = None
        # Blocking-step detection, used by run_virtual: steps holding the loop longer than
        # the threshold (real seconds) are reported to the callback.
        self._slow_threshold = float("inf")
        # What a recorded step must exceed to be reported to _slow_step (see there).
        self._step_threshold = BUSY_STEP
        self._on_slow: Callable[[TaskRecord, float, float, str], None] | None = None
        # Steps that held the loop (see _hooks).
        self._busy = BusySteps()

    # -- recording ------------------------------------------------------------------------

    async def __aenter__(self) -> Timeline:
        return self.start()

    async def __aexit__(
        self, typ: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(
        self, loop: asyncio.AbstractEventLoop | None = None, *, root: Any = _CURRENT,
    ) -> Timeline:
        """Start recording on ``loop`` (default: the running loop); t = 0 is now.

        ``root`` is the task whose children are top-level rows; by default the task calling
        ``start()``. Pass ``root=None`` with ``record_orphans=True`` to record every task
        created on the loop (for example before the loop runs).
        """
        if self._loop is not None:
            raise RuntimeError("this Timeline has already been started; make a new one")
        if loop is None:
            loop = asyncio.get_running_loop()
        self._loop = loop
        self._clock = _clock_for(loop)
        self.virtual = _is_virtual(loop)
        self._origin = self._clock()
        self._root = asyncio.current_task(loop) if root is _CURRENT else root
        self._previous_factory = loop.get_task_factory()
        self._active = True
        self._factory = make_task_factory(self, self._previous_factory, self._root,
                                          self.record_orphans)
        loop.set_task_factory(self._factory)
        _active.setdefault(loop, []).append(self)
        if loop not in _hooks:
            _hooks[loop] = (install_loop_hooks(loop, self._clock), BusySteps())
        self._busy = _hooks[loop][1]
        return self

    def stop(self) -> None:
        """Stop recording. Tasks still running are kept as ``pending`` rows and run on
        untouched. Safe to call twice."""
        if not self._active:
            return
        self._active = False
        self._stopped_at = self._clock()
        loop = self._loop
        assert loop is not None
        factory = loop.get_task_factory()
        if factory is self._factory:
            loop.set_task_factory(self._previous_factory)
        elif getattr(factory, "aiolab_owner", None) is None:
            # Someone installed a factory over ours (leave it: it may chain to ours, which
            # now just passes tasks through). Tasks it created were not recorded: say so,
            # or a learner would wonder where their tasks went.
            warnings.warn(
                "the event loop's task factory was replaced while a Timeline was recording "
                "(loop.set_task_factory); tasks created after that were not recorded. "
                "Install the factory before starting the Timeline (run_virtual: "
                "task_factory=...).", RuntimeWarning, stacklevel=3)
        self._root = None
        for rec in self._records:
            if type(rec) is TracedCoroutine:  # a task still running: stop recording it
                rec._detach()
            if rec._task is not None:
                rec._freeze()
        stack = _active.get(loop)
        if stack and self in stack:
            stack.remove(self)
            if not stack:
                del _active[loop]
                remove_hooks, _ = _hooks.pop(loop, (None, None))
                if remove_hooks is not None:
                    remove_hooks()

    @property
    def active(self) -> bool:
        return self._active

    @classmethod
    def from_records(cls, records: list[dict[str, Any]], *, stopped_at: float, virtual: bool = True) -> Timeline:
        """A stopped timeline rebuilt from :meth:`records` (taken at ``stopped_at`` seconds
        after its start): what a grader outside the kernel charts and queries."""
        timeline = cls()
        timeline.virtual = virtual
        timeline._stopped_at = float(stopped_at)
        rows: dict[int, TaskRecord] = {}
        for row in records:
            parent = rows.get(row.get("parent_index")) if row.get("parent_index") is not None else None
            rec = TaskRecord.from_dict(row, parent)
            rows[rec.index] = rec
            timeline._records.append(rec)
        return timeline

    def _now(self) -> float:
        """Current time on the timeline's axis (its stop time once stopped)."""
        if self._stopped_at is not None:
            return self._stopped_at - self._origin
        if self._loop is None:
            return 0.0
        return self._clock() - self._origin

    def _current_record(self) -> TaskRecord | None:
        loop = _running_loop()
        if loop is None or loop is not self._loop:
            return None
        return record_of(asyncio.current_task(loop), self)

    def _new_row(self, kind: Kind, name: str) -> TaskRecord | None:
        if not self._active:
            return None
        rec = TaskRecord(kind, len(self._records), self._origin, self._clock(),
                         self._current_record(), name=name)
        self._records.append(rec)
        return rec

    @contextlib.contextmanager
    def span(self, name: str) -> Iterator[TaskRecord | None]:
        """Mark a block of synchronous code as its own row, running the whole time::

            with tl.span("parse csv"):
                rows = list(csv.reader(f))

        It runs on the loop's thread, so nothing else runs meanwhile: the chart makes that
        visible. Its parent is the task running it. Yields the record (None if the
        timeline is not recording).
        """
        rec = self._new_row("span", name)
        if rec is None:
            yield None
            return
        t0 = rec._created
        p0 = perf_counter()
        try:
            yield rec
        except BaseException as exc:
            real = perf_counter() - p0
            t1 = self._clock()
            rec._steps.extend((t0, t0, t1, real))
            rec._finish(t1, exc)
            raise
        real = perf_counter() - p0
        t1 = self._clock()
        rec._steps.extend((t0, t0, t1, real))
        rec._finish(t1, None)

    async def to_thread(self, name: str, func: Callable[..., T], /, *args: Any,
                        **kwargs: Any) -> T:
        """Run ``func(*args, **kwargs)`` in a worker thread (``asyncio.to_thread``) and
        record it as a row of its own, drawn as thread work.

        The row is created when the work is submitted and ends when the result is back on
        the loop; its single step is when the thread actually ran the function (it may
        start late if every worker thread is busy).
        """
        rec = self._new_row("thread", name)
        if rec is None:
            return await asyncio.to_thread(func, *args, **kwargs)
        clock = self._clock
        steps = rec._steps

        def work() -> T:
            t0 = clock()
            p0 = perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                steps.extend((t0, t0, clock(), perf_counter() - p0))

        try:
            result = await asyncio.to_thread(work)
        except BaseException as exc:
            rec._finish(clock(), exc)
            raise
        rec._finish(clock(), None)
        return result

    def _watch_blocking(self, threshold: float | None,
                        callback: Callable[[TaskRecord, float, float, str], None]) -> None:
        """Report steps longer than ``threshold`` real seconds (set before ``start``) as
        ``callback(record, perf_counter at step start, real seconds, where it ended)``."""
        self._slow_threshold = float("inf") if threshold is None else float(threshold)
        self._step_threshold = min(self._slow_threshold, BUSY_STEP)
        self._on_slow = callback

    def _slow_step(self, rec: TaskRecord, started: float, real: float, t0: float,
                   t1: float) -> None:
        """A step longer than ``_tracing.BUSY_STEP`` (``t0``/``t1`` raw clock readings)."""
        self._busy.add(t0, t1)
        if self._on_slow is None or real <= self._slow_threshold:
            return
        from ._stacks import describe_suspension

        self._on_slow(rec, started, real, describe_suspension(getattr(rec, "_coro", None)))

    # -- queries --------------------------------------------------------------------------

    @property
    def tasks(self) -> list[TaskRecord]:
        """Every row in creation order: tasks, spans and thread work (see ``kind``)."""
        return list(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[TaskRecord]:
        return iter(list(self._records))

    def find(self, name: str | None = None, *, kind: Kind | None = None) -> list[TaskRecord]:
        """Rows whose name (or label) is ``name`` and/or whose kind is ``kind``."""
        return [r for r in self._records
                if (name is None or r.name == name or r.label == name)
                and (kind is None or r.kind == kind)]

    def task(self, name: str) -> TaskRecord:
        """The one row named ``name``; KeyError if none or several have that name."""
        found = self.find(name)
        if len(found) == 1:
            return found[0]
        if not found:
            names = ", ".join(repr(r.name) for r in self._records[:20])
            more = " ..." if len(self._records) > 20 else ""
            raise KeyError(f"no task named {name!r}; recorded: {names}{more}")
        raise KeyError(f"{len(found)} rows are named {name!r}; use tl.find({name!r})")

    @property
    def end(self) -> float:
        """Last end of any row (the stop time standing in for rows still pending)."""
        records = self._records
        if not records:
            return 0.0
        ends = [r._ended for r in records]  # raw slots: this runs over 100k rows
        if None in ends:
            return self._now()
        return max(ends) - self._origin  # type: ignore[type-var, operator]

    @property
    def start_time(self) -> float:
        """First creation of any row (usually 0)."""
        if not self._records:
            return 0.0
        return min(r._created for r in self._records) - self._origin

    @property
    def elapsed(self) -> float:
        """Wall-clock (loop-clock) span of the whole run: first creation to last end."""
        if not self._records:
            return 0.0
        return self.end - self.start_time

    @property
    def total_task_time(self) -> float:
        """What running the rows one after another would have taken.

        The sum of every row's duration, except that a parent's time is not counted while
        one of its children is alive: a task awaiting ``gather(a, b)`` is waiting for a
        and b, so only a and b count then. For three tasks of 1, 2 and 3 s gathered by a
        main task this is 6 s, while :attr:`elapsed` is 3 s.
        """
        now = self._now()
        children: dict[int, list[tuple[float, float]]] = {}
        for r in self._records:
            if r.parent is not None:
                children.setdefault(id(r.parent), []).append(r.interval(now))
        total = 0.0
        for r in self._records:
            start, end = r.interval(now)
            own = end - start
            kids = children.get(id(r))
            if kids:
                own -= _union_length(kids, start, end)
            total += own
        return total

    def overlapping(self, a: str | TaskRecord, b: str | TaskRecord) -> bool:
        """Whether the lifetimes (creation to end) of rows ``a`` and ``b`` overlapped for
        a positive length of time. Rows are given by name or record."""
        ra = self.task(a) if isinstance(a, str) else a
        rb = self.task(b) if isinstance(b, str) else b
        now = self._now()
        a0, a1 = ra.interval(now)
        b0, b1 = rb.interval(now)
        return a0 < b1 and b0 < a1

    def in_flight(self, t: float) -> list[TaskRecord]:
        """Rows alive at time ``t`` (created at or before ``t``, not yet ended)."""
        now = self._now()
        return [r for r in self._records
                if r.created <= t < r.interval(now)[1]]

    def records(self) -> list[dict[str, Any]]:
        """Every row as a plain, JSON-serialisable dict, in creation order."""
        return [r.as_dict() for r in self._records]

    # -- output ---------------------------------------------------------------------------

    def plot(self, **kwargs: Any) -> Figure:
        """Draw the Gantt chart; see :func:`aiolab.gantt.plot` for the options."""
        from .gantt import plot

        return plot(self, **kwargs)

    def to_chrome_trace(self) -> dict[str, Any]:
        """The timeline as Chrome trace-event JSON (opens in Perfetto / chrome://tracing)."""
        from .trace import to_chrome_trace

        return to_chrome_trace(self)

    def save_chrome_trace(self, path: str | PathLike[str]) -> None:
        from .trace import save_chrome_trace

        save_chrome_trace(self, path)

    def __repr__(self) -> str:
        state = "recording" if self._active else "stopped"
        clock = "virtual" if self.virtual else "real"
        return (f"<Timeline {state}, {len(self._records)} rows, elapsed {self.elapsed:g} s"
                f" ({clock} time)>")


def _union_length(intervals: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Total length covered by ``intervals`` clipped to ``[lo, hi]``."""
    covered = 0.0
    cur_start = cur_end = None
    for s, e in sorted(intervals):
        s, e = max(s, lo), min(e, hi)
        if e <= s:
            continue
        if cur_end is None or s > cur_end:
            if cur_end is not None:
                covered += cur_end - cur_start  # type: ignore[operator]
            cur_start, cur_end = s, e
        elif e > cur_end:
            cur_end = e
    if cur_end is not None:
        covered += cur_end - cur_start  # type: ignore[operator]
    return covered
