"""Hidden checks of lesson 06 · Blocking, judged outside the kernel (:mod:`coursetools.judge`;
the kernel runs the learner's code through :mod:`aiolab.probes`).

Every request runs in virtual time and fails a run that blocks the event loop (a step above
0.5 s of real time, as the notebook's tests), and runs the answer with the lesson's own
setup (its exercise setup cells), whatever the notebook's has become.

``process_all(jobs)`` (3 points). The visible scenarios run it with the lesson's ``download``
and real ``checksum`` (0.6 s of real time per call, in the thread that calls it: on the
loop's thread it blocks the loop; probe ``process_all_with_lesson_setup``). The hidden ones
replace ``checksum`` by a fast stand-in that records its data and whether it ran on the
event loop's thread ("call it by its name", says the text; probe
``process_all_with_stand_in_checksum``). Requirements of the exercise text, and where each
is checked (V: visible scenario in the notebook, made again here from data at grading time;
H: hidden scenario). Each scenario also asks for jobs picked at random (two or three, of
distinct names and whole seconds apart, so that a checksum in a thread never races a
download; the visible ones finish in job order, as the notebook's do):

| requirement                                          | scenario                                               | points |
|------------------------------------------------------|--------------------------------------------------------|--------|
| checksums in the order of `jobs`                     | V "returns the checksums in the order of jobs"         | 0.75   |
| checksum never on the loop's thread (in a worker     | V (same: the real checksum() blocks 0.6 s);            |        |
| thread)                                              | H "checksum() runs in a worker thread"                 | 0.5    |
| all downloads at the same time: the longest download | V "downloads at the same time: ... 2 s"                | 0.5    |
|                                                      | H "downloads of 3, 1 and 2 s: in job order, in 3 s"    | 0.5    |
| checksum by its name, once per job, with its data    | H "checksum() is called once per job, with its data"   | 0.25   |
| `process_all([])` returns `[]` at once               | H "process_all([]) returns [] at once"                 | 0.25   |
| one checksum per job, equal names included           | H "a name listed twice is two jobs"                    | 0.25   |

``dashboard(user_id)`` (3 points). Every request runs it with the lesson's ``fetch_*``
functions, waiting ``DELAYS`` seconds that the grader sets, and records their calls (probe
``dashboard_with_lesson_fetches``). Each scenario also asks for a user id (and, for the
other ``DELAYS``, delays) picked at random:

| requirement                                          | scenario                                               | points |
|------------------------------------------------------|--------------------------------------------------------|--------|
| returns the same dictionary as dashboard_sequential  | V "returns the same dictionary as dashboard_sequential"| 0.5    |
| takes the longest chain of dependencies (3 s)        | V "takes the longest chain: 3 s"                       | 0.75   |
| ... with other DELAYS too                            | H "with other DELAYS, still the longest chain"         | 0.5    |
| each fetch_* once; orders and recommendations get    | H "calls each fetch_* exactly once, ... the user"      | 0.5    |
| the user fetch_user returned                         |                                                        |        |
| fetch_user raises: dashboard raises that LookupError | H "dashboard(-1) raises the LookupError"               | 0.75   |
| (or an ExceptionGroup holding only it)               |                                                        |        |

Scenarios that judge the same run share one request (:func:`coursetools.judge.shared`), as
the notebook's visible scenarios run the same call.
"""

from __future__ import annotations

import builtins
import functools
import hashlib
import math

from aiolab import grading, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "06-blocking"


def _facts(answer: judge.Answer) -> dict:
    (seen,) = answer.values(1)
    if not isinstance(seen, dict):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    return seen


def _result(seen: dict):
    """What the answer returned: a tuple counts as the list it holds (None: not plain data)."""
    value = seen.get("value")
    return list(value) if isinstance(value, tuple) else value


# ---- process_all ---------------------------------------------------------------------------

@functools.cache
def _process_all_model():
    return model(LESSON, "process_all")


def _jobs(count: int, *, in_order: bool = False) -> list[tuple[str, int]]:
    """``count`` jobs of distinct names and distinct whole seconds (a checksum in a thread,
    0.6 s of real time, never overlaps the next download's end); ``in_order``: each job
    finishes after the one before."""
    seconds = judge.rng.sample(range(1, 6), count)
    if in_order:
        seconds.sort()
    return [(f"{name}.txt", s) for name, s in zip(judge.names(count), seconds)]


