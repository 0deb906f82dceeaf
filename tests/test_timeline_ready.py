"""The ready state: when the loop could have resumed a task but was running something else.

Blocking is real time by nature (virtual time stands still while a step runs), so the tests
that block the loop run in real time and allow for a busy machine; what virtual time can
pin down exactly (creation, bare yields, nothing ready at all) is tested under
``run_virtual``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import pytest

from aiolab import Timeline, run_virtual
from aiolab._tracing import TracedCoroutine

# How far a "right after" may drift on a loaded machine (2 shared cores).
NEAR = 0.02


def blocking_step(seconds: float) -> None:
    time.sleep(seconds)  # holds the loop: nothing else runs meanwhile


def run(main) -> Timeline:
    async def recorded() -> Timeline:
        async with Timeline() as tl:
            await main()
        return tl

    return asyncio.run(recorded())


def test_a_future_completed_while_another_task_blocks_shows_ready_until_its_next_step():
    """The awaited future completes at the start of a 1 s blocking step: the waiting task
    is ready (queued) for that second, right before its next step."""

    async def main() -> None:
        fut = asyncio.get_running_loop().create_future()

        async def waiter() -> str:
            return await fut

        async def blocker() -> None:
            await asyncio.sleep(0.01)
            fut.set_result("done")  # queues waiter's wake-up...
            blocking_step(1.0)      # ...and keeps the loop for a second

        await asyncio.gather(asyncio.create_task(waiter(), name="waiter"),
                             asyncio.create_task(blocker(), name="blocker"))

    tl = run(main)
    waiter, blocker = tl.task("waiter"), tl.task("blocker")
    block_start, block_end = blocker.steps[-1]
    assert block_end - block_start >= 1.0
    since, until = waiter.ready[-1]
    assert until == waiter.steps[-1][0]  # right before its next step
    assert block_start <= since <= block_start + NEAR  # from the moment fut completed
    assert block_end <= until <= block_end + NEAR
    assert 1.0 <= until - since <= 1.0 + 2 * NEAR
    assert [state for state, _, _ in waiter.states()][-3:] == ["waiting", "ready", "running"]
    assert waiter.ready_time == pytest.approx(sum(e - s for s, e in waiter.ready))
    assert blocker.ready_time < NEAR  # the blocker itself never queued behind anything


def test_sleep_zero_is_ready_from_the_end_of_its_step():
    """A bare yield (``await asyncio.sleep(0)``) puts the task straight back in the queue:
    it is ready from the very end of that step, here behind another task's blocking."""

    async def polite() -> None:
        await asyncio.sleep(0)

    async def hog() -> None:
        await asyncio.sleep(0)
        blocking_step(0.05)

    async def main() -> None:
        await asyncio.gather(asyncio.create_task(hog(), name="hog"),
                             asyncio.create_task(polite(), name="polite"))

    tl = run(main)
    polite_rec = tl.task("polite")
    (first_start, first_end), (second_start, _) = polite_rec.steps
    assert polite_rec.ready[1] == (first_end, second_start)  # exactly: no gap, no guess
    assert second_start - first_end >= 0.05  # queued behind the hog's blocking step


def test_tasks_created_together_queue_behind_the_first_ones_blocking_step():
    """A new task is ready from its creation: when the first of several blocks in its first
    step, every other one shows ready (queued) behind it."""

    async def worker(n: int) -> None:
        if n == 0:
            blocking_step(0.05)
        await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(*(asyncio.create_task(worker(n), name=f"w{n}") for n in range(4)))

    tl = run(main)
    hog_end = tl.task("w0").steps[0][1]
    for rec in tl.find(kind="task")[1:]:
        since, until = rec.ready[0]
        assert since == rec.created
        assert until >= hog_end and until - since >= 0.05


def test_a_sleep_that_comes_due_during_a_blocking_step_is_ready_from_its_due_time():
    """The loop runs due timers only between steps, so the sleeper's timer fires after the
    blocking step; from the loop's point of view it owed the sleeper its turn from the due
    time on."""

    async def sleeper() -> None:
        await asyncio.sleep(0.05)  # due at about 0.05, in the middle of the block

    async def hog() -> None:
        # Blocks in its first step, in the same pass of the loop as the sleeper's first
        # step: the block surely starts before the sleep is due, however loaded the machine.
        blocking_step(0.2)

    async def main() -> None:
        await asyncio.gather(asyncio.create_task(sleeper(), name="sleeper"),
                             asyncio.create_task(hog(), name="hog"))

    tl = run(main)
    sleeper_rec, hog_rec = tl.task("sleeper"), tl.task("hog")
    block_start, block_end = hog_rec.steps[-1]
    (called, returned), _ = sleeper_rec.steps  # sleep(0.05) was called in between
    since, until = sleeper_rec.ready[-1]
    assert block_start < since < block_end
    assert called + 0.05 <= since <= returned + 0.05  # the timer's due time, exactly
    assert until >= block_end


