"""Hidden checks of lesson 10 · A million coroutines, measured, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

``run_bounded(jobs, workers)`` (4 points), in virtual time with job functions built in the
kernel from plain data that count how many of them run at once (probe
``run_bounded_on_counted_jobs``: the results as data, the jobs started, the most at once, the
tasks created and those left running). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, made again here from data at grading time;
H: hidden scenario). Each scenario runs the example of its title, then jobs and workers
picked at random of the same shape:

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

``sleep_many(n, delay)`` (3 points), in virtual time; the probe ``sleep_many_watched``
counts the timers it arms (every one goes through ``loop.call_at``) and the tasks it
creates, how many of them wait halfway through, and what they returned.

| requirement                                                    | scenario                                                   | points |
|----------------------------------------------------------------|------------------------------------------------------------|--------|
| an `async def`; returns [0, 1, ..., n - 1]                     | V "sleep_many(5, 1.0) returns [0, 1, 2, 3, 4]"             | 0.5    |
| one timer (call_later), not an asyncio.sleep per task          | V "one timer for all the tasks: ... (20, 2.0)"             | 0.5    |
|                                                                | H "one timer for other n and delay too"                    | 0.25   |
| the whole call takes exactly `delay` seconds                   | H "takes exactly `delay` seconds"                          | 0.5    |
| starts `n` tasks that all wait at the same time                | H "starts n tasks that all wait together ..."              | 0.5    |
| each task returns its own index; the result is theirs          | H "each task returns its own index ..."                    | 0.5    |
| `n == 0`: return []                                            | H "sleep_many(0, 2.0) returns []"                          | 0.25   |

Every request is bounded in real time, in the kernel and by the cell's budget here
(:class:`coursetools.judge.Kernel`): an answer that busy-waits fails its scenarios with a
message instead of holding the whole notebook.
"""

from __future__ import annotations

import math
import string
from typing import Any

from aiolab import grading, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "10-a-million-coroutines"


def _word() -> str:
    return "".join(judge.rng.choice(string.ascii_lowercase) for _ in range(judge.rng.randint(3, 8)))


def _q(low: float, high: float) -> float:
    """A random delay from ``low`` to ``high`` s, in quarter seconds (exact in binary)."""
    return judge.rng.randint(round(low * 4), round(high * 4)) / 4


def _malformed() -> GradingFailure:
    return GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")


# ---- run_bounded ------------------------------------------------------------------------

def _script(seconds: list[float], values: list[Any] | None = None, fail: set[int] = frozenset()) -> list[dict[str, Any]]:
    """Jobs as plain data: job i waits seconds[i], then returns values[i] (default i * 10),
    or raises ValueError("job i failed") if i is in `fail`."""
    values = [i * 10 for i in range(len(seconds))] if values is None else values
    return [{"seconds": s, "raises": ["ValueError", f"job {i} failed"]} if i in fail else {"seconds": s, "value": v}
            for i, (s, v) in enumerate(zip(seconds, values))]


def _pool(kernel: judge.Kernel, script: list[dict[str, Any]], workers: int) -> tuple[judge.Answer, dict[str, Any]]:
    answer = kernel.probe("run_bounded_on_counted_jobs", "run_bounded", script, workers)
    (out,) = answer.values(1)
    if not isinstance(out, dict) or not {"results", "escaped", "started", "peak", "tasks", "left"} <= out.keys():
        raise _malformed()
    return answer, out


def greedy_makespan(seconds: list[float], workers: int) -> float:
    """The time the jobs take when each free worker takes the next job at once."""
    free = [0.0] * workers
    for s in seconds:
        free[free.index(min(free))] += s
    return max(free, default=0.0)


def _waves_makespan(seconds: list[float], workers: int) -> float:
    return sum(max(seconds[i:i + workers]) for i in range(0, len(seconds), workers))


def _striped_makespan(seconds: list[float], workers: int) -> float:
    return max(sum(seconds[w::workers]) for w in range(workers))


def _shown(results: Any) -> Any:
    """Results as the learner reads them: an exception (or another object) by its repr."""
    if not isinstance(results, list):
        return results
    return [r.get("repr") if isinstance(r, dict) and ("exception" in r or "object" in r) else r for r in results]


def _where(seconds: list[float], workers: int) -> str:
    return f"run_bounded(<{len(seconds)} jobs of {seconds} s>, workers={workers})"


