"""Hidden checks of lesson 05 · gather and wait.

Every exercise takes a list of *jobs* (async functions of no arguments). The scenarios make
their jobs with :func:`make_job` (a job that names the task running it, so each job is a row
of the chart) and watch a call with :func:`drive` (the call, then 10 s more, so a job left
running shows up). The visible scenarios use the same two helpers, from the lesson's
exercise setup cell; these are the hidden side's own copies, defined once for all four
exercises.

``fetch_all(jobs)`` (3 points):

| requirement                                           | scenario                                              | points |
|-------------------------------------------------------|-------------------------------------------------------|--------|
| a list of values in the order of `jobs`               | V "returns the values in the order of jobs"           | 0.5    |
|                                                       | H "values follow the order of jobs, not of finishing" | 0.25   |
| all at the same time: as long as the longest job      | V "runs the jobs at the same time: ... 3 s"           | 0.5    |
|                                                       | H "20 jobs of 1 to 20 s: ... in 20 s"                  | 0.25   |
| every job starts at once and runs exactly once        | H "every job starts at 0 s and runs once, to its end" | 0.5    |
| a job listed twice runs twice                         | H "a job listed twice runs twice"                     | 0.25   |
| `None` and `0` are kept                               | H "None and 0 are values like any other"              | 0.25   |
| `fetch_all([])` returns `[]` at once                  | H "fetch_all([]) returns [] at once"                  | 0.5    |

``first_wins(jobs)`` (4 points):

| requirement                                           | scenario                                              | points |
|-------------------------------------------------------|-------------------------------------------------------|--------|
| the value of the job that finishes first, at once     | V "returns the value of the job that finishes first"  | 0.5    |
|                                                       | H "a winner that returns None still wins"             | 0.25   |
|                                                       | H "a single job: its value, after its time"           | 0.25   |
| cancel all the others at the winner's time; never     | V "cancels the other jobs when the winner finishes"   | 0.75   |
| turn a CancelledError into a return                   |                                                       |        |
| first to finish raised: that very exception           | H "the first job to finish raised: that exception"    | 0.5    |
| ... the other jobs are cancelled just the same         | H "... and the other jobs are cancelled then"         | 0.5    |
| `jobs` empty: ValueError                              | H "no jobs: ValueError"                               | 0.5    |
| cancelled itself: cancels all its jobs (and ends      | H "cancelled itself at 1.5 s: ends cancelled then"    | 0.25   |
| cancelled, CancelledError not swallowed)              | H "... and cancels every job then"                    | 0.5    |

``successes_and_failures(jobs)`` (3 points):

| requirement                                           | scenario                                              | points |
|-------------------------------------------------------|-------------------------------------------------------|--------|
| `(results, errors)`: values of the successes, the     | V "returns (results, errors)"                         | 0.75   |
| exception objects of the failures                     |                                                       |        |
| all at once, every job to its end: the longest job    | V "lets every job run to its end, all at once: 3 s"   | 0.5    |
|                                                       | H "every job starts at 0 s and runs to its end"       | 0.25   |
| errors in the order of `jobs`, the objects themselves | H "all jobs fail: errors ... in the order of jobs"    | 0.5    |
| a returned exception object is a success              | H "a job that returns an exception object succeeded"  | 0.5    |
| a failure stops nobody                                | H "a failure at 1 s stops nobody"                     | 0.25   |
| `successes_and_failures([])` is `([], [])`            | H "no jobs: ([], []) at once"                         | 0.25   |

``all_or_nothing(jobs)`` (4 points):

| requirement                                           | scenario                                              | points |
|-------------------------------------------------------|-------------------------------------------------------|--------|
| all succeed: values in the order of `jobs`            | V "all succeed: the values in the order of jobs"      | 0.5    |
|                                                       | H "all succeed: ... nothing cancelled, in 4 s"        | 0.5    |
| one fails: raise that exception at once, the object   | V "job 'b' fails at 1 s: its ValueError is raised"    | 0.5    |
| itself; the first failure *in time*; no ExceptionGroup| H "the first failure in time is raised, not a group"  | 0.5    |
| ... and cancel every job still running, at that moment| V "the other jobs are cancelled at 1 s"               | 0.5    |
|                                                       | H "after the first failure ... cancelled at 2 s"      | 0.5    |
| `all_or_nothing([])` returns `[]`                     | H "all_or_nothing([]) returns []"                     | 0.25   |
| cancelled itself: cancels all its jobs                | H "cancelled itself at 1.5 s: ends cancelled then"    | 0.25   |
|                                                       | H "... and cancels every job then"                    | 0.5    |
"""

