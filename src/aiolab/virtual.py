"""Run a coroutine in virtual time and get back its result and an exact Timeline.

``run_virtual(main)`` runs ``main()`` on a fresh event loop whose clock jumps straight to
the next timer whenever every task is waiting. ``await asyncio.sleep(3)`` then costs no
real time, and everything the timeline records is exact: three concurrent sleeps of 1, 2
and 3 s end at t == 3.0, not 3.0021. That is what lets the course's tests and graders
assert schedules with ``==`` and run a lesson's minute of waiting in milliseconds.

Design:

* The clock is looptime's (``looptime.patch_event_loop``): a selector loop whose ``select``
  is replaced so that, when nothing is ready and no I/O arrives, the loop's integer
  microsecond clock jumps by exactly the time to the next timer. Integer microseconds are
  why sums such as 0.1 + 0.2 come out as 0.3.
* The loop runs in a worker thread. In a notebook the kernel's loop is already running in
  the calling thread and a thread can run only one loop, so this also makes ``run_virtual``
  callable from a cell (synchronously) and from plain scripts alike.
* The caller waits at most ``real_limit`` seconds. A run that takes real time under virtual
  time is a bug in the learner's code (a synchronous endless loop, or tasks that never let
  time pass), so we stop it and say which task is stuck and where.
* ``limit`` bounds virtual time: a timer at ``limit`` cancels the run. Since the clock jumps
  there as soon as everything is waiting, a deadlock (an Event nobody sets) is reported
  instantly rather than after ``real_limit``.
* A step that holds the loop for more than ``blocking_threshold`` real seconds
  (``time.sleep``, a long computation) takes *no* virtual time, so the chart would show it
  as instantaneous. We raise :class:`~aiolab.errors.BlockingCallError` (or warn) instead.
  Garbage-collection pauses inside the step are not held against it (``_gcpauses``).

Threads (``asyncio.to_thread``) work: looptime keeps track of executor futures and, while
one is pending, waits for it in real time instead of jumping. Virtual time then advances
only if a timer falls due meanwhile, and no faster than real time. Thread work shorter than
the gap to the next timer therefore takes zero virtual time, and the schedule stays exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import warnings
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Literal

from ._executor import DaemonThreadPool
from ._gcpauses import GcPauses
from ._stacks import describe_task, describe_thread
from ._tracing import record_of
from .errors import (
    BlockingCallError,
    BlockingCallWarning,
    RealTimeLimitError,
    VirtualTimeError,
    VirtualTimeLimitError,
)
from .messages import _
from .timeline import Timeline, _as_coroutine

__all__ = ["run_virtual", "RealTimeLimitInterrupt"]

#: Virtual seconds that cancelled tasks get to finish their cleanup before we give up on
#: them (after the main coroutine ended or the run failed).
CLEANUP_GRACE = 10.0


class RealTimeLimitInterrupt(BaseException):
    """Raised *inside* a task stuck in synchronous code when ``real_limit`` passes.

    A BaseException so that ``except Exception:`` in the learner's code does not swallow
    it. It shows up in the timeline as how the stuck task ended.
    """


def _new_virtual_loop() -> asyncio.AbstractEventLoop:
    # An explicit SelectorEventLoop, not asyncio.new_event_loop(): under uvloop's policy
    # the latter returns a uvloop.Loop, which has no selector for looptime to take over.
    import looptime

    return looptime.patch_event_loop(asyncio.SelectorEventLoop(), start=0.0)


def _inject(thread: threading.Thread, exc_type: type[BaseException]) -> bool:
    """Raise ``exc_type`` in ``thread`` at its next bytecode (best effort: a thread blocked
    in C, e.g. in ``time.sleep``, only sees it when the call returns)."""
    import ctypes

    if thread.ident is None or not thread.is_alive():
        return False
    set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    set_async_exc.argtypes = (ctypes.c_ulong, ctypes.py_object)
    return set_async_exc(thread.ident, exc_type) == 1


class _Run:
    """One call of :func:`run_virtual`: the worker thread's loop and the caller's watch."""

    def __init__(self, coro: Coroutine[Any, Any, Any], *, name: str, limit: float | None,
                 real_limit: float | None, blocking_threshold: float | None,
                 on_blocking: str, loop_factory: Callable[[], asyncio.AbstractEventLoop] | None,
                 task_factory: Callable[..., asyncio.Task[Any]] | None) -> None:
        self.coro = coro
        self.name = name
        self.limit = limit
        self.real_limit = real_limit
        self.blocking_threshold = blocking_threshold
        self.on_blocking = on_blocking
        self.loop_factory = loop_factory
        self.task_factory = task_factory
        self.timeline = Timeline(record_orphans=True)
        self.executor = DaemonThreadPool()
        self.gc_pauses = GcPauses()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.supervisor: asyncio.Task[Any] | None = None
        self.main: asyncio.Task[Any] | None = None
        self.failure: VirtualTimeError | None = None
        self.blocking: list[tuple[str, float, str, float]] = []
        self.crash: BaseException | None = None
        self.aborting = False
        self.abandoned: list[str] = []
        self.hard_stopped = False
        self.finished = threading.Event()
        self.thread = threading.Thread(
            target=contextvars.copy_context().run, args=(self._thread_main,),
            name="aiolab-virtual-loop", daemon=True)

    # -- caller's side --------------------------------------------------------------------

    def run(self) -> tuple[Any, Timeline]:
        self.thread.start()
        try:
            if not self.finished.wait(self.real_limit):
                self._on_real_limit()
        except KeyboardInterrupt:
            self._abort_from_outside()
            self.finished.wait(1.0)
            raise
        return self._outcome()

    def _outcome(self) -> tuple[Any, Timeline]:
        tl = self.timeline
        if tl.active and self.finished.is_set():
            tl.stop()
        main = self.main
        if main is not None and main.done() and not main.cancelled():
            main.exception()  # mark it retrieved: asyncio must not log it as lost
        if self.failure is not None:
            self.failure.timeline = tl
            raise self.failure
        crash = self.crash
        if crash is not None and not isinstance(crash, RealTimeLimitInterrupt):
            crash.timeline = tl  # type: ignore[attr-defined]
            raise crash
        if main is None or not main.done():
            raise VirtualTimeError("the run ended before its main task did", timeline=tl)
        if self.abandoned:
            warnings.warn(RuntimeWarning(
                f"task(s) {', '.join(map(repr, self.abandoned))} ignored cancellation "
                f"after the main coroutine ended and were abandoned"), stacklevel=4)
        for task, real, where, _stack in self.blocking:
            warnings.warn(BlockingCallWarning(
                _blocking_message(task, real, where, self.blocking_threshold)), stacklevel=4)
        try:
            result = main.result()
        except BaseException as exc:
            exc.timeline = tl  # type: ignore[attr-defined]
            raise
        return result, tl

    def _pending(self, with_steps: bool = False) -> list[str]:
        loop = self.loop
        if loop is None:
            return []
        try:
            tasks = [t for t in asyncio.all_tasks(loop) if t is not self.supervisor]
        except RuntimeError:  # the set changed under us (called from the caller thread)
            return []
        order = {id(r): r.index for r in self.timeline._records}
        lines = []
        for task in tasks:
            rec = record_of(task, self.timeline)
            line = describe_task(task, rec.label if rec is not None else None)
            if with_steps and rec is not None:
                n = rec.n_steps
                line += f" [ran {n:,} step{'' if n == 1 else 's'}]"
            lines.append((order.get(id(rec), 1 << 60), line))
        return [line for _, line in sorted(lines)]

    def _loop_time(self) -> float | None:
        loop = self.loop
        if loop is None:
            return None
        return loop.time() - self.timeline._origin if self.timeline.virtual else None

    def _abort_from_outside(self, responsive: threading.Event | None = None) -> bool:
        loop = self.loop

        def abort() -> None:
            if responsive is not None:
                responsive.set()
            self._cancel_all()

        if loop is None:
            return False
        try:
            loop.call_soon_threadsafe(abort)
        except RuntimeError:  # loop already closed
            return False
        return True

    def _on_real_limit(self) -> None:
        assert self.real_limit is not None
        loop = self.loop
        vt = self._loop_time()
        pending_steps = self._pending(with_steps=True)
        pending = self._pending()
        stuck_task = asyncio.current_task(loop) if loop is not None else None
        where = describe_thread(self.thread.ident) if self.thread.ident else None

        responsive = threading.Event()
        self._abort_from_outside(responsive)
        stuck = not responsive.wait(0.25)
        if stuck:
            # A step never returned: interrupt it where it is. Repeat a few times in case
            # the learner's code catches it (a bare `except:`), but never once the loop
            # has control again, so the cleanup itself is not interrupted.
            self.aborting = True
            for _attempt in range(5):
                _inject(self.thread, RealTimeLimitInterrupt)
                if responsive.wait(0.1) or self.finished.is_set():
                    break
        else:
            pending = pending_steps  # step counts point at the task that spins
        stopped = self.finished.wait(1.0 if responsive.is_set() else 0.2)
        if not stopped and self.timeline.active:
            self.timeline.stop()  # the worker cannot; stop recording from here

        limit = f"{self.real_limit:g}"
        at = _(" (virtual time t = {time:g} s)", time=vt) if vt is not None else ""
        if stuck:
            who = (_("task {name!r}", name=stuck_task.get_name()) if stuck_task is not None
                   else _("the loop"))
            message = _(
                "The run took more than {limit} s of real time{at}: {who} is stuck in "
                "synchronous code{where}, so the event loop "
                "never got control back (an endless loop without `await`, or a long "
                "blocking call). ", limit=limit, at=at, who=who,
                where=_(" at {where}", where=where) if where else "")
            message += (_("It was interrupted.") if stopped else
                        _("It could not be interrupted and is left running in a background "
                          "thread."))
        else:
            message = _(
                "The run took more than {limit} s of real time{at}: the event loop kept "
                "running tasks but time could not move on. Under virtual time that is a "
                "task that loops without ever waiting for a timer (e.g. `while True: "
                "await asyncio.sleep(0)`), or a wait for a thread or real I/O that does "
                "not finish. The task with the most steps is usually the one.", limit=limit, at=at)
        self.failure = RealTimeLimitError(message, real_limit=self.real_limit, stuck=stuck,
                                          pending=pending, virtual_time=vt)

    # -- worker thread --------------------------------------------------------------------

    def _thread_main(self) -> None:
        loop = None
        try:
            loop = self.loop_factory() if self.loop_factory is not None else _new_virtual_loop()
            self.loop = loop
            asyncio.set_event_loop(loop)
            loop.set_default_executor(self.executor)
            if self.task_factory is not None:
                loop.set_task_factory(self.task_factory)  # before the Timeline chains to it
            with self.gc_pauses:
                loop.run_until_complete(self._supervise())
        except BaseException as exc:
            if not (self.hard_stopped and isinstance(exc, RuntimeError)):
                self.crash = exc
        finally:
            try:
                if loop is not None:
                    self._close(loop)
            except BaseException as exc:  # an interrupt landing in the cleanup
                if self.crash is None and not isinstance(exc, RealTimeLimitInterrupt):
                    self.crash = exc
            finally:
                self.finished.set()

    def _close(self, loop: asyncio.AbstractEventLoop) -> None:
        main = self.main
        if main is not None and main.done() and not main.cancelled():
            main.exception()  # retrieved (or reported by run()): asyncio must not log it
        try:
            if self.timeline.active:
                self.timeline.stop()
            if not self.aborting and not self.hard_stopped:
                loop.run_until_complete(loop.shutdown_asyncgens())
            # Tasks that ignored cancellation are abandoned with the loop. Say so once,
            # by name, instead of asyncio's "Task was destroyed but it is pending!" for
            # each of them at some later garbage collection.
            for task in asyncio.all_tasks(loop):
                if task is not self.supervisor:
                    self.abandoned.append(task.get_name())
                with contextlib.suppress(AttributeError):
                    task._log_destroy_pending = False  # type: ignore[attr-defined]
        finally:
            # Threads still working (a cancelled to_thread) are left to finish on their own.
            self.executor.shutdown(wait=True, timeout=0.5)
            asyncio.set_event_loop(None)
            loop.close()

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        self.supervisor = asyncio.current_task()
        tl = self.timeline
        tl._watch_blocking(self.blocking_threshold, self._on_blocking)
        tl.start(loop)  # root: this task, so the main task is a top-level row
        try:
            self.main = main = loop.create_task(self.coro, name=self.name)
            guard = (loop.call_later(self.limit, self._on_limit)
                     if self.limit is not None else None)
            try:
                await asyncio.wait([main])
            finally:
                if guard is not None:
                    guard.cancel()
            await self._cancel_leftovers()
        finally:
            tl.stop()

    async def _cancel_leftovers(self) -> None:
        """Like asyncio.run: tasks still running when main ends are cancelled."""
        others = [t for t in asyncio.all_tasks() if t is not self.supervisor]
        if not others:
            return
        for task in others:
            task.cancel()
        await asyncio.wait(others, timeout=CLEANUP_GRACE)

    def _on_limit(self) -> None:
        assert self.limit is not None
        self._fail(VirtualTimeLimitError(self.limit, pending=self._pending()))

    def _on_blocking(self, rec: Any, started: float, real: float, where: str) -> None:
        loop = self.loop
        assert loop is not None and self.blocking_threshold is not None
        real -= self.gc_pauses.within(started, started + real)
        if real <= self.blocking_threshold:
            return  # it was the garbage collector, not the learner's code
        now = loop.time() - self.timeline._origin
        self.blocking.append((rec.name, real, where, now))
        if self.on_blocking == "raise" and self.failure is None:
            error = BlockingCallError(rec.name, real, where, self.blocking_threshold,
                                      virtual_time=now)
            loop.call_soon(self._fail, error)  # not from inside the task's step

    def _fail(self, error: VirtualTimeError) -> None:
        if self.failure is None:
            self.failure = error
        self._cancel_all()

    def _cancel_all(self) -> None:
        loop = self.loop
        assert loop is not None
        for task in asyncio.all_tasks(loop):
            if task is not self.supervisor:
                task.cancel()
        # Tasks that refuse to be cancelled (they catch CancelledError and carry on) would
        # keep the run going forever; give them a grace period, then stop the loop.
        loop.call_later(CLEANUP_GRACE, self._hard_stop)

    def _hard_stop(self) -> None:
        if self.supervisor is not None and not self.supervisor.done():
            self.hard_stopped = True
            assert self.loop is not None
            self.loop.stop()


def _blocking_message(task: str, real: float, where: str, threshold: float | None) -> str:
    return (f"Task {task!r} blocked the event loop for {real:.3f} s of real time in one "
            f"step (threshold {threshold:g} s); the step ended at {where}.")


def run_virtual(
    main: Coroutine[Any, Any, Any] | Callable[..., Awaitable[Any]],
    /,
    *args: Any,
    limit: float | None = 3600.0,
    real_limit: float | None = 10.0,
    blocking_threshold: float | None = 0.05,
    on_blocking: Literal["raise", "warn", "ignore"] = "raise",
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
    task_factory: Callable[..., asyncio.Task[Any]] | None = None,
    name: str = "main",
) -> tuple[Any, Timeline]:
    """Run ``main`` (a coroutine, or an async function called with ``*args``) in virtual
    time; return ``(result, timeline)``.

    :param limit: virtual seconds the run may last; past it, every task is cancelled and
        :class:`~aiolab.errors.VirtualTimeLimitError` names what was still pending.
        ``None``: no limit.
    :param real_limit: real seconds the run may take (looptime jumps, so a correct run
        takes milliseconds); past it, :class:`~aiolab.errors.RealTimeLimitError`.
        ``None``: wait for ever.
    :param blocking_threshold: a step holding the loop longer than this many real seconds
        is a blocking call; ``None`` turns the check off.
    :param on_blocking: ``"raise"`` :class:`~aiolab.errors.BlockingCallError` (stopping the
        run), ``"warn"`` with :class:`~aiolab.errors.BlockingCallWarning` after the run, or
        ``"ignore"``.
    :param loop_factory: make the loop yourself, e.g. ``uvloop.new_event_loop`` or
        ``asyncio.new_event_loop``: the run is then in *real* time (virtual time needs
        looptime's selector loop), with the same recording, limits and checks.
    :param task_factory: a task factory for the loop, e.g. ``asyncio.eager_task_factory``
        (3.12+). Installed before recording starts, so tasks are both made by it and
        recorded; code that calls ``loop.set_task_factory`` itself during the run replaces
        the recorder and its tasks go unrecorded (with a warning).
    :param name: name of the main task (its row in the chart).

    The main coroutine's own exceptions propagate unchanged, with the timeline attached as
    ``exc.timeline``; so do the errors above. Works from plain code and from inside a
    running loop (a notebook cell): the loop runs in a worker thread.
    """
    if on_blocking not in ("raise", "warn", "ignore"):
        raise ValueError("on_blocking must be 'raise', 'warn' or 'ignore'")
    coro = _as_coroutine(main, args, "run_virtual()")
    if on_blocking == "ignore":
        blocking_threshold = None
    run = _Run(coro, name=name, limit=limit, real_limit=real_limit,
               blocking_threshold=blocking_threshold, on_blocking=on_blocking,
               loop_factory=loop_factory, task_factory=task_factory)
    return run.run()