def run_bounded_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("run_bounded")

    def reference(script: list[dict[str, Any]], workers: int) -> tuple[Any, ...]:
        return model(LESSON, "run_bounded"), script, workers

    @visible.scenario("returns the results in the order of jobs: jobs of 3, 2, 1, 3, 2, 1 s with 2 workers give "
                      "[0, 1, ..., 5]", points=0.5)
    def _():
        n = judge.rng.randint(4, 8)
        picked = ([judge.rng.randint(1, 4) for _ in range(n)], [_word() for _ in range(n)], judge.rng.randint(2, 3))
        for seconds, values, workers in (([3 - i % 3 for i in range(6)], list(range(6)), 2), picked):
            _, out = _pool(kernel, _script(seconds, values), workers)
            if out["results"] != values:
                raise GradingFailure(f"results must be in the order of jobs: expected {values!r}, got "
                                     f"{_shown(out['results'])!r}")

    @visible.scenario("with no jobs, returns []", points=0.25)
    def _():
        for workers in (3, judge.rng.randint(1, 8)):
            _, out = _pool(kernel, [], workers)
            if out["results"] != []:
                raise GradingFailure(f"with no jobs, run_bounded must return [], not {_shown(out['results'])!r}")

    @visible.scenario("10 jobs of 1 s through 3 workers take exactly 4 s", points=0.5)
    def _():
        workers = judge.rng.randint(2, 4)
        picked = (judge.rng.randint(workers + 1, 4 * workers), judge.rng.choice([0.5, 1.5, 2.0]), workers)
        for n, each, workers in ((10, 1.0, 3), picked):
            script = _script([each] * n)
            answer, _ = _pool(kernel, script, workers)
            rounds = math.ceil(n / workers)
            judge.expect_elapsed(answer, rounds * each, reference=probes.run_bounded_on_counted_jobs,
                                 args=reference(script, workers),
                                 hint=f"{n} jobs of {each:g} s through {workers} workers take ceil({n} / {workers}) = "
                                      f"{rounds} rounds of {each:g} s.")

    @hidden.scenario("a worker that finishes a job takes the next one at once: jobs of 4, 1, 1, ... "
                     "(eight of 1 s) with 2 workers take 6 s, not 8", points=0.5)
    def _():
        workers = judge.rng.randint(2, 3)
        for _ in range(50):     # jobs for which neither waves nor fixed shares of jobs take the right time
            seconds = [judge.rng.randint(1, 5) for _ in range(judge.rng.randint(2 * workers + 1, 10))]
            greedy = greedy_makespan(seconds, workers)
            if greedy not in (_waves_makespan(seconds, workers), _striped_makespan(seconds, workers)):
                break
        hint = "Each worker must take the next waiting job as soon as it is free, whatever the others are doing."
        for seconds, workers, hint in (([4, 1, 1, 1, 1, 1, 1, 1, 1], 2, "While one worker runs the 4 s job, the "
                                        "other must take the 1 s jobs one after another, each as soon as it is free."),
                                       (seconds, workers, hint)):
            script = _script(seconds)
            answer, _ = _pool(kernel, script, workers)
            judge.expect_elapsed(answer, greedy_makespan(seconds, workers), reference=probes.run_bounded_on_counted_jobs,
                                 args=reference(script, workers), hint=hint)

    @hidden.scenario("exactly `workers` jobs run at once when there are enough, never more "
                     "(10 jobs with 3 workers; 7 jobs with 1 worker)", points=0.5)
    def _():
        workers = judge.rng.randint(2, 5)
        picked = ([judge.rng.randint(1, 3) for _ in range(judge.rng.randint(workers + 1, 3 * workers))], workers)
        for seconds, workers in (([1] * 10, 3), ([2] * 7, 1), picked):
            answer, out = _pool(kernel, _script(seconds), workers)
            if out["peak"] != workers:
                judge.show(answer.timeline, None, f"{out['peak']} jobs at once")
                raise GradingFailure(
                    f"{_where(seconds, workers)}: at the busiest moment exactly {workers} jobs should run "
                    f"at once; yours ran {out['peak']}")

    @hidden.scenario("a pool, not a task per job: 10 jobs with 3 workers use at most 3 worker tasks "
                     "(and one helper)", points=0.5)
    def _():
        workers = judge.rng.randint(2, 4)
        picked = ([judge.rng.randint(1, 3) for _ in range(judge.rng.randint(3 * workers, 15))], workers)
        for seconds, workers in (([1] * 10, 3), picked):
            _, out = _pool(kernel, _script(seconds), workers)
            if not isinstance(out["tasks"], int) or out["tasks"] > workers + 1:
                raise GradingFailure(f"{_where(seconds, workers)}: your code created {out['tasks']} tasks. A pool "
                                     f"uses its {workers} workers for all the jobs, never a task per job.")

    @hidden.scenario("a job that raises: its exception takes its place in the results, and the other "
                     "jobs still run", points=0.5)
    def _():
        n = judge.rng.randint(3, 7)
        # Jobs of one length, so that they end in the order of jobs: this scenario is not the order's.
        picked = ([judge.rng.choice([0.5, 1, 2])] * n, [judge.rng.randint(0, 999) for _ in range(n)],
                  judge.rng.randint(2, 3), set(judge.rng.sample(range(n), judge.rng.randint(1, 2))))
        for seconds, values, workers, fail in (([1, 1, 1, 1], [0, 10, 20, 30], 2, {1}), picked):
            _, out = _pool(kernel, _script(seconds, values, fail), workers)
            where = f"{_where(seconds, workers)}, where the jobs at {sorted(fail)} raise"
            if out["escaped"] is not None:
                shown = out["escaped"].get("repr") if isinstance(out["escaped"], dict) else out["escaped"]
                raise GradingFailure(f"{where}: a job that raises must not stop run_bounded, but {shown} escaped "
                                     "from it. Put the exception in the job's place in the results.")
            results = out["results"]
            expected = [f"ValueError('job {i} failed')" if i in fail else v for i, v in enumerate(values)]
            ok = isinstance(results, list) and len(results) == len(values) and all(
                (isinstance(r, dict) and r.get("type") == "ValueError" and r.get("message") == f"job {i} failed")
                if i in fail else r == v for i, (r, v) in enumerate(zip(results, values)))
            if not ok:
                raise GradingFailure(f"{where}: expected the results {expected} (the exception in the failed job's "
                                     f"place), got {_shown(results)!r}")

    @hidden.scenario("no worker is left running when it returns: 4 jobs with 2 workers", points=0.5)
    def _():
        n = judge.rng.randint(3, 8)
        picked = ([judge.rng.randint(1, 3) for _ in range(n)], judge.rng.randint(2, min(4, n)))
        for seconds, workers in (([1, 1, 1, 1], 2), picked):
            _, out = _pool(kernel, _script(seconds), workers)
            if out["left"]:
                raise GradingFailure(f"{_where(seconds, workers)}: these tasks were still running when run_bounded "
                                     f"returned: {out['left']}. Stop the workers (and wait for them) before returning.")

    @hidden.scenario("more workers than jobs: 3 jobs of 3, 1 and 2 s with 5 workers all run at once, "
                     "once each, in 3 s", points=0.25)
    def _():
        n = judge.rng.randint(2, 4)
        picked = ([judge.rng.randint(1, 4) for _ in range(n)], n + judge.rng.randint(1, 4))
        for seconds, workers in (([3, 1, 2], 5), picked):
            n = len(seconds)
            script = _script(seconds)
            answer, out = _pool(kernel, script, workers)
            if not (isinstance(out["results"], list) and len(out["results"]) == n):
                raise GradingFailure(f"{_where(seconds, workers)}: expected {n} results, got "
                                     f"{_shown(out['results'])!r}")
            if (out["started"], out["peak"]) != (n, n):
                raise GradingFailure(f"{_where(seconds, workers)}: each job should run once, all {n} at once; "
                                     f"{out['started']} calls were made, at most {out['peak']} at once")
            judge.expect_elapsed(answer, float(max(seconds)), reference=probes.run_bounded_on_counted_jobs,
                                 args=reference(script, workers),
                                 hint=f"With {workers} workers the {n} jobs run together, in {max(seconds):g} s.")

    return visible, hidden


