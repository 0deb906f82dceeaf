"""Hidden checks of lesson 03 · Results and callbacks.

``make_collector()`` (3 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, H: hidden scenario here). Entries are looked
up by task name (the last entry of that name), so each scenario judges its own requirement
and only "completion order" judges the order of the log:

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| returns `(on_done, log)`, `log` a list; a task that  | V "a task that returns 'A': ('a', 'result', 'A')"     | 0.5    |
| returned gives `(name, "result", value)`, name from  |                                                       |        |
| `task.get_name()`                                    |                                                       |        |
| ... `value` may be `None`                            | H "a task that returns None: ('nothing', 'result', None)" | 0.25 |
| a task that raised: `(name, "exception", exc)`, the  | V "a task that raises: ('b', 'exception', <the very   | 0.5    |
| exception object itself                              | ValueError it raised>)"                               |        |
| a cancelled task: `(name, "cancelled", None)`        | V "a cancelled task: ('c', 'cancelled', None)"        | 0.25   |
| a task that catches its cancellation and returns is  | H "a task that catches its cancellation and returns   | 0.25   |
| a result, not a cancellation                         | is a result"                                          |        |
| `log` in completion order                            | V "the log is in completion order: b, c, a"           | 0.25   |
| `on_done` never raises, whatever the outcome         | H "on_done never raises, whatever the outcome"        | 0.25   |
| a recorded failure is not "never retrieved"          | H "... not reported as 'Task exception was never      | 0.25   |
|                                                      | retrieved'"                                           |        |
| each `make_collector()` gives a fresh, empty,        | H "each make_collector() returns a fresh, empty log"  | 0.25   |
| independent log (several collectors at once)         |                                                       |        |
| a callback added to an already finished task works   | H "a callback added to an already finished task ..."  | 0.25   |

``future_after(delay, value=None, *, exception=None)`` (4 points):

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| a plain function that returns at once a pending      | V "returns at once a pending future of the running    | 0.5    |
| future of the running loop, not a task               | loop, not a task"                                     |        |
| completed with `value` after exactly `delay` s       | V "await future_after(2, 'x') gives 'x' after exactly | 0.5    |
|                                                      | 2 s"                                                  |        |
| with `exception` (the object itself) if given        | V "future_after(1, exception=e) raises e itself after | 0.5    |
|                                                      | exactly 1 s"                                          |        |
| several awaited together: as long as the longest     | H "three futures awaited together take as long as the | 0.5    |
|                                                      | longest"                                              |        |
| must not create any task                             | H "creates no task"                                   | 0.5    |
| never done before the timer fires, even delay == 0   | H "never done before the timer fires, even with delay | 0.25   |
|                                                      | 0"                                                    |        |
| the delay counts from the call (loop.call_later)     | H "the delay counts from the call: made at 1 s ..."   | 0.25   |
| cancelled early: its timer is cancelled, nothing     | H "cancelled at 0.5 s: its timer is cancelled too"    | 0.5    |
| happens at `delay`                                   |                                                       |        |
| completed by someone else early: its timer is        | H "completed by someone else at 0.5 s: its timer is   | 0.5    |
| cancelled, the result stays, no InvalidStateError    | cancelled, their result stays"                        |        |

Both exercises' helpers (the test job, the timer spy, the loop-report collector) are defined
once here; the visible cells define their own small ``job``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "03-results-and-callbacks"


# ---- helpers shared by the scenarios -----------------------------------------------------

async def job(seconds, outcome=None):
    """Wait `seconds`, then raise `outcome` if it is an exception, else return it."""
    await asyncio.sleep(seconds)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


@contextlib.contextmanager
def loop_reports():
    """Collect what the running loop reports (errors in callbacks, lost exceptions)."""
    loop = asyncio.get_running_loop()
    reports: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda lp, context: reports.append(context["message"]))
    try:
        yield reports
    finally:
        loop.set_exception_handler(previous)


def collector(make_collector):
    pair = make_collector()
    assert isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], list), (
        f"make_collector() should return a pair (on_done, log) with log a list; it returned {pair!r}")
    return pair


def entry(log, name):
    """The last entry of the task `name` in `log`."""
    found = [e for e in log if isinstance(e, tuple) and e[:1] == (name,)]
    assert found, (f"no entry for task {name!r} in the log {log!r}; a missing entry means on_done "
                   "was not called for it or raised (the loop only reports errors raised in callbacks)")
    return found[-1]


# ---- exercise 1 --------------------------------------------------------------------------

def make_collector(make_collector) -> Checks:
    checks = Checks("make_collector")

    @checks.scenario("a task that returns None is recorded as ('nothing', 'result', None)", points=0.25)
    async def _():
        on_done, log = collector(make_collector)
        task = asyncio.create_task(job(1, None), name="nothing")
        task.add_done_callback(on_done)
        await asyncio.wait([task])
        await asyncio.sleep(0)
        got = entry(log, "nothing")
        assert got == ("nothing", "result", None), (
            f"the task 'nothing' returned None: expected ('nothing', 'result', None), got {got!r}")

    @checks.scenario("a task that catches its cancellation and returns normally is a result, "
                     "not a cancellation: ('swallow', 'result', 'cleaned up')", points=0.25)
    async def _():
        async def stubborn():
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                return "cleaned up"

        on_done, log = collector(make_collector)
        task = asyncio.create_task(stubborn(), name="swallow")
        task.add_done_callback(on_done)
        await asyncio.sleep(0.5)
        task.cancel()
        await asyncio.wait([task])
        await asyncio.sleep(0)
        got = entry(log, "swallow")
        assert got == ("swallow", "result", "cleaned up"), (
            "the task 'swallow' was asked to cancel, caught the CancelledError and returned "
            f"'cleaned up', so it is not cancelled: expected ('swallow', 'result', 'cleaned up'), got {got!r}")

    @checks.scenario("a failure it recorded is not reported as 'Task exception was never retrieved'", points=0.25)
    async def _():
        with loop_reports() as reports:
            on_done, log = collector(make_collector)
            doomed = asyncio.create_task(job(1, OSError("recorded, so seen")), name="doomed")
            doomed.add_done_callback(on_done)
            await asyncio.wait([doomed])
            await asyncio.sleep(0)
            del doomed
            gc.collect()                    # a failed task nobody looked at is reported now
            await asyncio.sleep(0)
        lost = [r for r in reports if "never retrieved" in r]
        assert not lost, ("the task 'doomed' raised OSError and on_done recorded it, yet the loop reported "
                          f"{lost[0]!r}: on_done should get the exception with task.exception(), which "
                          "marks it as seen")

    @checks.scenario("each make_collector() returns a fresh, empty log: two collectors at once keep "
                     "their own entries", points=0.25)
    async def _():
        on_done_1, log_1 = collector(make_collector)
        on_done_2, log_2 = collector(make_collector)
        for log in (log_1, log_2):
            assert log == [], (f"a new collector's log must be empty; make_collector() returned a log holding "
                               f"{len(log)} entries already, the first {log[0]!r} (left by earlier calls?)")
        assert log_1 is not log_2, "two calls of make_collector() returned the same list: each needs its own"
        x = asyncio.create_task(job(1, "X"), name="x")
        y = asyncio.create_task(job(2, "Y"), name="y")
        z = asyncio.create_task(job(3, "Z"), name="z")
        x.add_done_callback(on_done_1)
        y.add_done_callback(on_done_1)
        z.add_done_callback(on_done_2)
        await asyncio.wait([x, y, z])
        await asyncio.sleep(0)
        assert (sorted(log_1, key=repr) == [("x", "result", "X"), ("y", "result", "Y")]
                and log_2 == [("z", "result", "Z")]), (
            "the first collector watched x and y, the second z: expected the entries of x and y, "
            f"[('x', 'result', 'X'), ('y', 'result', 'Y')], and of z, [('z', 'result', 'Z')]; "
            f"got {log_1!r} and {log_2!r}")

    @checks.scenario("a callback added to an already finished task still records it", points=0.25)
    async def _():
        on_done, log = collector(make_collector)
        task = asyncio.create_task(job(1, "early"), name="finished")
        await asyncio.wait([task])
        task.add_done_callback(on_done)        # the task finished 0 s ago
        await asyncio.sleep(0)
        got = entry(log, "finished")
        assert got == ("finished", "result", "early"), (
            f"on_done was added to the task 'finished' after it returned 'early': expected "
            f"('finished', 'result', 'early'), got {got!r}")

    @checks.scenario("on_done never raises, whatever the outcome: called on a task that returned, "
                     "one that raised and one that was cancelled", points=0.25)
    async def _():
        on_done, log = collector(make_collector)
        tasks = {"returned": asyncio.create_task(job(1, "fine"), name="ok"),
                 "raised": asyncio.create_task(job(1, KeyError("oops")), name="bad"),
                 "was cancelled": asyncio.create_task(job(5, "never"), name="stopped")}
        await asyncio.sleep(2)
        tasks["was cancelled"].cancel()
        await asyncio.wait(tasks.values())
        for how, task in tasks.items():
            try:
                on_done(task)
            except BaseException as err:        # noqa: B902 - the verdict
                raise AssertionError(
                    f"on_done(task) raised {type(err).__name__}{': ' + str(err) if str(err) else ''} for a task "
                    f"that {how}: a done callback must never raise (the loop would only report it, and "
                    "nothing after that line of on_done runs)") from None

    return checks


# ---- exercise 2 --------------------------------------------------------------------------

def a_future(fut, call):
    """`fut`, returned by `call`, must be a future (else a message naming what it was)."""
    plain = ""
    if asyncio.iscoroutine(fut):
        fut.close()                     # never awaited, on purpose: no warning
        plain = " (define future_after with a plain `def`, not `async def`)"
    assert asyncio.isfuture(fut), f"{call} should return a future; it returned {type(fut).__name__}{plain}"
    return fut


def outcome(fut):
    if fut.cancelled():
        return "cancelled"
    if not fut.done():
        return "still pending"
    if fut.exception() is not None:
        return f"the exception {fut.exception()!r}"
    return f"the result {fut.result()!r}"


async def gather_three(make):
    return await asyncio.gather(make(1, "one"), make(3, "three"), make(2.5, "two and a half"))


async def made_later(make):
    await asyncio.sleep(1)
    return await make(2, "later")


async def ended_early(future_after, how):
    """future_after(2, ...) made at 0 s, then cancelled (how == "cancel") or completed by
    someone else (how == "complete") at 0.5 s. Returns the timers it set, whether each was
    cancelled at 0.6 s, how the future ended, and what the loop reported until 7 s."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    timers = []
    real_call_at = loop.call_at
    calling = True

    def spy(*args, **kwargs):           # loop.call_later(d, ...) is loop.call_at(loop.time() + d, ...)
        handle = real_call_at(*args, **kwargs)
        if calling or asyncio.current_task() is not main:   # not the test's own sleeps
            timers.append(handle)
        return handle

    with loop_reports() as reports:
        loop.call_at = spy
        try:
            fut = a_future(future_after(2, "timer value"), "future_after(2, 'timer value')")
            calling = False
            await asyncio.sleep(0.5)
            if how == "cancel":
                fut.cancel()
            else:
                fut.set_result("someone else")
        finally:
            del loop.call_at
        await asyncio.sleep(0.1)
        timers_cancelled = [t.cancelled() for t in timers]
        await asyncio.sleep(6.4)              # well past the timer's original time (2 s)
    return timers_cancelled, outcome(fut), reports