from __future__ import annotations

import asyncio

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "05-gather-and-wait"
OWN_TASKS = ("main", "call")       # the tests' own tasks: never renamed, never a job


# ---- helpers shared by every exercise --------------------------------------------------

def make_job(name, delay, value=None, error=None):
    """A job: names the task that runs it `name`, waits `delay` seconds, then raises `error`
    if one is given, else returns `value`."""
    async def test_job():
        task = asyncio.current_task()
        if task.get_name() not in OWN_TASKS:
            task.set_name(name)
        await asyncio.sleep(delay)
        if error is not None:
            raise error
        return value
    return test_job


def job_row(run, name):
    found = run.timeline.find(name)
    assert len(found) == 1, (
        f"job {name!r} should run exactly once, in a task of its own; tasks that ran it: "
        f"{len(found)} (tasks recorded: {[r.name for r in run.timeline.tasks]})")
    return found[0]


async def drive(fn, jobs, cancel_after=None):
    """Call fn(jobs) as a caller would (cancelling it after `cancel_after` s if given), note
    how and when it ended, then stay alive 10 s more: a job left running shows up then."""
    loop = asyncio.get_running_loop()
    call = asyncio.create_task(fn(jobs), name="call")
    if cancel_after is not None:
        await asyncio.sleep(cancel_after)
        call.cancel()
    try:
        outcome = ("value", await call)
    except asyncio.CancelledError:
        outcome = ("cancelled", None)
    except Exception as err:        # noqa: BLE001 - an outcome, reported by the scenario
        outcome = ("error", err)
    return outcome, loop.time()


async def _drive_and_watch(fn, jobs, cancel_after=None):
    result = await drive(fn, jobs, cancel_after)
    await asyncio.sleep(10)
    return result


def driven(fn, jobs, cancel_after=None):
    """grading.run of drive(...) then 10 s of watching: (run, how, value, ended_at)."""
    run = grading.run(_drive_and_watch, fn, jobs, cancel_after)
    (how, value), ended_at = run.result
    return run, how, value, ended_at


def ended(how, value, ended_at) -> str:
    what = {"value": f"returned {value!r}", "cancelled": "ended cancelled",
            "error": f"raised {type(value).__name__}" + (f": {value}" if str(value) else "")}[how]
    return f"it {what} at {ended_at:g} s"


def expect_nothing_left(run, ended_at, why, reference=None, jobs=(), cancel_after=None):
    """Every task the call started must be over when the call ends; if not, show the chart
    above the expected one (``reference``, a model answer)."""
    late = [f"{r.name} (ended {r.outcome} at {r.ended} s)" for r in run.timeline.tasks
            if r.name not in OWN_TASKS and (r.ended is None or r.ended > ended_at + grading.TOLERANCE)]
    if late:
        expected = grading.reference_timeline(_drive_and_watch, reference, jobs, cancel_after) if reference else None
        grading.show_comparison(run.timeline, expected, f"the call ended at {ended_at:g} s")
        raise grading.GradingFailure(f"{why}; still running after {ended_at:g} s: " + ", ".join(late))


def expect_rows(run, rows, why=""):
    """rows: (name, started, ended, outcome or None) each job's row must match."""
    for name, started, end, outcome in rows:
        rec = job_row(run, name)
        ok = ((started is None or rec.started == started) and rec.ended == end
              and (rec.outcome == outcome if outcome else rec.outcome != "cancelled"))
        assert ok, (f"job {name!r} should run from {started if started is not None else 'its start'} s to "
                    f"{end:g} s and end {outcome or 'by itself'}; it ran from {rec.started} s to "
                    f"{rec.ended} s and ended {rec.outcome}{why}")


def as_list(result):
    return list(result) if isinstance(result, (list, tuple)) else result


