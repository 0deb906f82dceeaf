"""Hidden checks of lesson 04 · The basic template.

``fetch_all(jobs)`` (3 points). Requirements of the exercise text, and where each is checked
(V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| calls `fetch(name, delay)` per job; results in the    | V "returns the results in the order of jobs"          | 0.5    |
| order of `jobs`, not of finishing                    | H "20 jobs: 20 results in the order of jobs, in 5 s"  | 0.5    |
| all fetches run concurrently (as long as the slowest)| V "runs the fetches concurrently: ... take 3 s";      | 0.75   |
|                                                      | H "20 jobs ..., in 5 s" (same scenario as above)       |        |
| returns a *list*                                     | H "returns a list"                                    | 0.25   |
| an empty list returns `[]` at once                   | H "an empty list returns [] at once"                  | 0.5    |
| one call per job (equal jobs are two jobs)           | H "two equal jobs are still two jobs"                 | 0.25   |
| must not create, run or close a loop                 | H "creates, runs and closes no event loop"            | 0.25   |

``run_in_new_loop(coro_fn, *args)`` (4 points). Every hidden scenario runs with
``asyncio.run`` and ``asyncio.Runner`` replaced by a stub that fails ("without calling
asyncio.run or asyncio.Runner"): an answer built on them keeps only the visible points.

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| runs `coro_fn(*args)` and returns its result          | V "returns the coroutine's result"                    | 0.5    |
| always closes the loop                               | V "closes the loop it created";                       | 0.5    |
|                                                      | H "closes the loop even when the coroutine raised"    | 0.25   |
| a new loop per call, any number of calls             | H "each call runs on a new loop of its own"           | 0.25   |
| makes the new loop the thread's current loop         | H "makes the new loop the thread's current loop"      | 0.5    |
| the coroutine's exception propagates, the same one   | H "raises the coroutine's own exception"              | 0.5    |
| cancels leftover tasks, runs until they finish       | H "cancels every task left running ..."               | 0.5    |
| cancelling (returned or raised)                      | H "... also when the coroutine raised"                | 0.25   |
| closes the async generators left open                | H "closes the async generators left open"             | 0.25   |
| unsets the thread's current loop (returned or raised)| H "unsets the thread's current loop afterwards"       | 0.5    |

Why the scenarios of exercise 2 each use their own small coroutine (no leftovers where the
scenario is not about leftovers): one missing step then costs that step's points only.
"""

from __future__ import annotations

import asyncio
import inspect
import warnings
from contextlib import contextmanager
from unittest import mock

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "04-basic-template"


# ---- fetch_all -------------------------------------------------------------------------

def fetch_all(fetch_all) -> Checks:
    checks = Checks("fetch_all")
    reference = model(LESSON, "fetch_all", namespace={"fetch": _fetch})
    # The answer calls the lesson's `fetch` (its exercise setup cell). A learner's notebook
    # has it; a model answer loaded on its own (tests/test_checks.py) gets this copy.
    getattr(fetch_all, "__globals__", {}).setdefault("fetch", _fetch)

    @checks.scenario("an empty list returns [] at once: fetch_all([]) == [] in 0 s", points=0.5)
    def _():
        run = grading.run(fetch_all, [])
        assert isinstance(run.result, (list, tuple)) and len(run.result) == 0, (
            f"fetch_all([]) returned {run.result!r}, expected []")
        grading.expect_elapsed(run, 0.0, reference=reference, args=([],),
                               hint="An empty list of jobs has nothing to wait for.")

    @checks.scenario("20 jobs of 1 to 5 s: 20 results in the order of jobs, in 5 s", points=0.5)
    def _():
        jobs = [(f"file{i}", (i * 7) % 5 + 1) for i in range(20)]
        run = grading.run(fetch_all, jobs)
        want = [f"{name} ({delay:g} s)" for name, delay in jobs]
        got = list(run.result) if isinstance(run.result, (list, tuple)) else run.result
        assert got == want, (f"with 20 jobs, expected one result per job in the order of jobs, "
                             f"{want[:3]} ...; got {run.result!r}")
        grading.expect_elapsed(run, 5.0, reference=reference, args=(jobs,),
                               hint="20 jobs of 1 to 5 s run concurrently take 5 s.")

    @checks.scenario("returns a list: fetch_all([('a', 1), ('b', 2)]) is a list", points=0.25)
    def _():
        run = grading.run(fetch_all, [("a", 1), ("b", 2)])
        assert isinstance(run.result, list), (
            f"fetch_all should return a list; it returned a {type(run.result).__name__}: {run.result!r}")

    @checks.scenario("two equal jobs are still two jobs: [('same', 2), ('same', 2), ('other', 1)] gives 3 results",
                     points=0.25)
    def _():
        jobs = [("same", 2), ("same", 2), ("other", 1)]
        run = grading.run(fetch_all, jobs)
        got = list(run.result) if isinstance(run.result, (list, tuple)) else run.result
        assert got == ["same (2 s)", "same (2 s)", "other (1 s)"], (
            f"two equal jobs are still two jobs with two results: expected "
            f"['same (2 s)', 'same (2 s)', 'other (1 s)'], got {run.result!r}")

    @checks.scenario("creates, runs and closes no event loop: it is awaited inside a running one", points=0.25)
    def _():
        made = []

        def forbidden(name):
            def stub(*args, **kwargs):
                _close_coroutines(args)
                made.append(name)
                raise AssertionError(
                    f"fetch_all called asyncio.{name}(): it is awaited inside a running loop, so it "
                    "must not create, run or close a loop of its own (await the fetches instead)")
            return stub

        async def call(jobs):
            with mock.patch.multiple(asyncio, new_event_loop=forbidden("new_event_loop"),
                                     set_event_loop=forbidden("set_event_loop"),
                                     run=forbidden("run"), Runner=forbidden("Runner")):
                return await fetch_all(jobs)

        run = grading.run(call, [("a", 1), ("b", 2)])
        assert not made, f"fetch_all called {made}"
        got = list(run.result) if isinstance(run.result, (list, tuple)) else run.result
        assert got == ["a (1 s)", "b (2 s)"], (
            f"fetch_all([('a', 1), ('b', 2)]) returned {run.result!r}, expected ['a (1 s)', 'b (2 s)']")

    return checks


