"""Recording in real time: asyncio.run, uvloop, a notebook-like loop shared with a kernel.

Real time is noisy, so these tests assert order and generous bounds only; exact schedules
are the business of test_virtual.py.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time

import pytest

import aiolab
from aiolab import TaskRecord, Timeline


async def sleeper(delay: float) -> float:
    await asyncio.sleep(delay)
    return delay


async def gather_three() -> Timeline:
    async with Timeline() as tl:
        await asyncio.gather(sleeper(0.03), sleeper(0.01), sleeper(0.02))
    return tl


def check_gather_three(tl: Timeline) -> None:
    recs = tl.tasks
    assert [r.coro_name for r in recs] == ["sleeper"] * 3
    assert all(r.outcome == "result" and r.parent is None for r in recs)
    ends = [r.ended for r in recs]
    assert ends[1] < ends[2] < ends[0]  # finished in order of their delays
    assert 0.025 <= ends[0] < 1.0
    assert all(r.n_steps == 2 for r in recs)
    assert not tl.virtual
    assert 0.025 <= tl.elapsed < 1.0
    assert tl.total_task_time > tl.elapsed  # they overlapped


def test_records_under_asyncio_run():
    check_gather_three(asyncio.run(gather_three()))


def test_records_under_uvloop():
    uvloop = pytest.importorskip("uvloop")
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        check_gather_three(runner.run(gather_three()))


def test_records_on_a_uvloop_loop_object():
    uvloop = pytest.importorskip("uvloop")
    loop = uvloop.new_event_loop()
    try:
        check_gather_three(loop.run_until_complete(gather_three()))
    finally:
        loop.close()


def test_notebook_kernel_tasks_are_not_recorded():
    """In Jupyter the learner's cell shares the loop with the kernel's own tasks."""

    async def learner_cell(record_orphans: bool) -> Timeline:
        async with Timeline(record_orphans=record_orphans) as tl:
            child = asyncio.create_task(sleeper(0.02), name="learner child")
            await asyncio.gather(child, sleeper(0.01))
            await asyncio.sleep(0.01)
        return tl

    async def kernel(stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            # Tasks the kernel makes from its own tasks, and from plain callbacks.
            asyncio.create_task(asyncio.sleep(0), name="kernel child")
            loop.call_soon(lambda: loop.create_task(asyncio.sleep(0), name="kernel orphan"))
            await asyncio.sleep(0.001)

    async def main(record_orphans: bool) -> Timeline:
        stop = asyncio.Event()
        kernel_task = asyncio.create_task(kernel(stop), name="kernel")
        await asyncio.sleep(0.005)
        # ipykernel runs each cell in a task of its own, like this.
        tl = await asyncio.create_task(learner_cell(record_orphans), name="cell")
        stop.set()
        await kernel_task
        return tl

    tl = asyncio.run(main(record_orphans=False))
    assert {r.label for r in tl.tasks} >= {"learner child"}
    assert [r.name for r in tl.tasks if r.name.startswith("kernel")] == []
    assert len(tl.tasks) == 2

    tl = asyncio.run(main(record_orphans=True))
    orphans = [r for r in tl.tasks if r.name == "kernel orphan"]
    assert orphans and all(r.parent is None for r in orphans)
    assert [r.name for r in tl.tasks if r.name == "kernel child"] == []


def test_span_and_thread_rows():
    def hash_it(data: bytes) -> int:
        time.sleep(0.02)
        return len(data)

    async def main() -> Timeline:
        async with Timeline() as tl:
            with tl.span("parse csv") as rec:
                time.sleep(0.01)
            assert isinstance(rec, TaskRecord)
            assert await tl.to_thread("hash", hash_it, b"abc") == 3
        return tl

    tl = asyncio.run(main())
    span, thread = tl.tasks
    assert (span.kind, span.name, thread.kind, thread.name) == ("span", "parse csv",
                                                                 "thread", "hash")
    assert span.running_time >= 0.009 and span.ended <= thread.created
    assert thread.real_running_time >= 0.019 and thread.n_steps == 1
    (start, end), = thread.steps
    assert thread.created <= start < end <= thread.ended


def test_failing_span_and_thread_record_the_exception():
    def fail() -> None:
        raise KeyError("missing")

    async def main() -> Timeline:
        async with Timeline() as tl:
            with pytest.raises(ZeroDivisionError):
                with tl.span("divide"):
                    1 / 0
            with pytest.raises(KeyError):
                await tl.to_thread("lookup", fail)
        return tl

    tl = asyncio.run(main())
    assert [(r.outcome, r.exception) for r in tl.tasks] == [
        ("exception", "ZeroDivisionError"), ("exception", "KeyError")]


def test_module_helpers_do_nothing_without_a_timeline():
    async def main() -> int:
        with aiolab.span("nothing") as rec:
            assert rec is None
        return await aiolab.to_thread("plain", lambda: 7)

    assert asyncio.run(main()) == 7


def test_factory_is_chained_and_restored():
    made = []

    def my_factory(loop, coro, **kwargs):
        made.append(coro)
        return asyncio.Task(coro, loop=loop, **kwargs)

    async def main() -> Timeline:
        loop = asyncio.get_running_loop()
        loop.set_task_factory(my_factory)
        async with Timeline() as tl:
            assert loop.get_task_factory() is not my_factory
            await asyncio.create_task(sleeper(0))
        assert loop.get_task_factory() is my_factory
        assert len(made) == 1
        return tl

    tl = asyncio.run(main())
    assert len(tl.tasks) == 1
    # The coroutine was wrapped (the wrapper is the task's record), then handed on.
    assert made[0] is tl.tasks[0] and asyncio.iscoroutine(made[0])


def test_traced_tasks_still_look_like_tasks():
    async def main() -> None:
        async with Timeline():
            task = asyncio.create_task(sleeper(1), name="looked at")
            await asyncio.sleep(0)
            assert "sleeper() running at" in repr(task)
            frames = task.get_stack()
            assert frames and frames[0].f_code.co_name == "sleeper"
            assert task.get_coro().__qualname__ == "sleeper"
            assert asyncio.iscoroutine(task.get_coro())
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

    asyncio.run(main())


def test_unnamed_tasks_keep_default_names_and_renames_are_seen():
    async def renamed() -> None:
        asyncio.current_task().set_name("renamed inside")
        await asyncio.sleep(0)

    async def main() -> Timeline:
        async with Timeline() as tl:
            await asyncio.gather(asyncio.create_task(sleeper(0)),
                                 asyncio.create_task(renamed()))
        return tl

    first, second = asyncio.run(main()).tasks
    # (CPython 3.13.0-3.13.2 would name both "None" whenever a task factory is set.)
    assert first.name.startswith("Task-") and first.label == f"{first.name} sleeper()"
    assert second.name == second.label == "renamed inside"


def test_tasks_still_running_at_stop_are_pending_and_left_alone():
    async def main() -> tuple[Timeline, float]:
        async with Timeline() as tl:
            task = asyncio.create_task(sleeper(0.02), name="outlives")
            await asyncio.sleep(0)
        stopped = tl.end
        assert await task == 0.02  # it keeps running, untouched
        return tl, stopped

    tl, stopped = asyncio.run(main())
    rec = tl.task("outlives")
    assert (rec.outcome, rec.ended, rec.n_steps) == ("pending", None, 1)
    assert tl.end == stopped  # nothing was recorded after stop
    assert rec.interval(tl.end) == (rec.created, stopped)


def test_nested_timelines_both_record():
    async def main() -> tuple[Timeline, Timeline]:
        async with Timeline() as outer:
            await asyncio.create_task(sleeper(0), name="before")
            async with Timeline() as inner:
                await asyncio.create_task(sleeper(0), name="inside")
            await asyncio.create_task(sleeper(0), name="after")
        return outer, inner

    outer, inner = asyncio.run(main())
    assert [r.name for r in outer.tasks] == ["before", "inside", "after"]
    assert [r.name for r in inner.tasks] == ["inside"]


def test_queries():
    async def main() -> Timeline:
        async with Timeline() as tl:
            a = asyncio.create_task(sleeper(0.05), name="a")
            await asyncio.sleep(0.01)
            b = asyncio.create_task(sleeper(0.01), name="b")
            await asyncio.gather(a, b)
            await asyncio.create_task(sleeper(0), name="c")
        return tl

    tl = asyncio.run(main())
    assert tl.overlapping("a", "b") and not tl.overlapping("a", "c")
    assert [r.name for r in tl.in_flight(tl.task("b").created)] == ["a", "b"]
    assert [r.name for r in tl.find(kind="task")] == ["a", "b", "c"]
    with pytest.raises(KeyError, match="no task named 'zzz'"):
        tl.task("zzz")
    json.dumps(tl.records())
    assert "3 rows" in repr(tl)


def test_a_timeline_starts_once():
    async def main() -> None:
        tl = Timeline()
        async with tl:
            pass
        with pytest.raises(RuntimeError, match="already been started"):
            async with tl:
                pass

    asyncio.run(main())


@pytest.mark.skipif(sys.version_info < (3, 12), reason="eager tasks are new in 3.12")
def test_composes_with_eager_task_factory():
    async def child() -> str:
        return "eager"

    async def parent() -> str:
        return await asyncio.create_task(child(), name="grandchild")

    async def main() -> Timeline:
        asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
        async with Timeline() as tl:
            task = asyncio.create_task(parent(), name="parent")
            assert task.done()  # eager all the way down
        return tl

    tl = asyncio.run(main())
    assert [(r.name, r.parent_name, r.outcome) for r in tl.tasks] == [
        ("parent", None, "result"), ("grandchild", "parent", "result")]


def test_import_is_cheap():
    code = ("import sys, aiolab; "
            "print(sorted(m for m in ('matplotlib', 'numpy', 'looptime', 'pytest') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_record_gives_the_main_coroutine_a_row():
    async def main(n: int) -> int:
        for _ in range(n):
            await asyncio.sleep(0.005)  # plain sequential awaits: steps of "main"
        await asyncio.create_task(sleeper(0.005), name="child")
        return n

    async def cell() -> tuple[int, Timeline]:
        return await aiolab.record(main, 3)

    result, tl = asyncio.run(cell())
    assert result == 3
    main_rec, child = tl.tasks
    assert (main_rec.name, main_rec.parent, main_rec.n_steps) == ("main", None, 5)
    assert child.parent_name == "main" and child.ended <= main_rec.ended
    assert 0.015 <= main_rec.ended < 1.0


def test_record_attaches_the_timeline_to_exceptions():
    async def main() -> None:
        await asyncio.sleep(0)
        raise LookupError("nope")

    async def cell() -> None:
        await aiolab.record(main())

    with pytest.raises(LookupError) as info:
        asyncio.run(cell())
    assert info.value.timeline.task("main").exception == "LookupError"


def test_a_future_is_refused_with_a_hint():
    async def cell() -> None:
        with pytest.raises(TypeError, match="async def main"):
            await aiolab.record(asyncio.gather, sleeper(0))

    asyncio.run(cell())
