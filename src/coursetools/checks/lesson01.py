"""Hidden checks of lesson 01 · Coroutines and the event loop, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

``staircase(delays)`` (3 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, made again here from data at grading time;
H: hidden scenario). Each scenario also asks for inputs picked at random:

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

import math
import string

from aiolab import grading, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "01-coroutines-and-the-loop"


def _close(actual, expected) -> bool:
    return (isinstance(actual, list) and len(actual) == len(expected)
            and all(isinstance(a, (int, float)) and math.isclose(a, b, abs_tol=grading.TOLERANCE)
                    for a, b in zip(actual, expected)))


def _delays(count: int, *, zeros: bool = False) -> list[float]:
    """Random delays (quarters of a second). Scenarios that are not about the order sort
    them, so an answer that sleeps them in the wrong order loses only the order scenario."""
    low = 0 if zeros else 1
    return [judge.rng.randint(low, 12) / 4 for _ in range(count)]


def _ends(delays: list[float]) -> list[float]:
    ends, now = [], 0.0
    for d in delays:
        now += d
        ends.append(now)
    return ends


def _expect_ends(kernel: judge.Kernel, calls: list[list[float]], why: str = "") -> None:
    """Each call in a run of its own (the loop's clock at 0 when it starts: times counted
    from the call are the "called late" scenario's requirement, not these)."""
    for delays in calls:
        (got,) = kernel.call("staircase", (delays,)).values(1)
        if not _close(got, _ends(delays)):
            raise GradingFailure(f"staircase({delays!r}) returned {got!r}, expected {_ends(delays)!r}{why}")


def staircase_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("staircase")

    def stairs_model():
        return model(LESSON, "staircase")

    @visible.scenario("returns when each sleep ended: staircase([1, 2, 0.5]) == [1.0, 3.0, 3.5]", points=0.5)
    def _():
        calls = [[1, 2, 0.5], _delays(judge.rng.randint(2, 5))]
        _expect_ends(kernel, calls)

    @visible.scenario("sleeps one after another, without blocking: staircase([1, 2, 0.5]) takes 3.5 s", points=0.25)
    def _():
        for delays in ([1, 2, 0.5], _delays(judge.rng.randint(2, 4))):
            answer = kernel.call("staircase", (delays,))
            answer.values(1)
            judge.expect_elapsed(answer, sum(delays), reference=stairs_model(), args=(delays,),
                                 hint=f"Each sleep should start when the previous one ends: {sum(delays):g} s in all.")

    @hidden.scenario("an empty list returns [] at once", points=0.25)
    def _():
        answer = kernel.call("staircase", ([],))
        (got,) = answer.values(1)
        if got != []:
            raise GradingFailure(f"staircase([]) returned {got!r}, expected []")
        judge.expect_elapsed(answer, 0.0, hint="With no delays there is nothing to wait for.")

    @hidden.scenario("delays of 0 are allowed: staircase([0, 2, 0, 1]) == [0, 2, 2, 3], and ten "
                     "delays of 0.1 end at 0.1, 0.2, ..., 1.0", points=0.25)
    def _():
        calls = [[0, 2, 0, 1], [0.1] * 10, sorted(_delays(judge.rng.randint(3, 6), zeros=True) + [0])]
        _expect_ends(kernel, calls)

    @hidden.scenario("sleeps in the order of `delays`: staircase([3, 1]) == [3, 4]", points=0.25)
    def _():
        shuffled = sorted({judge.rng.randint(1, 12) / 4 for _ in range(4)}, key=lambda _: judge.rng.random())
        calls = [[3, 1], shuffled]
        _expect_ends(kernel, calls, why=": the sleeps come in the order of the list, the first one first")

    @hidden.scenario("times are counted from when staircase was called: called at t = 5, "
                     "staircase([1, 2]) == [1, 3]", points=0.5)
    def _():
        for at, delays in ((5, [1, 2]), (judge.rng.randint(2, 9), sorted(_delays(3)))):
            (got,) = kernel.probe("called_late", "staircase", at, delays).values(1)
            if not _close(got, _ends(delays)):
                raise GradingFailure(
                    f"Called when the loop's clock read {at} s, staircase({delays!r}) returned {got!r}, "
                    f"expected {_ends(delays)!r}: each time is counted from the moment staircase was called, "
                    "not from the loop's time 0.")

    @hidden.scenario("times are read from the loop's clock: a sleep that ends late is reported "
                     "when it really ended", points=0.5)
    def _():
        late = 3 + judge.rng.randint(1, 3) / 8
        for until in (3.25, late):
            (got,) = kernel.probe("held_up", "staircase", 2.5, until, [1, 2]).values(1)
            if not _close(got, [1, until]):
                raise GradingFailure(
                    f"Other work held the loop from t = 2.5 to t = {until:g}, so the 2 s sleep, due at t = 3, "
                    f"ended at t = {until:g}: staircase([1, 2]) should return [1, {until:g}] here; it returned "
                    f"{got!r}. Adding up the delays gives the time a sleep should have ended, not "
                    "the time it did: only the loop's clock, read after the sleep, tells.")

    @hidden.scenario("each sleep starts when the previous one has ended: after a late wake-up at "
                     "t = 1.25, staircase([1, 2]) lasts until t = 3.25", points=0.5)
    def _():
        late = 1 + judge.rng.randint(1, 7) / 8
        for until in (1.25, late):
            answer = kernel.probe("held_up", "staircase", 0.5, until, [1, 2])
            answer.values(1)
            judge.expect_elapsed(
                answer, until + 2, reference=probes.held_up, args=(stairs_model(), 0.5, until, [1, 2]),
                hint=f"Other work held the loop from t = 0.5 to t = {until:g}, so the 1 s sleep ended late, "
                     f"at t = {until:g}; the 2 s sleep must start only then, and end at t = {until + 2:g}. "
                     "Sleeps started together, or until deadlines computed in advance, end too early.")

    return visible, hidden


def _word() -> str:
    return "".join(judge.rng.choice(string.ascii_lowercase) for _ in range(judge.rng.randint(2, 8)))


def _expect_value(answer: judge.Answer, value, what: str) -> None:
    (got,) = answer.values(1)
    if not got == value or type(got) is not type(value):
        raise GradingFailure(f"{what} gave {got!r}, expected {value!r}")


def later_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("later")

    def later_model():
        return model(LESSON, "Later", "later")

    @visible.scenario("await Later('tea', 2) gives 'tea'", points=0.5)
    def _():
        for value, delay in (("tea", 2), (_word(), judge.rng.randint(1, 9) / 2)):
            _expect_value(kernel.probe("await_new", "Later", value, delay), value,
                          f"await Later({value!r}, {delay:g})")

    @visible.scenario("await Later('tea', 2) waits exactly 2 s, without blocking", points=0.5)
    def _():
        for value, delay in (("tea", 2), (_word(), judge.rng.randint(1, 9) / 2)):
            answer = kernel.probe("await_new", "Later", value, delay)
            answer.values(1)
            judge.expect_elapsed(answer, float(delay), reference=probes.await_new,
                                 args=(later_model(), value, delay),
                                 hint=f"Awaiting Later(value, {delay:g}) should take exactly {delay:g} s.")

    @hidden.scenario("the same instance can be awaited twice, waiting its delay each time: "
                     "2 × 1.5 s = 3 s", points=0.5)
    def _():
        for value, delay in (("again", 1.5), (_word(), judge.rng.randint(1, 8) / 4)):
            answer = kernel.probe("await_twice", "Later", value, delay)
            (got,) = answer.values(1)
            if got != [value, value]:
                raise GradingFailure(f"Awaiting the same Later({value!r}, {delay:g}) twice should give {value!r} "
                                     f"both times; got {got!r}")
            judge.expect_elapsed(answer, 2 * delay, reference=probes.await_twice,
                                 args=(later_model(), value, delay),
                                 hint="Each await of the same instance should wait the full delay again.")

    @hidden.scenario("works in asyncio.gather: Later('a', 1), Later('b', 3), Later('c', 2) "
                     "give ['a', 'b', 'c'] in 3 s", points=0.5)
    def _():
        picked = [[_word(), judge.rng.randint(1, 12) / 4] for _ in range(judge.rng.randint(2, 5))]
        for pairs in ([["a", 1], ["b", 3], ["c", 2]], picked):
            answer = kernel.probe("gather_new", "Later", *pairs)
            (got,) = answer.values(1)
            values = [v for v, _ in pairs]
            shown = ", ".join(f"Later({v!r}, {d:g})" for v, d in pairs)
            if got != values:
                raise GradingFailure(f"asyncio.gather({shown}) gave {got!r}, expected {values!r}")
            judge.expect_elapsed(answer, max(d for _, d in pairs), reference=probes.gather_new,
                                 args=(later_model(), *pairs), hint="Gathered Later objects should wait side by side.")

    @hidden.scenario("a delay of 0 is allowed: await Later(None, 0) gives None at once", points=0.25)
    def _():
        for value in (None, _word()):
            answer = kernel.probe("await_new", "Later", value, 0)
            _expect_value(answer, value, f"await Later({value!r}, 0)")
            judge.expect_elapsed(answer, 0.0, hint="A delay of 0 waits no time at all.")

    @hidden.scenario("a negative delay raises ValueError when the instance is created", points=0.25)
    def _():
        for delay in (-1, -judge.rng.randint(1, 40) / 8):
            (raised,) = kernel.probe("create", "Later", "x", delay).values(1)
            if raised != "ValueError":
                got = "without raising ValueError" if raised is None else f"raising {raised}, not ValueError"
                raise GradingFailure(f"Later('x', {delay:g}) was created {got}: a negative delay must be "
                                     "refused with ValueError when the instance is created, before anyone "
                                     "awaits it.")

    @hidden.scenario("creating a Later starts nothing and creates no coroutine: an instance never "
                     "awaited causes no warning", points=0.5)
    def _():
        (seen,) = kernel.probe("left_unused", "Later", "never awaited", 1).values(1)
        if not isinstance(seen, dict) or seen.get("never_awaited") or seen.get("started") != []:
            never, started = (seen or {}).get("never_awaited"), (seen or {}).get("started")
            if never:
                raise GradingFailure(
                    f"Creating Later('never awaited', 1) and never awaiting it caused the warning {never[0]!r}: "
                    "creating a Later must not create a coroutine (make it in __await__, on each await).")
            raise GradingFailure(
                f"Creating Later('never awaited', 1) started a task ({', '.join(map(str, started or ['?']))}): "
                "creating a Later must start nothing; the waiting begins when it is awaited.")
        value = _word()
        _expect_value(kernel.probe("await_new", "Later", value, 1), value, f"await Later({value!r}, 1)")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"staircase": staircase_outside, "later": later_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
ANSWERS = {"later": ("Later",)}
EXERCISES = judge.in_kernel_all(OUTSIDE, ANSWERS)
check = checker(EXERCISES)
