"""Hidden checks of lesson 05 · gather and wait, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

Every exercise takes a list of *jobs* (async functions of no arguments). The grader describes
the jobs as plain data (name, delay, value, or an exception named by its built-in class) and
the kernel makes them (probes ``scripted_jobs_awaited``: ``await fn(jobs)``, and
``scripted_jobs_driven``: the lesson's ``drive``, the call in a task named "call", then 10 s
more so a job left running shows up). Like the notebook's ``make_job``, a job names the task
running it after itself, so each job is a row of the chart; the grader judges the results,
the times and those rows. V: visible scenario in the notebook, made again here from data at
grading time; H: hidden scenario. Each scenario also asks for inputs picked at random.

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

Random inputs keep the shape of the scenario's example (which job fails, which finishes
first, which order the successes finish in) so that each wrong answer still loses only the
scenarios of its own mistake.
"""

from __future__ import annotations

import functools
import math
import string
from typing import Any

from aiolab import grading, messages, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "05-gather-and-wait"
OWN_TASKS = ("main", "call")       # the probes' own tasks: never renamed, never a job


# ---- helpers shared by every exercise --------------------------------------------------

@functools.cache
def _model(name: str):
    return model(LESSON, name)


def job(name: str, delay: float, value: Any = None) -> dict:
    """A job (as data): waits ``delay`` s, returns ``value``."""
    return {"name": name, "delay": delay, "value": value}


def failing(name: str, delay: float, kind: str, message: str) -> dict:
    """A job (as data): waits ``delay`` s, raises the built-in exception ``kind(message)``."""
    return {"name": name, "delay": delay, "raises": [kind, message]}


