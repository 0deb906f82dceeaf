"""Hidden checks of lesson 08 · Timeouts, cancellation and shielding.

Every scenario calls the learner's function through :func:`drive`: as a task of its own,
cancelled at chosen moments if asked, noting how and when it ended, then keeping the clock
running a few seconds more, so that work left running in the background shows up. The fakes
(:class:`FakeFetch`, :class:`FlakyOp`, :class:`FakeConn`) note when every call started and
how it ended. The lesson's exercise setup cell defines the same fakes and ``drive`` for the
visible scenarios; these are the hidden side's own copies, defined once for all three
exercises. A failing scenario shows the learner's chart above the model answer's.
(V: visible scenario in the notebook, H: hidden scenario here.)

``fetch_with_deadline(fetch, timeout, default)`` (3 points):

| requirement                                                  | scenario                                                      | points |
|--------------------------------------------------------------|---------------------------------------------------------------|--------|
| done within `timeout`: its value, as soon as it is done      | V "a 1 s fetch with timeout=3: its value at 1 s"              | 0.5    |
|   (fetch() called exactly once, not cancelled)               | H "a 2.5 s fetch with timeout=4: ... called once, not cancelled" | 0.25 |
| not done at `timeout`: `default` at exactly that moment      | V "a 5 s fetch with timeout=2: the default at 2 s"            | 0.5    |
| ... `default` is the very object passed in                   | H "a 9 s fetch with timeout=4: the default object itself, at 4 s" | 0.25 |
| ... fetch() cancelled then, not left running; called once    | H "the slow fetch is cancelled at the deadline ..."           | 0.5    |
| `timeout=None`: no limit                                     | H "timeout=None: a 7 s fetch gives its value at 7 s"          | 0.25   |
| fetch()'s exceptions propagate unchanged, as soon as raised  | H "fetch() raises ConnectionError at 1 s: that very error ..."| 0.25   |
| ... also a TimeoutError of fetch()'s own, before the deadline| V "fetch() raises its own TimeoutError ...: it propagates"    | 0.5    |

``retry(op, attempts, per_attempt, deadline)`` (4 points). Every scenario with attempts
also checks that they never overlap.

| requirement                                                  | scenario                                                      | points |
|--------------------------------------------------------------|---------------------------------------------------------------|--------|
| returns the first successful call's result, no more calls    | H "success on the first attempt: ... no other attempt"        | 0.25   |
| an attempt not done after `per_attempt` is cancelled then;   | V "a hung attempt is cancelled after 3 s, the next one starts | 0.75   |
| the next one starts at once                                  |   at once: 'pong' at 4 s"                                     |        |
|                                                              | H "two attempts time out, the third succeeds at 7 s ..."      | 0.25   |
| an attempt that raises is retried at once                    | H "an attempt that raises is retried at once"                 | 0.5    |
| at most `attempts`; all failed: the last attempt's error     | V "every attempt hangs: 2 attempts, then TimeoutError at 4 s" | 0.5    |
|                                                              | H "every attempt raises: attempt 3's own ValueError at 3 s"   | 0.5    |
|                                                              | H "the last attempt timed out after a failed one: TimeoutError"| 0.25  |
| the deadline cancels the running attempt and raises          | H "the deadline (7.5 s) cuts the third attempt short ..."     | 0.5    |
| `TimeoutError` at exactly that moment                        | H "a deadline (2 s) shorter than one attempt (5 s) ..."       | 0.25   |
| never start an attempt at or after the deadline              | H "quick failures until the deadline (3.5 s): ... none after" | 0.25   |

``save_then_close(conn, data)`` (4 points):

| requirement                                                  | scenario                                                      | points |
|--------------------------------------------------------------|---------------------------------------------------------------|--------|
| write, then close, return write()'s result; close once       | V "no cancellation: write 0-3 s, close 3-5 s, returns 5 at 5 s"| 0.75  |
|                                                              | H "no cancellation (write 2 s, close 1 s): ... close() once"  | 0.25   |
| cancelled during write: close() still runs to completion,    | V "cancelled at 1 s, during write: close 1-3 s, ends          | 0.75   |
| then the task ends cancelled                                 |   cancelled at 3 s"                                           |        |
|                                                              | H "cancelled at 1 s and again at 2 s ..."                     | 0.25   |
| cancelled while close() runs: close() runs on to its end,    | H "cancelled at 4 s, while closing ..."                       | 0.5    |
| the task ends cancelled, not before close() has finished     | H "cancelled at 2 and 3 s (close takes 1.5 s) ..."            | 0.25   |
| ... also when cancelled several times while closing          | H "cancelled at 2, 3 and 4 s, all while closing ..."          | 0.5    |
| write() raised: close() runs, then that exception propagates | H "write() raises ConnectionResetError: ..."                  | 0.5    |
| cancelled at any point: ends cancelled (even if write raised)| H "write() raised, then cancelled while closing: ..."         | 0.25   |
"""