def process_all_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("process_all")

    real = judge.shared(lambda jobs: kernel.probe("process_all_with_lesson_setup", "process_all", jobs))
    spied = judge.shared(lambda jobs: kernel.probe("process_all_with_stand_in_checksum", "process_all", jobs))
    notebook_jobs = [("x.txt", 1), ("y.txt", 2)]
    visible_jobs = [notebook_jobs, _jobs(2, in_order=True)]
    three = [("a.txt", 3), ("b.txt", 1), ("c.txt", 2)]
    hidden_jobs = [three, _jobs(3)]

    def chart(jobs):
        return {"reference": probes.process_all_with_stand_in_checksum, "args": (_process_all_model(), jobs)}

    def stand_in_calls(jobs) -> list:
        calls = _facts(spied(jobs)).get("calls")
        if not isinstance(calls, list) or not calls:
            raise GradingFailure("checksum() was never called in this process: call it by its name, in a thread, "
                                 "with `await asyncio.to_thread(checksum, data)`")
        return calls

    @visible.scenario("returns the checksums in the order of jobs, with checksum() off the event loop", points=0.75)
    def _():
        for jobs in visible_jobs:
            seen = _facts(real(jobs))
            expected = [hashlib.sha256(f"contents of {name}".encode()).hexdigest()[:12] for name, _ in jobs]
            if seen.get("value") != expected:
                raise GradingFailure(f"expected the checksums {expected} in job order, got {seen.get('shown')}")

    @visible.scenario("downloads at the same time: downloads of 1 and 2 s take 2 s", points=0.5)
    def _():
        for jobs in visible_jobs:
            answer = real(jobs)
            answer.values(1)
            longest = max(s for _, s in jobs)
            judge.expect_elapsed(answer, float(longest), **chart(jobs),
                                 hint=f"The downloads should overlap: the longest ({longest:g} s) sets the time.")

    # First: it passes at once even for an answer that blocks for seconds, whose later
    # scenarios may run out of the cell's real-time budget.
    @hidden.scenario("process_all([]) returns [] at once, without calling checksum()", points=0.25)
    def _():
        answer = spied([])
        seen = _facts(answer)
        if seen.get("value") != []:
            raise GradingFailure(f"process_all([]) should return [], got {seen.get('shown')}")
        if not math.isclose(answer.elapsed or 0.0, 0.0, abs_tol=grading.TOLERANCE):
            raise GradingFailure(f"process_all([]) should take no time, it took {answer.elapsed:g} s")
        if seen.get("calls"):
            raise GradingFailure("process_all([]) should not call checksum()")

    @hidden.scenario("checksum() runs in a worker thread, never on the event loop's thread", points=0.5)
    def _():
        for jobs in hidden_jobs:
            on_loop = [data.decode() if isinstance(data, bytes) else data
                       for data, flag in stand_in_calls(jobs) if flag]
            if on_loop:
                raise GradingFailure(f"checksum() ran on the event loop's thread for {on_loop}; run it in a "
                                     "worker thread with `await asyncio.to_thread(checksum, data)`")

    @hidden.scenario("checksum() is called once per job, with that job's data", points=0.25)
    def _():
        for jobs in hidden_jobs:
            got = sorted((data for data, _ in stand_in_calls(jobs)), key=repr)
            want = sorted((f"contents of {name}".encode() for name, _ in jobs), key=repr)
            if got != want:
                raise GradingFailure(f"checksum() should be called once per job, with that job's data; it got {got}")

    @hidden.scenario("downloads of 3, 1 and 2 s: the checksums in job order, in 3 s", points=0.5)
    def _():
        for jobs in hidden_jobs:
            answer = spied(jobs)
            seen = _facts(answer)
            want = [f"sum of contents of {name}" for name, _ in jobs]
            if _result(seen) != want:
                raise GradingFailure(f"results must be in the order of the jobs: expected {want}, "
                                     f"got {seen.get('shown')}")
            longest = max(s for _, s in jobs)
            judge.expect_elapsed(answer, float(longest), **chart(jobs),
                                 hint=f"The downloads should overlap: the longest one ({longest:g} s) sets the time.")

    @hidden.scenario("a name listed twice is two jobs: [same, other, same] gives three checksums", points=0.25)
    def _():
        same, other = _jobs(2)
        for jobs in ([("same.txt", 2), ("other.txt", 1), ("same.txt", 2)], [same, other, same]):
            seen = _facts(spied(jobs))
            want = [f"sum of contents of {name}" for name, _ in jobs]
            if _result(seen) != want:
                raise GradingFailure(f"for jobs {jobs} expected {want}, got {seen.get('shown')}")
            calls = seen.get("calls") or []
            if len(calls) != 3:
                raise GradingFailure(f"checksum() should run once per job (3 jobs), it ran {len(calls)} times")

    return visible, hidden


# ---- dashboard -----------------------------------------------------------------------------

#: The lesson's DELAYS (its exercise setup cell).
DELAYS = {"user": 1.0, "orders": 2.0, "recommendations": 1.5, "promotions": 2.5}
FETCHES = ("fetch_user", "fetch_orders", "fetch_recommendations", "fetch_promotions")


