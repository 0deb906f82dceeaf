"""Hidden checks of lesson 07 · asyncio with threads, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

``wait_for_callback(start, timeout=None)`` (3 points). Every scenario, visible or hidden, runs
it against a fake library (probe ``library_calling_back``) that calls back at chosen moments
of virtual time from worker threads of the loop's executor (so the clock waits for them), or
at once from inside ``start``; the probe reports what it returned or raised and when, what
the callback raised in a worker, and what the event loop reported. Requirements of the
exercise text, and where each is checked (V: visible scenario in the notebook, made again
here from data at grading time; H: hidden scenario). Each scenario also asks for values and
moments picked at random (short ones: an answer that waits in a worker thread makes virtual
time run no faster than real time):

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
thread-safety scenario and nothing else. A blocking answer fails every scenario in which
something has to happen while it blocks, with "blocked the event loop"; once one request was
stopped at its real-time limit, the later ones get 0.5 s (:mod:`aiolab.drive`).

``SyncClient`` (4 points). Real time, real threads: each scenario is one real-time probe
(``sync_client_*``) that drives the class from a worker thread and reports each step as data.
Every wait has a real-time safety limit that the grader sets: 5 s in the visible scenarios
(the notebook's within_5_s), 3 s in the hidden ones, and 1 s in every scenario after a wait
ran out, so that a hanging client cannot use up the cell's budget of real time (which the
visible scenarios share with the hidden ones). Durations are never judged.

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

Every close() judged in a hidden scenario is called while the loop's thread is busy for a
moment (a time.sleep queued on the loop, ``aiolab.probes._LESSON07_BUSY``), so that no verdict
depends on which thread gets there first: a close() that does not wait for the thread always
returns before the thread has ended, and one that calls loop.close() from the caller's thread
always finds the loop still running. (A loop.stop() from the caller's thread is noticed once
the busy callback returns; the scenario "close() cancels a call still running" catches it on
an idle loop.) The values the calls carry are picked at random where the scenario has some.
"""

from __future__ import annotations

import functools
import math

from aiolab import grading, messages, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "07-threads"


def _facts(answer: judge.Answer) -> dict:
    (seen,) = answer.values(1)
    if not isinstance(seen, dict):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    return seen


def _word() -> str:
    (word,) = judge.names(1)
    return word


def _quarter(low: int, high: int) -> float:
    return judge.rng.randint(low, high) / 4


# ---- wait_for_callback ---------------------------------------------------------------------

#: Virtual seconds after which a run whose callback raised in a worker stops waiting for the
#: answer (that error is then the verdict); every correct run ends within 3 s.
GIVE_UP = 60.0


@functools.cache
def _wait_model():
    return model(LESSON, "wait_for_callback")


def _where(calls: list, timeout, at_once: tuple = ()) -> str:
    said = "never calls back"
    if calls or at_once:
        said = messages.series([*(f"calls back with {v!r} at once, from inside start()" for v in at_once),
                                *(f"calls back with {v!r} at t = {t:g} s from its own thread" for t, v in calls)],
                               "then")
    return f"When the library {said}, with timeout={timeout!r}"


def _library(kernel: judge.Kernel, calls: list, *, at_once: tuple = (), args: list, kwargs: dict,
             linger: float = 0.0, debug: bool = False, give_up: float | None = None) -> judge.Answer:
    return kernel.probe("library_calling_back", "wait_for_callback", [list(c) for c in calls], list(at_once),
                        args, kwargs, linger, debug, give_up)


def _said(seen: dict) -> str:
    return f"returned {seen.get('shown')}" if seen.get("outcome") == "returned" else str(seen.get("outcome"))


