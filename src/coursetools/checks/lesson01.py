"""Hidden checks of lesson 01 · Coroutines and the event loop.

``staircase(delays)`` (3 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                              | scenario                                                  | points |
|----------------------------------------------------------|-----------------------------------------------------------|--------|
| `async def`; one end time per delay, in order, as a list | V "returns the end times ...: staircase([1, 2, 0.5])"      | 0.5    |
| sleeps one after another without blocking (sum of delays)| V "... takes 3.5 s"                                       | 0.25   |
| an empty list returns `[]` at once                       | H "an empty list returns [] at once"                      | 0.25   |
| exact times, delays of 0 included                        | H "delays of 0 are allowed ..."                           | 0.25   |
| in the order of `delays`                                 | H "sleeps in the order of `delays` ..."                   | 0.25   |
| times since *this* call (clock not at 0 at the start)    | H "times are counted from when staircase was called"      | 0.5    |
| times read from the loop's clock, not added up           | H "times are read from the loop's clock ..."              | 0.5    |
| each sleep starts when the previous one ended            | H "each sleep starts when the previous one has ended ..." | 0.5    |

``Later(value, delay)`` (3 points):

| requirement                                              | scenario                                                  | points |
|----------------------------------------------------------|-----------------------------------------------------------|--------|
| `await Later(value, delay)` evaluates to `value`         | V "await Later('tea', 2) gives 'tea'"                     | 0.5    |
| ... after waiting `delay` s without blocking             | V "... waits exactly 2 s"                                 | 0.5    |
| the same instance awaited again waits again              | H "the same instance can be awaited twice ..."            | 0.5    |
| works wherever awaitables are accepted (gather)          | H "works in asyncio.gather ..."                           | 0.5    |
| a delay of 0 is allowed                                  | H "a delay of 0 is allowed ..."                           | 0.25   |
| a negative delay raises ValueError on creation           | H "a negative delay raises ValueError when created"       | 0.25   |
| creating one starts nothing, creates no coroutine        | H "creating a Later starts nothing ..."                   | 0.5    |
"""

from __future__ import annotations

import asyncio
import gc
import math
import warnings

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "01-coroutines-and-the-loop"


def _close(actual, expected) -> bool:
    return (isinstance(actual, list) and len(actual) == len(expected)
            and all(isinstance(a, (int, float)) and math.isclose(a, b, abs_tol=grading.TOLERANCE)
                    for a, b in zip(actual, expected)))


async def _starts_late(stairs, delays):
    await asyncio.sleep(5)                   # the loop's clock reads 5 when staircase starts
    return await stairs(delays)


async def _busy_loop(stairs, delays, busy_from, busy_until):
    """Run ``stairs(delays)`` while other work holds the loop from ``busy_from`` to
    ``busy_until`` (seconds after this call): a timer falling due meanwhile fires only when
    the loop is free again, at ``busy_until``, so a sleep due in that window ends late."""
    loop = asyncio.get_running_loop()
    start, call_at = loop.time(), loop.call_at

    def busy_call_at(when, callback, *args, context=None):
        if start + busy_from <= when < start + busy_until:
            when = start + busy_until
        return call_at(when, callback, *args, context=context)

    loop.call_at = busy_call_at
    try:
        return await stairs(delays)
    finally:
        del loop.call_at


def staircase(staircase) -> Checks:
    checks = Checks("staircase")

    def stairs_model():
        return model(LESSON, "staircase")

    @checks.scenario("an empty list returns [] at once", points=0.25)
    def _():
        run = grading.run(staircase, [])
        assert run.result == [], f"staircase([]) returned {run.result!r}, expected []"
        grading.expect_elapsed(run, 0.0, hint="With no delays there is nothing to wait for.")

    @checks.scenario("delays of 0 are allowed: staircase([0, 2, 0, 1]) == [0, 2, 2, 3], and ten "
                     "delays of 0.1 end at 0.1, 0.2, ..., 1.0", points=0.25)
    def _():
        run = grading.run(staircase, [0, 2, 0, 1])
        assert _close(run.result, [0, 2, 2, 3]), \
            f"staircase([0, 2, 0, 1]) returned {run.result!r}, expected [0, 2, 2, 3]"
        run = grading.run(staircase, [0.1] * 10)
        expected = [0.1 * (i + 1) for i in range(10)]
        assert _close(run.result, expected), \
            f"staircase([0.1] * 10) returned {run.result!r}, expected [0.1, 0.2, ..., 1.0]"

    @checks.scenario("sleeps in the order of `delays`: staircase([3, 1]) == [3, 4]", points=0.25)
    def _():
        run = grading.run(staircase, [3, 1])
        assert _close(run.result, [3, 4]), (
            f"staircase([3, 1]) returned {run.result!r}, expected [3, 4]: the 3 s sleep comes first, "
            "then the 1 s one")

    @checks.scenario("times are counted from when staircase was called: called at t = 5, "
                     "staircase([1, 2]) == [1, 3]", points=0.5)
    def _():
        run = grading.run(_starts_late, staircase, [1, 2])
        assert _close(run.result, [1, 3]), (
            f"Called when the loop's clock read 5 s, staircase([1, 2]) returned {run.result!r}, "
            "expected [1, 3]: each time is counted from the moment staircase was called, not from "
            "the loop's time 0.")

    @checks.scenario("times are read from the loop's clock: a sleep that ends late is reported "
                     "when it really ended", points=0.5)
    def _():
        run = grading.run(_busy_loop, staircase, [1, 2], 2.5, 3.25)
        assert _close(run.result, [1, 3.25]), (
            "Other work held the loop from t = 2.5 to t = 3.25, so the 2 s sleep, due at t = 3, "
            f"ended at t = 3.25: staircase([1, 2]) should return [1, 3.25] here; it returned "
            f"{run.result!r}. Adding up the delays gives the time a sleep should have ended, not "
            "the time it did: only the loop's clock, read after the sleep, tells.")

    @checks.scenario("each sleep starts when the previous one has ended: after a late wake-up at "
                     "t = 1.25, staircase([1, 2]) lasts until t = 3.25", points=0.5)
    def _():
        run = grading.run(_busy_loop, staircase, [1, 2], 0.5, 1.25)
        grading.expect_elapsed(
            run, 3.25, reference=_busy_loop, args=(stairs_model(), [1, 2], 0.5, 1.25),
            hint="Other work held the loop from t = 0.5 to t = 1.25, so the 1 s sleep ended late, "
                 "at t = 1.25; the 2 s sleep must start only then, and end at t = 3.25. Sleeps "
                 "started together, or until deadlines computed in advance, end too early.")

    return checks