def test_a_sleep_that_ends_on_an_idle_loop_is_not_ready():
    """An idle loop sleeping in select() wakes up a millisecond or more after a timer is
    due: that lateness is the OS's, not a step holding the loop, and is not counted."""

    async def main() -> None:
        async def sleeper() -> None:
            for _ in range(5):
                await asyncio.sleep(0.005)

        await asyncio.create_task(sleeper(), name="sleeper")

    tl = run(main)
    rec = tl.task("sleeper")
    assert rec.n_steps == 6
    assert rec.ready_time < 0.005


def test_cancelling_a_waiting_task_makes_it_ready():
    async def victim() -> None:
        await asyncio.Event().wait()

    async def main() -> None:
        task = asyncio.create_task(victim(), name="victim")
        await asyncio.sleep(0.01)
        task.cancel()         # cancels the future it waits on: its wake-up is queued now
        blocking_step(0.05)
        with pytest.raises(asyncio.CancelledError):
            await task

    async def recorded() -> Timeline:
        async with Timeline() as tl:
            await asyncio.create_task(main(), name="main")
        return tl

    tl = asyncio.run(recorded())
    main_rec, victim_rec = tl.task("main"), tl.task("victim")
    cancel_step_start, cancel_step_end = main_rec.steps[1]
    since, until = victim_rec.ready[-1]
    assert cancel_step_start <= since <= cancel_step_start + NEAR
    assert until >= cancel_step_end and until - since >= 0.05
    assert victim_rec.outcome == "cancelled"


def test_a_task_awaiting_another_task_is_ready_from_that_tasks_end():
    """A task is a future, done when its last step ends: the task awaiting it is ready from
    then, here while a third task's step blocks."""

    async def quick() -> int:
        await asyncio.sleep(0)
        return 1

    async def hog() -> None:
        await asyncio.sleep(0)
        blocking_step(0.05)

    async def main() -> None:
        q = asyncio.create_task(quick(), name="quick")
        h = asyncio.create_task(hog(), name="hog")

        async def awaiting() -> int:
            return await q

        await asyncio.gather(asyncio.create_task(awaiting(), name="awaiting"), h)

    tl = run(main)
    quick_end = tl.task("quick").ended
    since, until = tl.task("awaiting").ready[-1]
    assert quick_end <= since <= quick_end + NEAR
    assert until - since >= 0.05


def test_nothing_is_ever_ready_in_virtual_time_and_the_ready_times_are_exact():
    """Virtual time stands still while anything runs, so every ready stretch has zero
    length, exactly where the step starts: creation, bare yields and sleeps alike."""

    async def child(delay: float) -> None:
        await asyncio.sleep(0)
        await asyncio.sleep(delay)

    async def main() -> None:
        await asyncio.gather(asyncio.create_task(child(1), name="one"),
                             asyncio.create_task(child(2), name="two"))

    _, tl = run_virtual(main)
    for rec in tl.tasks:
        assert rec.ready == [(start, start) for start, _ in rec.steps]
        assert rec.ready_time == 0.0
        assert "ready" not in {state for state, _, _ in rec.states()}
    assert tl.task("two").ready == [(0.0, 0.0), (0.0, 0.0), (2.0, 2.0)]
    assert tl.task("two").states() == [("waiting", 0.0, 2.0)]


def test_records_carry_ready_times_through_json():
    async def main() -> None:
        async def hog() -> None:
            blocking_step(0.03)

        await asyncio.gather(asyncio.create_task(hog(), name="hog"),
                             asyncio.create_task(asyncio.sleep(0), name="queued"))

    tl = run(main)
    rows = json.loads(json.dumps(tl.records()))
    queued = rows[1]
    assert queued["ready"] == [list(pair) for pair in tl.task("queued").ready]
    assert queued["ready_time"] >= 0.03
    assert queued["waiting_time"] >= queued["ready_time"]  # waiting_time still includes it
    again = Timeline.from_records(rows, stopped_at=tl.end, virtual=False)
    assert again.task("queued").ready == tl.task("queued").ready
    assert again.task("queued").states() == tl.task("queued").states()
    # Rows recorded before ready times existed load as never ready.
    for row in rows:
        del row["ready"]
    old = Timeline.from_records(rows, stopped_at=tl.end, virtual=False)
    assert old.task("queued").ready_time == 0.0
    assert old.task("queued").steps == tl.task("queued").steps


def test_the_loop_hooks_come_off_when_the_last_timeline_stops():
    async def main() -> None:
        loop = asyncio.get_running_loop()

        def mine(callback, *args, context=None):
            return asyncio.BaseEventLoop.call_soon(loop, callback, *args, context=context)

        loop.call_soon = mine  # someone's own wrapper, there before us
        async with Timeline() as outer:
            assert loop.__dict__["call_soon"] is not mine
            async with Timeline() as inner:
                await asyncio.create_task(asyncio.sleep(0), name="inside")
            assert "call_later" in loop.__dict__  # still hooked for the outer one
            await asyncio.create_task(asyncio.sleep(0), name="after")
        assert loop.__dict__["call_soon"] is mine and "call_later" not in loop.__dict__
        del loop.call_soon
        assert [r.name for r in outer.tasks] == ["inside", "after"]
        assert [r.name for r in inner.tasks] == ["inside"]
        for rec in (outer.task("inside"), inner.task("inside")):
            assert rec.ready[1][0] == rec.steps[0][1]  # both layers saw the bare yield

    asyncio.run(main())