def cancelled_by_its_caller(checks, fn, reference, delays, extra=""):
    """The two scenarios of "cancelled itself: cancels all its jobs (and ends cancelled)",
    shared by first_wins and all_or_nothing: jobs of ``delays`` seconds, the call cancelled
    by its caller at 1.5 s; every job still running then must be cancelled then."""

    def jobs():
        return [make_job(n, d, n) for n, d in delays.items()]

    @checks.scenario(f"cancelled by its caller at 1.5 s: {checks.exercise} ends cancelled then", points=0.25)
    def _():
        run, how, value, at = driven(fn, jobs(), cancel_after=1.5)
        assert how == "cancelled" and at == 1.5, (
            f"{checks.exercise} was cancelled at 1.5 s: it should end cancelled then{extra}; {ended(how, value, at)}")

    @checks.scenario("... and cancels every job then", points=0.5)
    def _():
        made = jobs()
        run, how, value, at = driven(fn, made, cancel_after=1.5)
        expect_nothing_left(run, 1.5, f"when {checks.exercise} itself is cancelled it must cancel its jobs",
                            reference=reference, jobs=made, cancel_after=1.5)
        expect_rows(run, [(n, 0, 1.5, "cancelled") for n, d in delays.items() if d > 1.5])


# ---- exercise 1 ------------------------------------------------------------------------

def fetch_all(fetch_all) -> Checks:
    checks = Checks("fetch_all")
    reference = model(LESSON, "fetch_all")

    @checks.scenario("every job starts at 0 s and runs once, to its end: a, b, c end at 3, 1 and 2 s", points=0.5)
    def _():
        run = grading.run(fetch_all, [make_job("a", 3, "A"), make_job("b", 1, "B"), make_job("c", 2, "C")])
        expect_rows(run, [("a", 0, 3, None), ("b", 0, 1, None), ("c", 0, 2, None)])

    @checks.scenario("fetch_all([]) returns [] at once", points=0.5)
    def _():
        run = grading.run(fetch_all, [])
        assert isinstance(run.result, list) and run.result == [], f"fetch_all([]) should return [], got {run.result!r}"
        grading.expect_elapsed(run, 0.0, reference=reference, args=([],),
                               hint="with no jobs there is nothing to wait for")

    @checks.scenario("20 jobs of 1 to 20 s: [0, 1, ..., 19] in input order, in 20 s", points=0.25)
    def _():
        jobs = [make_job(f"j{i}", 1 + (i * 7) % 20, i) for i in range(20)]
        run = grading.run(fetch_all, jobs)
        assert as_list(run.result) == list(range(20)), (
            f"20 jobs: expected [0, 1, ..., 19] in input order, got {run.result!r}")
        grading.expect_elapsed(run, 20.0, reference=reference, args=(jobs,),
                               hint="20 jobs of 1 to 20 s, all at once, take 20 s")

    @checks.scenario("values follow the order of jobs, not of finishing: delays 5, 4, 3, 2, 1 give [5, 4, 3, 2, 1]",
                     points=0.25)
    def _():
        jobs = [make_job(f"r{d}", d, d) for d in (5, 4, 3, 2, 1)]
        run = grading.run(fetch_all, jobs)
        assert as_list(run.result) == [5, 4, 3, 2, 1], (
            f"results must follow the input order, not the finishing order: expected [5, 4, 3, 2, 1], got {run.result!r}")

    @checks.scenario("a job listed twice runs twice, and each place gets the value of its own run", points=0.25)
    def _():
        runs = []

        async def twice():
            runs.append(None)
            return await make_job("twice", 2, f"T{len(runs)}")()

        run = grading.run(fetch_all, [twice, make_job("once", 1, "once"), twice])
        got = as_list(run.result)
        assert (isinstance(got, list) and len(got) == 3 and got[0:3:2] in (["T1", "T2"], ["T2", "T1"])
                and got[1] == "once"), (
            f"a job listed twice runs twice and each place in the list gets the value of its own run: "
            f"expected ['T1', 'once', 'T2'], got {run.result!r}")
        assert len(runs) == 2, f"the job listed twice should run twice; it ran {len(runs)} time(s)"

    @checks.scenario("None and 0 are values like any other: [None, 0] stay in the list", points=0.25)
    def _():
        jobs = [make_job("none", 4, None), make_job("zero", 1, 0), make_job("x", 2, "x")]
        run = grading.run(fetch_all, jobs)
        got = as_list(run.result)
        assert isinstance(got, list) and len(got) == 3 and got[0] is None and got[1] == 0 and got[2] == "x", (
            f"jobs returning None, 0 and 'x': expected [None, 0, 'x'], got {run.result!r}")

    return checks


# ---- exercise 2 ------------------------------------------------------------------------