# ---- sleep_many -------------------------------------------------------------------------

def _watched(kernel: judge.Kernel, n: int, delay: float) -> tuple[judge.Answer, dict[str, Any]]:
    answer = kernel.probe("sleep_many_watched", "sleep_many", n, delay)
    (out,) = answer.values(1)
    if not isinstance(out, dict) or not {"result", "timers", "tasks", "waiting_halfway", "task_results"} <= out.keys():
        raise _malformed()
    return answer, out


def _expect_indexes(result: Any, n: int, delay: float) -> None:
    if result != list(range(n)):
        raise GradingFailure(f"sleep_many({n}, {delay}) must return {list(range(n))}, got {result!r}")


def sleep_many_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("sleep_many")

    def sleep_many_model():
        return model(LESSON, "sleep_many")

    @visible.scenario("sleep_many(5, 1.0) returns [0, 1, 2, 3, 4]", points=0.5)
    def _():
        for n, delay in ((5, 1.0), (judge.rng.randint(2, 12), _q(0.25, 3))):
            (result,) = kernel.call("sleep_many", (n, delay)).values(1)
            _expect_indexes(result, n, delay)

    @visible.scenario("one timer for all the tasks: sleep_many(20, 2.0) arms exactly one", points=0.5)
    def _():
        for n, delay in ((20, 2.0), (judge.rng.randint(5, 40), _q(0.5, 4))):
            _, out = _watched(kernel, n, delay)
            if out["timers"] != 1:
                raise GradingFailure(f"sleep_many({n}, {delay}) armed {out['timers']} timers; use one shared timer "
                                     "(an asyncio.sleep in every task arms one each)")

    @hidden.scenario("takes exactly `delay` seconds: sleep_many(50, 3.0) takes 3 s", points=0.5)
    def _():
        for n, delay in ((50, 3.0), (judge.rng.randint(5, 60), _q(0.5, 5))):
            answer = kernel.call("sleep_many", (n, delay))
            answer.values(1)
            judge.expect_elapsed(answer, delay, reference=sleep_many_model(), args=(n, delay),
                                 hint="All the tasks wait together, for exactly `delay` seconds.")

    @hidden.scenario("starts n tasks that all wait together: halfway through sleep_many(7, 2.0), 7 tasks "
                     "are waiting, and it creates at most 8", points=0.5)
    def _():
        for n, delay in ((7, 2.0), (judge.rng.randint(3, 15), _q(1, 4))):
            answer, out = _watched(kernel, n, delay)
            waiting = out["waiting_halfway"] or 0
            if not isinstance(waiting, int) or waiting < n:
                judge.show(answer.timeline, grading.reference_timeline(
                    probes.sleep_many_watched, sleep_many_model(), n, delay), f"{waiting} tasks waiting at "
                    f"t = {delay / 2:g}")
                raise GradingFailure(f"sleep_many({n}, {delay}): halfway through the wait, {n} tasks should be "
                                     f"waiting together; {waiting} were")
            if not isinstance(out["tasks"], int) or out["tasks"] > n + 1:
                raise GradingFailure(f"sleep_many({n}, {delay}) created {out['tasks']} tasks; it needs {n} "
                                     "(and at most one helper)")

    @hidden.scenario("each task returns its own index, and sleep_many returns what its tasks returned",
                     points=0.5)
    def _():
        for n, delay in ((6, 1.0), (judge.rng.randint(2, 10), _q(0.5, 3))):
            _, out = _watched(kernel, n, delay)
            _expect_indexes(out["result"], n, delay)
            returned = out["task_results"] if isinstance(out["task_results"], list) else []
            missing = [i for i in range(n) if not any(type(r) is int and r == i for r in returned)]
            if missing:
                raise GradingFailure(
                    f"sleep_many({n}, {delay}) returned {out['result']!r}, but no task it started returned "
                    f"{', '.join(map(str, missing))} (its tasks returned {returned!r}): each task must return its "
                    "own index, and sleep_many the list of their results.")

    @hidden.scenario("one timer for other n and delay too: sleep_many(1, 1.5) and sleep_many(50, 1.0)",
                     points=0.25)
    def _():
        for n, delay in ((1, 1.5), (50, 1.0), (judge.rng.randint(2, 60), _q(0.25, 4))):
            _, out = _watched(kernel, n, delay)
            _expect_indexes(out["result"], n, delay)
            if out["timers"] != 1:
                raise GradingFailure(f"sleep_many({n}, {delay}) armed {out['timers']} timers; expected exactly one, "
                                     "shared by all the tasks")

    @hidden.scenario("sleep_many(0, 2.0) returns []", points=0.25)
    def _():
        for delay in (2.0, _q(0.25, 5)):
            (result,) = kernel.call("sleep_many", (0, delay)).values(1)
            if result != []:
                raise GradingFailure(f"sleep_many(0, {delay}) must return [], got {result!r}")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"run_bounded": run_bounded_outside, "sleep_many": sleep_many_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