def test_ready_under_uvloop_too():
    uvloop = pytest.importorskip("uvloop")

    async def main() -> Timeline:
        fut = asyncio.get_running_loop().create_future()

        async def waiter() -> None:
            await fut

        async def sleeper() -> None:
            await asyncio.sleep(0.05)  # due in the middle of the hog's block

        async def hog() -> None:
            # First step, same pass of the loop as the others' first steps: the block
            # starts before the sleep is due, however loaded the machine.
            fut.set_result(None)
            blocking_step(0.2)

        async with Timeline() as tl:
            await asyncio.gather(asyncio.create_task(waiter(), name="waiter"),
                                 asyncio.create_task(sleeper(), name="sleeper"),
                                 asyncio.create_task(hog(), name="hog"))
        return tl

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        tl = runner.run(main())
    block_start, block_end = tl.task("hog").steps[-1]
    for name in ("waiter", "sleeper"):
        since, until = tl.task(name).ready[-1]
        assert block_start <= since < block_end - 0.05 and until >= block_end, name


def test_a_loop_that_cannot_be_hooked_still_records_creation_and_bare_yields():
    class Sealed(asyncio.SelectorEventLoop):
        def __setattr__(self, name, value):
            if name in ("call_soon", "call_later"):
                raise AttributeError(f"{name} is read-only")
            super().__setattr__(name, value)

    async def main() -> Timeline:
        fut = asyncio.get_running_loop().create_future()

        async def waiter() -> None:
            await fut

        async def yielder() -> None:
            await asyncio.sleep(0)

        async def hog() -> None:
            await asyncio.sleep(0)
            fut.set_result(None)
            blocking_step(0.05)

        async with Timeline() as tl:
            loop = asyncio.get_running_loop()
            assert "call_soon" not in vars(loop)
            await asyncio.gather(asyncio.create_task(hog(), name="hog"),
                                 asyncio.create_task(waiter(), name="waiter"),
                                 asyncio.create_task(yielder(), name="yielder"))
        return tl

    with asyncio.Runner(loop_factory=Sealed) as runner:
        tl = runner.run(main())
    waiter, yielder = tl.task("waiter"), tl.task("yielder")
    assert waiter.ready[0][0] == waiter.created and yielder.ready[0][0] == yielder.created
    assert yielder.ready[1][0] == yielder.steps[0][1]  # the bare yield, behind the hog
    assert yielder.ready_time >= 0.05
    since, until = waiter.ready[1]
    assert since == until  # without the hook, the future's completion is not seen


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are new in 3.12")
def test_an_eager_task_is_not_ready_before_its_first_step():
    async def child() -> None:
        await asyncio.sleep(0)

    async def main() -> Timeline:
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
        async with Timeline() as tl:
            await asyncio.create_task(child(), name="eager")
        return tl

    rec = asyncio.run(main()).task("eager")
    (since, until), (again, _) = rec.ready
    assert since == rec.created and until - since < NEAR  # ran in create_task
    assert again == rec.steps[0][1]  # then queued by its bare yield


def test_a_record_is_the_coroutine_and_carries_its_queue_time():
    """The hook stamps the record the task drives; nothing else is needed per task."""

    async def main() -> None:
        task = asyncio.create_task(asyncio.sleep(0), name="t")
        rec = task.get_coro()
        assert type(rec) is TracedCoroutine
        assert rec._queued == rec._created  # creation queues its first step
        await task

    async def recorded() -> None:
        async with Timeline():
            await main()

    asyncio.run(recorded())


def test_a_task_outliving_an_inner_timeline_is_still_seen_by_the_outer_one():
    """The inner timeline stops while its task sleeps (its record stops recording); the
    outer one, still recording, sees the sleep come due behind a blocking step."""

    async def sleeper() -> None:
        await asyncio.sleep(0.02)

    async def hog() -> None:
        await asyncio.sleep(0.01)
        blocking_step(0.05)

    async def main() -> tuple[Timeline, Timeline]:
        async with Timeline() as outer:
            h = asyncio.create_task(hog(), name="hog")
            async with Timeline() as inner:
                s = asyncio.create_task(sleeper(), name="sleeper")
                await asyncio.sleep(0)
            await asyncio.gather(h, s)
        return outer, inner

    outer, inner = asyncio.run(main())
    assert (inner.task("sleeper").outcome, inner.task("sleeper").n_steps) == ("pending", 1)
    block_start, block_end = outer.task("hog").steps[-1]
    since, until = outer.task("sleeper").ready[-1]
    assert block_start < since < block_end and until >= block_end