@functools.cache
def _dashboard_model():
    return model(LESSON, "dashboard")


def _longest_chain(delays: dict) -> float:
    return max(delays["user"] + delays["orders"], delays["user"] + delays["recommendations"], delays["promotions"])


def _board(user_id: int) -> dict:
    """What dashboard_sequential(user_id) returns."""
    return {"user": {"id": user_id, "name": f"user-{user_id}"},
            "orders": [f"order-{user_id}-1", f"order-{user_id}-2"],
            "recommendations": [f"book for user-{user_id}"], "promotions": ["spring sale"]}


def _user_id() -> int:
    return judge.rng.randint(0, 999)


def dashboard_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("dashboard")

    ask = judge.shared(lambda delays, user_id, raised_as_data=False: kernel.probe(
        "dashboard_with_lesson_fetches", "dashboard", delays, user_id, raised_as_data))
    users = [7, _user_id()]

    def chart(delays: dict, user_id: int) -> dict:
        return {"reference": probes.dashboard_with_lesson_fetches, "args": (_dashboard_model(), delays, user_id)}

    @visible.scenario("returns the same dictionary as dashboard_sequential(7)", points=0.5)
    def _():
        for user_id in users:
            seen = _facts(ask(DELAYS, user_id))
            if seen.get("value") != _board(user_id):
                raise GradingFailure(f"dashboard({user_id}) returned {seen.get('shown_value')}, "
                                     f"expected {_board(user_id)!r}")

    @visible.scenario("takes the longest chain of dependencies: 3 s with the delays above", points=0.75)
    def _():
        for user_id in users:
            answer = ask(DELAYS, user_id)
            answer.values(1)
            judge.expect_elapsed(answer, 3.0, **chart(DELAYS, user_id),
                                 hint="The longest chain is user → orders (1 + 2 s); everything else should fit "
                                      "beside it.")

    @hidden.scenario("calls each fetch_* function exactly once, and gives orders and recommendations the user "
                     "fetch_user returned", points=0.5)
    def _():
        for user_id in (3, _user_id()):
            seen = _facts(ask(DELAYS, user_id))
            calls = seen.get("calls") or []
            names = sorted(name for name, _ in calls)
            if names != sorted(FETCHES):
                raise GradingFailure(f"each fetch_* function should be called exactly once; the calls were {names}")
            for name, args in calls:
                if name in ("fetch_orders", "fetch_recommendations") and args != [seen.get("user")]:
                    raise GradingFailure(f"{name} must be given the user that fetch_user returned; "
                                         f"it got {tuple(args)!r}")

    @hidden.scenario("with other DELAYS, still the longest chain: promotions 4 s, user + recommendations 5 s, "
                     "user + orders 4 s", points=0.5)
    def _():
        picked = {name: judge.rng.randint(1, 16) / 4 for name in DELAYS}
        for delays, user_id in [({"user": 1, "orders": 1, "recommendations": 1, "promotions": 4}, 5),
                                ({"user": 2, "orders": 1, "recommendations": 3, "promotions": 1}, 5),
                                ({"user": 1, "orders": 3, "recommendations": 1, "promotions": 1}, 5),
                                (picked, _user_id())]:
            answer = ask(delays, user_id)
            seen = _facts(answer)
            value = seen.get("value")
            if not (isinstance(value, dict) and value.get("orders") == _board(user_id)["orders"]):
                raise GradingFailure(f"with DELAYS = {delays}, dashboard({user_id}) returned {seen.get('shown_value')}")
            longest = _longest_chain(delays)
            judge.expect_elapsed(answer, longest, **chart(delays, user_id),
                                 hint=f"With DELAYS = {delays} the longest chain takes {longest:g} s.")

    @hidden.scenario("dashboard(-1) raises the LookupError of fetch_user (or an ExceptionGroup holding only it)",
                     points=0.75)
    def _():
        for user_id in (-1, -judge.rng.randint(2, 999)):
            seen = _facts(ask(DELAYS, user_id, True))
            should = f"dashboard({user_id}) should raise the LookupError from fetch_user"
            raised = seen.get("raised")
            if raised is None:
                raise GradingFailure(f"{should}; it returned {seen.get('shown_value')}")
            if _is(raised, LookupError):
                continue
            leaves = seen.get("leaves") or []
            if not (_is(raised, BaseExceptionGroup) and leaves and all(_is(leaf, LookupError) for leaf in leaves)):
                raise GradingFailure(f"{should}; it raised {seen.get('shown')}")

    return visible, hidden


def _is(name: object, kind: type) -> bool:
    """``name`` is the name of a built-in exception class derived from ``kind``."""
    cls = getattr(builtins, name, None) if isinstance(name, str) else None
    return isinstance(cls, type) and issubclass(cls, kind)


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"process_all": process_all_outside, "dashboard": dashboard_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
