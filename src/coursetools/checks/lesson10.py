"""Hidden checks of lesson 10 · A million coroutines, measured.

``run_bounded(jobs, workers)`` (4 points), in virtual time with job functions that count
how many of them run at once (:class:`Jobs`). Requirements of the exercise text, and where
each is checked (V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                                    | scenario                                                   | points |
|----------------------------------------------------------------|------------------------------------------------------------|--------|
| an `async def`; results in the order of `jobs`                 | V "returns the results in the order of jobs"               | 0.5    |
| no jobs: return []                                             | V "with no jobs, returns []"                               | 0.25   |
| 10 jobs of 1 s, 3 workers: exactly 4 s                         | V "10 jobs of 1 s through 3 workers take exactly 4 s"      | 0.5    |
| a free worker takes the next waiting job at once               | H "a worker that finishes a job takes the next one ..."    | 0.5    |
| never more than `workers` jobs at once (exactly that many      | H "exactly `workers` jobs run at once ..."                 | 0.5    |
|   when there are enough jobs)                                  |                                                            |        |
| `workers` worker tasks, never one task per job                 | H "a pool, not a task per job ..."                         | 0.5    |
| a failing job: its exception in its place, the others still run| H "a job that raises ..."                                  | 0.5    |
| no worker left running when it returns                         | H "no worker is left running ..."                          | 0.5    |
| `workers` may be more than the number of jobs                  | H "more workers than jobs ..."                             | 0.25   |

``sleep_many(n, delay)`` (3 points), in virtual time; every timer goes through
``loop.call_at``, which :func:`with_timer_count` counts.

| requirement                                                    | scenario                                                   | points |
|----------------------------------------------------------------|------------------------------------------------------------|--------|
| an `async def`; returns [0, 1, ..., n - 1]                     | V "sleep_many(5, 1.0) returns [0, 1, 2, 3, 4]"             | 0.5    |
| one timer (call_later), not an asyncio.sleep per task          | V "one timer for all the tasks: ... (20, 2.0)"             | 0.5    |
|                                                                | H "one timer for other n and delay too"                    | 0.25   |
| the whole call takes exactly `delay` seconds                   | H "takes exactly `delay` seconds"                          | 0.5    |
| starts `n` tasks that all wait at the same time                | H "starts n tasks that all wait together ..."              | 0.5    |
| each task returns its own index; the result is theirs          | H "each task returns its own index ..."                    | 0.5    |
| `n == 0`: return []                                            | H "sleep_many(0, 2.0) returns []"                          | 0.25   |

Every run is bounded by the cell's real-time budget (:class:`aiolab.grading.RealTimeBudget`):
an answer that busy-waits stays inside nbgrader's 30 s for the whole cell.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "10-a-million-coroutines"



# ---- run_bounded ------------------------------------------------------------------------

class Jobs:
    """Job functions: job i takes `seconds[i]` (virtual), returns i * 10 or raises
    ValueError("job i failed") if i is in `fail`; `peak` is the most that ran at once and
    `started` how many calls were made."""

    def __init__(self, seconds: list[float], fail: set[int] = frozenset()) -> None:
        self.running = self.peak = self.started = 0
        self.jobs = [self._job(i, s, i in fail) for i, s in enumerate(seconds)]

    def _job(self, i: int, seconds: float, fails: bool) -> Any:
        async def job() -> int:
            self.started += 1
            self.running += 1
            self.peak = max(self.peak, self.running)
            try:
                await asyncio.sleep(seconds)
            finally:
                self.running -= 1
            if fails:
                raise ValueError(f"job {i} failed")
            return i * 10
        return job


async def observed(fn: Any, jobs: list[Any], workers: int) -> tuple[Any, list[str]]:
    """Run fn(jobs, workers); report the tasks it left running (not done, not cancelled)."""
    before = asyncio.all_tasks()
    results = await fn(jobs, workers)
    left = sorted(t.get_name() for t in asyncio.all_tasks() - before if not t.done() and not t.cancelling())
    return results, left


def greedy_makespan(seconds: list[float], workers: int) -> float:
    """The time the jobs take when each free worker takes the next job at once."""
    free = [0.0] * workers
    for s in seconds:
        free[free.index(min(free))] += s
    return max(free, default=0.0)


def shown(results: Any) -> Any:
    return [repr(r) if isinstance(r, BaseException) else r for r in results] if isinstance(results, list) else results


def run_bounded(run_bounded) -> Checks:
    checks = Checks("run_bounded")

    def pool(seconds: list[float], workers: int, fail: set[int] = frozenset()) -> tuple[grading.Run, Jobs]:
        jobs = Jobs(seconds, fail)
        return grading.run(observed, run_bounded, jobs.jobs, workers), jobs

    def where(seconds: list[float], workers: int) -> str:
        return f"run_bounded(<{len(seconds)} jobs of {seconds} s>, workers={workers})"

    @checks.scenario("a worker that finishes a job takes the next one at once: jobs of 4, 1, 1, ... "
                     "(eight of 1 s) with 2 workers take 6 s, not 8", points=0.5)
    def _():
        seconds = [4, 1, 1, 1, 1, 1, 1, 1, 1]
        run, _ = pool(seconds, 2)
        grading.expect_elapsed(run, greedy_makespan(seconds, 2), reference=observed,
                               args=(model(LESSON, "run_bounded"), Jobs(seconds).jobs, 2),
                               hint="While one worker runs the 4 s job, the other must take the 1 s jobs "
                                    "one after another, each as soon as it is free.")

    @checks.scenario("exactly `workers` jobs run at once when there are enough, never more "
                     "(10 jobs with 3 workers; 7 jobs with 1 worker)", points=0.5)
    def _():
        for seconds, workers in (([1] * 10, 3), ([2] * 7, 1)):
            run, jobs = pool(seconds, workers)
            if jobs.peak != workers:
                grading.show_comparison(run.timeline, None, f"{jobs.peak} jobs at once")
                raise grading.GradingFailure(
                    f"{where(seconds, workers)}: at the busiest moment exactly {workers} jobs should run "
                    f"at once; yours ran {jobs.peak}")

    @checks.scenario("a pool, not a task per job: 10 jobs with 3 workers use at most 3 worker tasks "
                     "(and one helper)", points=0.5)
    def _():
        run, _ = pool([1] * 10, 3)
        tasks = [r for r in run.timeline.tasks if r.kind == "task" and r.name != "main"]
        assert len(tasks) <= 4, (f"{where([1] * 10, 3)}: your code created {len(tasks)} tasks. A pool uses "
                                 "its 3 workers for all the jobs, never a task per job.")

    @checks.scenario("a job that raises: its exception takes its place in the results, and the other "
                     "jobs still run", points=0.5)
    def _():
        seconds = [1, 1, 1, 1]
        try:
            run, jobs = pool(seconds, 2, fail={1})
        except ValueError as err:
            raise AssertionError(f"{where(seconds, 2)} where job 1 raises: a job that raises must not stop "
                                 f"run_bounded, but {err!r} escaped from it. Put the exception in the "
                                 "job's place in the results.") from None
        results, _ = run.result
        expected = [0, "ValueError('job 1 failed')", 20, 30]
        assert shown(results) == expected, (
            f"{where(seconds, 2)} where job 1 raises: expected the results {expected} (the exception in "
            f"the failed job's place), got {shown(results)!r}")

    @checks.scenario("no worker is left running when it returns: 4 jobs with 2 workers", points=0.5)
    def _():
        seconds = [1, 1, 1, 1]
        run, _ = pool(seconds, 2)
        _, left = run.result
        assert not left, (f"{where(seconds, 2)}: these tasks were still running when run_bounded "
                          f"returned: {left}. Stop the workers (and wait for them) before returning.")

    @checks.scenario("more workers than jobs: 3 jobs of 3, 1 and 2 s with 5 workers all run at once, "
                     "once each, in 3 s", points=0.25)
    def _():
        seconds = [3, 1, 2]
        run, jobs = pool(seconds, 5)
        results, _ = run.result
        assert isinstance(results, list) and len(results) == 3, (
            f"{where(seconds, 5)}: expected 3 results, got {shown(results)!r}")
        assert (jobs.started, jobs.peak) == (3, 3), (
            f"{where(seconds, 5)}: each job should run once, all 3 at once; {jobs.started} calls were "
            f"made, at most {jobs.peak} at once")
        grading.expect_elapsed(run, 3.0, reference=observed,
                               args=(model(LESSON, "run_bounded"), Jobs(seconds).jobs, 5),
                               hint="With 5 workers the 3 jobs run together, in 3 s.")

    return checks


# ---- sleep_many -------------------------------------------------------------------------

async def with_timer_count(sleep_many: Any, n: int, delay: float) -> tuple[Any, int]:
    """Run sleep_many(n, delay); return its result and how many timers it armed."""
    loop = asyncio.get_running_loop()
    armed = []
    real_call_at = loop.call_at

    def call_at(when: float, callback: Any, *args: Any, **kwargs: Any) -> Any:
        armed.append(callback)
        return real_call_at(when, callback, *args, **kwargs)

    loop.call_at = call_at                  # call_later and asyncio.sleep both go through it
    try:
        result = await sleep_many(n, delay)
    finally:
        del loop.call_at
    return result, len(armed)


async def with_tasks(sleep_many: Any, n: int, delay: float) -> tuple[Any, list[asyncio.Task[Any]]]:
    """Run sleep_many(n, delay); return its result and every task it created (the loop's
    task factory, chained to the one recording the timeline, is restored before returning)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()
    made: list[asyncio.Task[Any]] = []

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = previous(loop, coro, **kwargs) if previous else asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        result = await sleep_many(n, delay)
    finally:
        loop.set_task_factory(previous)
    return result, made