async def _await_new(make, value, delay):
    return await make(value, delay)


async def _twice(make):
    later = make("again", 1.5)
    return [await later, await later]


async def _gathered(make):
    return await asyncio.gather(make("a", 1), make("b", 3), make("c", 2))


def later(Later) -> Checks:
    checks = Checks("later")

    def later_model():
        return model(LESSON, "Later", "later")

    @checks.scenario("the same instance can be awaited twice, waiting its delay each time: "
                     "2 × 1.5 s = 3 s", points=0.5)
    def _():
        run = grading.run(_twice, Later)
        assert run.result == ["again", "again"], (
            "Awaiting the same Later('again', 1.5) twice should give 'again' both times; got "
            f"{run.result!r}")
        grading.expect_elapsed(run, 3.0, reference=_twice, args=(later_model(),),
                               hint="Each await of the same instance should wait the full delay again.")

    @checks.scenario("works in asyncio.gather: Later('a', 1), Later('b', 3), Later('c', 2) "
                     "give ['a', 'b', 'c'] in 3 s", points=0.5)
    def _():
        run = grading.run(_gathered, Later)
        assert run.result == ["a", "b", "c"], (
            f"asyncio.gather(Later('a', 1), Later('b', 3), Later('c', 2)) gave {run.result!r}, "
            "expected ['a', 'b', 'c']")
        grading.expect_elapsed(run, 3.0, reference=_gathered, args=(later_model(),),
                               hint="Gathered Later objects should wait side by side.")

    @checks.scenario("a delay of 0 is allowed: await Later(None, 0) gives None at once", points=0.25)
    def _():
        run = grading.run(_await_new, Later, None, 0)
        assert run.result is None, f"await Later(None, 0) gave {run.result!r}, expected None"
        grading.expect_elapsed(run, 0.0, hint="A delay of 0 waits no time at all.")

    @checks.scenario("a negative delay raises ValueError when the instance is created", points=0.25)
    def _():
        try:
            Later("x", -1)
        except ValueError:
            return
        raise AssertionError("Later('x', -1) was created without raising ValueError: a negative delay "
                             "must be refused when the instance is created, before anyone awaits it.")

    @checks.scenario("creating a Later starts nothing and creates no coroutine: an instance never "
                     "awaited causes no warning", points=0.5)
    async def _():
        before = asyncio.all_tasks()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            unused = Later("never awaited", 1)
            await asyncio.sleep(0)
            started = asyncio.all_tasks() - before
            del unused
            gc.collect()
        for task in started:
            task.cancel()
        never = [w for w in caught if "never awaited" in str(w.message)]
        assert not never, ("Creating Later('never awaited', 1) and never awaiting it caused the warning "
                           f"{str(never[0].message)!r}: creating a Later must not create a coroutine "
                           "(make it in __await__, on each await).")
        assert not started, ("Creating Later('never awaited', 1) started a task "
                             f"({', '.join(sorted(t.get_name() for t in started))}): creating a Later "
                             "must start nothing; the waiting begins when it is awaited.")
        value = await Later("used", 1)
        assert value == "used", f"await Later('used', 1) gave {value!r}, expected 'used'"

    return checks


EXERCISES = {"staircase": staircase, "later": later}
ANSWERS = {"later": ("Later",)}
check = checker(EXERCISES)