async def _fetch(name: str, delay: float) -> str:
    """The lesson's `fetch` (its exercise setup cell), for the model answer's expected chart."""
    await asyncio.sleep(delay)
    return f"{name} ({delay:g} s)"


# ---- run_in_new_loop -------------------------------------------------------------------

def _close_coroutines(args) -> None:
    """Close the coroutines handed to a stub that refuses them: a coroutine never awaited
    warns when collected, possibly after the scenario, on stderr (which nbgrader scores 0)."""
    for arg in args:
        if inspect.iscoroutine(arg):
            arg.close()


def _forbidden(*args, **kwargs):
    _close_coroutines(args)
    raise AssertionError("run_in_new_loop must do the steps itself, without asyncio.run() or "
                         "asyncio.Runner (the exercise asks you to write what they do)")


@contextmanager
def _without_asyncio_run():
    with mock.patch.object(asyncio, "run", _forbidden), mock.patch.object(asyncio, "Runner", _forbidden):
        yield


def _current_loop():
    """The calling thread's current loop, or None (never creates one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)      # get_event_loop_policy() on 3.14
        try:
            return asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:                                     # none set in this thread
            return None


class _Call:
    """How one call of run_in_new_loop, made from a worker thread, ended."""

    def __init__(self, returned=None, raised=None, current=None):
        self.returned, self.raised, self.current = returned, raised, current

    def describe(self) -> str:
        if self.raised is not None:
            return f"raised {type(self.raised).__name__}: {self.raised}" if str(self.raised) else \
                f"raised {type(self.raised).__name__}"
        return f"returned {self.returned!r}"


def _call(run_in_new_loop, coro_fn, *args) -> _Call:
    """Call run_in_new_loop(coro_fn, *args) as a script would, from a thread where no loop
    runs; note what it returned or raised, and the thread's current loop afterwards."""
    def in_thread():
        try:
            outcome = _Call(returned=run_in_new_loop(coro_fn, *args))
        except BaseException as err:        # noqa: B902 - CancelledError included: an outcome to report
            outcome = _Call(raised=err)
        outcome.current = _current_loop()
        return outcome

    async def via_thread():
        return await asyncio.to_thread(in_thread)

    with _without_asyncio_run():
        return grading.run(via_thread).result


