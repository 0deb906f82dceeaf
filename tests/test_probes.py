"""The kernel-side probes (aiolab.probes) on answers that go wrong in ways that differ
between Python versions: a probe must report the same facts on every version, so that the
grader's verdict, and the reason it gives, do not depend on the interpreter."""

from __future__ import annotations

import asyncio

from aiolab import probes, run_virtual


async def sets_the_future_from_the_library_thread(start, timeout=None):
    """Lesson 07's classic mistake: the callback runs in the library's thread and sets the
    asyncio future directly instead of through loop.call_soon_threadsafe."""
    fut = asyncio.get_running_loop().create_future()

    def callback(value):
        if not fut.done():
            fut.set_result(value)

    start(callback)
    return await asyncio.wait_for(fut, timeout)


async def reaches_the_loop_thread_safely(start, timeout=None):
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    def deliver(value):
        if not fut.done():
            fut.set_result(value)

    start(lambda value: loop.call_soon_threadsafe(deliver, value))
    return await asyncio.wait_for(fut, timeout)


def _called_back(answer, *, debug):
    seen, _ = run_virtual(probes.library_calling_back, answer, [[1, "one"]], [], [2], {}, 0.0, debug, 60.0,
                          limit=600)
    return seen


def test_a_callback_that_raises_in_the_librarys_thread_is_reported_on_every_version():
    """In debug mode, setting the future from another thread raises RuntimeError in that
    thread. On 3.11 the task still wakes; from 3.12 it never does (the future is done but
    its callbacks were never scheduled), so the probe must stop waiting by itself and report
    the thread's error, not run into the virtual time limit."""
    seen = _called_back(sets_the_future_from_the_library_thread, debug=True)
    assert seen["callback_errors"], seen
    name, message = seen["callback_errors"][0]
    assert name == "RuntimeError" and "Non-thread-safe operation" in message, seen
    assert seen["outcome"] in ("returned", "still waiting"), seen


def test_a_thread_safe_answer_returns_the_value_at_the_time_of_the_call():
    seen = _called_back(reaches_the_loop_thread_safely, debug=True)
    assert (seen["outcome"], seen["value"], seen["callback_errors"], seen["loop_errors"]) == \
        ("returned", "one", [], []), seen
    assert abs(seen["at"] - 1) < 0.01, seen


def test_without_debug_mode_the_direct_set_goes_unnoticed_by_the_probe():
    """Outside debug mode asyncio does not check the thread: no error to report (the graded
    scenario that catches the mistake is the one in debug mode)."""
    seen = _called_back(sets_the_future_from_the_library_thread, debug=False)
    assert seen["callback_errors"] == [], seen