def first_wins(first_wins) -> Checks:
    checks = Checks("first_wins")
    reference = model(LESSON, "first_wins")

    @checks.scenario("a winner that returns None still wins: None after 2 s", points=0.25)
    def _():
        jobs = [make_job("late", 4, "late"), make_job("nothing", 2, None)]
        run = grading.run(first_wins, jobs)
        assert run.result is None, (
            f"the first job to finish returned None, so first_wins should return None; got {run.result!r}")
        grading.expect_elapsed(run, 2.0, reference=reference, args=(jobs,))

    @checks.scenario("a single job: its value, after its 5 s", points=0.25)
    def _():
        jobs = [make_job("only", 5, "only")]
        run = grading.run(first_wins, jobs)
        assert run.result == "only", f"with a single job, first_wins returns its value; got {run.result!r}"
        grading.expect_elapsed(run, 5.0, reference=reference, args=(jobs,))

    def first_fails():
        boom = KeyError("first to finish, and failed")
        jobs = [make_job("ok", 3, "ok"), make_job("boom", 1, error=boom), make_job("ok2", 2, "ok2")]
        return boom, jobs

    @checks.scenario("the first job to finish raised: first_wins raises that very exception, at 1 s", points=0.5)
    def _():
        boom, jobs = first_fails()
        run, how, value, at = driven(first_wins, jobs)
        assert how == "error" and value is boom and at == 1.0, (
            f"the first job to finish raised KeyError at 1 s: first_wins should raise that very "
            f"exception at 1 s; {ended(how, value, at)}")

    @checks.scenario("... and then the other jobs are cancelled just the same, at 1 s", points=0.5)
    def _():
        boom, jobs = first_fails()
        run, how, value, at = driven(first_wins, jobs)
        expect_nothing_left(run, 1.0, "when the first job to finish fails, the others must be cancelled too",
                            reference=reference, jobs=jobs)
        expect_rows(run, [("ok", 0, 1, "cancelled"), ("ok2", 0, 1, "cancelled")])

    @checks.scenario("no jobs: first_wins([]) raises ValueError", points=0.5)
    def _():
        try:
            run = grading.run(first_wins, [])
        except ValueError:
            return
        raise AssertionError(f"first_wins([]) should raise ValueError (with no jobs there is no winner); "
                             f"it returned {run.result!r}")

    cancelled_by_its_caller(checks, first_wins, reference, delays={"x": 3, "y": 4, "z": 5},
                            extra=" (a CancelledError is never turned into a normal return)")

    return checks


# ---- exercise 3 ------------------------------------------------------------------------

def successes_and_failures(successes_and_failures) -> Checks:
    checks = Checks("successes_and_failures")
    reference = model(LESSON, "successes_and_failures")

    def pair(run):
        assert isinstance(run.result, tuple) and len(run.result) == 2, (
            f"successes_and_failures should return a tuple (results, errors), got {run.result!r}")
        return run.result

    @checks.scenario("every job starts at 0 s and runs to its end: a, b (fails), c end at 2, 1 and 3 s",
                     points=0.25)
    def _():
        jobs = [make_job("a", 2, "A"), make_job("b", 1, error=ValueError("b failed")), make_job("c", 3, "C")]
        run = grading.run(successes_and_failures, jobs)
        expect_rows(run, [("a", 0, 2, None), ("b", 0, 1, None), ("c", 0, 3, None)])

    @checks.scenario("all jobs fail: errors are the exception objects, in the order of jobs, not of failing",
                     points=0.5)
    def _():
        errs = [OSError("first in the list"), KeyError("second"), RuntimeError("third")]
        jobs = [make_job(f"f{i}", 3 - i, error=e) for i, e in enumerate(errs)]
        run = grading.run(successes_and_failures, jobs)
        results, errors = pair(run)
        assert list(results) == [], f"no job succeeded, so results should be [], got {results!r}"
        assert len(errors) == 3 and all(a is b for a, b in zip(errors, errs)), (
            f"errors must be the exception objects themselves, in input order: expected {errs!r}, got {errors!r}")
        grading.expect_elapsed(run, 3.0, reference=reference, args=(jobs,))

    @checks.scenario("a job that returns an exception object succeeded: its value goes in results", points=0.5)
    def _():
        returned, raised = ValueError("I am a return value"), ValueError("I was raised")
        jobs = [make_job("ret", 2, returned), make_job("none", 1, None), make_job("raise", 4, error=raised),
                make_job("last", 3, "last")]
        run = grading.run(successes_and_failures, jobs)
        results, errors = pair(run)
        assert len(results) == 3 and results[0] is returned and list(results[1:]) == [None, "last"], (
            f"a job that *returns* an exception object succeeded: expected results "
            f"[{returned!r}, None, 'last'], got {results!r}")
        assert len(errors) == 1 and errors[0] is raised, (
            f"only the raised exception is an error: expected [{raised!r}], got {errors!r}")

    @checks.scenario("a failure at 1 s stops nobody: the 6 s job runs to its end", points=0.25)
    def _():
        jobs = [make_job("early", 1, error=EOFError("early")), make_job("long", 6, "long")]
        run = grading.run(successes_and_failures, jobs)
        results, errors = pair(run)
        assert list(results) == ["long"] and len(errors) == 1, f"expected (['long'], [EOFError('early')]), got {run.result!r}"
        grading.expect_elapsed(run, 6.0, reference=reference, args=(jobs,),
                               hint="the 6 s job must run to its end even though another job failed at 1 s")
        expect_rows(run, [("long", 0, 6, None)])

    @checks.scenario("no jobs: successes_and_failures([]) returns ([], []) at once", points=0.25)
    def _():
        run = grading.run(successes_and_failures, [])
        assert run.result == ([], []), f"no jobs: expected ([], []), got {run.result!r}"
        grading.expect_elapsed(run, 0.0, reference=reference, args=([],))

    return checks