from __future__ import annotations

import asyncio
import contextlib

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "08-timeouts-and-cancellation"


# ---- the fakes and the driver, shared by the three exercises ---------------------------

class FakeFetch:
    """fetch() of exercise 1: takes `seconds`, then returns `value` or raises `error`. Notes
    the times of its calls, of the ones that finished and of the ones cancelled."""

    def __init__(self, seconds, value="data", error=None):
        self.seconds, self.value, self.error = seconds, value, error
        self.calls, self.finished, self.cancelled = [], [], []

    async def __call__(self):
        # The work runs in a task of its own, so that every call gets a row in the charts.
        loop = asyncio.get_running_loop()
        self.calls.append(loop.time())
        work = asyncio.create_task(self._work(), name=f"fetch (call {len(self.calls)})")
        work.add_done_callback(lambda t: t.cancelled() and self.cancelled.append(loop.time()))
        return await work

    async def _work(self):
        loop = asyncio.get_running_loop()
        await asyncio.sleep(self.seconds)
        if self.error is not None:
            raise self.error
        self.finished.append(loop.time())
        return self.value


class FlakyOp:
    """op() of exercise 2: its n-th call follows plan[n-1] (the last step repeats):
    ("ok", seconds, value), ("fail", seconds) (then ValueError("attempt n failed")) or
    ("hang",) (never ends by itself). `log` holds [start, end, how] per call."""

    def __init__(self, *plan):
        self.plan = plan
        self.log = []

    async def __call__(self):
        loop = asyncio.get_running_loop()
        n = len(self.log) + 1
        entry = [loop.time(), None, "running"]
        self.log.append(entry)
        step = self.plan[min(n, len(self.plan)) - 1]
        attempt = asyncio.create_task(self._attempt(n, step, entry), name=f"attempt {n}")

        def ended(task):
            if task.cancelled() and entry[1] is None:       # cancelled, maybe before it began
                entry[1:] = [loop.time(), "cancelled"]
        attempt.add_done_callback(ended)
        return await attempt

    async def _attempt(self, n, step, entry):
        loop = asyncio.get_running_loop()
        await asyncio.sleep(1000 if step[0] == "hang" else step[1])
        entry[1:] = [loop.time(), step[0]]
        if step[0] == "fail":
            raise ValueError(f"attempt {n} failed")
        return step[2]

    def history(self) -> str:
        if not self.log:
            return "no attempt at all"
        return "; ".join(f"attempt {n}: {_span(start, end)}, {how}" for n, (start, end, how) in enumerate(self.log, 1))


class FakeConn:
    """conn of exercise 3: write() takes `write_s` (then returns len(data), or raises
    `write_error`), close() takes `close_s`. `log` holds [start, end, how] per call, by name."""

    def __init__(self, write_s=3, close_s=2, write_error=None):
        self.write_s, self.close_s, self.write_error = write_s, close_s, write_error
        self.log = {"write": [], "close": []}

    async def _timed(self, name, seconds, error=None, value=None):
        loop = asyncio.get_running_loop()
        entry = [loop.time(), None, "running"]
        self.log[name].append(entry)
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            entry[1:] = [loop.time(), "cancelled"]
            raise
        if error is not None:
            entry[1:] = [loop.time(), "failed"]
            raise error
        entry[1:] = [loop.time(), "done"]
        return value

    async def write(self, data):
        return await asyncio.create_task(self._timed("write", self.write_s, self.write_error, len(data)), name="write")

    async def close(self):
        await asyncio.create_task(self._timed("close", self.close_s), name="close")

    def history(self, name) -> str:
        calls = self.log[name]
        if not calls:
            return f"{name}() never called"
        return "; ".join(f"{name}() {_span(start, end)}, {how}" for start, end, how in calls)


