"""Hidden checks of lesson 07 · asyncio with threads.

``wait_for_callback(start, timeout=None)`` (3 points). Requirements of the exercise text,
and where each is checked (V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                                  | scenario                                                     | points |
|--------------------------------------------------------------|--------------------------------------------------------------|--------|
| calls `start(callback)` exactly once; returns a value sent from another thread | V "calls start(callback) once and returns ..." | 0.25 |
| works when `start` calls back at once, in the loop's thread  | V "works when start() calls the callback at once ..."        | 0.25   |
| raises `TimeoutError` when no call comes within `timeout`    | V "raises TimeoutError when no callback comes ..."; H below  | 0.25   |
| returns at the very moment of the first call (no polling), without blocking the loop | H "returns at the very moment of the first call ..." | 0.5 |
| first value wins; later calls (also after a timeout) neither raise nor make the loop report an error | H "returns the first value and ignores later calls ..." | 0.5 |
| `TimeoutError` at exactly `timeout` seconds                  | H "raises TimeoutError exactly `timeout` seconds ..."        | 0.5    |
| `None` is a value like any other                             | H "None is a value like any other ..."                       | 0.25   |
| from the library's thread, touches the loop only thread-safely | H "reaches the loop from the library's thread only ..." (debug mode) | 0.5 |

Only the last scenario runs the loop in debug mode; the others run it as usual, so that a
non-thread-safe answer (which happens to work once something else wakes the loop) loses the
thread-safety scenario and nothing else. A blocking answer fails every hidden scenario with
"blocked the event loop": its calls can never come at the right moment.

``SyncClient`` (4 points). Real time, real threads; every wait has a real-time safety limit
(3 s, or 1 s once a call got stuck, so that a hanging client cannot use up the
cell's 30 s). Durations are never judged. The visible ones use within_5_s (5 s).

| requirement                                                  | scenario                                                     | points |
|--------------------------------------------------------------|--------------------------------------------------------------|--------|
| `call` returns the coroutine's result                        | V "client.call(add, 2, 3) returns 5"                         | 0.25   |
| `call` raises the coroutine's exception                      | V "... raises the coroutine's own ValueError"; H "... unchanged" | 0.25+0.25 |
| `close()` waits for the thread to end                        | V "close() waits for the loop's thread to end" (checked right after close() returns, with the loop's thread kept busy for 0.3 s: no race) | 0.25 |
| `close()` closes the loop                                    | V "close() closes the loop"                                  | 0.25   |
| `loop`/`thread` attributes, thread running after `__init__`, coroutine runs on `loop` in `thread` | H "SyncClient() starts `thread` running `loop` ..." | 0.25 |
| calls from several threads run concurrently                  | H "calls from 3 threads at once run concurrently ..."        | 0.5    |
| timeout: cancel on the loop, raise `TimeoutError`            | H "a timeout cancels the coroutine on the loop ..."          | 0.5    |
| `close()` stops the loop (thread-safely: the loop is idle here) and cancels what still runs; its caller gets an exception | H "close() cancels a call still running ..." | 0.5 |
| a second `close()` does nothing                              | H "a second close() does nothing"                            | 0.25   |
| after `close()`, `call` raises `RuntimeError`                | H "call() after close() raises RuntimeError"                 | 0.25   |
| `with SyncClient() as c` gives the client, closes it at the end; each client its own loop and thread | H "`with SyncClient() as c:` gives the client ..." | 0.25 |
| ... without swallowing exceptions                            | H "an exception inside the `with` block propagates"          | 0.25   |
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import math
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "07-threads"

# ---- wait_for_callback ---------------------------------------------------------------------

#: Real seconds a virtual-time run may take: correct answers take milliseconds; a blocking
#: answer is stopped after this (the default 5 s, times several scenarios, would come close
#: to nbgrader's 30 s per cell).
REAL_LIMIT = 3.0


class FakeLibrary:
    """Calls back at chosen virtual times, each time from a worker thread.

    Worker threads go through the loop's executor, so virtual time waits for them. Every
    exception the learner's callback raises in a worker is kept in ``errors``; every error the
    event loop reports (e.g. InvalidStateError in a callback) in ``loop_errors``.
    """

    def __init__(self, calls: list[tuple[float, Any]], at_once: Any = None, debug: bool = False):
        self.calls = calls                    # [(virtual time, value), ...]
        self.at_once = at_once                # a value to call back with from inside start()
        self.debug = debug
        self.errors: list[BaseException] = []
        self.loop_errors: list[dict[str, Any]] = []
        self.started = 0

    def start(self, callback: Callable[[Any], Any]) -> None:
        self.started += 1
        if self.at_once is not None:
            callback(self.at_once)
        for when, value in self.calls:
            self.loop.call_at(self.t0 + when, self._spawn, callback, value)

    def _spawn(self, callback: Callable[[Any], Any], value: Any) -> None:
        def work() -> None:
            try:
                callback(value)
            except BaseException as exc:      # noqa: B902 - reported by the checks
                self.errors.append(exc)
        self.loop.run_in_executor(None, work)

    async def scenario(self, fn: Callable[..., Any], timeout: float | None, linger: float) -> tuple[str, Any, float]:
        self.loop = loop = asyncio.get_running_loop()
        self.t0 = loop.time()
        loop.set_exception_handler(lambda loop, context: self.loop_errors.append(context))
        if self.debug:
            loop.set_debug(True)              # non-thread-safe calls from other threads raise
            loop.slow_callback_duration = 10.0
        try:
            try:
                outcome = ("returned", await fn(self.start, timeout), loop.time() - self.t0)
            except TimeoutError:
                outcome = ("raised TimeoutError", None, loop.time() - self.t0)
            await asyncio.sleep(linger)       # late calls happen meanwhile
        finally:
            loop.set_debug(False)
        return outcome

    def describe(self, timeout: float | None) -> str:
        parts = [f"calls back with {v!r} at t = {t:g} s from its own thread" for t, v in self.calls]
        if self.at_once is not None:
            parts.insert(0, f"calls back with {self.at_once!r} at once, from inside start()")
        said = ", then ".join(parts) if parts else "never calls back"
        return f"When the library {said}, with timeout={timeout!r}"


def _callback_error(lib: FakeLibrary, where: str) -> AssertionError:
    err = lib.errors[0]
    return AssertionError(
        f"{where}: your callback raised {type(err).__name__}: {err}, when the library called "
        "it from its own thread. From another thread, reach the event loop only through "
        "loop.call_soon_threadsafe(...).")


def _returns(answer: Callable[..., Any], calls: list[tuple[float, Any]], timeout: float | None,
             expected: tuple[str, Any, float | None], *, at_once: Any = None, linger: float = 0.0,
             debug: bool = False) -> None:
    """Run ``answer`` against a FakeLibrary; ``expected`` is (outcome, value, virtual time)
    (a time of None: not judged, an outcome of None: only that nothing raised)."""
    lib = FakeLibrary(calls, at_once, debug)
    where = lib.describe(timeout)
    try:
        run = grading.run(lib.scenario, answer, timeout, linger, real_limit=REAL_LIMIT)
    except AssertionError as err:             # did not finish, blocked the loop...
        if lib.errors:
            raise _callback_error(lib, where) from None
        raise AssertionError(f"{where}: {err}") from None
    kind, value, at = run.result
    if lib.errors:
        raise _callback_error(lib, where)
    if lib.loop_errors:
        context = lib.loop_errors[0]
        raise AssertionError(
            f"{where}: the event loop reported an error: {context.get('message')} "
            f"({context.get('exception')!r}). Later calls of the callback must be ignored.")
    if expected[0] is None:
        return
    said = f"returned {value!r}" if kind == "returned" else kind
    want = f"return {expected[1]!r}" if expected[0] == "returned" else expected[0].replace("raised", "raise")
    if (kind, value) != expected[:2]:
        raise AssertionError(f"{where}: expected wait_for_callback to {want}; it {said} (at t = {at:g} s)")
    if expected[2] is not None and not math.isclose(at, expected[2], abs_tol=grading.TOLERANCE):
        reference = model(LESSON, "wait_for_callback")
        chart = (grading.reference_timeline(FakeLibrary(calls, at_once).scenario, reference, timeout, linger)
                 if reference else None)
        grading.show_comparison(run.timeline, chart, f"ended at t = {at:g} s")
        raise AssertionError(f"{where}: expected wait_for_callback to {want} at t = {expected[2]:g} s "
                             f"of virtual time, the very moment it happens; it {said} at t = {at:g} s")


def wait_for_callback(wait_for_callback) -> Checks:
    checks = Checks("wait_for_callback")

    # Virtual times stay short: an answer that waits in a worker thread (to_thread) makes
    # virtual time run no faster than real time, and REAL_LIMIT bounds each run.
    @checks.scenario("returns at the very moment of the first call: a call at t = 0 s or "
                     "t = 1 s returns at that time, with or without a timeout", points=0.5)
    def _():
        _returns(wait_for_callback, [(1, "one")], None, ("returned", "one", 1))
        _returns(wait_for_callback, [(1, "one")], 3, ("returned", "one", 1))
        _returns(wait_for_callback, [(0, "zero")], 1, ("returned", "zero", 0))

    @checks.scenario("returns the first value and ignores later calls, also after a timeout, "
                     "without raising or making the loop report an error", points=0.5)
    def _():
        _returns(wait_for_callback, [(0.5, "a"), (1, "b"), (1.5, "c")], 2, ("returned", "a", None), linger=1.5)
        _returns(wait_for_callback, [(1, "late")], 0.5, (None, None, None), linger=1)

    @checks.scenario("raises TimeoutError exactly `timeout` seconds after it started "
                     "(timeout=1 with no call, timeout=0.5 with a call at 1 s)", points=0.5)
    def _():
        _returns(wait_for_callback, [], 1, ("raised TimeoutError", None, 1))
        _returns(wait_for_callback, [(1, "late")], 0.5, ("raised TimeoutError", None, 0.5))

    @checks.scenario("None is a value like any other: a first call with None returns None", points=0.25)
    def _():
        _returns(wait_for_callback, [(0, None)], 1, ("returned", None, None))
        _returns(wait_for_callback, [(0.5, None)], None, ("returned", None, None))

    @checks.scenario("reaches the loop from the library's thread only through thread-safe calls "
                     "(checked in debug mode, where other calls raise RuntimeError)", points=0.5)
    def _():
        _returns(wait_for_callback, [(1, "one")], 2, ("returned", "one", None), debug=True)

    return checks


# ---- SyncClient ----------------------------------------------------------------------------

class Patience:
    """Real-time limits for the waits of one exercise's hidden checks: 3 s each, but 1 s once
    one wait ran out, so that a client that hangs cannot use up nbgrader's 30 s for the cell
    (which would then score 0 as a whole). Correct answers take milliseconds."""

    def __init__(self) -> None:
        self.limit = 3.0

    def _ran_out(self) -> float:
        limit, self.limit = self.limit, 1.0
        return limit

    def outcome(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
        """('returned', value), ('raised', exception) or ('stuck', seconds waited): never hangs."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as exc:      # noqa: B902 - reported by the checks
                box["error"] = exc

        helper = threading.Thread(target=target, daemon=True, name="test helper")
        helper.start()
        helper.join(self.limit)
        if helper.is_alive():
            return "stuck", self._ran_out()
        return ("raised", box["error"]) if "error" in box else ("returned", box["value"])

    def said(self, kind: str, value: Any) -> str:
        """What a call did, in words: for messages."""
        if kind == "stuck":
            return f"was still blocked after {value:g} s"
        return f"{kind} {value!r}"

    def returns(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        kind, value = self.outcome(fn, *args, **kwargs)
        if kind == "stuck":
            raise AssertionError(f"{what} was still blocked after {value:g} s")
        if kind == "raised":
            if isinstance(value, NotImplementedError):
                raise value                   # "Not written yet"
            raise AssertionError(f"{what} raised {type(value).__name__}: {value}")
        return value

    def wait(self, event: threading.Event) -> float | None:
        """None if ``event`` was set in time, else the seconds waited."""
        limit = self.limit
        return None if event.wait(limit) else self._ran_out()

    @staticmethod
    def close_quietly(client: Any) -> None:
        """After a scenario: close the client, waiting 1 s at most, judging nothing."""
        def close() -> None:
            try:
                keep_busy(client)
                client.close()
            except BaseException:             # noqa: B902 - not judged here
                pass
        helper = threading.Thread(target=close, daemon=True, name="test: close quietly")
        helper.start()
        helper.join(1.0)


#: Every close() judged here is called while the loop's thread is busy for BUSY seconds (a
#: time.sleep queued on the loop), so that no verdict depends on which thread gets there
#: first: a close() that does not wait for the thread always returns before the thread has
#: ended, and one that calls loop.close() from the caller's thread always finds the loop
#: still running. (A loop.stop() from the caller's thread is noticed once the busy callback
#: returns; the scenario "close() cancels a call still running" catches it on an idle loop.)
BUSY = 0.2


def keep_busy(client: Any, seconds: float = BUSY) -> None:
    client.loop.call_soon_threadsafe(time.sleep, seconds)


async def _add(a: Any, b: Any) -> Any:
    await asyncio.sleep(0.01)
    return a + b


async def _where_am_i() -> tuple[threading.Thread, asyncio.AbstractEventLoop]:
    await asyncio.sleep(0)
    return threading.current_thread(), asyncio.get_running_loop()


class Oops(Exception):
    pass


async def _oops(*args: Any) -> None:
    await asyncio.sleep(0.001)
    raise Oops(*args)


class Hang:
    """A coroutine function that waits for an hour, telling when it started and whether it
    saw its cancellation."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.cancelled = threading.Event()

    async def __call__(self) -> None:
        self.started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


def sync_client(SyncClient) -> Checks:
    checks = Checks("sync_client")
    patience = Patience()

    def scenario(title: str, points: float) -> Callable[[Callable[[Any], None]], None]:
        """A scenario with a fresh client, closed afterwards whatever happened."""
        def register(body: Callable[[Any], None]) -> None:
            @checks.scenario(title, points=points)
            def _():
                client = patience.returns("SyncClient()", SyncClient)
                try:
                    body(client)
                finally:
                    patience.close_quietly(client)
        return register

    @scenario("SyncClient() starts `thread` running `loop`; call() runs the coroutine there and "
              "returns its result (several calls in a row, and with a timeout not reached)", 0.25)
    def _(c):
        assert isinstance(getattr(c, "loop", None), asyncio.AbstractEventLoop), \
            "SyncClient() should store its event loop as the attribute `loop`"
        assert isinstance(getattr(c, "thread", None), threading.Thread), \
            "SyncClient() should store the loop's thread as the attribute `thread`"
        assert c.thread.is_alive(), "the loop's thread should be running once SyncClient() returns"
        thread, loop = patience.returns("client.call(where_am_i)", c.call, _where_am_i)
        assert thread is c.thread, (f"the coroutine should run in client.thread; it ran in the "
                                    f"thread {thread.name!r}")
        assert loop is c.loop, "the coroutine should run on client.loop; it ran on another loop"
        got = [patience.returns("client.call(add, i, i)", c.call, _add, i, i) for i in range(3)]
        assert got == [0, 2, 4], f"client.call(add, i, i) for i in 0, 1, 2 returned {got}, expected [0, 2, 4]"
        got = patience.returns("client.call(add, 1, 2, timeout=5)", c.call, _add, 1, 2, timeout=5)
        assert got == 3, f"client.call(add, 1, 2, timeout=5) returned {got!r}, expected 3"

    @scenario("the coroutine's exception propagates unchanged: call(oops, 1, 'two') raises "
              "that Oops(1, 'two')", 0.25)
    def _(c):
        kind, err = patience.outcome(c.call, _oops, 1, "two")
        assert kind == "raised" and type(err) is Oops and err.args == (1, "two"), (
            f"client.call(oops, 1, 'two') should raise the coroutine's own exception, "
            f"Oops(1, 'two'); it {patience.said(kind, err)}")

    @scenario("calls from 3 threads at once run concurrently on the loop (they meet at an "
              "asyncio.Barrier(3), which opens only when all three wait at it)", 0.5)
    def _(c):
        barrier = asyncio.Barrier(3)

        async def meet(name):
            await barrier.wait()
            return name

        callers = [concurrent.futures.ThreadPoolExecutor(1) for _ in range(3)]
        futures = [pool.submit(c.call, meet, i) for i, pool in enumerate(callers)]
        limit = patience.limit
        done, not_done = concurrent.futures.wait(futures, timeout=limit)
        for pool in callers:
            pool.shutdown(wait=False)
        if not_done:
            patience._ran_out()
            raise AssertionError(
                f"3 threads called client.call(meet, i) at the same time; after {limit:g} s, "
                f"{len(not_done)} of them were still blocked: each coroutine waits at a barrier for "
                "the others, so calls from different threads must run concurrently on the loop "
                "(no lock held for the whole call, no loop per call)")
        got = sorted(f.result() for f in futures)
        assert got == [0, 1, 2], f"each caller should get its own result, 0, 1 and 2; they got {got}"

    @scenario("a timeout cancels the coroutine on the loop and raises TimeoutError; the client "
              "still works afterwards", 0.5)
    def _(c):
        hang = Hang()
        kind, err = patience.outcome(c.call, hang, timeout=0.05)
        if kind == "stuck":
            raise AssertionError(f"client.call(hang, timeout=0.05) was still blocked after {err:g} s")
        assert kind == "raised" and isinstance(err, TimeoutError), (
            f"client.call(hang, timeout=0.05) should raise TimeoutError; it {patience.said(kind, err)}")
        waited = patience.wait(hang.cancelled)
        assert waited is None, (f"{waited:g} s after the timeout, the coroutine had still not "
                                "been cancelled on the loop (it never saw CancelledError)")
        got = patience.returns("client.call(add, 20, 22) after a timeout", c.call, _add, 20, 22)
        assert got == 42, f"after a timeout, client.call(add, 20, 22) returned {got!r}, expected 42"

    @scenario("close() cancels a call still running: the coroutine sees CancelledError and its "
              "caller gets an exception instead of waiting forever", 0.5)
    def _(c):
        hang = Hang()
        caller = concurrent.futures.ThreadPoolExecutor(1)
        pending = caller.submit(c.call, hang)
        caller.shutdown(wait=False)
        waited = patience.wait(hang.started)
        assert waited is None, f"client.call(hang) from another thread had not started hang() after {waited:g} s"
        kind, err = patience.outcome(c.close)
        if kind == "stuck":
            raise AssertionError(f"close() while a call was running was still blocked after {err:g} s: "
                                 "the loop never stopped (a plain loop.stop() from another thread "
                                 "does not wake a sleeping loop), or close() waits for something "
                                 "that never ends")
        assert kind == "returned", f"close() while a call was running raised {type(err).__name__}: {err}"
        waited = patience.wait(hang.cancelled)
        assert waited is None, ("close() returned, but the coroutine still running on the loop was "
                                "never cancelled (it never saw CancelledError)")
        limit = patience.limit
        try:
            pending.result(timeout=limit)
        except concurrent.futures.TimeoutError:
            patience._ran_out()
            raise AssertionError(f"{limit:g} s after close(), the call that was running was still "
                                 "waiting: it should end with an exception") from None
        except BaseException:                 # noqa: B902 - any exception will do
            pass
        else:
            raise AssertionError("the call cancelled by close() returned; it should raise")

    @scenario("a second close() does nothing", 0.25)
    def _(c):
        keep_busy(c)
        patience.returns("close()", c.close)
        patience.returns("a second close()", c.close)

    @scenario("call() after close() raises RuntimeError", 0.25)
    def _(c):
        keep_busy(c)
        patience.returns("close()", c.close)
        # An answer may create the coroutine before the closed loop refuses it: a coroutine
        # never awaited, which the text does not forbid. Collect it here, warning ignored.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            kind, err = patience.outcome(c.call, _add, 1, 2)
            failure = None if kind == "raised" and isinstance(err, RuntimeError) else (
                f"client.call(add, 1, 2) after close() should raise RuntimeError; it {patience.said(kind, err)}")
            del err
            gc.collect()
        assert failure is None, failure

    @checks.scenario("`with SyncClient() as c:` gives the client and closes it at the end of the "
                     "block; two clients have their own loop and thread", points=0.25)
    def _():
        def use_two_clients():
            with SyncClient() as a, SyncClient() as b:
                bound = a, b
                seen = (a.call(_where_am_i), b.call(_where_am_i)) if None not in bound else None
                if None not in bound:         # b's close() comes first, then a's
                    keep_busy(b)
                    keep_busy(a, 3 * BUSY)
            return bound, seen

        (a, b), seen = patience.returns("with SyncClient() as a, SyncClient() as b", use_two_clients)
        assert isinstance(a, SyncClient) and isinstance(b, SyncClient), \
            f"`with SyncClient() as c:` should bind c to the client; it bound {a!r}"
        (ta, la), (tb, lb) = seen
        assert ta is not tb and la is not lb, "each client should have its own loop and thread"
        for x in (a, b):
            x.thread.join(patience.limit)
            assert not x.thread.is_alive(), \
                "after the `with` block, the client's loop thread was still running: leaving it should close the client"

    @checks.scenario("an exception inside the `with` block propagates (it is not swallowed)", points=0.25)
    def _():
        def error_in_with():
            client = SyncClient()
            with client:
                keep_busy(client)
                raise KeyError("inside")

        kind, err = patience.outcome(error_in_with)
        assert kind == "raised" and isinstance(err, KeyError), (
            f"KeyError('inside') raised inside `with SyncClient():` should propagate; it {patience.said(kind, err)}")

    return checks


EXERCISES = {"wait_for_callback": wait_for_callback, "sync_client": sync_client}
ANSWERS = {"sync_client": ("SyncClient",)}
check = checker(EXERCISES)
