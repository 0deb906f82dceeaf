"""Hidden checks of lesson 02 · Tasks, judged outside the kernel (:mod:`coursetools.judge`;
the kernel runs the learner's code through :mod:`aiolab.probes`).

``start_all(jobs)`` (3 points). Requirements of the exercise text, and where each is checked
(V: visible scenario in the notebook, made again here from data at grading time; H: hidden
scenario). Each scenario asks for the jobs of its title and for jobs picked at random
(names, delays, values), except "an empty list":

| requirement                                                | scenario                                                 | points |
|------------------------------------------------------------|----------------------------------------------------------|--------|
| returns a dict name -> value of the job                    | V "returns each job's value under its name"              | 0.5    |
| one task per job, named `name`, and no other tasks         | V "creates one task per job, named after it"             | 0.5    |
| concurrently: as long as the longest delay                 | V "the jobs run concurrently ..."; H "200 jobs ..."      | 0.5+0.25 |
| any values (None, 0, lists) returned as they are           | H "values of any kind ..."                               | 0.25   |
| dict in the order of `jobs`                                | H "the dict lists the names in the order of jobs"        | 0.25   |
| each task created directly by start_all, at once; ends normally | H "every task is created by start_all itself ..."   | 0.5    |
| an empty list gives `{}` at once, creating no task         | H "an empty list returns {} at once ..."                 | 0.25   |

``BackgroundJobs`` (4 points), driven by probes that spawn the lesson's job (``run_job``)
from plain data; each scenario also asks for names and times picked at random, except
"with nothing spawned":

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

The two garbage-collection scenarios run on a loop of their own in the kernel (a timeline
holds on to the tasks it records).
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

from aiolab import grading, messages, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "02-tasks"


async def run_job(delay: float, value: Any) -> Any:
    """The lesson's stand-in for real work (its exercise setup cell defines the same), for
    the model answer that draws the expected chart."""
    await asyncio.sleep(delay)
    return value


def _listed(names: list[str]) -> str:
    return messages.series([repr(n) for n in names])


def _quarters(count: int, low: float, high: float) -> list[float]:
    """``count`` distinct random delays between ``low`` and ``high`` s, in quarters of a second."""
    return [q / 4 for q in judge.rng.sample(range(int(low * 4), int(high * 4) + 1), count)]


def _out_of_order(names: list[str]) -> list[str]:
    """``names`` shuffled, never sorted (so an answer that does not sort is caught)."""
    while names == sorted(names):
        judge.rng.shuffle(names)
    return names


def _one(answer: judge.Answer, kind: type = dict) -> Any:
    (got,) = answer.values(1)
    if not isinstance(got, kind):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    return got


# ---- start_all ------------------------------------------------------------------------------

EXAMPLE = [("a", 2, "A"), ("b", 1, "B")]
MIXED = [("upload", 3, [1, 2]), ("resize", 1, None), ("index", 5, "ok"), ("ping", 0, 0), ("mail", 3, "sent")]


def _picked() -> list[tuple[str, float, Any]]:
    count = judge.rng.randint(2, 4)
    return list(zip(judge.names(count), _quarters(count, 1, 5), judge.names(count, taken=())))


def _mixed() -> list[tuple[str, float, Any]]:
    """Jobs whose values are of many kinds, listed out of the order they finish in."""
    count = judge.rng.randint(4, 6)
    kinds = judge.rng.sample([lambda: None, lambda: 0, lambda: [judge.rng.randint(0, 99) for _ in range(2)],
                              lambda: judge.names(1)[0], lambda: "", lambda: (judge.rng.randint(0, 99),)], count)
    delays = _quarters(count, 0, 6)
    while delays == sorted(delays):
        judge.rng.shuffle(delays)
    return [(name, delay, kind()) for name, delay, kind in zip(judge.names(count), delays, kinds)]


def _created(answer: judge.Answer) -> list[str]:
    return [rec.name for rec in answer.timeline.tasks if rec.name != "main"]


def _with_run_job(kernel: judge.Kernel) -> None:
    """In a kernel of this process (the instructor's notebook, the unit tests), an answer
    read with model() has no notebook around it: it finds this module's run_job instead."""
    for answer in getattr(kernel, "namespace", {}).values():
        getattr(answer, "__globals__", {}).setdefault("run_job", run_job)


def start_all_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("start_all")
    _with_run_job(kernel)
    ask = judge.shared(lambda jobs: kernel.call("start_all", (jobs,)))
    picked, mixed = _picked(), _mixed()

    def reference():
        return model(LESSON, "start_all", namespace={"run_job": run_job})

    @visible.scenario("returns each job's value under its name: {'a': 'A', 'b': 'B'}", points=0.5)
    def _():
        for jobs in (EXAMPLE, picked):
            (got,) = ask(jobs).values(1)
            expected = {name: value for name, _, value in jobs}
            if not got == expected:
                raise GradingFailure(f"start_all({jobs}) returned {got!r}, expected {expected!r}")

    @visible.scenario("creates one task per job, named after it, and no other task: 'a', 'b'", points=0.5)
    def _():
        for jobs in (EXAMPLE, picked):
            ask(jobs).values(1)
            names, expected = _created(ask(jobs)), [name for name, _, _ in jobs]
            if names != expected:
                raise GradingFailure(f"Expected one task per job, named {_listed(expected)} in that order; your "
                                     f"code created {names}")

    @visible.scenario("the jobs run concurrently: start_all takes 2 s, the longest delay, not 3 s", points=0.5)
    def _():
        for jobs in (EXAMPLE, picked):
            answer = ask(jobs)
            answer.values(1)
            judge.expect_elapsed(answer, max(d for _, d, _ in jobs), reference=reference(), args=(jobs,),
                                 hint="The jobs must run at the same time: create all the tasks before awaiting any.")

    @hidden.scenario("values of any kind are returned as they are: None, 0, [1, 2], 'ok', 'sent'", points=0.25)
    def _():
        for jobs in (MIXED, mixed):
            (got,) = ask(jobs).values(1)
            expected = {name: value for name, _, value in jobs}
            if not got == expected:
                raise GradingFailure(f"start_all({jobs}) returned {got!r}, expected {expected}")

    @hidden.scenario("the dict lists the names in the order of jobs, not in the order the jobs finish", points=0.25)
    def _():
        for jobs in (MIXED, mixed):
            (got,) = ask(jobs).values(1)
            names = [name for name, _, _ in jobs]
            order = list(got) if isinstance(got, dict) else got
            if order != names:
                raise GradingFailure(f"start_all(jobs) for jobs named {names} returned a dict whose names are in "
                                     f"the order {order}; expected the order of jobs.")

    @hidden.scenario("every task is created by start_all itself, at t = 0, and ends with its job's value",
                     points=0.5)
    def _():
        for jobs in (MIXED, mixed):
            answer = ask(jobs)
            answer.values(1)
            names, expected = _created(answer), [name for name, _, _ in jobs]
            if names != expected:
                raise GradingFailure(f"Expected one task per job, named after it, in the order of jobs; your code "
                                     f"created {names}")
            for name in expected:
                rec = answer.timeline.task(name)
                if rec.parent_name != "main":
                    raise GradingFailure(f"Task {name!r} was created by the task {rec.parent_name!r}, not by "
                                         "start_all itself: create every task directly in start_all.")
                if not math.isclose(rec.created, 0.0, abs_tol=grading.TOLERANCE):
                    raise GradingFailure(f"Task {name!r} was created at t = {rec.created:g} s; create every task "
                                         "at once, before awaiting any of them.")
                if rec.outcome != "result":
                    raise GradingFailure(f"Task {name!r} should end with its job's value; it ended {rec.outcome!r}")

    @hidden.scenario("an empty list returns {} at once, creating no task", points=0.25)
    def _():
        answer = ask([])
        (got,) = answer.values(1)
        if not (got == {} and isinstance(got, dict)):
            raise GradingFailure(f"start_all([]) returned {got!r}, expected {{}}")
        if _created(answer):
            raise GradingFailure(f"start_all([]) created the tasks {_created(answer)}, expected none")
        judge.expect_elapsed(answer, 0.0, hint="With no jobs there is nothing to wait for.")

    @hidden.scenario("200 jobs of 4 s each all run at once: start_all takes 4 s", points=0.25)
    def _():
        many = [(f"job-{i}", 4, judge.rng.randint(0, 999)) for i in range(200)]
        answer = ask(many)
        (got,) = answer.values(1)
        expected = {name: value for name, _, value in many}
        if not got == expected:
            wrong = next((n for n in expected if not isinstance(got, dict) or got.get(n, ...) != expected[n]), None)
            detail = (f"for {wrong!r} it gave {got.get(wrong, 'nothing')!r}, expected {expected[wrong]!r}"
                      if isinstance(got, dict) and wrong is not None else f"it returned {got!r}"[:300])
            raise GradingFailure(f"start_all with 200 jobs returned wrong values: {detail}")
        judge.expect_elapsed(answer, 4.0, reference=reference(), args=(many,),
                             hint="200 jobs of 4 s each should all run at once.")

    return visible, hidden


# ---- BackgroundJobs -------------------------------------------------------------------------

SPAWNED = [["slow", 2, "slow"], ["quick", 1, "quick"]]


def _task_shown(task: dict[str, Any]) -> str:
    return str(task.get("shown", "?"))


def background_jobs_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("background_jobs")

    def probe(name: str, *args: Any) -> judge.Answer:
        return kernel.probe(name, "BackgroundJobs", *args)

    spawned = judge.shared(lambda jobs: probe("background_jobs_spawned", jobs))
    count = judge.rng.randint(2, 4)
    picked = [[name, delay, value] for name, delay, value
              in zip(_out_of_order(judge.names(count)), _quarters(count, 1, 5), judge.names(count, taken=()))]

    def reference():
        return model(LESSON, "BackgroundJobs", "background_jobs")

    @visible.scenario("spawn() starts a task named after the job and returns it", points=0.5)
    def _():
        for jobs in (SPAWNED, picked):
            got = _one(spawned(jobs))
            for (name, delay, value), task in zip(jobs, got["spawned"]):
                if not task.get("task") or task.get("name") != name:
                    raise GradingFailure(f"spawn(run_job({delay:g}, {value!r}), {name!r}) should return the task it "
                                         f"started, named {name!r}; it returned {_task_shown(task)}")
                if task.get("state") != "result" or task.get("value") != value:
                    raise GradingFailure(f"the task {name!r} should have run to its end, giving {value!r}")

    @visible.scenario("running() lists the unfinished jobs, sorted: ['quick', 'slow'], then [] after wait_all()",
                      points=0.5)
    def _():
        for jobs in (SPAWNED, picked):
            got = _one(spawned(jobs))
            expected = sorted(name for name, _, _ in jobs)
            if got["before"] != expected:
                raise GradingFailure(f"running() right after the {len(jobs)} spawns returned {got['before']!r}, "
                                     f"expected {expected!r}")
            if got["after"] != []:
                raise GradingFailure(f"running() after wait_all() returned {got['after']!r}, expected []")

    @visible.scenario("wait_all() returns None when the last job is done, at t = 2 s", points=0.5)
    def _():
        for jobs in (SPAWNED, picked):
            answer = spawned(jobs)
            got = _one(answer)
            if got["returned"] is not None:
                raise GradingFailure(f"wait_all() returned {got['returned']!r}, expected None")
            last = max(d for _, d, _ in jobs)
            judge.expect_elapsed(answer, last, reference=probes.background_jobs_spawned, args=(reference(), jobs),
                                 hint=f"wait_all() should return when the last job ({last:g} s) is done.")

    @hidden.scenario("wait_all() also waits for jobs spawned while it waits: 'child', spawned at t = 1 s "
                     "for 2 s, ends at t = 3 s", points=0.5)
    def _():
        for parent_for, child_for in ((1, 2), (judge.rng.randint(2, 12) / 4, judge.rng.randint(4, 16) / 4)):
            answer = probe("background_jobs_spawned_while_waiting", parent_for, child_for)
            (after,) = answer.values(1)
            judge.expect_elapsed(answer, parent_for + child_for, reference=probes.background_jobs_spawned_while_waiting,
                                 args=(reference(), parent_for, child_for),
                                 hint=f"wait_all() must also wait for 'child', which 'parent' spawns at "
                                      f"t = {parent_for:g} s.")
            if after != []:
                raise GradingFailure(f"running() should be [] after wait_all(); it was {after!r}")

    @hidden.scenario("a job that raises does not make wait_all() raise, nor stop the others", points=0.25)
    def _():
        picked_error = [judge.rng.choice(["ValueError", "KeyError", "OSError", "RuntimeError"]), judge.names(1)[0]]
        picked_fail = judge.rng.randint(2, 8) / 4
        for fails_after, error, good_for, good_value in (
                (1, ["ValueError", "job failed"], 2, "fine"),
                (picked_fail, picked_error, picked_fail + judge.rng.randint(1, 8) / 4, judge.names(1)[0])):
            answer = probe("background_jobs_one_fails", fails_after, error, good_for, good_value)
            got = _one(answer)
            if not got.get("raised"):
                bad, good = got["bad"], got["good"]
                got = (bad["value"] if bad.get("state") == "exception" else bad.get("state"),
                       good["value"] if good.get("state") == "result" else good.get("state"), got["running"])
            else:
                got = got["text"]
            if got != (error[0], good_value, []):
                raise GradingFailure(
                    f"With a job 'bad' that raises {error[0]} at t = {fails_after:g} s and a job 'good' of "
                    f"{good_for:g} s, wait_all() should wait for both and return without raising: expected (bad's "
                    f"exception, good's value, running()) == ({error[0]!r}, {good_value!r}, []); got {got!r}")
            judge.expect_elapsed(answer, good_for, reference=probes.background_jobs_one_fails,
                                 args=(reference(), fails_after, error, good_for, good_value))

    @hidden.scenario("a job cancelled by someone else does not make wait_all() raise", points=0.25)
    def _():
        picked_cancel = judge.rng.randint(2, 8) / 4
        picked_fine = picked_cancel + judge.rng.randint(2, 8) / 4
        for doomed_for, cancel_after, fine_for in ((5, 1, 2),
                                                   (picked_fine + judge.rng.randint(1, 8), picked_cancel, picked_fine)):
            answer = probe("background_jobs_one_cancelled", doomed_for, cancel_after, fine_for)
            got = _one(answer)
            got = got["text"] if got.get("raised") else (got["doomed"].get("state") == "cancelled", got["running"])
            if got != (True, []):
                raise GradingFailure(
                    f"After the caller cancels the job 'doomed' at t = {cancel_after:g} s, wait_all() should wait "
                    "for the other job and return without raising, and 'doomed' should end cancelled: expected "
                    f"(doomed.cancelled(), running()) == (True, []); got {got!r}")
            judge.expect_elapsed(answer, fine_for, reference=probes.background_jobs_one_cancelled,
                                 args=(reference(), doomed_for, cancel_after, fine_for))

    @hidden.scenario("with nothing spawned, wait_all() and cancel_all() return at once, and cancel_all() "
                     "returns []", points=0.25)
    def _():
        answer = probe("background_jobs_none_spawned")
        got = _one(answer, tuple)
        if got != ([], []):
            raise GradingFailure(f"With no jobs, cancel_all() should return [] and running() []; got {got!r}")
        judge.expect_elapsed(answer, 0.0, hint="With no jobs, wait_all() and cancel_all() must not wait.")

    @hidden.scenario("cancel_all() cancels the unfinished jobs, waits for their cleanup and returns their "
                     "sorted names", points=0.5)
    def _():
        count = judge.rng.randint(2, 3)
        *stubborn, early = judge.names(count + 1)
        picked_cancel = judge.rng.randint(4, 12) / 4
        picked_run = (sorted(stubborn, reverse=True), judge.rng.randint(2, 8) / 4,
                      [early, judge.rng.randint(1, int(picked_cancel * 4) - 1) / 4], picked_cancel)
        for names, cleanup, early, cancel_after in ((["y", "x"], 1, ["early", 0.5], 2), picked_run):
            answer = probe("background_jobs_shut_down", names, cleanup, early, cancel_after)
            got = _one(answer, tuple)
            expected = sorted(names)
            if got != (expected, expected, [], False):
                raise GradingFailure(
                    f"At t = {cancel_after:g} s, cancel_all() should cancel {_listed(expected)} (not {early[0]!r}, "
                    f"which had finished), wait until their {cleanup:g} s cleanup is done, and return {expected!r}; "
                    f"got (returned, cleaned up, running(), {early[0]} cancelled) = {got!r}")
            judge.expect_elapsed(answer, cancel_after + cleanup, reference=probes.background_jobs_shut_down,
                                 args=(reference(), names, cleanup, early, cancel_after),
                                 hint=f"cancel_all() must wait for the {cleanup:g} s cleanup of the cancelled jobs.")
            for name in expected:
                rows = answer.timeline.find(name)
                outcome = rows[0].outcome if len(rows) == 1 else f"with {len(rows)} tasks named so"
                if outcome != "cancelled":
                    raise GradingFailure(f"Job {name!r} should end cancelled; it ended {outcome!r}")

    def on_a_loop_of_its_own(answer: judge.Answer) -> Any:
        got = _one(answer)
        if got.get("timed_out") is not None:
            raise GradingFailure(f"Your code did not finish within {got['timed_out']:g} s of real time: it waits for "
                                 "something that never happens, or loops without ever waiting.")
        return got["value"]

    @hidden.scenario("a job waiting for something nobody else references survives gc.collect(), "
                     "even though the caller dropped its task", points=0.5)
    def _():
        for name in ("orphan", judge.names(1)[0]):
            after_gc, cancelled, after = on_a_loop_of_its_own(probe("background_jobs_unreferenced", name))
            if after_gc != [name]:
                raise GradingFailure(
                    f"After gc.collect(), running() should still be [{name!r}]; it was {after_gc!r}: the task was "
                    "garbage-collected, so BackgroundJobs holds no strong reference to it.")
            if cancelled != [name]:
                raise GradingFailure(f"cancel_all() should then cancel {name!r} and return [{name!r}]; "
                                     f"got {cancelled!r}")
            if after != []:
                raise GradingFailure(f"running() should be [] after cancel_all(); it was {after!r}")

    @hidden.scenario("finished tasks are released at once: when done, with or without wait_all()", points=0.25)
    def _():
        alone, after_wait_all = on_a_loop_of_its_own(probe("background_jobs_release_finished", judge.names(1)[0]))
        if not alone:
            raise GradingFailure("BackgroundJobs still holds a task that has finished (its caller awaited it, nobody "
                                 "called wait_all()): it should drop each task as soon as it is done.")
        if not after_wait_all:
            raise GradingFailure("BackgroundJobs still holds a task that has finished after wait_all() returned.")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"start_all": start_all_outside, "background_jobs": background_jobs_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
ANSWERS = {"background_jobs": ("BackgroundJobs",)}
EXERCISES = judge.in_kernel_all(OUTSIDE, ANSWERS)
check = checker(EXERCISES)