def _expect(kernel: judge.Kernel, calls: list, timeout, expected: tuple, *, at_once: tuple = (),
            linger: float = 0.0, debug: bool = False) -> None:
    """Run the answer against the fake library; ``expected`` is (outcome, value, virtual
    time) (a time of None: not judged; an outcome of None: only that nothing went wrong)."""
    where = _where(calls, timeout, at_once)
    answer = _library(kernel, calls, at_once=at_once, args=[timeout], kwargs={}, linger=linger, debug=debug,
                      give_up=GIVE_UP)
    try:
        seen = _facts(answer)
    except GradingFailure as err:       # did not finish, blocked the loop...
        raise GradingFailure(f"{where}: {err}") from None
    if seen.get("callback_errors"):
        name, message = seen["callback_errors"][0]
        raise GradingFailure(
            f"{where}: your callback raised {name}: {message}, when the library called it from its own thread. "
            "From another thread, reach the event loop only through loop.call_soon_threadsafe(...).")
    if seen.get("loop_errors"):
        message, exception = seen["loop_errors"][0]
        raise GradingFailure(f"{where}: the event loop reported an error: {message} ({exception}). "
                             "Later calls of the callback must be ignored.")
    if expected[0] is None:
        return
    kind, at = seen.get("outcome"), seen.get("at")
    want = f"return {expected[1]!r}" if expected[0] == "returned" else expected[0].replace("raised", "raise")
    if not isinstance(at, (int, float)):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    same = kind == expected[0] and (kind != "returned" or (seen.get("plain") and seen.get("value") == expected[1]))
    if not same:
        raise GradingFailure(f"{where}: expected wait_for_callback to {want}; it {_said(seen)} (at t = {at:g} s)")
    if expected[2] is not None and not math.isclose(at, expected[2], abs_tol=grading.TOLERANCE):
        judge.show(answer.timeline, grading.reference_timeline(
            probes.library_calling_back, _wait_model(), [list(c) for c in calls], list(at_once), [timeout], {},
            linger, False, None), f"ended at t = {at:g} s")
        raise GradingFailure(f"{where}: expected wait_for_callback to {want} at t = {expected[2]:g} s "
                             f"of virtual time, the very moment it happens; it {_said(seen)} at t = {at:g} s")


def wait_for_callback_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("wait_for_callback")

    def returned(seen: dict) -> str:
        if seen.get("outcome") == "raised TimeoutError":
            raise GradingFailure("Your code raised TimeoutError")
        return seen.get("shown")

    @visible.scenario("calls start(callback) once and returns the value the library passes from its own thread "
                      "1 s later: 42", points=0.25)
    def _():
        for value, delay in ((42, 1), (judge.rng.randint(100, 999), _quarter(1, 4))):
            seen = _facts(_library(kernel, [(delay, value)], args=[], kwargs={}))
            got = returned(seen)
            if seen.get("starts") != 1:
                raise GradingFailure(f"start() should be called exactly once; it was called {seen.get('starts')} "
                                     "times")
            if not (seen.get("plain") and seen.get("value") == value):
                raise GradingFailure(f"the library called back with {value!r} from its thread; wait_for_callback "
                                     f"returned {got}")

    @visible.scenario("works when start() calls the callback at once, in the loop's thread: returns 'now'",
                      points=0.25)
    def _():
        for value in ("now", _word()):
            seen = _facts(_library(kernel, [], at_once=(value,), args=[], kwargs={}))
            got = returned(seen)
            if not (seen.get("plain") and seen.get("value") == value):
                raise GradingFailure(f"start() called back with {value!r} at once; wait_for_callback returned {got}")

    @visible.scenario("raises TimeoutError when no callback comes within `timeout`: timeout=0.05", points=0.25)
    def _():
        for timeout in (0.05, judge.rng.randint(1, 9) / 100):
            seen = _facts(_library(kernel, [], args=[], kwargs={"timeout": timeout}))
            if seen.get("outcome") != "raised TimeoutError":
                raise GradingFailure(f"with no callback at all and timeout={timeout:g} it should raise TimeoutError; "
                                     f"it returned {seen.get('shown')}")

    # Virtual times stay short: an answer that waits in a worker thread (to_thread) makes
    # virtual time run no faster than real time.
    @hidden.scenario("returns at the very moment of the first call: a call at t = 0 s or "
                     "t = 1 s returns at that time, with or without a timeout", points=0.5)
    def _():
        _expect(kernel, [(1, "one")], None, ("returned", "one", 1))
        _expect(kernel, [(1, "one")], 3, ("returned", "one", 1))
        _expect(kernel, [(0, "zero")], 1, ("returned", "zero", 0))
        at, value = _quarter(1, 4), _word()
        _expect(kernel, [(at, value)], judge.rng.choice([None, at + _quarter(1, 2)]), ("returned", value, at))

    @hidden.scenario("returns the first value and ignores later calls, also after a timeout, "
                     "without raising or making the loop report an error", points=0.5)
    def _():
        _expect(kernel, [(0.5, "a"), (1, "b"), (1.5, "c")], 2, ("returned", "a", None), linger=1.5)
        _expect(kernel, [(1, "late")], 0.5, (None, None, None), linger=1)
        first, second, third = sorted(judge.rng.sample(range(1, 5), 3))
        values = judge.names(3)
        _expect(kernel, [(first / 4, values[0]), (second / 4, values[1]), (third / 4, values[2])], third / 4 + 0.5,
                ("returned", values[0], None), linger=1)

    @hidden.scenario("raises TimeoutError exactly `timeout` seconds after it started "
                     "(timeout=1 with no call, timeout=0.5 with a call at 1 s)", points=0.5)
    def _():
        _expect(kernel, [], 1, ("raised TimeoutError", None, 1))
        _expect(kernel, [(1, "late")], 0.5, ("raised TimeoutError", None, 0.5))
        timeout = _quarter(1, 4)
        _expect(kernel, [(timeout + 0.25, _word())], timeout, ("raised TimeoutError", None, timeout))

    @hidden.scenario("None is a value like any other: a first call with None returns None", points=0.25)
    def _():
        _expect(kernel, [(0, None)], 1, ("returned", None, None))
        _expect(kernel, [(0.5, None)], None, ("returned", None, None))
        at = _quarter(1, 2)
        _expect(kernel, [(at, None)], judge.rng.choice([None, at + 1]), ("returned", None, None))

    @hidden.scenario("reaches the loop from the library's thread only through thread-safe calls "
                     "(checked in debug mode, where other calls raise RuntimeError)", points=0.5)
    def _():
        _expect(kernel, [(1, "one")], 2, ("returned", "one", None), debug=True)
        at, value = _quarter(1, 3), _word()
        _expect(kernel, [(at, value)], at + 1, ("returned", value, None), debug=True)

    return visible, hidden


