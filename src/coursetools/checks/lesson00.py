"""Hidden checks of lesson 00 · Start here, judged outside the kernel (:mod:`coursetools.judge`).

``add_later(a, b, delay)`` (2 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, made again here from data at grading time;
H: hidden scenario). Each scenario asks the kernel to run ``add_later`` on the example of
its title and on inputs picked at random, and judges the answers here:

| requirement                                   | scenario                                          | points |
|-----------------------------------------------|---------------------------------------------------|--------|
| a coroutine function (`async def`)            | V "an `async def` function that returns a + b"     | 0.5    |
| returns `a + b`, for any operands             | V "... for strings too"; H "... of any type"       | 0.5+0.25 |
| waits `delay` seconds (exactly, and once)     | H "waits exactly `delay` seconds"                  | 0.5    |
| without blocking the event loop               | H "lets other tasks run while it waits"            | 0.25   |
"""

from __future__ import annotations

import math
import string

from aiolab import grading
from aiolab.checks import Checks

from .. import judge
from . import checker, model

LESSON = "00-start-here"


def _word() -> str:
    return "".join(judge.rng.choice(string.ascii_lowercase) for _ in range(judge.rng.randint(1, 6)))


def _expect_sums(answer: judge.Answer, calls: list[tuple], name: str = "add_later") -> None:
    for (a, b, delay), got in zip(calls, answer.values(len(calls))):
        expected = a + b
        if not got == expected:
            raise grading.GradingFailure(f"{name}({a!r}, {b!r}, {delay!r}) returned {got!r}, expected {expected!r}")


def add_later_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("add_later")

    @visible.scenario("an `async def` function that returns a + b: add_later(1, 2, 0.01) == 3", points=0.5)
    def _():
        calls = [(1, 2, 0.01), (judge.rng.randint(-999, 999), judge.rng.randint(-999, 999), 0.01)]
        answer = kernel.call("add_later", *calls)
        if answer.defined and not answer.coroutine_function:
            raise grading.GradingFailure("define add_later with `async def`, not `def`")
        _expect_sums(answer, calls)

    @visible.scenario("returns a + b for strings too: add_later('a', 'b', 0) == 'ab'", points=0.5)
    def _():
        calls = [("a", "b", 0), (_word(), _word(), 0)]
        _expect_sums(kernel.call("add_later", *calls), calls)

    @hidden.scenario("returns a + b for operands of any type: add_later([1], [2], 0) == [1, 2]", points=0.25)
    def _():
        numbers = [judge.rng.randint(0, 99) for _ in range(4)]
        calls = [([1], [2], 0), (numbers[:2], numbers[2:], 0), (tuple(numbers[:1]), tuple(numbers[1:]), 0),
                 (judge.rng.randint(1, 99) / 4, judge.rng.randint(1, 99) / 8, 0)]
        _expect_sums(kernel.call("add_later", *calls), calls)

    @hidden.scenario("waits exactly `delay` seconds: add_later(20, 22, 5) takes 5 s and returns 42", points=0.5)
    def _():
        for a, b, delay in [(20, 22, 5), (judge.rng.randint(0, 99), judge.rng.randint(0, 99), judge.rng.randint(2, 9))]:
            answer = kernel.call("add_later", (a, b, delay))
            answer.values(1)
            judge.expect_elapsed(answer, float(delay), reference=model(LESSON, "add_later"), args=(a, b, delay),
                                 hint=f"add_later(..., {delay}) should wait {delay} s, once.")
            _expect_sums(answer, [(a, b, delay)])

    @hidden.scenario("lets other tasks run while it waits: two calls at once take as long as one", points=0.25)
    def _():
        delay = judge.rng.randint(2, 4)
        alone = kernel.call("add_later", (1, 1, delay))
        together = kernel.call("add_later", (1, 1, delay), (2, 2, delay), together=True)
        alone.values(1)
        together.values(2)
        if not math.isclose(together.elapsed, alone.elapsed, abs_tol=grading.TOLERANCE):
            judge.show(together.timeline, None, "two calls at once")
            raise grading.GradingFailure(
                f"One call took {alone.elapsed:g} s, two calls started together took {together.elapsed:g} s: "
                "while one call waits, the other cannot run. Wait with `await asyncio.sleep(...)`.")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"add_later": add_later_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