def _names(count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        name = "".join(judge.rng.choice(string.ascii_lowercase) for _ in range(judge.rng.randint(1, 6)))
        if name not in OWN_TASKS:
            names.add(name)
    return judge.rng.sample(sorted(names), count)


def _word() -> str:
    return "".join(judge.rng.choice(string.ascii_uppercase) for _ in range(judge.rng.randint(1, 6)))


def _delays(count: int, low: int = 1, high: int = 9) -> list[float]:
    """``count`` distinct delays between ``low`` and ``high`` s, in steps of 0.5 s, ascending."""
    return sorted(judge.rng.sample([x / 2 for x in range(2 * low, 2 * high + 1)], count))


_ERRORS = ("ValueError", "KeyError", "OSError", "RuntimeError", "EOFError", "LookupError", "ZeroDivisionError")


def _error(name: str) -> tuple[str, str]:
    return judge.rng.choice(_ERRORS), f"{name} failed #{judge.rng.randint(1, 999)}"


def _shown_error(kind: str, message: str) -> str:
    return f"{kind}({message!r})"


def _shown(data: Any) -> str:
    """Data from the kernel written as the learner's objects would show (exceptions and
    other objects by their repr)."""
    if isinstance(data, dict) and "repr" in data:
        return str(data["repr"])
    if isinstance(data, list):
        return "[" + ", ".join(_shown(d) for d in data) + "]"
    if isinstance(data, tuple):
        return "(" + ", ".join(_shown(d) for d in data) + ("," if len(data) == 1 else "") + ")"
    return repr(data)


def _is_from(data: Any, name: str, how: str = "raised") -> bool:
    """Whether ``data`` is the very exception object job ``name`` raised (or returned)."""
    return isinstance(data, dict) and "exception" in data and data.get("job") == name and data.get("made") == how


def _as_list(result: Any) -> Any:
    return list(result) if isinstance(result, (list, tuple)) else result


def _data(answer: judge.Answer) -> dict:
    (got,) = answer.values(1)
    if not isinstance(got, dict):
        raise GradingFailure(f"The kernel's answer was malformed: {got!r}")
    return got


def awaited(kernel: judge.Kernel, exercise: str, script: list[dict]) -> tuple[judge.Answer, Any, dict]:
    """``await exercise(jobs)``: the answer, the result (as data), and how often each job ran."""
    answer = kernel.probe("scripted_jobs_awaited", exercise, script)
    data = _data(answer)
    return answer, data.get("result"), data.get("runs") or {}


def driven(kernel: judge.Kernel, exercise: str, script: list[dict],
           cancel_after: float | None = None) -> tuple[judge.Answer, str, Any, float]:
    """The lesson's ``drive``: (answer, how it ended, value, when)."""
    answer = kernel.probe("scripted_jobs_driven", exercise, script, cancel_after)
    data = _data(answer)
    how, at = data.get("how"), data.get("ended_at")
    if how not in ("value", "error", "cancelled") or not isinstance(at, (int, float)):
        raise GradingFailure(f"The kernel's answer was malformed: {data!r}")
    return answer, how, data.get("value"), float(at)


def ended(how: str, value: Any, ended_at: float) -> str:
    if how == "error" and isinstance(value, dict):
        what = f"raised {value.get('type')}" + (f": {value.get('message')}" if value.get("message") else "")
    else:
        what = {"value": f"returned {_shown(value)}", "cancelled": "ended cancelled"}.get(how, f"raised {value!r}")
    return f"it {what} at {ended_at:g} s"


def _reference(exercise: str, script: list[dict], *, drive: bool = False, cancel_after: float | None = None) -> dict:
    """The expected chart's recipe: the model answer through the same probe."""
    found = _model(exercise)
    if drive:
        return {"reference": probes.scripted_jobs_driven if found is not None else None,
                "args": (found, script, cancel_after)}
    return {"reference": probes.scripted_jobs_awaited if found is not None else None, "args": (found, script)}


def expect_elapsed(answer: judge.Answer, expected: float, exercise: str, script: list[dict], hint: str = "") -> None:
    judge.expect_elapsed(answer, expected, **_reference(exercise, script), hint=hint)


def job_row(answer: judge.Answer, name: str):
    timeline = answer.timeline
    found = timeline.find(name) if timeline is not None else []
    if len(found) != 1:
        raise GradingFailure(
            f"job {name!r} should run exactly once, in a task of its own; tasks that ran it: "
            f"{len(found)} (tasks recorded: {[r.name for r in timeline.tasks] if timeline else []})")
    return found[0]


def _same_time(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, abs_tol=grading.TOLERANCE)


def expect_rows(answer: judge.Answer, rows: list[tuple], why: str = "") -> None:
    """rows: (name, started, ended, outcome or None) each job's row must match."""
    for name, started, end, outcome in rows:
        rec = job_row(answer, name)
        ok = ((started is None or _same_time(rec.started, started)) and _same_time(rec.ended, end)
              and (rec.outcome == outcome if outcome else rec.outcome != "cancelled"))
        if not ok:
            raise GradingFailure(
                f"job {name!r} should run from {started if started is not None else 'its start'} s to "
                f"{end:g} s and end {outcome or 'by itself'}; it ran from {rec.started} s to "
                f"{rec.ended} s and ended {rec.outcome}{why}")


def expect_nothing_left(answer: judge.Answer, ended_at: float, why: str, exercise: str, script: list[dict],
                        cancel_after: float | None = None) -> None:
    """Every task the call started must be over when the call ends; if not, show the chart
    above the expected one (the model answer, driven the same way)."""
    timeline = answer.timeline
    late = [f"{r.name} (ended {r.outcome} at {r.ended} s)" for r in (timeline.tasks if timeline else [])
            if r.name not in OWN_TASKS and (r.ended is None or r.ended > ended_at + grading.TOLERANCE)]
    if late:
        recipe = _reference(exercise, script, drive=True, cancel_after=cancel_after)
        judge.show(timeline, grading.reference_timeline(recipe["reference"], *recipe["args"]),
                   f"the call ended at {ended_at:g} s")
        raise GradingFailure(f"{why}; still running after {ended_at:g} s: {', '.join(late)}")


def cancelled_by_its_caller(kernel: judge.Kernel, checks: Checks, delays: dict[str, float], extra: str = "",
                            finish_first: bool = False) -> None:
    """The two scenarios of "cancelled itself: cancels all its jobs (and ends cancelled)",
    shared by first_wins and all_or_nothing: jobs of ``delays`` seconds, the call cancelled
    by its caller at 1.5 s; every job still running then must be cancelled then. The random
    inputs: other delays and another moment, one job done before it if ``finish_first``."""
    exercise = checks.exercise

    def picked() -> tuple[dict[str, float], float]:
        at = judge.rng.choice([0.5, 1.0, 1.5, 2.0, 2.5])
        later = [at + d for d in _delays(judge.rng.randint(2, 3), 1, 5)]
        names = _names(len(later) + finish_first)
        times = ([at / 2] if finish_first else []) + later
        judge.rng.shuffle(times)
        return dict(zip(names, times)), at

    def cases() -> list[tuple[dict[str, float], float]]:
        return [(delays, 1.5), picked()]

    def script(times: dict[str, float]) -> list[dict]:
        return [job(n, d, n) for n, d in times.items()]

    @checks.scenario("cancelled by its caller at 1.5 s: it ends cancelled then", points=0.25)
    def _():
        for times, at in cases():
            _, how, value, when = driven(kernel, exercise, script(times), cancel_after=at)
            if not (how == "cancelled" and _same_time(when, at)):
                raise GradingFailure(f"{exercise} was cancelled at {at:g} s: it should end cancelled then{extra}; "
                                     f"{ended(how, value, when)}")

    @checks.scenario("... and cancels every job then", points=0.5)
    def _():
        for times, at in cases():
            jobs = script(times)
            answer, how, value, when = driven(kernel, exercise, jobs, cancel_after=at)
            expect_nothing_left(answer, at, f"when {exercise} itself is cancelled it must cancel its jobs",
                                exercise, jobs, cancel_after=at)
            expect_rows(answer, [(n, 0, at, "cancelled") for n, d in times.items() if d > at])


# ---- exercise 1 ------------------------------------------------------------------------

def fetch_all_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("fetch_all")
    example = [job("a", 3, "A"), job("b", 1, "B"), job("c", 2, "C")]

    def picked(count: int = 3) -> list[dict]:
        delays = _delays(count)
        judge.rng.shuffle(delays)
        return [job(n, d, _word()) for n, d in zip(_names(count), delays)]

    @visible.scenario("returns the values in the order of jobs: ['A', 'B', 'C']", points=0.5)
    def _():
        for script in (example, picked()):
            _, result, _ = awaited(kernel, "fetch_all", script)
            expected = [j["value"] for j in script]
            if result != expected:
                raise GradingFailure(f"expected the values in input order, {expected!r}, got {_shown(result)}")

    @visible.scenario("runs the jobs at the same time: jobs of 3, 1 and 2 s take 3 s", points=0.5)
    def _():
        for script in (example, picked()):
            answer, _, _ = awaited(kernel, "fetch_all", script)
            delays = [j["delay"] for j in script]
            shown = messages.series([format(d, "g") for d in delays])
            expect_elapsed(answer, max(delays), "fetch_all", script,
                           hint=f"jobs of {shown} s run together take {max(delays):g} s")

    @hidden.scenario("every job starts at 0 s and runs once, to its end: a, b, c end at 3, 1 and 2 s", points=0.5)
    def _():
        for script in (example, picked(judge.rng.randint(2, 5))):
            answer, _, _ = awaited(kernel, "fetch_all", script)
            expect_rows(answer, [(j["name"], 0, j["delay"], None) for j in script])

    @hidden.scenario("fetch_all([]) returns [] at once", points=0.5)
    def _():
        answer, result, _ = awaited(kernel, "fetch_all", [])
        if result != []:
            raise GradingFailure(f"fetch_all([]) should return [], got {_shown(result)}")
        expect_elapsed(answer, 0.0, "fetch_all", [], hint="with no jobs there is nothing to wait for")

    @hidden.scenario("20 jobs of 1 to 20 s: [0, 1, ..., 19] in input order, in 20 s", points=0.25)
    def _():
        shuffled = list(range(1, 21))
        judge.rng.shuffle(shuffled)
        for delays in ([1 + (i * 7) % 20 for i in range(20)], shuffled):
            script = [job(f"j{i}", d, i) for i, d in enumerate(delays)]
            answer, result, _ = awaited(kernel, "fetch_all", script)
            if _as_list(result) != list(range(20)):
                raise GradingFailure(f"20 jobs: expected [0, 1, ..., 19] in input order, got {_shown(result)}")
            expect_elapsed(answer, 20.0, "fetch_all", script, hint="20 jobs of 1 to 20 s, all at once, take 20 s")

    @hidden.scenario("values follow the order of jobs, not of finishing: delays 5, 4, 3, 2, 1 give [5, 4, 3, 2, 1]",
                     points=0.25)
    def _():
        delays = _delays(judge.rng.randint(3, 6))
        while len(delays) > 1 and delays == sorted(delays):
            judge.rng.shuffle(delays)
        for values in ([5, 4, 3, 2, 1], delays):
            script = [job(f"r{v:g}", v, v) for v in values]
            _, result, _ = awaited(kernel, "fetch_all", script)
            if _as_list(result) != values:
                raise GradingFailure(f"results must follow the input order, not the finishing order: expected "
                                     f"{values!r}, got {_shown(result)}")

    @hidden.scenario("a job listed twice runs twice, and each place gets the value of its own run", points=0.25)
    def _():
        twice_name, once_name, other_name = _names(3)
        tag, delay = _word(), judge.rng.randint(2, 8) / 2
        twice = {"name": twice_name, "delay": delay, "value": tag, "numbered": True}
        random_script = [twice, job(once_name, judge.rng.randint(1, 8) / 2, _word()),
                         job(other_name, judge.rng.randint(1, 8) / 2, _word())]
        at = judge.rng.randint(1, 3)
        random_script.insert(at, {"again": 0})
        example_script = [{"name": "twice", "delay": 2, "value": "T", "numbered": True}, job("once", 1, "once"),
                          {"again": 0}]
        for script in (example_script, random_script):
            first = script[0]
            _, result, runs = awaited(kernel, "fetch_all", script)
            got = _as_list(result)
            places = [i for i, j in enumerate(script) if "again" in j or j is first]
            ones = [f"{first['value']}1", f"{first['value']}2"]
            others = [(i, j["value"]) for i, j in enumerate(script) if i not in places]
            expected = [ones[places.index(i)] if i in places else j["value"] for i, j in enumerate(script)]
            if not (isinstance(got, list) and len(got) == len(script)
                    and sorted(got[i] for i in places if isinstance(got[i], str)) == ones
                    and all(got[i] == v for i, v in others)):
                raise GradingFailure(
                    f"a job listed twice runs twice and each place in the list gets the value of its own run: "
                    f"expected {expected!r}, got {_shown(result)}")
            if runs.get(first["name"]) != 2:
                raise GradingFailure(f"the job listed twice should run twice; it ran {runs.get(first['name'])} "
                                     "time(s)")

    @hidden.scenario("None and 0 are values like any other: [None, 0] stay in the list", points=0.25)
    def _():
        names = _names(4)
        values = [None, 0, _word(), judge.rng.choice([None, 0])]
        judge.rng.shuffle(values)
        random_script = [job(n, judge.rng.randint(1, 8) / 2, v) for n, v in zip(names, values)]
        for script in ([job("none", 4, None), job("zero", 1, 0), job("x", 2, "x")], random_script):
            _, result, _ = awaited(kernel, "fetch_all", script)
            expected = [j["value"] for j in script]
            got = _as_list(result)
            if not (isinstance(got, list) and len(got) == len(expected)
                    and all((g is None) if e is None else (g == e and g is not None)
                            for g, e in zip(got, expected))):
                raise GradingFailure(f"jobs returning {', '.join(map(repr, expected))}: expected {expected!r}, "
                                     f"got {_shown(result)}")

    return visible, hidden


# ---- exercise 2 ------------------------------------------------------------------------

def first_wins_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("first_wins")
    example = [job("slow", 3, "slow"), job("fast", 1, "fast"), job("medium", 2, "medium")]

    def picked() -> list[dict]:
        delays = _delays(judge.rng.randint(2, 4))
        judge.rng.shuffle(delays)
        return [job(n, d, _word()) for n, d in zip(_names(len(delays)), delays)]

    def winner(script: list[dict]) -> dict:
        return min(script, key=lambda j: j["delay"])

    @visible.scenario("returns the value of the job that finishes first, at once: 'fast' after 1 s", points=0.5)
    def _():
        for script in (example, picked()):
            answer, result, _ = awaited(kernel, "first_wins", script)
            first = winner(script)
            if result != first["value"]:
                raise GradingFailure(f"the job that finishes first returns {first['value']!r} (after "
                                     f"{first['delay']:g} s); got {_shown(result)}")
            expect_elapsed(answer, first["delay"], "first_wins", script,
                           hint=f"first_wins should return as soon as the fastest job ({first['delay']:g} s) is done")

    @visible.scenario("cancels the other jobs when the winner finishes: 'slow' and 'medium' end cancelled at 1 s",
                      points=0.75)
    def _():
        for script in (example, picked()):
            answer, _, _, _ = driven(kernel, "first_wins", script)
            first = winner(script)
            for loser in script:
                if loser is not first:
                    judge.expect_task(answer, loser["name"], outcome="cancelled", ended=first["delay"],
                                      why=f"job {loser['name']!r} lost the race",
                                      **_reference("first_wins", script, drive=True))

    @hidden.scenario("a winner that returns None still wins: None after 2 s", points=0.25)
    def _():
        late, nothing = _names(2)
        early, later = _delays(2)
        for script in ([job("late", 4, "late"), job("nothing", 2, None)],
                       judge.rng.sample([job(late, later, _word()), job(nothing, early, None)], 2)):
            answer, result, _ = awaited(kernel, "first_wins", script)
            if result is not None:
                raise GradingFailure(f"the first job to finish returned None, so first_wins should return None; "
                                     f"got {_shown(result)}")
            expect_elapsed(answer, winner(script)["delay"], "first_wins", script)

    @hidden.scenario("a single job: its value, after its 5 s", points=0.25)
    def _():
        for script in ([job("only", 5, "only")], [job(_names(1)[0], judge.rng.randint(2, 16) / 2, _word())]):
            answer, result, _ = awaited(kernel, "first_wins", script)
            if result != script[0]["value"]:
                raise GradingFailure(f"with a single job, first_wins returns its value; got {_shown(result)}")
            expect_elapsed(answer, script[0]["delay"], "first_wins", script)

    def first_fails() -> list[tuple[list[dict], dict]]:
        example_fails = failing("boom", 1, "KeyError", "first to finish, and failed")
        names = _names(judge.rng.randint(2, 4))
        delays = _delays(len(names))
        kind, message = _error(names[0])
        fails = failing(names[0], delays[0], kind, message)
        others = [job(n, d, _word()) for n, d in zip(names[1:], delays[1:])]
        picked_script = others[:]
        picked_script.insert(judge.rng.randint(0, len(others)), fails)
        return [([job("ok", 3, "ok"), example_fails, job("ok2", 2, "ok2")], example_fails), (picked_script, fails)]

    @hidden.scenario("the first job to finish raised: first_wins raises that very exception, at 1 s", points=0.5)
    def _():
        for script, fails in first_fails():
            _, how, value, at = driven(kernel, "first_wins", script)
            if not (how == "error" and _is_from(value, fails["name"]) and _same_time(at, fails["delay"])):
                raise GradingFailure(
                    f"the first job to finish raised {fails['raises'][0]} at {fails['delay']:g} s: first_wins "
                    f"should raise that very exception at {fails['delay']:g} s; {ended(how, value, at)}")

    @hidden.scenario("... and then the other jobs are cancelled just the same, at 1 s", points=0.5)
    def _():
        for script, fails in first_fails():
            answer, _, _, _ = driven(kernel, "first_wins", script)
            at = fails["delay"]
            expect_nothing_left(answer, at, "when the first job to finish fails, the others must be cancelled too",
                                "first_wins", script)
            expect_rows(answer, [(j["name"], 0, at, "cancelled") for j in script if j is not fails])

    @hidden.scenario("no jobs: first_wins([]) raises ValueError", points=0.5)
    def _():
        seen = _data(kernel.probe("outcome", "first_wins", [[]], {}))
        if seen.get("raised") == "ValueError":
            return
        did = (f"it returned {seen.get('value')!r}" if seen.get("raised") is None
               else f"it raised {seen.get('raised')}: {seen.get('message')}")
        raise GradingFailure(f"first_wins([]) should raise ValueError (with no jobs there is no winner); {did}")

    cancelled_by_its_caller(kernel, hidden, delays={"x": 3, "y": 4, "z": 5},
                            extra=" (a CancelledError is never turned into a normal return)")

    return visible, hidden


# ---- exercise 3 ------------------------------------------------------------------------

def successes_and_failures_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("successes_and_failures")
    example = [job("a", 2, "A"), failing("b", 1, "ValueError", "b failed"), job("c", 3, "C")]

    def picked() -> list[dict]:
        """Successes finishing in the order of the list (that order is another scenario's),
        one failure somewhere, none of them the longest job."""
        count = judge.rng.randint(2, 4)
        names = _names(count + 1)
        delays = _delays(count + 1)
        longest = delays.pop()
        fails_at = delays.pop(judge.rng.randrange(len(delays)))
        successes = [job(n, d, _word()) for n, d in zip(names, delays + [longest])]
        script = successes[:]
        script.insert(judge.rng.randint(0, len(successes) - 1), failing(names[-1], fails_at, *_error(names[-1])))
        return script

    def pair(result: Any) -> tuple:
        if not (isinstance(result, tuple) and len(result) == 2):
            raise GradingFailure(f"successes_and_failures should return a tuple (results, errors), "
                                 f"got {_shown(result)}")
        return result

    @visible.scenario("returns (results, errors): (['A', 'C'], [the ValueError job 'b' raised])", points=0.75)
    def _():
        for script in (example, picked()):
            _, result, _ = awaited(kernel, "successes_and_failures", script)
            if not (isinstance(result, tuple) and len(result) == 2):
                raise GradingFailure(f"return a tuple (results, errors), got {_shown(result)}")
            results, errors = result
            values = [j["value"] for j in script if "raises" not in j]
            fails = [j for j in script if "raises" in j]
            if results != values:
                raise GradingFailure(f"expected the values of the jobs that succeeded, {values!r}, "
                                     f"got {_shown(results)}")
            if not (isinstance(errors, (list, tuple)) and len(errors) == len(fails)
                    and all(_is_from(e, j["name"]) for e, j in zip(errors, fails))):
                what = messages.series([f"the {j['raises'][0]} job {j['name']!r} raised" for j in fails], "comma")
                raise GradingFailure(f"expected [{what}], got {_shown(errors)}")

    @visible.scenario("lets every job run to its end, all at once: jobs of 2, 1 and 3 s take 3 s", points=0.5)
    def _():
        for script in (example, picked()):
            answer, _, _ = awaited(kernel, "successes_and_failures", script)
            longest = max(j["delay"] for j in script)
            expect_elapsed(answer, longest, "successes_and_failures", script,
                           hint=f"every job runs to its end, all at once: {longest:g} s")

    @hidden.scenario("every job starts at 0 s and runs to its end: a, b (fails), c end at 2, 1 and 3 s",
                     points=0.25)
    def _():
        for script in (example, picked()):
            answer, _, _ = awaited(kernel, "successes_and_failures", script)
            expect_rows(answer, [(j["name"], 0, j["delay"], None) for j in script])

    @hidden.scenario("all jobs fail: errors are the exception objects, in the order of jobs, not of failing",
                     points=0.5)
    def _():
        example_fails = [failing("f0", 3, "OSError", "first in the list"), failing("f1", 2, "KeyError", "second"),
                         failing("f2", 1, "RuntimeError", "third")]
        names = _names(judge.rng.randint(3, 4))
        delays = _delays(len(names))
        while delays == sorted(delays):
            judge.rng.shuffle(delays)
        random_fails = [failing(n, d, *_error(n)) for n, d in zip(names, delays)]
        for script in (example_fails, random_fails):
            answer, result, _ = awaited(kernel, "successes_and_failures", script)
            results, errors = pair(result)
            if _as_list(results) != []:
                raise GradingFailure(f"no job succeeded, so results should be [], got {_shown(results)}")
            expected = "[" + ", ".join(_shown_error(*j["raises"]) for j in script) + "]"
            if not (isinstance(errors, (list, tuple)) and len(errors) == len(script)
                    and all(_is_from(e, j["name"]) for e, j in zip(errors, script))):
                raise GradingFailure(f"errors must be the exception objects themselves, in input order: expected "
                                     f"{expected}, got {_shown(errors)}")
            expect_elapsed(answer, max(j["delay"] for j in script), "successes_and_failures", script)

    @hidden.scenario("a job that returns an exception object succeeded: its value goes in results", points=0.5)
    def _():
        example_script = [{"name": "ret", "delay": 2, "returns_error": ["ValueError", "I am a return value"]},
                          job("none", 1, None), failing("raise", 4, "ValueError", "I was raised"),
                          job("last", 3, "last")]
        # Like the example: the job that raises is the last to finish (a failure that stops
        # the others is another scenario's), the None before the returned exception.
        ret, none, raised, last = _names(4)
        kind = judge.rng.choice(_ERRORS)
        early, returned_at, last_at, raised_at = _delays(4)
        random_script = [{"name": ret, "delay": returned_at, "returns_error": [kind, f"I am a return value #{ret}"]},
                         job(none, early, None), failing(raised, raised_at, kind, "I was raised"),
                         job(last, last_at, _word())]
        for script in (example_script, random_script):
            returns, plain, fails, final = script
            _, result, _ = awaited(kernel, "successes_and_failures", script)
            results, errors = pair(result)
            if not (isinstance(results, (list, tuple)) and len(results) == 3
                    and _is_from(results[0], returns["name"], "returned")
                    and list(results[1:]) == [None, final["value"]]):
                raise GradingFailure(
                    f"a job that *returns* an exception object succeeded: expected results "
                    f"[{_shown_error(*returns['returns_error'])}, None, {final['value']!r}], got {_shown(results)}")
            if not (isinstance(errors, (list, tuple)) and len(errors) == 1 and _is_from(errors[0], fails["name"])):
                raise GradingFailure(f"only the raised exception is an error: expected "
                                     f"[{_shown_error(*fails['raises'])}], got {_shown(errors)}")

    @hidden.scenario("a failure at 1 s stops nobody: the 6 s job runs to its end", points=0.25)
    def _():
        early_name, long_name = _names(2)
        early_at, long_at = _delays(2, 1, 8)
        random_script = judge.rng.sample([failing(early_name, early_at, *_error(early_name)),
                                          job(long_name, long_at + 1, _word())], 2)
        for script in ([failing("early", 1, "EOFError", "early"), job("long", 6, "long")], random_script):
            early = next(j for j in script if "raises" in j)
            long = next(j for j in script if "raises" not in j)
            answer, result, _ = awaited(kernel, "successes_and_failures", script)
            results, errors = pair(result)
            if _as_list(results) != [long["value"]] or not (isinstance(errors, (list, tuple)) and len(errors) == 1):
                raise GradingFailure(f"expected ([{long['value']!r}], [{_shown_error(*early['raises'])}]), "
                                     f"got {_shown(result)}")
            expect_elapsed(answer, long["delay"], "successes_and_failures", script,
                           hint=f"the {long['delay']:g} s job must run to its end even though another job failed "
                                f"at {early['delay']:g} s")
            expect_rows(answer, [(long["name"], 0, long["delay"], None)])

    @hidden.scenario("no jobs: successes_and_failures([]) returns ([], []) at once", points=0.25)
    def _():
        answer, result, _ = awaited(kernel, "successes_and_failures", [])
        if result != ([], []):
            raise GradingFailure(f"no jobs: expected ([], []), got {_shown(result)}")
        expect_elapsed(answer, 0.0, "successes_and_failures", [])

    return visible, hidden


# ---- exercise 4 ------------------------------------------------------------------------

def all_or_nothing_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("all_or_nothing")

    def all_succeed(count: int) -> list[dict]:
        delays = _delays(count)
        judge.rng.shuffle(delays)
        return [job(n, d, _word()) for n, d in zip(_names(count), delays)]

    def one_fails() -> list[tuple[list[dict], dict]]:
        """The example (job 'b' fails at 1 s, first to finish), and another like it."""
        b = failing("b", 1, "ValueError", "b failed")
        names = _names(judge.rng.randint(3, 4))
        delays = _delays(len(names))
        fails = failing(names[0], delays[0], *_error(names[0]))
        script = [job(n, d, _word()) for n, d in zip(names[1:], delays[1:])]
        script.insert(judge.rng.randint(0, len(script)), fails)
        return [([job("a", 3, "A"), b, job("c", 2, "C")], b), (script, fails)]

    @visible.scenario("all succeed: the values in the order of jobs, ['A', 'B', 'C'], in 3 s", points=0.5)
    def _():
        for script in ([job("a", 3, "A"), job("b", 1, "B"), job("c", 2, "C")], all_succeed(3)):
            answer, result, _ = awaited(kernel, "all_or_nothing", script)
            values = [j["value"] for j in script]
            if result != values:
                raise GradingFailure(f"all jobs succeed: expected {values!r} in input order, got {_shown(result)}")
            longest = max(j["delay"] for j in script)
            expect_elapsed(answer, longest, "all_or_nothing", script,
                           hint=f"jobs of {', '.join(format(j['delay'], 'g') for j in script)} s run together "
                                f"take {longest:g} s")

    @visible.scenario("job 'b' fails at 1 s: its ValueError itself is raised at 1 s", points=0.5)
    def _():
        for script, fails in one_fails():
            _, how, value, at = driven(kernel, "all_or_nothing", script)
            name, kind, when = fails["name"], fails["raises"][0], fails["delay"]
            if not (how == "error" and _is_from(value, name) and _same_time(at, when)):
                raise GradingFailure(
                    f"job {name!r} failed at {when:g} s: all_or_nothing should raise its {kind} itself at "
                    f"{when:g} s; it ended at {at:g} s with {how} {_shown(value)}")

    @visible.scenario("the other jobs are cancelled at that moment: 'a' and 'c' end cancelled at 1 s", points=0.5)
    def _():
        for script, fails in one_fails():
            answer, _, _, _ = driven(kernel, "all_or_nothing", script)
            for other in script:
                if other is not fails:
                    judge.expect_task(answer, other["name"], outcome="cancelled", ended=fails["delay"],
                                      why=f"job {fails['name']!r} failed at {fails['delay']:g} s",
                                      **_reference("all_or_nothing", script, drive=True))

    def early_failure() -> list[tuple[list[dict], dict, dict]]:
        """A late failure listed first, a success before the early failure, a slow success."""
        early = failing("early", 2, "KeyError", "fails at 2 s")
        example = [failing("late", 4, "OSError", "would fail at 4 s"), job("ok", 1, "ok"), early,
                   job("slow", 5, "slow")]
        ok_at, early_at, late_at, slow_at = _delays(4)
        late_name, ok_name, early_name, slow_name = _names(4)
        early_random = failing(early_name, early_at, *_error(early_name))
        late_random = failing(late_name, late_at, *_error(late_name))
        rest = [job(ok_name, ok_at, _word()), early_random, job(slow_name, slow_at, _word())]
        judge.rng.shuffle(rest)
        ok_random = next(j for j in rest if j["name"] == ok_name)
        return [(example, early, example[1]), ([late_random, *rest], early_random, ok_random)]

    @hidden.scenario("the first failure in time is raised at once, itself, not in an ExceptionGroup: "
                     "'early' at 2 s, not 'late'", points=0.5)
    def _():
        for script, early, _ in early_failure():
            _, how, value, at = driven(kernel, "all_or_nothing", script)
            if isinstance(value, dict) and value.get("exception") in ("ExceptionGroup", "BaseExceptionGroup"):
                raise GradingFailure(f"all_or_nothing raised {_shown(value)}: raise the job's own exception, "
                                     "not a group")
            if not (how == "error" and _is_from(value, early["name"]) and _same_time(at, early["delay"])):
                raise GradingFailure(
                    f"job {early['name']!r} failed first, at {early['delay']:g} s: all_or_nothing should raise "
                    f"that {early['raises'][0]} itself at {early['delay']:g} s; {ended(how, value, at)}")

    @hidden.scenario("after the first failure everything still running is cancelled at that moment (2 s)",
                     points=0.5)
    def _():
        for script, early, ok in early_failure():
            answer, _, _, _ = driven(kernel, "all_or_nothing", script)
            at = early["delay"]
            expect_nothing_left(answer, at, "after the first failure nothing may keep running",
                                "all_or_nothing", script)
            expect_rows(answer, [(j["name"], 0, at, "cancelled") for j in script if j is not early and j is not ok]
                        + [(ok["name"], 0, ok["delay"], None)])

    @hidden.scenario("all succeed: [40, 10, 30, 20] in the order of jobs, in 4 s, nothing cancelled", points=0.5)
    def _():
        for script in ([job(f"s{d}", d, d * 10) for d in (4, 1, 3, 2)], all_succeed(judge.rng.randint(3, 5))):
            answer, result, _ = awaited(kernel, "all_or_nothing", script)
            values = [j["value"] for j in script]
            if _as_list(result) != values:
                raise GradingFailure(f"expected {values!r} in input order, got {_shown(result)}")
            expect_elapsed(answer, max(j["delay"] for j in script), "all_or_nothing", script)
            cancelled = [r.name for r in (answer.timeline.tasks if answer.timeline else []) if r.outcome == "cancelled"]
            if cancelled:
                raise GradingFailure(f"when every job succeeds, none may be cancelled; cancelled: {cancelled}")

    @hidden.scenario("all_or_nothing([]) returns []", points=0.25)
    def _():
        _, result, _ = awaited(kernel, "all_or_nothing", [])
        if _as_list(result) != []:
            raise GradingFailure(f"all_or_nothing([]) should return [], got {_shown(result)}")

    cancelled_by_its_caller(kernel, hidden, delays={"x": 3, "y": 4, "z": 1}, finish_first=True)

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"fetch_all": fetch_all_outside, "first_wins": first_wins_outside,
           "successes_and_failures": successes_and_failures_outside, "all_or_nothing": all_or_nothing_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
