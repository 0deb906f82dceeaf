"""Hidden checks of lesson 00 · Start here.

``add_later(a, b, delay)`` (2 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                   | scenario                                          | points |
|-----------------------------------------------|---------------------------------------------------|--------|
| a coroutine function (`async def`)            | V "an `async def` function that returns a + b"     | 0.5    |
| returns `a + b`, for any operands             | V "... for strings too"; H "... of any type"       | 0.5+0.25 |
| waits `delay` seconds (exactly, and once)     | H "waits exactly `delay` seconds"                  | 0.5    |
| without blocking the event loop               | H "lets other tasks run while it waits"            | 0.25   |
"""

from __future__ import annotations

import asyncio

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "00-start-here"


def add_later(add_later) -> Checks:
    checks = Checks("add_later")

    @checks.scenario("returns a + b for operands of any type: add_later([1], [2], 0) == [1, 2]", points=0.25)
    def _():
        result = grading.run(add_later, [1], [2], 0).result
        assert result == [1, 2], f"add_later([1], [2], 0) returned {result!r}, expected [1, 2]"

    @checks.scenario("waits exactly `delay` seconds: add_later(20, 22, 5) takes 5 s and returns 42", points=0.5)
    def _():
        run = grading.run(add_later, 20, 22, 5)
        grading.expect_elapsed(run, 5.0, reference=model(LESSON, "add_later"), args=(20, 22, 5),
                               hint="add_later(..., 5) should wait 5 s, once.")
        assert run.result == 42, f"add_later(20, 22, 5) returned {run.result!r}, expected 42"

    @checks.scenario("lets other tasks run while it waits: two calls at once take as long as one", points=0.25)
    def _():
        async def one():
            return await add_later(1, 1, 2)

        async def two():
            return await asyncio.gather(add_later(1, 1, 2), add_later(2, 2, 2))

        alone = grading.run(one).elapsed
        together = grading.run(two)
        if abs(together.elapsed - alone) > grading.TOLERANCE:
            grading.show_comparison(together.timeline, None, "two calls at once")
            raise grading.GradingFailure(
                f"One call took {alone:g} s, two calls started together took {together.elapsed:g} s: "
                "while one call waits, the other cannot run. Wait with `await asyncio.sleep(...)`.")

    return checks


EXERCISES = {"add_later": add_later}
check = checker(EXERCISES)
