"""Hidden checks of lesson 02 · Tasks.

``start_all(jobs)`` (3 points). Requirements of the exercise text, and where each is checked
(V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                                | scenario                                                 | points |
|------------------------------------------------------------|----------------------------------------------------------|--------|
| returns a dict name -> value of the job                    | V "returns each job's value under its name"              | 0.5    |
| one task per job, named `name`, and no other tasks         | V "creates one task per job, named after it"             | 0.5    |
| concurrently: as long as the longest delay                 | V "the jobs run concurrently ..."; H "200 jobs ..."      | 0.5+0.25 |
| any values (None, 0, lists) returned as they are           | H "values of any kind ..."                               | 0.25   |
| dict in the order of `jobs`                                | H "the dict lists the names in the order of jobs"        | 0.25   |
| each task created directly by start_all, at once; ends normally | H "every task is created by start_all itself ..."   | 0.5    |
| an empty list gives `{}` at once, creating no task         | H "an empty list returns {} at once ..."                 | 0.25   |

``BackgroundJobs`` (4 points):

| requirement                                                | scenario                                                 | points |
|------------------------------------------------------------|----------------------------------------------------------|--------|
| spawn() starts a task named `name` and returns it          | V "spawn() starts a task named after the job ..."        | 0.5    |
| running(): sorted names of unfinished tasks                | V "running() lists the unfinished jobs, sorted ..."      | 0.5    |
| wait_all() returns None once no task is unfinished         | V "wait_all() returns None when the last job is done"    | 0.5    |
| ... including tasks spawned while it waits                 | H "wait_all() also waits for jobs spawned while it waits"| 0.5    |
| a job that raises does not make wait_all() raise           | H "a job that raises ..."                                | 0.25   |
| a cancelled job does not make wait_all() raise             | H "a job cancelled by someone else ..."                  | 0.25   |
| nothing running: both return at once, cancel_all() -> []   | H "with nothing spawned ..."                             | 0.25   |
| cancel_all(): cancels unfinished, waits cleanup, sorted names | H "cancel_all() cancels the unfinished jobs ..."      | 0.5    |
| strong reference until done (callers may drop the task)    | H "a job nobody else references survives gc.collect()"   | 0.5    |
| ... and no longer                                          | H "finished tasks are released at once ..."              | 0.25   |
"""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "02-tasks"


async def run_job(delay: float, value):
    """The lesson's stand-in for real work (its exercise setup cell defines the same)."""
    await asyncio.sleep(delay)
    return value


def _created_names(run) -> list[str]:
    return [rec.name for rec in run.timeline.tasks if rec.name != "main"]


MIXED = [("upload", 3, [1, 2]), ("resize", 1, None), ("index", 5, "ok"), ("ping", 0, 0), ("mail", 3, "sent")]


def start_all(start_all) -> Checks:
    checks = Checks("start_all")
    # The answer calls the notebook's run_job; a model answer read with model() (as
    # tests/test_checks.py does, without a namespace) finds this module's copy instead.
    getattr(start_all, "__globals__", {}).setdefault("run_job", run_job)

    def reference():
        return model(LESSON, "start_all", namespace={"run_job": run_job})

    @checks.scenario("values of any kind are returned as they are: None, 0, [1, 2], 'ok', 'sent'", points=0.25)
    def _():
        run = grading.run(start_all, MIXED)
        expected = {name: value for name, _, value in MIXED}
        assert run.result == expected, f"start_all({MIXED}) returned {run.result!r}, expected {expected}"

    @checks.scenario("the dict lists the names in the order of jobs, not in the order the jobs finish", points=0.25)
    def _():
        run = grading.run(start_all, MIXED)
        names = [name for name, _, _ in MIXED]
        got = list(run.result) if isinstance(run.result, dict) else run.result
        assert got == names, (f"start_all(jobs) for jobs named {names} returned a dict whose names are in the "
                              f"order {got}; expected the order of jobs.")

    @checks.scenario("every task is created by start_all itself, at t = 0, and ends with its job's value",
                     points=0.5)
    def _():
        run = grading.run(start_all, MIXED)
        names = _created_names(run)
        assert names == [name for name, _, _ in MIXED], (
            f"Expected one task per job, named after it, in the order of jobs; your code created {names}")
        for name, _, _ in MIXED:
            rec = run.timeline.task(name)
            assert rec.parent_name == "main", (
                f"Task {name!r} was created by the task {rec.parent_name!r}, not by start_all itself: "
                "create every task directly in start_all.")
            assert rec.created == 0.0, (
                f"Task {name!r} was created at t = {rec.created:g} s; create every task at once, before "
                "awaiting any of them.")
            assert rec.outcome == "result", f"Task {name!r} should end with its job's value; it ended {rec.outcome!r}"

    @checks.scenario("an empty list returns {} at once, creating no task", points=0.25)
    def _():
        run = grading.run(start_all, [])
        assert run.result == {}, f"start_all([]) returned {run.result!r}, expected {{}}"
        assert _created_names(run) == [], f"start_all([]) created the tasks {_created_names(run)}, expected none"
        grading.expect_elapsed(run, 0.0, hint="With no jobs there is nothing to wait for.")

    @checks.scenario("200 jobs of 4 s each all run at once: start_all takes 4 s", points=0.25)
    def _():
        many = [(f"job-{i}", 4, i) for i in range(200)]
        run = grading.run(start_all, many)
        assert run.result == {f"job-{i}": i for i in range(200)}, \
            "start_all with 200 jobs (values 0 to 199) returned wrong values"
        grading.expect_elapsed(run, 4.0, reference=reference(), args=(many,),
                               hint="200 jobs of 4 s each should all run at once.")

    return checks