# ---- SyncClient ----------------------------------------------------------------------------

#: Real seconds a visible scenario waits for each step (the notebook's within_5_s), and a
#: hidden one; once a wait ran out, every later one (visible or hidden) waits AFTER_STUCK.
VISIBLE_LIMIT = 5.0
HIDDEN_LIMIT = 3.0
AFTER_STUCK = 1.0
#: Seconds the notebook keeps the loop's thread busy before its close() scenarios.
NOTEBOOK_BUSY = 0.3


def _stopped(facts: dict) -> None:
    """A step that was still blocked or raised, in the learner's terms."""
    stop = facts.get("stopped")
    if not isinstance(stop, dict):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    if "stuck" in stop:
        raise GradingFailure(f"{stop.get('what')} was still blocked after {stop.get('stuck'):g} s")
    if stop.get("builtin") == "NotImplementedError":
        raise GradingFailure("Not written yet: the code still raises NotImplementedError.")
    raise GradingFailure(f"{stop.get('what')} raised {stop.get('raised')}: {stop.get('message')}")


def _fact(facts: dict, key: str):
    """``facts[key]``; missing: the scenario stopped at an earlier step, which says why."""
    if key not in facts:
        _stopped(facts)
    return facts[key]


def _args(values: list) -> str:
    return ", ".join(map(repr, values))