def sleep_many(sleep_many) -> Checks:
    checks = Checks("sleep_many")

    @checks.scenario("takes exactly `delay` seconds: sleep_many(50, 3.0) takes 3 s", points=0.5)
    def _():
        run = grading.run(sleep_many, 50, 3.0)
        grading.expect_elapsed(run, 3.0, reference=model(LESSON, "sleep_many"), args=(50, 3.0),
                               hint="All the tasks wait together, for exactly `delay` seconds.")

    @checks.scenario("starts n tasks that all wait together: halfway through sleep_many(7, 2.0), 7 tasks "
                     "are waiting, and it creates at most 8", points=0.5)
    def _():
        n, delay = 7, 2.0
        run = grading.run(sleep_many, n, delay)
        tasks = [r for r in run.timeline.tasks if r.kind == "task" and r.name != "main"]
        waiting = [r for r in run.timeline.in_flight(delay / 2) if r.kind == "task" and r.name != "main"]
        if len(waiting) < n:
            grading.show_comparison(run.timeline, grading.reference_timeline(model(LESSON, "sleep_many"), n, delay),
                                    f"{len(waiting)} tasks waiting at t = {delay / 2:g}")
            raise grading.GradingFailure(
                f"sleep_many({n}, {delay}): halfway through the wait, {n} tasks should be waiting "
                f"together; the chart shows {len(waiting)}")
        assert len(tasks) <= n + 1, (f"sleep_many({n}, {delay}) created {len(tasks)} tasks; it needs {n} "
                                     "(and at most one helper)")

    @checks.scenario("each task returns its own index, and sleep_many returns what its tasks returned",
                     points=0.5)
    def _():
        n, delay = 6, 1.0
        result, made = grading.run(with_tasks, sleep_many, n, delay).result
        assert result == list(range(n)), f"sleep_many({n}, {delay}) must return {list(range(n))}, got {result!r}"
        returned = [t.result() for t in made if t.done() and not t.cancelled() and t.exception() is None]
        missing = [i for i in range(n) if not any(type(r) is int and r == i for r in returned)]
        assert not missing, (
            f"sleep_many({n}, {delay}) returned {result!r}, but no task it started returned "
            f"{', '.join(map(str, missing))} (its tasks returned {returned!r}): each task must return its "
            "own index, and sleep_many the list of their results.")

    @checks.scenario("one timer for other n and delay too: sleep_many(1, 1.5) and sleep_many(50, 1.0)",
                     points=0.25)
    def _():
        for n, delay in ((1, 1.5), (50, 1.0)):
            result, timers = grading.run(with_timer_count, sleep_many, n, delay).result
            assert result == list(range(n)), f"sleep_many({n}, {delay}) must return {list(range(n))}, got {result!r}"
            assert timers == 1, (f"sleep_many({n}, {delay}) armed {timers} timers; expected exactly one, "
                                 "shared by all the tasks")

    @checks.scenario("sleep_many(0, 2.0) returns []", points=0.25)
    def _():
        result = grading.run(sleep_many, 0, 2.0).result
        assert result == [], f"sleep_many(0, 2.0) must return [], got {result!r}"

    return checks


EXERCISES = {"run_bounded": run_bounded, "sleep_many": sleep_many}
check = checker(EXERCISES)