def _span(start, end) -> str:
    return f"from {start:g} s" if end is None else f"{start:g}-{end:g} s"


LINGER = 5      # seconds drive() keeps the clock running after the call


async def drive(fn, *args, cancel_at=(), linger=LINGER, name="call"):
    """Run fn(*args) as the task `name`, cancel it at the given times, note how and when it
    ended, then let the clock run `linger` s more (work left running shows up then)."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(fn(*args), name=name)
    for t in cancel_at:
        loop.call_at(t, task.cancel)
    await asyncio.wait([task])
    ended = loop.time()
    if task.cancelled():
        outcome = ("cancelled", None)
    elif task.exception() is not None:
        outcome = ("raised", task.exception())
    else:
        outcome = ("returned", task.result())
    await asyncio.sleep(linger)
    return (*outcome, ended)


#: what the fakes raise: any other exception is the learner's own, reported with its line
EXPECTED_ERRORS = (TimeoutError, ValueError, ConnectionError)


def outcome(run):
    """(how, value, ended) of a driven run; an exception of the learner's own (blank answer,
    TypeError ...) is raised again, so that the verdict names it and its line."""
    how, value, ended = run.result
    if how == "raised" and (isinstance(value, NotImplementedError) or not isinstance(value, EXPECTED_ERRORS)):
        raise value
    return how, value, ended


def ended(how, value, at) -> str:
    what = {"returned": f"returned {value!r}", "cancelled": "ended cancelled",
            "raised": f"raised {type(value).__name__}" + (f"({str(value)!r})" if str(value) else "")}[how]
    return f"it {what} at {at:g} s"


@contextlib.contextmanager
def charts_on_failure(run, title, reference):
    """If the block fails, show the learner's chart above the expected one (`reference()`
    runs the model answer on fresh fakes and returns its timeline, or None)."""
    try:
        yield
    except AssertionError:
        grading.show_comparison(run.timeline, reference(), title)
        raise


# ---- exercise 1 ------------------------------------------------------------------------

def fetch_with_deadline(fetch_with_deadline) -> Checks:
    checks = Checks("fetch_with_deadline")
    reference = model(LESSON, "fetch_with_deadline")

    def case(make_fetch, timeout, default, title):
        fetch = make_fetch()
        run = grading.run(drive, fetch_with_deadline, fetch, timeout, default, linger=10)
        charts = charts_on_failure(run, title, lambda: grading.reference_timeline(
            drive, reference, make_fetch(), timeout, default, linger=10) if reference else None)
        return fetch, run, charts

    @checks.scenario("the slow fetch is cancelled at the deadline (a 5 s fetch, timeout=2: cancelled at 2 s), "
                     "not left running, and called once", points=0.5)
    def _():
        fetch, run, charts = case(lambda: FakeFetch(5), 2, "cached data", "a 5 s fetch, timeout=2")
        outcome(run)
        with charts:
            assert len(fetch.calls) == 1, f"fetch() must be called exactly once; it was called {len(fetch.calls)} times"
            assert not fetch.finished, (
                f"the 5 s fetch was left running and finished at {fetch.finished[0]:g} s, after the 2 s deadline: "
                "when the time is up, fetch() must be cancelled, not left running in the background")
            assert fetch.cancelled == [2.0], (
                f"the 5 s fetch should be cancelled at the 2 s deadline; it was cancelled at {fetch.cancelled or 'no time'}")

    @checks.scenario("a 9 s fetch with timeout=4: returns the default object itself (the very object passed in), "
                     "at exactly 4 s", points=0.25)
    def _():
        default = object()
        fetch, run, charts = case(lambda: FakeFetch(9), 4, default, "a 9 s fetch, timeout=4")
        how, value, at = outcome(run)
        with charts:
            assert how == "returned" and value is default and at == 4.0, (
                f"expected the default object passed in, {default!r}, returned at 4 s; {ended(how, value, at)}"
                + (" (another object, not the one passed in)" if how == "returned" and type(value) is object
                   and value is not default else ""))

    @checks.scenario("fetch() raises ConnectionError at 1 s (timeout=3): that very exception propagates, at 1 s",
                     points=0.25)
    def _():
        error = ConnectionError("connection refused")
        fetch, run, charts = case(lambda: FakeFetch(1, error=error), 3, "cached data",
                                  "fetch() raises ConnectionError at 1 s")
        how, value, at = outcome(run)
        with charts:
            assert how == "raised" and value is error and at == 1.0, (
                f"fetch() raised ConnectionError('connection refused') at 1 s: that exception must propagate "
                f"unchanged, at once, not become the default; {ended(how, value, at)}")
            assert len(fetch.calls) == 1, f"fetch() must be called exactly once; it was called {len(fetch.calls)} times"

    @checks.scenario("timeout=None means no limit: a 7 s fetch gives its value at 7 s", points=0.25)
    def _():
        fetch, run, charts = case(lambda: FakeFetch(7, value="late but complete"), None, "cached data",
                                  "a 7 s fetch, timeout=None")
        how, value, at = outcome(run)
        with charts:
            assert (how, value, at) == ("returned", "late but complete", 7.0), (
                f"with timeout=None, wait for fetch() however long it takes: expected 'late but complete' "
                f"at 7 s; {ended(how, value, at)}")

    @checks.scenario("a 2.5 s fetch with timeout=4: its value at 2.5 s, fetch() called once and not cancelled",
                     points=0.25)
    def _():
        fetch, run, charts = case(lambda: FakeFetch(2.5, value=[1, 2]), 4, "cached data", "a 2.5 s fetch, timeout=4")
        how, value, at = outcome(run)
        with charts:
            assert (how, value, at) == ("returned", [1, 2], 2.5), (
                f"expected the fetch's value [1, 2] as soon as it is done, at 2.5 s; {ended(how, value, at)}")
            assert fetch.calls == [0.0] and not fetch.cancelled, (
                f"fetch() must be called exactly once and not cancelled; called at {fetch.calls} s, "
                f"cancelled at {fetch.cancelled} s")

    return checks


# ---- exercise 2 ------------------------------------------------------------------------

def retry(retry) -> Checks:
    checks = Checks("retry")
    reference = model(LESSON, "retry")

    def case(plan, args, expected, at, attempts, title, only_first=False):
        """retry(FlakyOp(*plan), *args) must end as `expected` (("returned", value) or
        ("raised", type, message or None)) at `at`, with the attempts [start, end, how]
        (only the first len(attempts) of them if only_first)."""
        op = FlakyOp(*plan)
        run = grading.run(drive, retry, op, *args, linger=LINGER)
        how, value, ended_at = outcome(run)
        for entry in op.log:            # cancelled only when the run ended: left running by retry
            if entry[2] == "cancelled" and entry[1] >= ended_at + LINGER:
                entry[1:] = [None, "left running"]
        with charts_on_failure(run, title, lambda: grading.reference_timeline(drive, reference, FlakyOp(*plan), *args)
                               if reference else None):
            if expected[0] == "returned":
                ok = (how, value) == expected
                want = f"return {expected[1]!r}"
            else:
                _, kind, message = expected
                ok = how == "raised" and type(value) is kind and (message is None or str(value) == message)
                want = f"raise {kind.__name__}" + (f"({message!r})" if message else "")
            assert ok and ended_at == at, f"expected retry to {want} at {at:g} s; {ended(how, value, ended_at)}"
            seen = op.log[:len(attempts)] if only_first else op.log
            if seen != [list(a) for a in attempts]:
                want = "; ".join(f"attempt {n}: {_span(s, e)}, {h}" for n, (s, e, h) in enumerate(attempts, 1))
                raise AssertionError(f"expected these attempts: {want}{' (then no more)' if not only_first else ''}; "
                                     f"got: {op.history()}")
            for n in range(1, len(op.log)):
                assert op.log[n - 1][1] is not None and op.log[n][0] >= op.log[n - 1][1], (
                    f"attempt {n + 1} started at {op.log[n][0]:g} s, before attempt {n} had ended: "
                    f"attempts must run one at a time ({op.history()})")

    @checks.scenario("success on the first attempt: its result at 1 s, and no other attempt", points=0.25)
    def _():
        case([("ok", 1, "first time")], (5, 3, 10), ("returned", "first time"), 1.0, [(0, 1, "ok")],
             "success on the first attempt")

    @checks.scenario("two attempts time out (0-3 s, 3-6 s, both cancelled), the third succeeds: its result at 7 s, "
                     "no further attempt", points=0.25)
    def _():
        case([("hang",), ("hang",), ("ok", 1, "third time lucky")], (5, 3, 20), ("returned", "third time lucky"),
             7.0, [(0, 3, "cancelled"), (3, 6, "cancelled"), (6, 7, "ok")], "two timeouts, then success")

    @checks.scenario("an attempt that raises is retried at once: ValueError at 1 s, the next attempt runs 1-3 s "
                     "and its result is returned", points=0.5)
    def _():
        case([("fail", 1), ("ok", 2, "recovered")], (3, 5, 30), ("returned", "recovered"), 3.0,
             [(0, 1, "fail"), (1, 3, "ok")], "an attempt that raises is retried at once")

    @checks.scenario("every attempt raises (attempts=3): the last attempt's own error, ValueError('attempt 3 failed'), "
                     "at 3 s", points=0.5)
    def _():
        case([("fail", 1)], (3, 5, 30), ("raised", ValueError, "attempt 3 failed"), 3.0,
             [(0, 1, "fail"), (1, 2, "fail"), (2, 3, "fail")], "every attempt raises")

    @checks.scenario("the last attempt timed out after a failed one (attempts=2, per_attempt=4): TimeoutError at 5 s",
                     points=0.25)
    def _():
        case([("fail", 1), ("hang",)], (2, 4, 100), ("raised", TimeoutError, None), 5.0,
             [(0, 1, "fail"), (1, 5, "cancelled")], "attempts used up, the last one timed out")

    @checks.scenario("the deadline (7.5 s) cuts the third attempt short: it is cancelled and TimeoutError is raised "
                     "at 7.5 s", points=0.5)
    def _():
        case([("hang",)], (5, 3, 7.5), ("raised", TimeoutError, None), 7.5,
             [(0, 3, "cancelled"), (3, 6, "cancelled"), (6, 7.5, "cancelled")], "deadline 7.5 s, attempts of 3 s",
             only_first=True)

    @checks.scenario("a deadline (2 s) shorter than one attempt (5 s): the attempt is cancelled and TimeoutError "
                     "raised at 2 s", points=0.25)
    def _():
        case([("hang",)], (3, 5, 2), ("raised", TimeoutError, None), 2.0, [(0, 2, "cancelled")],
             "deadline 2 s, attempts of 5 s", only_first=True)

    @checks.scenario("quick failures until the deadline (3.5 s): attempts at 0, 1, 2 and 3 s, the fourth cancelled "
                     "at 3.5 s, and none started at or after the deadline", points=0.25)
    def _():
        case([("fail", 1)], (10, 5, 3.5), ("raised", TimeoutError, None), 3.5,
             [(0, 1, "fail"), (1, 2, "fail"), (2, 3, "fail"), (3, 3.5, "cancelled")],
             "quick failures until the 3.5 s deadline")

    return checks


# ---- exercise 3 ------------------------------------------------------------------------

WANT = {"cancelled": "end cancelled", "raised": "raise write()'s exception", "returned": "return write()'s result"}


def save_then_close(save_then_close) -> Checks:
    checks = Checks("save_then_close")
    reference = model(LESSON, "save_then_close")

    def case(conn_args, cancel_at, write, close, expected, at, title):
        """save_then_close(FakeConn(**conn_args), b"hello") as the task "save", cancelled at
        `cancel_at`: write() and close() must each run once, as given ([start, end, how]),
        and the task must end `expected` ("returned", "raised" or "cancelled") at `at`.
        Returns what it returned or raised."""
        conn = FakeConn(**conn_args)
        run = grading.run(drive, save_then_close, conn, b"hello", cancel_at=cancel_at, name="save")
        how, value, ended_at = outcome(run)
        with charts_on_failure(run, title, lambda: grading.reference_timeline(
                drive, reference, FakeConn(**conn_args), b"hello", cancel_at=cancel_at, name="save")
                if reference else None):
            closes = len(conn.log["close"])
            assert closes == 1, f"close() must be called exactly once; it was called {closes} times ({conn.history('close')})"
            assert conn.log["close"] == [list(close)], (
                f"close() should run {_span(*close[:2])} and finish ({close[2]}); got {conn.history('close')}"
                + (": cancelling the task cancelled close() too" if conn.log["close"][0][2] == "cancelled" else ""))
            assert conn.log["write"] == [list(write)], (
                f"write() should run {_span(*write[:2])}, {write[2]}; got {conn.history('write')}")
            assert how == expected and ended_at == at, (
                f"the task should {WANT[expected]} at {at:g} s, once close() has finished (at {close[1]:g} s); "
                f"{ended(how, value, ended_at)}")
        return value

    @checks.scenario("cancelled at 4 s, while closing (write 0-3 s, close 3-5 s): close() runs on to 5 s, "
                     "then the task ends cancelled at 5 s", points=0.5)
    def _():
        case({}, [4], (0, 3, "done"), (3, 5, "done"), "cancelled", 5.0, "cancelled at 4 s, while closing")

    @checks.scenario("cancelled at 1 s and again at 2 s: close() runs once, 1-3 s, then the task ends cancelled "
                     "at 3 s", points=0.25)
    def _():
        case({}, [1, 2], (0, 1, "cancelled"), (1, 3, "done"), "cancelled", 3.0, "cancelled at 1 s and at 2 s")

    @checks.scenario("cancelled at 2, 3 and 4 s, all while closing (write 1 s, close 4 s): close() runs once to "
                     "its end at 5 s, then the task ends cancelled", points=0.5)
    def _():
        case({"write_s": 1, "close_s": 4}, [2, 3, 4], (0, 1, "done"), (1, 5, "done"), "cancelled", 5.0,
             "cancelled at 2, 3 and 4 s, all while closing")

    @checks.scenario("cancelled at 2 and 3 s (write 6 s, close 1.5 s): close() runs 2-3.5 s, then the task ends "
                     "cancelled at 3.5 s", points=0.25)
    def _():
        case({"write_s": 6, "close_s": 1.5}, [2, 3], (0, 2, "cancelled"), (2, 3.5, "done"), "cancelled", 3.5,
             "cancelled at 2 s during write and at 3 s while closing")

    @checks.scenario("write() raises ConnectionResetError at 3 s: close() still runs, 3-5 s, then that very "
                     "exception propagates", points=0.5)
    def _():
        error = ConnectionResetError("peer went away")
        value = case({"write_error": error}, [], (0, 3, "failed"), (3, 5, "done"), "raised", 5.0,
                     "write() raises ConnectionResetError")
        assert value is error, f"write()'s own ConnectionResetError must propagate; got {value!r}"

    @checks.scenario("write() raised at 3 s, then the task is cancelled at 4 s while closing: it still ends "
                     "cancelled, at 5 s", points=0.25)
    def _():
        case({"write_error": ConnectionResetError("peer went away")}, [4], (0, 3, "failed"), (3, 5, "done"),
             "cancelled", 5.0, "write() raised, then cancelled at 4 s while closing")

    @checks.scenario("no cancellation (write 2 s, close 1 s): returns write()'s result (5) at 3 s, close() called "
                     "once", points=0.25)
    def _():
        value = case({"write_s": 2, "close_s": 1}, [], (0, 2, "done"), (2, 3, "done"), "returned", 3.0,
                     "no cancellation")
        assert value == 5, f"save_then_close should return what write() returned (5); it returned {value!r}"

    return checks


EXERCISES = {"fetch_with_deadline": fetch_with_deadline, "retry": retry, "save_then_close": save_then_close}
check = checker(EXERCISES)