def sync_client_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("sync_client")
    ran_out = []           # once a wait ran out, every later one gets AFTER_STUCK

    def probe(name: str, limit: float, *args) -> dict:
        try:
            facts = _facts(kernel.probe(name, "SyncClient", AFTER_STUCK if ran_out else limit, *args))
        except GradingFailure:
            ran_out.append(name)
            raise
        if facts.get("ran_out"):
            ran_out.append(name)
        return facts

    def notebook(name: str, *args) -> dict:
        """A visible scenario's probe: the notebook's limit (within_5_s)."""
        return probe(name, VISIBLE_LIMIT, *args)

    def ask(name: str, *args) -> dict:
        """A hidden scenario's probe."""
        return probe(name, HIDDEN_LIMIT, *args)

    @visible.scenario("client.call(add, 2, 3) returns 5", points=0.25)
    def _():
        for a, b in ((2, 3), (judge.rng.randint(10, 99), judge.rng.randint(10, 99))):
            got = _fact(notebook("sync_client_call_add", a, b), "got")
            if got != a + b:
                raise GradingFailure(f"client.call(add, {a}, {b}) returned {got!r}, expected {a + b}")

    @visible.scenario("client.call(fail, 'boom') raises the coroutine's own ValueError('boom')", points=0.25)
    def _():
        for message in ("boom", _word()):
            got = _fact(notebook("sync_client_call_fail", message), "value_error")
            if got is None:
                raise GradingFailure(f"client.call(fail, {message!r}) returned; it should raise the coroutine's "
                                     f"ValueError({message!r})")
            if got != message:
                raise GradingFailure(f"client.call(fail, {message!r}) raised ValueError({got!r}), expected "
                                     f"ValueError({message!r})")

    @visible.scenario("close() waits for the loop's thread to end: right after it returns, "
                      "client.thread.is_alive() is False", points=0.25)
    def _():
        if _fact(notebook("sync_client_close_then_look", NOTEBOOK_BUSY), "alive"):
            raise GradingFailure("right after close() returned, the loop's thread was still running: "
                                 "close() should wait for it to end (join it)")

    @visible.scenario("close() closes the loop: once its thread has ended, client.loop.is_closed() is True",
                      points=0.25)
    def _():
        if not _fact(notebook("sync_client_close_closes_loop", NOTEBOOK_BUSY), "closed"):
            raise GradingFailure("after close(), the loop should be closed (loop.close() once it has stopped)")

    @hidden.scenario("SyncClient() starts `thread` running `loop`; call() runs the coroutine there and "
                     "returns its result (several calls in a row, and with a timeout not reached)", points=0.25)
    def _():
        pairs = [[0, 0], [1, 1], [2, 2], [judge.rng.randint(3, 99), judge.rng.randint(3, 99)]]
        timed = [judge.rng.randint(3, 99), judge.rng.randint(3, 99)]
        facts = ask("sync_client_runs_calls", pairs, timed)
        if not _fact(facts, "loop"):
            raise GradingFailure("SyncClient() should store its event loop as the attribute `loop`")
        if not _fact(facts, "thread"):
            raise GradingFailure("SyncClient() should store the loop's thread as the attribute `thread`")
        if not _fact(facts, "alive"):
            raise GradingFailure("the loop's thread should be running once SyncClient() returns")
        if not _fact(facts, "in_thread"):
            raise GradingFailure(f"the coroutine should run in client.thread; it ran in the thread "
                                 f"{facts.get('thread_name')!r}")
        if not _fact(facts, "on_loop"):
            raise GradingFailure("the coroutine should run on client.loop; it ran on another loop")
        sums, want = _fact(facts, "sums"), [a + b for a, b in pairs]
        if sums[:3] != want[:3]:
            raise GradingFailure(f"client.call(add, i, i) for i in 0, 1, 2 returned {sums[:3]}, expected [0, 2, 4]")
        if sums[3:] != want[3:]:
            raise GradingFailure(f"client.call(add, {_args(pairs[3])}) returned {sums[3:]}, expected {want[3:]}")
        got = _fact(facts, "timed")
        if got != sum(timed):
            raise GradingFailure(f"client.call(add, {_args(timed)}, timeout=5) returned {got!r}, expected {sum(timed)}")

    @hidden.scenario("the coroutine's exception propagates unchanged: call(oops, 1, 'two') raises "
                     "that Oops(1, 'two')", points=0.25)
    def _():
        arg_lists = [[1, "two"], [judge.rng.randint(3, 99), _word()]]
        facts = ask("sync_client_raises_oops", arg_lists)
        calls = _fact(facts, "calls")
        for args, seen in zip(arg_lists, calls):
            if not (seen.get("own") and seen.get("args") == args):
                raise GradingFailure(f"client.call(oops, {_args(args)}) should raise the coroutine's own exception, "
                                     f"Oops({_args(args)}); it {seen.get('said')}")
        if len(calls) != len(arg_lists):
            raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")

    @hidden.scenario("calls from 3 threads at once run concurrently on the loop (they meet at an "
                     "asyncio.Barrier(3), which opens only when all three wait at it)", points=0.5)
    def _():
        names = judge.rng.sample(range(100), 3)
        facts = ask("sync_client_calls_meet", names)
        if "blocked" in facts:
            raise GradingFailure(
                f"3 threads called client.call(meet, i) at the same time; after {facts.get('after'):g} s, "
                f"{facts['blocked']} of them were still blocked: each coroutine waits at a barrier for "
                "the others, so calls from different threads must run concurrently on the loop "
                "(no lock held for the whole call, no loop per call)")
        got = _fact(facts, "got")
        if sorted(got, key=repr) != sorted(names, key=repr):
            raise GradingFailure(f"each caller should get its own result, {names[0]}, {names[1]} and {names[2]}; "
                                 f"they got {got}")

    @hidden.scenario("a timeout cancels the coroutine on the loop and raises TimeoutError; the client "
                     "still works afterwards", points=0.5)
    def _():
        a, b = judge.rng.randint(3, 99), judge.rng.randint(3, 99)
        facts = ask("sync_client_times_out", 0.05, a, b)
        if _fact(facts, "kind") == "stuck":
            raise GradingFailure(f"client.call(hang, timeout=0.05) {facts.get('said')}")
        if not facts.get("timeout_error"):
            raise GradingFailure(f"client.call(hang, timeout=0.05) should raise TimeoutError; it {facts.get('said')}")
        waited = _fact(facts, "waited")
        if waited is not None:
            raise GradingFailure(f"{waited:g} s after the timeout, the coroutine had still not "
                                 "been cancelled on the loop (it never saw CancelledError)")
        got = _fact(facts, "got")
        if got != a + b:
            raise GradingFailure(f"after a timeout, client.call(add, {a}, {b}) returned {got!r}, expected {a + b}")

    @hidden.scenario("close() cancels a call still running: the coroutine sees CancelledError and its "
                     "caller gets an exception instead of waiting forever", points=0.5)
    def _():
        facts = ask("sync_client_close_while_calling")
        if "started" in facts:
            raise GradingFailure(f"client.call(hang) from another thread had not started hang() after "
                                 f"{facts['started']:g} s")
        close = _fact(facts, "close")
        if close == "stuck":
            raise GradingFailure(f"close() while a call was running was still blocked after {facts.get('after'):g} s: "
                                 "the loop never stopped (a plain loop.stop() from another thread "
                                 "does not wake a sleeping loop), or close() waits for something "
                                 "that never ends")
        if close != "returned":
            raise GradingFailure(f"close() while a call was running raised {facts.get('shown')}")
        if _fact(facts, "waited") is not None:
            raise GradingFailure("close() returned, but the coroutine still running on the loop was "
                                 "never cancelled (it never saw CancelledError)")
        caller = _fact(facts, "caller")
        if caller == "still waiting":
            raise GradingFailure(f"{facts.get('after'):g} s after close(), the call that was running was still "
                                 "waiting: it should end with an exception")
        if caller != "raised":
            raise GradingFailure("the call cancelled by close() returned; it should raise")

    @hidden.scenario("a second close() does nothing", points=0.25)
    def _():
        facts = ask("sync_client_closes_twice")
        if "stopped" in facts:
            _stopped(facts)

    @hidden.scenario("call() after close() raises RuntimeError", points=0.25)
    def _():
        facts = ask("sync_client_call_after_close", 1, 2)
        if not _fact(facts, "runtime_error"):
            raise GradingFailure(f"client.call(add, 1, 2) after close() should raise RuntimeError; "
                                 f"it {facts.get('said')}")

    @hidden.scenario("`with SyncClient() as c:` gives the client and closes it at the end of the "
                     "block; two clients have their own loop and thread", points=0.25)
    def _():
        facts = ask("sync_client_with_two")
        if not _fact(facts, "bound"):
            raise GradingFailure(f"`with SyncClient() as c:` should bind c to the client; it bound {facts.get('shown')}")
        if not _fact(facts, "own"):
            raise GradingFailure("each client should have its own loop and thread")
        if _fact(facts, "alive"):
            raise GradingFailure("after the `with` block, the client's loop thread was still running: leaving it "
                                 "should close the client")

    @hidden.scenario("an exception inside the `with` block propagates (it is not swallowed)", points=0.25)
    def _():
        facts = ask("sync_client_with_raises")
        if not _fact(facts, "key_error"):
            raise GradingFailure(f"KeyError('inside') raised inside `with SyncClient():` should propagate; "
                                 f"it {facts.get('said')}")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"wait_for_callback": wait_for_callback_outside, "sync_client": sync_client_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
ANSWERS = {"sync_client": ("SyncClient",)}
EXERCISES = judge.in_kernel_all(OUTSIDE, ANSWERS)
check = checker(EXERCISES)