def expect_timer_cancelled(future_after, how, what):
    run = grading.run(ended_early, future_after, how)
    timers_cancelled, state, reports = run.result
    assert timers_cancelled, (
        "future_after(2, 'timer value') set no timer: it should complete the future from a timer set "
        "with loop.call_later(delay, ...)")
    assert not reports, (f"after the future was {what} at 0.5 s the timer still fired at 2 s, and the "
                         f"loop reported: {reports[0]!r}")
    assert all(timers_cancelled), (
        f"the future made by future_after(2, 'timer value') was {what} at 0.5 s, but its timer was "
        "still scheduled at 0.6 s: cancel the timer handle (returned by loop.call_later) as soon as "
        "the future is done")
    return state


def future_after(future_after) -> Checks:
    checks = Checks("future_after")
    reference = model(LESSON, "future_after")

    @checks.scenario("three futures awaited together take as long as the longest: delays 1, 3 and 2.5 s "
                     "give their values in order, in 3 s", points=0.5)
    def _():
        run = grading.run(gather_three, future_after)
        assert run.result == ["one", "three", "two and a half"], (
            f"gather of future_after(1, 'one'), (3, 'three') and (2.5, 'two and a half') should give "
            f"['one', 'three', 'two and a half'], got {run.result!r}")
        grading.expect_elapsed(run, 3.0, reference=gather_three, args=(reference,),
                               hint="Three timers wait at the same time: the longest is 3 s.")

    @checks.scenario("creates no task: calling future_after(1, 'one') and future_after(2, 'two') "
                     "starts none, even when the timers fire", points=0.5)
    def _():
        async def call_two():
            loop = asyncio.get_running_loop()
            made = []
            previous = loop.get_task_factory()

            def factory(loop_, coro, **kwargs):
                made.append(getattr(coro, "__qualname__", type(coro).__name__))
                if previous is not None:
                    return previous(loop_, coro, **kwargs)
                return asyncio.Task(coro, loop=loop_, **kwargs)

            loop.set_task_factory(factory)
            try:
                futures = [a_future(future_after(1, "one"), "future_after(1, 'one')"),
                           a_future(future_after(2, "two"), "future_after(2, 'two')")]
                await asyncio.sleep(3)
            finally:
                loop.set_task_factory(previous)
            return made, futures

        run = grading.run(call_two)
        made, _futures = run.result
        assert not made, ("future_after must not create tasks (a timer and the future's own methods do "
                          f"the work); tasks created: {', '.join(made)}")

    @checks.scenario("never done before the timer fires, even with delay 0: future_after(0, 'now') is "
                     "pending at first, then gives 'now' at 0 s", points=0.25)
    def _():
        async def zero_delay():
            fut = a_future(future_after(0, "now"), "future_after(0, 'now')")
            pending_at_once = not fut.done()
            return pending_at_once, await fut

        run = grading.run(zero_delay)
        pending_at_once, value = run.result
        assert pending_at_once, ("future_after(0, 'now') returned a future that was already done: even with "
                                 "delay 0 the timer completes it, later")
        assert value == "now", f"awaiting future_after(0, 'now') should give 'now', got {value!r}"
        grading.expect_elapsed(run, 0.0)

    @checks.scenario("the delay counts from the call: future_after(2, 'later') made at 1 s is done at 3 s",
                     points=0.25)
    def _():
        run = grading.run(made_later, future_after)
        assert run.result == "later", f"awaiting future_after(2, 'later') should give 'later', got {run.result!r}"
        grading.expect_elapsed(run, 3.0, reference=made_later, args=(reference,),
                               hint="A future made at 1 s with delay 2 is done at 3 s: the delay counts "
                                    "from the call.")

    @checks.scenario("cancelled at 0.5 s: its timer is cancelled too, and nothing happens at 2 s", points=0.5)
    def _():
        state = expect_timer_cancelled(future_after, "cancel", "cancelled")
        assert state == "cancelled", f"a cancelled future must stay cancelled; it ended with {state}"

    @checks.scenario("completed by someone else at 0.5 s: its timer is cancelled too, their result stays, "
                     "no InvalidStateError", points=0.5)
    def _():
        state = expect_timer_cancelled(future_after, "complete", "completed by someone else")
        assert state == "the result 'someone else'", (
            f"someone else set the result 'someone else'; the future should keep it, it ended with {state}")

    return checks


EXERCISES = {"make_collector": make_collector, "future_after": future_after}
check = checker(EXERCISES)