# ---- BackgroundJobs -------------------------------------------------------------------------

async def _parent(jobs):
    await asyncio.sleep(1)
    jobs.spawn(run_job(2, None), "child")


async def _spawned_late(jobs_class):
    jobs = jobs_class()
    jobs.spawn(_parent(jobs), "parent")
    await jobs.wait_all()
    return jobs.running()


async def _fails():
    await asyncio.sleep(1)
    raise ValueError("job failed")


async def _with_failure(jobs_class):
    jobs = jobs_class()
    bad = jobs.spawn(_fails(), "bad")
    good = jobs.spawn(run_job(2, "fine"), "good")
    try:
        await jobs.wait_all()
    except Exception as err:   # noqa: BLE001 - reported to the learner
        bad.exception()
        return f"wait_all() raised {type(err).__name__}: {err}"
    return type(bad.exception()).__name__, good.result(), jobs.running()


async def _with_cancelled(jobs_class):
    jobs = jobs_class()
    doomed = jobs.spawn(run_job(5, None), "doomed")
    jobs.spawn(run_job(2, "fine"), "fine")
    await asyncio.sleep(1)
    doomed.cancel()
    try:
        await jobs.wait_all()
    except (Exception, asyncio.CancelledError) as err:   # noqa: BLE001 - reported to the learner
        return f"wait_all() raised {type(err).__name__}: {err}"
    return doomed.cancelled(), jobs.running()


async def _nothing(jobs_class):
    jobs = jobs_class()
    await jobs.wait_all()
    return await jobs.cancel_all(), jobs.running()


async def _stubborn(log, name):
    try:
        await asyncio.sleep(100)
    finally:
        await asyncio.sleep(1)          # cleanup takes 1 s
        log.append(name)


async def _shutdown(jobs_class):
    jobs = jobs_class()
    log = []
    jobs.spawn(_stubborn(log, "y"), "y")
    jobs.spawn(_stubborn(log, "x"), "x")
    early = jobs.spawn(run_job(0.5, None), "early")
    await asyncio.sleep(2)
    cancelled = await jobs.cancel_all()
    return cancelled, sorted(log), jobs.running(), early.cancelled()


def _on_a_loop_of_its_own(main, *args):
    """Run ``main(*args)`` with asyncio.run in a thread of its own: no timeline (which would
    hold the tasks) and no other loop in that thread. Real time, but the waits are tiny; the
    cell's real-time budget only stops an answer that never finishes (a daemon thread, so a
    stuck one is left behind rather than hanging the cell)."""
    outcome = {}
    budget = grading.budget()
    limit = budget.limit()

    def target():
        try:
            outcome["result"] = asyncio.run(asyncio.wait_for(main(*args), limit))
        except BaseException as err:   # noqa: BLE001 - reported to the learner below
            outcome["error"] = err

    thread = threading.Thread(target=target, name="gc check", daemon=True)
    thread.start()
    thread.join(limit + 1)
    if thread.is_alive():
        budget.note_stuck(f"an earlier run was stopped after {limit:g} s of real time")
        raise grading.GradingFailure(
            f"Your code was still running after {limit:g} s of real time (an endless "
            "loop, or a job that ignores cancellation?).")
    error = outcome.get("error")
    if isinstance(error, TimeoutError):
        budget.note_stuck(f"an earlier run was stopped after {limit:g} s of real time")
        raise grading.GradingFailure(
            f"Your code did not finish within {limit:g} s of real time: it waits for "
            "something that never happens, or loops without ever waiting.")
    if error is not None:
        raise error
    return outcome["result"]


async def _waits_for_nothing():
    await asyncio.get_running_loop().create_future()


async def _survives_gc(jobs_class):
    jobs = jobs_class()
    jobs.spawn(_waits_for_nothing(), "orphan")      # the returned task is dropped on purpose
    await asyncio.sleep(0)
    gc.collect()
    after_gc = jobs.running()
    cancelled = await jobs.cancel_all()
    return after_gc, cancelled, jobs.running()