# ---- exercise 4 ------------------------------------------------------------------------

def all_or_nothing(all_or_nothing) -> Checks:
    checks = Checks("all_or_nothing")
    reference = model(LESSON, "all_or_nothing")

    def early_failure():
        early, late = KeyError("fails at 2 s"), OSError("would fail at 4 s")
        jobs = [make_job("late", 4, error=late), make_job("ok", 1, "ok"), make_job("early", 2, error=early),
                make_job("slow", 5, "slow")]
        return early, jobs

    @checks.scenario("the first failure in time is raised at once, itself, not in an ExceptionGroup: "
                     "'early' at 2 s, not 'late'", points=0.5)
    def _():
        early, jobs = early_failure()
        run, how, value, at = driven(all_or_nothing, jobs)
        if isinstance(value, BaseExceptionGroup):
            raise AssertionError(f"all_or_nothing raised {value!r}: raise the job's own exception, not a group")
        assert how == "error" and value is early and at == 2.0, (
            f"job 'early' failed first, at 2 s: all_or_nothing should raise that KeyError itself at 2 s; "
            f"{ended(how, value, at)}")

    @checks.scenario("after the first failure everything still running is cancelled at that moment (2 s)",
                     points=0.5)
    def _():
        early, jobs = early_failure()
        run, how, value, at = driven(all_or_nothing, jobs)
        expect_nothing_left(run, 2.0, "after the first failure nothing may keep running",
                            reference=reference, jobs=jobs)
        expect_rows(run, [("late", 0, 2, "cancelled"), ("slow", 0, 2, "cancelled"), ("ok", 0, 1, None)])

    @checks.scenario("all succeed: [40, 10, 30, 20] in the order of jobs, in 4 s, nothing cancelled", points=0.5)
    def _():
        jobs = [make_job(f"s{d}", d, d * 10) for d in (4, 1, 3, 2)]
        run = grading.run(all_or_nothing, jobs)
        assert as_list(run.result) == [40, 10, 30, 20], f"expected [40, 10, 30, 20] in input order, got {run.result!r}"
        grading.expect_elapsed(run, 4.0, reference=reference, args=(jobs,))
        cancelled = [r.name for r in run.timeline.tasks if r.outcome == "cancelled"]
        assert not cancelled, f"when every job succeeds, none may be cancelled; cancelled: {cancelled}"

    @checks.scenario("all_or_nothing([]) returns []", points=0.25)
    def _():
        run = grading.run(all_or_nothing, [])
        assert as_list(run.result) == [], f"all_or_nothing([]) should return [], got {run.result!r}"

    cancelled_by_its_caller(checks, all_or_nothing, reference, delays={"x": 3, "y": 4, "z": 1})

    return checks


EXERCISES = {"fetch_all": fetch_all, "first_wins": first_wins,
             "successes_and_failures": successes_and_failures, "all_or_nothing": all_or_nothing}
check = checker(EXERCISES)
