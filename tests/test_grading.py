"""aiolab.grading: learner-facing failures, exact timing, and charts on failure."""

from __future__ import annotations

import asyncio
import time

import pytest

from aiolab import grading, run_virtual


async def add_later(a, b, delay):
    await asyncio.sleep(delay)
    return a + b


async def add_twice_as_slow(a, b, delay):
    await asyncio.sleep(delay)
    await asyncio.sleep(delay)
    return a + b


def test_run_is_exact_and_instant():
    started = time.perf_counter()
    run = grading.run(add_later, 1, 2, 30)
    assert run.result == 3 and run.elapsed == 30.0
    assert time.perf_counter() - started < 5, "30 s of virtual time must cost far less real time"


def test_learner_exceptions_propagate_unchanged():
    async def fails():
        await asyncio.sleep(1)
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        grading.run(fails)


def test_a_plain_function_is_refused_with_a_clear_message():
    def not_async(x):
        return x

    with pytest.raises(grading.GradingFailure, match="must be an `async def` function"):
        grading.run(not_async, 1)


def test_blocking_call_is_named():
    async def sleepy():
        time.sleep(0.8)

    with pytest.raises(grading.GradingFailure, match="blocked the event loop"):
        grading.run(sleepy)


def test_stuck_loop_is_reported_as_blocking(monkeypatch):
    monkeypatch.setattr(grading, "REAL_LIMIT", 1.0)

    async def spins():
        while True:
            pass

    with pytest.raises(grading.GradingFailure, match="blocked the event loop"):
        grading.run(spins, real_limit=1.0)


def test_waiting_forever_names_the_virtual_limit():
    async def forever():
        await asyncio.get_running_loop().create_future()

    with pytest.raises(grading.GradingFailure, match="did not finish within 60 s of virtual time"):
        grading.run(forever, limit=60)


def test_any_awaitable_runs():
    class Later:
        def __await__(self):
            yield from asyncio.sleep(2).__await__()
            return "done"

    run = grading.run(Later())
    assert (run.result, run.elapsed) == ("done", 2.0)


def test_expect_elapsed_passes_and_fails_with_both_charts(monkeypatch):
    shown = []
    monkeypatch.setattr(grading, "show_comparison", lambda actual, expected, title: shown.append((actual, expected)))
    grading.expect_elapsed(grading.run(add_later, 1, 2, 5), 5.0)
    assert shown == []
    slow = grading.run(add_twice_as_slow, 1, 2, 5)
    with pytest.raises(grading.GradingFailure, match="Expected this to take 5 s of virtual time; it took 10 s"):
        grading.expect_elapsed(slow, 5.0, reference=add_later, args=(1, 2, 5))
    (actual, expected), = shown
    assert actual is slow.timeline and expected.elapsed == 5.0


def test_create_task_of_a_non_coroutine_still_raises_type_error_under_a_timeline():
    async def main():
        async def job():
            return 1

        with pytest.raises(TypeError, match="a coroutine was expected"):
            asyncio.create_task(job)
        return await asyncio.create_task(job())

    result, timeline = run_virtual(main())
    assert result == 1 and len(timeline.tasks) == 2


def test_expect_task_names_the_row_and_shows_both_charts(monkeypatch):
    shown = []
    monkeypatch.setattr(grading, "show_comparison", lambda actual, expected, title: shown.append((expected, title)))

    async def two(cancel_at):
        async def job():
            await asyncio.sleep(3)
        slow = asyncio.create_task(job(), name="slow")
        await asyncio.sleep(cancel_at)
        slow.cancel()
        await asyncio.sleep(0)

    good = grading.run(two, 1)
    grading.expect_task(good, "slow", outcome="cancelled", started=0, ended=1)
    assert not shown
    late = grading.run(two, 2)
    with pytest.raises(grading.GradingFailure) as err:
        grading.expect_task(late, "slow", outcome="cancelled", ended=1, why="the winner finished at 1 s",
                            reference=two, args=(1,))
    assert str(err.value) == ("the winner finished at 1 s: the task 'slow' should end cancelled at 1 s, once; "
                              "it started at 0 s and ended cancelled at 2 s.")
    assert shown and shown[0][0] is not None and shown[0][1] == "task 'slow'"
    with pytest.raises(grading.GradingFailure, match="no task of that name ran"):
        grading.expect_task(late, "fast", outcome="result")
