"""Hidden checks of lesson 04 · The basic template, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

``fetch_all(jobs)`` (3 points). The answer always runs with the lesson's own ``fetch`` (probe
``fetch_all_with_lesson_fetch``), whatever the notebook's has become. Requirements of the
exercise text, and where each is checked (V: visible scenario in the notebook, made again here
from data at grading time; H: hidden scenario). Each scenario also asks for inputs picked at
random (at most three jobs, except the 20-job scenario):

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| calls `fetch(name, delay)` per job; results in the    | V "returns the results in the order of jobs"          | 0.5    |
| order of `jobs`, not of finishing                    | H "20 jobs: 20 results in the order of jobs, in 5 s"  | 0.5    |
| all fetches run concurrently (as long as the slowest)| V "runs the fetches concurrently: ... take 3 s";      | 0.75   |
|                                                      | H "20 jobs ..., in 5 s" (same scenario as above)       |        |
| returns a *list*                                     | H "returns a list"                                    | 0.25   |
| an empty list returns `[]` at once                   | H "an empty list returns [] at once"                  | 0.5    |
| one call per job (equal jobs are two jobs)           | H "two equal jobs are still two jobs"                 | 0.25   |
| must not create, run or close a loop                 | H "creates, runs and closes no event loop"            | 0.25   |

``run_in_new_loop(coro_fn, *args)`` (4 points). Every call is made from a new thread of its
own, where no loop runs (probe ``run_in_new_loop_from_threads``, which also holds the
coroutine functions handed to it). Every hidden scenario runs with ``asyncio.run`` and
``asyncio.Runner`` refusing to be called ("without calling asyncio.run or asyncio.Runner"): an
answer built on them keeps only the visible points.

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| runs `coro_fn(*args)` and returns its result          | V "returns the coroutine's result"                    | 0.5    |
| always closes the loop                               | V "closes the loop it created";                       | 0.5    |
|                                                      | H "closes the loop even when the coroutine raised"    | 0.25   |
| a new loop per call, any number of calls             | H "each call runs on a new loop of its own"           | 0.25   |
| makes the new loop the thread's current loop         | H "makes the new loop the thread's current loop"      | 0.5    |
| the coroutine's exception propagates, the same one   | H "raises the coroutine's own exception"              | 0.5    |
| cancels leftover tasks, runs until they finish       | H "cancels every task left running ..."               | 0.5    |
| cancelling (returned or raised)                      | H "... also when the coroutine raised"                | 0.25   |
| closes the async generators left open                | H "closes the async generators left open"             | 0.25   |
| unsets the thread's current loop (returned or raised)| H "unsets the thread's current loop afterwards"       | 0.5    |

Why the scenarios of exercise 2 each use their own small coroutine (no leftovers where the
scenario is not about leftovers), and each call one request of its own unless the scenario
is about calls in a row: one missing step then costs that step's points only.
"""

from __future__ import annotations

import builtins
import functools
import string

from aiolab import messages, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "04-basic-template"


# ---- fetch_all -------------------------------------------------------------------------

@functools.cache
def _fetch_all_model():
    return model(LESSON, "fetch_all")