async def _released(jobs_class):
    jobs = jobs_class()
    short = jobs.spawn(run_job(0.01, None), "short")
    await asyncio.wait([short])                     # waited for by the caller, not wait_all()
    finished = weakref.ref(short)
    del short
    await asyncio.sleep(0)
    gc.collect()
    alone = finished() is None

    jobs = jobs_class()
    finished = weakref.ref(jobs.spawn(run_job(0.01, None), "short"))
    await jobs.wait_all()
    await asyncio.sleep(0)
    gc.collect()
    return alone, finished() is None


def background_jobs(BackgroundJobs) -> Checks:
    checks = Checks("background_jobs")

    def reference():
        return model(LESSON, "BackgroundJobs", "background_jobs")

    @checks.scenario("wait_all() also waits for jobs spawned while it waits: 'child', spawned at t = 1 s "
                     "for 2 s, ends at t = 3 s", points=0.5)
    def _():
        run = grading.run(_spawned_late, BackgroundJobs)
        grading.expect_elapsed(run, 3.0, reference=_spawned_late, args=(reference(),),
                               hint="wait_all() must also wait for 'child', which 'parent' spawns at t = 1 s.")
        assert run.result == [], f"running() should be [] after wait_all(); it was {run.result!r}"

    @checks.scenario("a job that raises does not make wait_all() raise, nor stop the others", points=0.25)
    def _():
        run = grading.run(_with_failure, BackgroundJobs)
        assert run.result == ("ValueError", "fine", []), (
            "With a job 'bad' that raises ValueError at t = 1 s and a job 'good' of 2 s, wait_all() should "
            "wait for both and return without raising: expected (bad's exception, good's value, running()) "
            f"== ('ValueError', 'fine', []); got {run.result!r}")
        grading.expect_elapsed(run, 2.0, reference=_with_failure, args=(reference(),))

    @checks.scenario("a job cancelled by someone else does not make wait_all() raise", points=0.25)
    def _():
        run = grading.run(_with_cancelled, BackgroundJobs)
        assert run.result == (True, []), (
            "After the caller cancels the job 'doomed' at t = 1 s, wait_all() should wait for the other "
            "job and return without raising, and 'doomed' should end cancelled: expected "
            f"(doomed.cancelled(), running()) == (True, []); got {run.result!r}")
        grading.expect_elapsed(run, 2.0, reference=_with_cancelled, args=(reference(),))

    @checks.scenario("with nothing spawned, wait_all() and cancel_all() return at once, and cancel_all() "
                     "returns []", points=0.25)
    def _():
        run = grading.run(_nothing, BackgroundJobs)
        assert run.result == ([], []), (
            f"With no jobs, cancel_all() should return [] and running() []; got {run.result!r}")
        grading.expect_elapsed(run, 0.0, hint="With no jobs, wait_all() and cancel_all() must not wait.")

    @checks.scenario("cancel_all() cancels the unfinished jobs, waits for their cleanup and returns their "
                     "sorted names", points=0.5)
    def _():
        run = grading.run(_shutdown, BackgroundJobs)
        assert run.result == (["x", "y"], ["x", "y"], [], False), (
            "At t = 2 s, cancel_all() should cancel 'x' and 'y' (not 'early', which had finished), wait "
            "until their 1 s cleanup is done, and return ['x', 'y']; got (returned, cleaned up, "
            f"running(), early cancelled) = {run.result!r}")
        grading.expect_elapsed(run, 3.0, reference=_shutdown, args=(reference(),),
                               hint="cancel_all() must wait for the 1 s cleanup of the cancelled jobs.")
        for name in ("x", "y"):
            outcome = run.timeline.task(name).outcome
            assert outcome == "cancelled", f"Job {name!r} should end cancelled; it ended {outcome!r}"

    @checks.scenario("a job waiting for something nobody else references survives gc.collect(), "
                     "even though the caller dropped its task", points=0.5)
    def _():
        after_gc, cancelled, after = _on_a_loop_of_its_own(_survives_gc, BackgroundJobs)
        assert after_gc == ["orphan"], (
            f"After gc.collect(), running() should still be ['orphan']; it was {after_gc!r}: the task was "
            "garbage-collected, so BackgroundJobs holds no strong reference to it.")
        assert cancelled == ["orphan"], f"cancel_all() should then cancel 'orphan' and return ['orphan']; got {cancelled!r}"
        assert after == [], f"running() should be [] after cancel_all(); it was {after!r}"

    @checks.scenario("finished tasks are released at once: when done, with or without wait_all()", points=0.25)
    def _():
        alone, after_wait_all = _on_a_loop_of_its_own(_released, BackgroundJobs)
        assert alone, ("BackgroundJobs still holds a task that has finished (its caller awaited it, nobody "
                       "called wait_all()): it should drop each task as soon as it is done.")
        assert after_wait_all, "BackgroundJobs still holds a task that has finished after wait_all() returned."

    return checks


EXERCISES = {"start_all": start_all, "background_jobs": background_jobs}
ANSWERS = {"background_jobs": ("BackgroundJobs",)}
check = checker(EXERCISES)