def run_in_new_loop(run_in_new_loop) -> Checks:
    checks = Checks("run_in_new_loop")
    seen_loops: list[asyncio.AbstractEventLoop] = []
    log: list[str] = []
    kept: list = []

    async def times_two(x):
        seen_loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0.01)
        return 2 * x

    async def sleeps_forever():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)     # its cleanup takes a moment: the loop must run until it ends
            log.append("task cancelled")
            raise

    async def leaves_a_task():
        seen_loops.append(asyncio.get_running_loop())
        asyncio.create_task(sleeps_forever())
        await asyncio.sleep(0)
        return "done"

    async def numbers():
        try:
            for i in range(10):
                yield i
        finally:
            log.append("generator closed")

    async def leaves_a_generator():
        generator = numbers()
        kept.append(generator)            # still referenced: only shutdown_asyncgens() closes it
        async for i in generator:
            if i == 2:
                break
        return i

    async def explodes():
        seen_loops.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        raise ValueError("boom")

    async def explodes_leaving_a_task():
        asyncio.create_task(sleeps_forever())
        await asyncio.sleep(0)
        raise ValueError("boom")

    async def loop_is_current():
        return _current_loop() is asyncio.get_running_loop()

    def start():
        seen_loops.clear()
        log.clear()
        kept.clear()

    @checks.scenario("each call runs on a new loop of its own: two calls in a row both work", points=0.25)
    def _():
        start()
        first, second = _call(run_in_new_loop, times_two, 1), _call(run_in_new_loop, times_two, 2)
        assert (first.returned, second.returned) == (2, 4), (
            f"run_in_new_loop(times_two, 1) then (times_two, 2): the first {first.describe()}, "
            f"the second {second.describe()}; expected 2, then 4")
        assert len(seen_loops) == 2 and seen_loops[0] is not seen_loops[1], (
            "both calls ran on the same loop: each call must create a new loop")

    @checks.scenario("makes the new loop the thread's current loop before running the coroutine", points=0.5)
    def _():
        start()
        call = _call(run_in_new_loop, loop_is_current)
        assert call.returned is True, (
            "while the coroutine ran, the thread's current loop was not the loop running it: make "
            "the new loop current with asyncio.set_event_loop(loop) before running the coroutine"
            if call.returned is False else f"run_in_new_loop(loop_is_current) {call.describe()}")

    @checks.scenario("raises the coroutine's own exception: a ValueError('boom') comes out as is", points=0.5)
    def _():
        start()
        call = _call(run_in_new_loop, explodes)
        assert isinstance(call.raised, ValueError) and str(call.raised) == "boom", (
            f"the coroutine raised ValueError('boom'), so run_in_new_loop should raise it too; it {call.describe()}")

    @checks.scenario("closes the loop even when the coroutine raised", points=0.25)
    def _():
        start()
        call = _call(run_in_new_loop, explodes)
        assert seen_loops, f"the coroutine never ran: run_in_new_loop(explodes) {call.describe()}"
        assert seen_loops[0].is_closed(), (
            f"the coroutine raised ValueError('boom') and run_in_new_loop {call.describe()}, but its "
            "loop is still open: close it whatever happens (try/finally)")

    @checks.scenario("closes the async generators left open (loop.shutdown_asyncgens())", points=0.25)
    def _():
        start()
        call = _call(run_in_new_loop, leaves_a_generator)
        assert call.returned == 2, f"run_in_new_loop(leaves_a_generator) {call.describe()}, expected 2"
        assert "generator closed" in log, (
            "an async generator left open was never closed: call loop.shutdown_asyncgens() before "
            "closing the loop")

    @checks.scenario("unsets the thread's current loop afterwards, whether the coroutine returned or raised",
                     points=0.5)
    def _():
        start()
        returned = _call(run_in_new_loop, times_two, 5)
        assert returned.returned == 10, f"run_in_new_loop(times_two, 5) {returned.describe()}, expected 10"
        assert returned.current is None, (
            f"after run_in_new_loop returned, the thread's current loop is still {returned.current!r}: "
            "unset it with asyncio.set_event_loop(None)")
        raised = _call(run_in_new_loop, explodes)
        assert raised.current is None, (
            f"the coroutine raised and run_in_new_loop {raised.describe()}; afterwards the thread's "
            f"current loop is still {raised.current!r}: unset it whatever happens")

    # The two cancelling scenarios come last: an answer that hangs there (it waits for a
    # task it never cancels) leaves the scenarios after it less of the cell's real-time budget.
    @checks.scenario("cancels every task left running and runs the loop until they finish cancelling",
                     points=0.5)
    def _():
        start()
        call = _call(run_in_new_loop, leaves_a_task)
        assert call.returned == "done" and call.raised is None, (
            f"the coroutine returned 'done', leaving a task running; run_in_new_loop {call.describe()}, "
            "expected 'done'")
        assert "task cancelled" in log, (
            "the task the coroutine left running was not cancelled, or the loop was closed before it "
            "could finish cancelling: cancel it, then run the loop until it has ended")
        assert seen_loops[0].is_closed(), "the loop must be closed afterwards"

    @checks.scenario("cancels the tasks left running also when the coroutine raised", points=0.25)
    def _():
        start()
        call = _call(run_in_new_loop, explodes_leaving_a_task)
        assert log == ["task cancelled"], (
            f"the coroutine raised ValueError('boom') leaving a task running, and run_in_new_loop "
            f"{call.describe()}; the task was not cancelled (or did not finish cancelling): clean up "
            "whether the coroutine returned or raised")

    return checks


EXERCISES = {"fetch_all": fetch_all, "run_in_new_loop": run_in_new_loop}
check = checker(EXERCISES)