def _names(count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add("".join(judge.rng.choice(string.ascii_lowercase) for _ in range(judge.rng.randint(1, 6))))
    return judge.rng.sample(sorted(names), count)


def _jobs(count: int, *, in_order: bool = False) -> list[tuple[str, float]]:
    """``count`` jobs of distinct names, 1 to 6 s each (a few jobs only: an answer that
    blocks a little per job, short of a blocking call, must fail only the 20-job scenario);
    ``in_order``: finishing in the order of the list (where order is not the scenario's)."""
    if in_order:
        delays = sorted(judge.rng.sample([x / 2 for x in range(2, 13)], count))
        return list(zip(_names(count), delays))
    return [(name, judge.rng.randint(2, 12) / 2) for name in _names(count)]


def _fetched(jobs: list[tuple[str, float]]) -> list[str]:
    return [f"{name} ({delay:g} s)" for name, delay in jobs]


def _fetch_all(kernel: judge.Kernel, jobs: list[tuple[str, float]]) -> judge.Answer:
    return kernel.probe("fetch_all_with_lesson_fetch", "fetch_all", jobs)


def _reference(jobs):
    return {"reference": probes.fetch_all_with_lesson_fetch, "args": (_fetch_all_model(), jobs)}


def fetch_all_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("fetch_all")
    example = [("a", 3), ("b", 1), ("c", 2)]

    @visible.scenario("returns the results in the order of jobs: ['a (3 s)', 'b (1 s)', 'c (2 s)']", points=0.5)
    def _():
        for jobs in (example, _jobs(3)):
            (got,) = _fetch_all(kernel, jobs).values(1)
            expected = _fetched(jobs)
            if not (isinstance(got, (list, tuple)) and list(got) == expected):
                raise GradingFailure(f"fetch_all({jobs!r}) returned {got!r}, expected {expected}")

    @visible.scenario("runs the fetches concurrently: jobs of 3, 1 and 2 s take 3 s", points=0.75)
    def _():
        for jobs in (example, _jobs(3)):
            answer = _fetch_all(kernel, jobs)
            answer.values(1)
            delays = [d for _, d in jobs]
            shown = messages.series([format(d, "g") for d in delays])
            judge.expect_elapsed(answer, max(delays), **_reference(jobs),
                                 hint=f"Jobs of {shown} s run concurrently take {max(delays):g} s.")

    @hidden.scenario("an empty list returns [] at once: fetch_all([]) == [] in 0 s", points=0.5)
    def _():
        answer = _fetch_all(kernel, [])
        (got,) = answer.values(1)
        if not (isinstance(got, (list, tuple)) and len(got) == 0):
            raise GradingFailure(f"fetch_all([]) returned {got!r}, expected []")
        judge.expect_elapsed(answer, 0.0, **_reference([]), hint="An empty list of jobs has nothing to wait for.")

    @hidden.scenario("20 jobs of 1 to 5 s: 20 results in the order of jobs, in 5 s", points=0.5)
    def _():
        for jobs in ([(f"file{i}", (i * 7) % 5 + 1) for i in range(20)], _twenty()):
            answer = _fetch_all(kernel, jobs)
            (got,) = answer.values(1)
            want = _fetched(jobs)
            if not (isinstance(got, (list, tuple)) and list(got) == want):
                raise GradingFailure(f"with 20 jobs, expected one result per job in the order of jobs, "
                                     f"{want[:3]} ...; got {got!r}")
            judge.expect_elapsed(answer, 5.0, **_reference(jobs),
                                 hint="20 jobs of 1 to 5 s run concurrently take 5 s.")

    @hidden.scenario("returns a list: fetch_all([('a', 1), ('b', 2)]) is a list", points=0.25)
    def _():
        for jobs in ([("a", 1), ("b", 2)], _jobs(2)):
            (got,) = _fetch_all(kernel, jobs).values(1)
            if type(got) is not list:
                kind = got.kind if isinstance(got, judge.Opaque) else type(got).__name__
                raise GradingFailure(f"fetch_all should return a list; it returned a {kind}: {got!r}")

    @hidden.scenario("two equal jobs are still two jobs: [('same', 2), ('same', 2), ('other', 1)] gives 3 results",
                     points=0.25)
    def _():
        twin, other = _jobs(2)
        picked = [twin, other]
        picked.insert(judge.rng.randint(0, 2), twin)
        for jobs in ([("same", 2), ("same", 2), ("other", 1)], picked):
            (got,) = _fetch_all(kernel, jobs).values(1)
            expected = _fetched(jobs)
            if not (isinstance(got, (list, tuple)) and list(got) == expected):
                raise GradingFailure(f"two equal jobs are still two jobs with two results: expected "
                                     f"{expected}, got {got!r}")

    @hidden.scenario("creates, runs and closes no event loop: it is awaited inside a running one", points=0.25)
    def _():
        for jobs in ([("a", 1), ("b", 2)], _jobs(2, in_order=True)):
            (seen,) = kernel.probe("fetch_all_without_loops", "fetch_all", jobs).values(1)
            if not isinstance(seen, dict):
                raise GradingFailure(f"The kernel's answer was malformed: {seen!r}")
            if seen.get("called"):
                raise GradingFailure(
                    f"fetch_all called asyncio.{seen['called'][0]}(): it is awaited inside a running loop, so it "
                    "must not create, run or close a loop of its own (await the fetches instead)")
            if seen.get("raised"):
                raise GradingFailure(f"fetch_all({jobs!r}) raised {seen['raised']}: {seen.get('message', '')}")
            expected = _fetched(jobs)
            got = seen.get("value")
            if not (isinstance(got, (list, tuple)) and list(got) == expected):
                raise GradingFailure(f"fetch_all({jobs!r}) returned {got!r}, expected {expected}")

    return visible, hidden


def _twenty() -> list[tuple[str, int]]:
    """20 jobs of distinct names, 1 to 5 s each, one of them 5 s."""
    jobs = [(name, judge.rng.randint(1, 5)) for name in _names(20)]
    slowest = judge.rng.randrange(20)
    jobs[slowest] = (jobs[slowest][0], 5)
    return jobs


# ---- run_in_new_loop -------------------------------------------------------------------

_ERRORS = ("ValueError", "KeyError", "IndexError", "ZeroDivisionError", "LookupError", "ArithmeticError")


def _error() -> tuple[str, str]:
    """A built-in exception class and a message, picked at random."""
    return judge.rng.choice(_ERRORS), judge.rng.choice(["boom", "bang", "oops", "no luck", "it broke"]) + \
        f" #{judge.rng.randint(1, 999)}"


def _shown_error(kind: str, message: str) -> str:
    return f"{kind}({message!r})"


def _message_of(kind: str, message: str) -> str:
    return str(getattr(builtins, kind)(message))


def _ended(call: dict) -> str:
    if call.get("raised") is not None:
        return f"raised {call.get('type')}: {call.get('message')}" if call.get("message") else \
            f"raised {call.get('type')}"
    return f"returned {call.get('shown')}"


def _calls(kernel: judge.Kernel, *calls: list, refuse: bool = True) -> list[dict]:
    """Each ``[coroutine function, args]`` handed to run_in_new_loop, one after the other,
    each from a new thread; with ``refuse``, a call of asyncio.run or asyncio.Runner fails."""
    (got,) = kernel.probe("run_in_new_loop_from_threads", "run_in_new_loop", refuse, *calls).values(1)
    if not (isinstance(got, list) and len(got) == len(calls) and all(isinstance(c, dict) for c in got)):
        raise GradingFailure(f"The kernel's answer was malformed: {got!r}")
    if any(c.get("refused") for c in got):
        raise GradingFailure("run_in_new_loop must do the steps itself, without asyncio.run() or "
                             "asyncio.Runner (the exercise asks you to write what they do)")
    return got


def run_in_new_loop_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("run_in_new_loop")

    def times_two(x: int, refuse: bool = True) -> dict:
        (call,) = _calls(kernel, ["times_two", [x]], refuse=refuse)
        if call.get("raised") is not None or call.get("returned") != 2 * x:
            raise GradingFailure(f"run_in_new_loop(times_two, {x}) {_ended(call)}, expected {2 * x}")
        return call

    @visible.scenario("returns the coroutine's result: run_in_new_loop(times_two, 21) == 42", points=0.5)
    def _():
        for x in (21, judge.rng.randint(2, 999)):
            times_two(x, refuse=False)

    @visible.scenario("closes the loop it created, once the coroutine is done", points=0.5)
    def _():
        for x in (1, judge.rng.randint(2, 999)):
            call = times_two(x, refuse=False)
            if call.get("loop") is None or call.get("loop_closed") is not True:
                raise GradingFailure("after run_in_new_loop returned, the loop it created is still open: close it")

    @hidden.scenario("each call runs on a new loop of its own: two calls in a row both work", points=0.25)
    def _():
        for x, y in ((1, 2), (judge.rng.randint(3, 999), judge.rng.randint(3, 999))):
            first, second = _calls(kernel, ["times_two", [x]], ["times_two", [y]])
            if (first.get("raised"), second.get("raised")) != (None, None) or \
                    (first.get("returned"), second.get("returned")) != (2 * x, 2 * y):
                raise GradingFailure(
                    f"run_in_new_loop(times_two, {x}) then (times_two, {y}): the first {_ended(first)}, "
                    f"the second {_ended(second)}; expected {2 * x}, then {2 * y}")
            if first.get("loop") is None or first.get("loop") == second.get("loop"):
                raise GradingFailure("both calls ran on the same loop: each call must create a new loop")

    @hidden.scenario("makes the new loop the thread's current loop before running the coroutine", points=0.5)
    def _():
        (call,) = _calls(kernel, ["loop_is_current", []])
        if call.get("returned") is not True or call.get("raised") is not None:
            raise GradingFailure(
                "while the coroutine ran, the thread's current loop was not the loop running it: make "
                "the new loop current with asyncio.set_event_loop(loop) before running the coroutine"
                if call.get("returned") is False and call.get("raised") is None
                else f"run_in_new_loop(loop_is_current) {_ended(call)}")

    @hidden.scenario("raises the coroutine's own exception: a ValueError('boom') comes out as is", points=0.5)
    def _():
        for kind, message in (("ValueError", "boom"), _error()):
            (call,) = _calls(kernel, ["explodes", [kind, message]])
            if call.get("raised") != kind or call.get("message") != _message_of(kind, message):
                raise GradingFailure(f"the coroutine raised {_shown_error(kind, message)}, so run_in_new_loop "
                                     f"should raise it too; it {_ended(call)}")

    @hidden.scenario("closes the loop even when the coroutine raised", points=0.25)
    def _():
        for kind, message in (("ValueError", "boom"), _error()):
            (call,) = _calls(kernel, ["explodes", [kind, message]])
            if call.get("loop") is None:
                raise GradingFailure(f"the coroutine never ran: run_in_new_loop(explodes) {_ended(call)}")
            if call.get("loop_closed") is not True:
                raise GradingFailure(
                    f"the coroutine raised {_shown_error(kind, message)} and run_in_new_loop {_ended(call)}, "
                    "but its loop is still open: close it whatever happens (try/finally)")

    @hidden.scenario("closes the async generators left open (loop.shutdown_asyncgens())", points=0.25)
    def _():
        for stop in (2, judge.rng.randint(3, 99)):
            (call,) = _calls(kernel, ["leaves_a_generator", [stop]])
            if call.get("raised") is not None or call.get("returned") != stop:
                raise GradingFailure(f"run_in_new_loop(leaves_a_generator) {_ended(call)}, expected {stop}")
            if "generator closed" not in (call.get("log") or []):
                raise GradingFailure("an async generator left open was never closed: call "
                                     "loop.shutdown_asyncgens() before closing the loop")

    @hidden.scenario("unsets the thread's current loop afterwards, whether the coroutine returned or raised",
                     points=0.5)
    def _():
        for x, (kind, message) in ((5, ("ValueError", "boom")), (judge.rng.randint(6, 999), _error())):
            returned, raised = _calls(kernel, ["times_two", [x]], ["explodes", [kind, message]])
            if returned.get("raised") is not None or returned.get("returned") != 2 * x:
                raise GradingFailure(f"run_in_new_loop(times_two, {x}) {_ended(returned)}, expected {2 * x}")
            if returned.get("current_loop") is not None:
                raise GradingFailure(
                    f"after run_in_new_loop returned, the thread's current loop is still "
                    f"{returned['current_loop']}: unset it with asyncio.set_event_loop(None)")
            if raised.get("current_loop") is not None:
                raise GradingFailure(
                    f"the coroutine raised and run_in_new_loop {_ended(raised)}; afterwards the thread's "
                    f"current loop is still {raised['current_loop']}: unset it whatever happens")

    # The two cancelling scenarios come last: an answer that hangs there (it waits for a
    # task it never cancels) leaves the scenarios after it less of the cell's real-time budget.
    @hidden.scenario("cancels every task left running and runs the loop until they finish cancelling",
                     points=0.5)
    def _():
        for value in ("done", "".join(judge.rng.choice(string.ascii_lowercase) for _ in range(6))):
            (call,) = _calls(kernel, ["leaves_a_task", [value]])
            if call.get("raised") is not None or call.get("returned") != value:
                raise GradingFailure(f"the coroutine returned {value!r}, leaving a task running; run_in_new_loop "
                                     f"{_ended(call)}, expected {value!r}")
            if "task cancelled" not in (call.get("log") or []):
                raise GradingFailure(
                    "the task the coroutine left running was not cancelled, or the loop was closed before it "
                    "could finish cancelling: cancel it, then run the loop until it has ended")
            if call.get("loop_closed") is not True:
                raise GradingFailure("the loop must be closed afterwards")

    @hidden.scenario("cancels the tasks left running also when the coroutine raised", points=0.25)
    def _():
        for kind, message in (("ValueError", "boom"), _error()):
            (call,) = _calls(kernel, ["explodes_leaving_a_task", [kind, message]])
            if call.get("log") != ["task cancelled"]:
                raise GradingFailure(
                    f"the coroutine raised {_shown_error(kind, message)} leaving a task running, and "
                    f"run_in_new_loop {_ended(call)}; the task was not cancelled (or did not finish cancelling): "
                    "clean up whether the coroutine returned or raised")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"fetch_all": fetch_all_outside, "run_in_new_loop": run_in_new_loop_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
