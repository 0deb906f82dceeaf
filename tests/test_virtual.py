"""Exact schedules under virtual time: every time below is asserted with ==.

Each test runs a small asyncio program with aiolab.run_virtual and checks the recorded
timeline: when each task was created and ended, how it ended, and who created it. Under
looptime's virtual clock a sleep of 1 s ends at exactly t = 1.0, so any difference is a
real difference in the schedule, not noise.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import threading
import time

import pytest

import aiolab
from aiolab import (
    BlockingCallError,
    BlockingCallWarning,
    RealTimeLimitError,
    Timeline,
    VirtualTimeError,
    VirtualTimeLimitError,
    run_virtual,
)


async def sleeper(delay: float, fail: bool = False) -> float:
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f"failed after {delay}")
    return delay


def ends(tl: Timeline) -> dict[str, float | None]:
    return {r.label: r.ended for r in tl.tasks}


# -- the basics ---------------------------------------------------------------------------


def test_gather_runs_concurrently_and_ends_exactly():
    async def main():
        return await asyncio.gather(sleeper(1), sleeper(2), sleeper(3))

    result, tl = run_virtual(main)
    assert result == [1, 2, 3]
    main_rec, *children = tl.tasks
    assert main_rec.name == "main" and main_rec.parent is None
    assert main_rec.ended == 3.0 and main_rec.outcome == "result"
    # gather wrapped each bare coroutine in a task: all three are recorded, as children.
    assert [c.coro_name for c in children] == ["sleeper"] * 3
    assert [c.parent_name for c in children] == ["main"] * 3
    assert [c.created for c in children] == [0.0, 0.0, 0.0]
    assert [c.ended for c in children] == [1.0, 2.0, 3.0]
    assert [c.steps for c in children] == [[(0.0, 0.0), (1.0, 1.0)],
                                          [(0.0, 0.0), (2.0, 2.0)],
                                          [(0.0, 0.0), (3.0, 3.0)]]
    assert tl.virtual
    assert tl.elapsed == 3.0
    assert tl.total_task_time == 6.0
    assert children[0].waiting_time == 1.0 and children[0].running_time == 0.0


def test_sequential_awaits_make_a_staircase():
    async def main():
        for delay in (1, 2, 3):
            await asyncio.create_task(sleeper(delay), name=f"step {delay}")

    _, tl = run_virtual(main)
    steps = [tl.task(f"step {d}") for d in (1, 2, 3)]
    assert [(s.created, s.ended) for s in steps] == [(0.0, 1.0), (1.0, 3.0), (3.0, 6.0)]
    assert tl.task("main").ended == 6.0
    assert tl.elapsed == tl.total_task_time == 6.0  # nothing overlapped
    assert not tl.overlapping("step 1", "step 2")  # touching is not overlapping


def test_plain_awaits_are_steps_of_one_task():
    async def main():
        await asyncio.sleep(0.1)
        await asyncio.sleep(0.2)
        await asyncio.sleep(0.3)

    _, tl = run_virtual(main)
    (rec,) = tl.tasks
    assert [s for s, _ in rec.steps] == [0.0, 0.1, 0.3, 0.6]  # integer-µs clock: exact
    assert rec.ended == 0.6


@pytest.mark.parametrize("when", ["FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"])
def test_wait(when):
    async def main():
        loop = asyncio.get_running_loop()
        tasks = [asyncio.create_task(sleeper(1), name="one"),
                 asyncio.create_task(sleeper(2, fail=True), name="two fails"),
                 asyncio.create_task(sleeper(3), name="three")]
        done, pending = await asyncio.wait(tasks, return_when=getattr(asyncio, when))
        returned = loop.time()
        for task in pending:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return returned, sorted(t.get_name() for t in done)

    (returned, done), tl = run_virtual(main)
    expected = {"FIRST_COMPLETED": (1.0, ["one"]),
                "FIRST_EXCEPTION": (2.0, ["one", "two fails"]),
                "ALL_COMPLETED": (3.0, ["one", "three", "two fails"])}[when]
    assert (returned, done) == expected
    outcomes = {r.name: (r.outcome, r.ended) for r in tl.tasks}
    assert outcomes["one"] == ("result", 1.0)
    if when == "FIRST_COMPLETED":  # the others were still pending at 1 s: cancelled then
        assert outcomes["two fails"] == outcomes["three"] == ("cancelled", 1.0)
    elif when == "FIRST_EXCEPTION":
        assert outcomes["two fails"] == ("exception", 2.0)
        assert outcomes["three"] == ("cancelled", 2.0)
    else:
        assert outcomes["two fails"] == ("exception", 2.0)
        assert outcomes["three"] == ("result", 3.0)


def test_wait_for_that_fires():
    async def main():
        await asyncio.wait_for(sleeper(5), timeout=2)

    with pytest.raises(TimeoutError) as info:
        run_virtual(main)
    tl = info.value.timeline
    main_rec = tl.task("main")
    assert (main_rec.ended, main_rec.outcome, main_rec.exception) == (2.0, "exception",
                                                                      "TimeoutError")
    assert main_rec.timed_out
    inner = [r for r in tl.tasks if r.coro_name == "sleeper"]
    if sys.version_info < (3, 12):
        # Up to 3.11 wait_for runs the coroutine in a task of its own, cancelled at 2 s.
        assert [(r.ended, r.outcome, r.parent_name) for r in inner] == [
            (2.0, "cancelled", "main")]
    else:  # 3.12+ awaits it in place, under asyncio.timeout
        assert inner == []


def test_wait_for_that_does_not_fire():
    async def main():
        return await asyncio.wait_for(sleeper(1), timeout=2)

    result, tl = run_virtual(main)
    assert result == 1 and tl.task("main").ended == 1.0
    assert not tl.task("main").timed_out


def test_asyncio_timeout_marks_the_task_timed_out():
    async def slow():
        async with asyncio.timeout(1.5):
            await asyncio.sleep(5)

    async def main():
        await asyncio.gather(asyncio.create_task(slow(), name="slow"), sleeper(1),
                             return_exceptions=True)

    _, tl = run_virtual(main)
    slow_rec = tl.task("slow")
    assert (slow_rec.ended, slow_rec.outcome, slow_rec.exception, slow_rec.timed_out) == (
        1.5, "exception", "TimeoutError", True)
    assert tl.task("main").ended == 1.5


def test_shield_keeps_the_inner_task_running():
    async def main():
        inner = asyncio.create_task(sleeper(3), name="inner")
        try:
            await asyncio.wait_for(asyncio.shield(inner), timeout=1)
        except TimeoutError:
            gave_up = asyncio.get_running_loop().time()
        return gave_up, await inner

    (gave_up, value), tl = run_virtual(main)
    assert (gave_up, value) == (1.0, 3)
    inner = tl.task("inner")
    assert (inner.ended, inner.outcome) == (3.0, "result")
    assert tl.task("main").ended == 3.0


def test_taskgroup_cancels_siblings_when_one_fails():
    async def main():
        async with asyncio.TaskGroup() as group:
            group.create_task(sleeper(1), name="a")
            group.create_task(sleeper(2, fail=True), name="b")
            group.create_task(sleeper(5), name="c")

    with pytest.raises(ExceptionGroup) as info:
        run_virtual(main)
    tl = info.value.timeline
    assert {r.name: (r.ended, r.outcome) for r in tl.tasks} == {
        "main": (2.0, "exception"),
        "a": (1.0, "result"),
        "b": (2.0, "exception"),
        "c": (2.0, "cancelled"),  # cancelled the moment b failed
    }
    assert tl.task("b").exception == "ValueError"
    assert tl.task("main").exception == "ExceptionGroup"
    assert {r.parent_name for r in tl.tasks if r.name != "main"} == {"main"}


def test_as_completed_yields_in_order_of_completion():
    async def main():
        loop = asyncio.get_running_loop()
        seen = []
        for next_done in asyncio.as_completed([sleeper(3), sleeper(1), sleeper(2)]):
            seen.append((await next_done, loop.time()))
        return seen

    seen, tl = run_virtual(main)
    assert seen == [(1, 1.0), (2, 2.0), (3, 3.0)]
    wrapped = [r for r in tl.tasks if r.coro_name == "sleeper"]
    assert sorted(r.ended for r in wrapped) == [1.0, 2.0, 3.0]


def test_cancellation_is_recorded_when_it_happens():
    async def main():
        victim = asyncio.create_task(sleeper(10), name="victim")
        await asyncio.sleep(2)
        victim.cancel()
        await asyncio.gather(victim, return_exceptions=True)

    _, tl = run_virtual(main)
    victim = tl.task("victim")
    assert (victim.ended, victim.outcome, victim.exception) == (2.0, "cancelled", None)
    assert victim.steps == [(0.0, 0.0), (2.0, 2.0)]


def test_to_thread_runs_real_work_without_moving_virtual_time():
    def blocking_work(seconds: float) -> str:
        time.sleep(seconds)  # real blocking work, in a worker thread
        return threading.current_thread().name

    async def uses_thread():
        name = await asyncio.to_thread(blocking_work, 0.02)
        await asyncio.sleep(1)
        return name

    async def main():
        return await asyncio.gather(
            asyncio.create_task(uses_thread(), name="thread user"),
            asyncio.create_task(sleeper(2), name="sleeper"),
            aiolab.to_thread("hash", blocking_work, 0.01),
        )

    (worker, _, worker2), tl = run_virtual(main)
    assert worker.startswith("aiolab-worker") and worker2.startswith("aiolab-worker")
    # The thread's 20 ms of real work took no virtual time: the schedule stays exact.
    assert tl.task("thread user").ended == 1.0
    assert tl.task("sleeper").ended == 2.0
    hashed = tl.task("hash")
    assert hashed.kind == "thread" and hashed.outcome == "result"
    assert hashed.created == hashed.ended == 0.0
    assert hashed.real_running_time >= 0.01
    assert tl.task("main").ended == 2.0


def test_span_marks_synchronous_code():
    async def main():
        with aiolab.span("parse csv"):
            sum(range(1000))
        await asyncio.sleep(1)

    _, tl = run_virtual(main)
    span = tl.task("parse csv")
    assert (span.kind, span.parent_name, span.created, span.ended) == ("span", "main", 0.0,
                                                                       0.0)
    assert tl.task("main").ended == 1.0


def test_nested_children_know_their_parents():
    async def leaf(delay):
        await asyncio.sleep(delay)

    async def branch(delay):
        await asyncio.gather(asyncio.create_task(leaf(delay), name=f"leaf {delay}"))

    async def main():
        await asyncio.gather(asyncio.create_task(branch(1), name="branch 1"),
                             asyncio.create_task(branch(2), name="branch 2"))

    _, tl = run_virtual(main)
    assert {r.name: r.parent_name for r in tl.tasks} == {
        "main": None, "branch 1": "main", "branch 2": "main",
        "leaf 1": "branch 1", "leaf 2": "branch 2"}
    assert tl.total_task_time == 3.0  # branches only wait for their leaves


def test_leftover_tasks_are_cancelled_when_main_returns():
    async def main():
        asyncio.create_task(sleeper(100), name="forgotten")
        await asyncio.sleep(1)

    _, tl = run_virtual(main)
    assert (tl.task("forgotten").outcome, tl.task("forgotten").ended) == ("cancelled", 1.0)


def test_records_are_plain_json():
    async def main():
        await asyncio.gather(sleeper(1), sleeper(2, fail=True), return_exceptions=True)

    _, tl = run_virtual(main)
    records = json.loads(json.dumps(tl.records()))
    failed = records[2]
    assert failed["outcome"] == "exception" and failed["exception"] == "ValueError"
    assert failed["steps"] == [[0.0, 0.0], [2.0, 2.0]]
    assert failed["parent"] == "main" and failed["ended"] == 2.0
    assert set(records[0]) >= {"name", "parent", "created", "started", "ended", "outcome",
                               "exception", "steps", "running_time", "waiting_time"}


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are new in 3.12")
def test_eager_task_factory_still_works_and_is_recorded():
    async def quick():
        return "done at once"  # an eager task that never awaits finishes inside create_task

    async def main():
        q = asyncio.create_task(quick(), name="quick")
        assert q.done()  # eager: it ran in create_task
        slow = asyncio.create_task(sleeper(1), name="slow")
        return await asyncio.gather(q, slow)

    result, tl = run_virtual(main, task_factory=asyncio.eager_task_factory)
    assert result == ["done at once", 1]
    assert (tl.task("quick").ended, tl.task("quick").n_steps) == (0.0, 1)
    assert tl.task("slow").ended == 1.0
    assert tl.task("slow").parent_name == "main"


def test_replacing_the_task_factory_during_a_run_warns():
    async def main():
        asyncio.get_running_loop().set_task_factory(
            lambda loop, coro, **kw: asyncio.Task(coro, loop=loop, **kw))
        await asyncio.create_task(sleeper(1), name="unrecorded")

    with pytest.warns(RuntimeWarning, match="task factory was replaced"):
        _, tl = run_virtual(main)
    assert [r.name for r in tl.tasks] == ["main"]


# -- how the main coroutine is given -------------------------------------------------------


def test_accepts_an_async_function_with_arguments_or_a_coroutine():
    assert run_virtual(sleeper, 2)[0] == 2
    result, tl = run_virtual(sleeper(3), name="three")
    assert result == 3 and tl.task("three").ended == 3.0


def test_rejects_what_is_not_a_coroutine():
    with pytest.raises(TypeError, match="async"):
        run_virtual(lambda: 42)
    with pytest.raises(TypeError, match="not both"):
        run_virtual(sleeper(1), 2)


def test_works_inside_a_running_loop_like_a_notebook_cell():
    async def cell():
        # The calling thread's loop is busy running this cell: the run needs its own.
        return run_virtual(sleeper, 5)

    result, tl = asyncio.run(cell())
    assert result == 5 and tl.task("main").ended == 5.0


def test_loop_factory_runs_in_real_time():
    uvloop = pytest.importorskip("uvloop")
    t0 = time.perf_counter()
    result, tl = run_virtual(_gather_two, loop_factory=uvloop.new_event_loop)
    assert result == [0.02, 0.01]
    assert not tl.virtual
    assert time.perf_counter() - t0 >= 0.015  # (libuv rounds timers to milliseconds)
    first, second = [r for r in tl.tasks if r.coro_name == "sleeper"]
    assert second.ended < first.ended < 1.0


async def _gather_two():
    return await asyncio.gather(sleeper(0.02), sleeper(0.01))


# -- errors ---------------------------------------------------------------------------------


def test_virtual_limit_names_the_tasks_still_waiting():
    async def waiter(event):
        await event.wait()

    async def main():
        event = asyncio.Event()  # nobody ever sets it
        await asyncio.gather(asyncio.create_task(waiter(event), name="waiter"), sleeper(5))

    t0 = time.perf_counter()
    with pytest.raises(VirtualTimeLimitError) as info:
        run_virtual(main, limit=100)
    assert time.perf_counter() - t0 < 2  # found instantly: the clock jumps to the limit
    err = info.value
    assert isinstance(err, VirtualTimeError)
    assert err.virtual_time == 100
    message = str(err)
    assert "t = 100 s" in message
    assert "'waiter' awaiting at" in message and "waiter() -> asyncio.Event.wait()" in message
    assert "test_virtual.py" in message
    assert tl_outcomes(err.timeline) == {"main": ("cancelled", 100.0),
                                         "waiter": ("cancelled", 100.0),
                                         "Task-? sleeper()": ("result", 5.0)}


def tl_outcomes(tl: Timeline) -> dict[str, tuple[str, float | None]]:
    out = {}
    for r in tl.tasks:
        label = "Task-? sleeper()" if r.coro_name == "sleeper" else r.name
        out[label] = (r.outcome, r.ended)
    return out


def test_real_limit_stops_a_synchronous_endless_loop():
    async def spin():
        await asyncio.sleep(1)
        while True:
            pass

    t0 = time.perf_counter()
    with pytest.raises(RealTimeLimitError) as info:
        run_virtual(spin, real_limit=0.3)
    assert time.perf_counter() - t0 < 3
    err = info.value
    assert err.stuck
    assert "'main' is stuck in synchronous code" in str(err)
    assert "spin()" in str(err) and "test_virtual.py:" in str(err)
    main_rec = err.timeline.task("main")
    assert main_rec.exception == "RealTimeLimitInterrupt"  # interrupted where it spun
    assert err.virtual_time == 1.0


def test_real_limit_stops_a_busy_async_loop():
    async def spinner():
        while True:
            await asyncio.sleep(0)  # yields, but never lets time pass

    async def main():
        await asyncio.gather(asyncio.create_task(spinner(), name="spinner"), sleeper(1))

    with pytest.raises(RealTimeLimitError) as info:
        run_virtual(main, real_limit=0.3)
    err = info.value
    assert not err.stuck
    assert "'spinner'" in str(err) and "steps]" in str(err)
    assert err.timeline.task("spinner").outcome == "cancelled"
    assert err.timeline.task("spinner").n_steps > 1000


def test_real_limit_gives_up_on_a_call_that_cannot_be_interrupted():
    async def main():
        time.sleep(1.5)  # blocked in C: the interrupt only lands when it returns

    t0 = time.perf_counter()
    with pytest.raises(RealTimeLimitError, match="could not be interrupted"):
        run_virtual(main, real_limit=0.2, blocking_threshold=None)
    assert time.perf_counter() - t0 < 1.4  # the caller went on without it


def test_blocking_call_is_detected():
    async def main():
        await asyncio.sleep(1)
        time.sleep(0.2)
        await asyncio.sleep(1)

    with pytest.raises(BlockingCallError) as info:
        run_virtual(main)
    err = info.value
    assert err.task == "main" and err.duration >= 0.2
    assert err.virtual_time == 1.0
    assert "blocked the event loop" in str(err) and "main() -> asyncio.sleep()" in str(err)
    assert err.timeline.task("main").outcome == "cancelled"


def test_blocking_call_can_warn_instead():
    async def main():
        time.sleep(0.1)
        await asyncio.sleep(1)
        return "done"

    with pytest.warns(BlockingCallWarning, match="'main' blocked the event loop"):
        result, tl = run_virtual(main, on_blocking="warn")
    assert result == "done" and tl.task("main").ended == 1.0


def test_exceptions_propagate_unchanged_with_the_timeline():
    class Boom(Exception):
        pass

    async def main():
        await asyncio.sleep(1.5)
        raise Boom("bang")

    with pytest.raises(Boom, match="bang") as info:
        run_virtual(main)
    tl = info.value.timeline
    assert (tl.task("main").ended, tl.task("main").exception) == (1.5, "Boom")
    assert tl.task("main").exception_message == "bang"


def test_garbage_collection_is_not_a_blocking_call():
    junk = [[i] for i in range(200_000)]  # a heap that takes a while to collect
    t0 = time.perf_counter()
    gc.collect()
    threshold = (time.perf_counter() - t0) / 4

    async def main():
        t0 = time.perf_counter()
        gc.collect()  # stands in for a collection that happens to land in this step
        took = time.perf_counter() - t0
        await asyncio.sleep(1)
        return took

    took, tl = run_virtual(main, blocking_threshold=threshold)
    assert took > threshold  # the step was slow, but only because of the collector
    assert tl.task("main").ended == 1.0
    del junk


def test_tasks_that_ignore_cancellation_are_abandoned_with_a_warning():
    async def stubborn():
        while True:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                pass  # refuses to stop

    async def main():
        asyncio.create_task(stubborn(), name="stubborn")
        await asyncio.sleep(1)
        return "done"

    with pytest.warns(RuntimeWarning, match="'stubborn' ignored cancellation"):
        result, tl = run_virtual(main)
    assert result == "done" and tl.task("main").ended == 1.0
    assert tl.task("stubborn").outcome == "pending"
