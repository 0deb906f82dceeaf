"""Hidden checks of lesson 03 · Results and callbacks, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

``make_collector()`` (3 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, made again here from data at grading time;
H: hidden scenario). The probe ``collector_script`` runs tasks made from plain data
(names, delays, values, exceptions by built-in class, cancellations), hands them to the
learner's ``on_done`` and returns the log as data (an exception a task raised is marked
with the task that raised it, so "the very exception object" is checked by identity, in
the kernel). Entries are looked up by task name (the last entry of that name), so each
scenario judges its own requirement and only "completion order" judges the order of the
log. Each scenario also runs tasks whose names, times and values are picked at random:

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| returns `(on_done, log)`, `log` a list; a task that  | V "a task that returns 'A': ('a', 'result', 'A')"     | 0.5    |
| returned gives `(name, "result", value)`, name from  |                                                       |        |
| `task.get_name()`                                    |                                                       |        |
| ... `value` may be `None`                            | H "a task that returns None: ('nothing', 'result', None)" | 0.25 |
| a task that raised: `(name, "exception", exc)`, the  | V "a task that raises: ('b', 'exception', <the very   | 0.5    |
| exception object itself                              | ValueError it raised>)"                               |        |
| a cancelled task: `(name, "cancelled", None)`        | V "a cancelled task: ('c', 'cancelled', None)"        | 0.25   |
| a task that catches its cancellation and returns is  | H "a task that catches its cancellation and returns   | 0.25   |
| a result, not a cancellation                         | is a result"                                          |        |
| `log` in completion order                            | V "the log is in completion order: b, c, a"           | 0.25   |
| `on_done` never raises, whatever the outcome         | H "on_done never raises, whatever the outcome"        | 0.25   |
| a recorded failure is not "never retrieved"          | H "... not reported as 'Task exception was never      | 0.25   |
|                                                      | retrieved'"                                           |        |
| each `make_collector()` gives a fresh, empty,        | H "each make_collector() returns a fresh, empty log"  | 0.25   |
| independent log (several collectors at once)         |                                                       |        |
| a callback added to an already finished task works   | H "a callback added to an already finished task ..."  | 0.25   |

``future_after(delay, value=None, *, exception=None)`` (4 points). Probes call it in the
kernel's running loop and report what it returned (a future, a task, a coroutine), how the
future ended, the tasks created, and its timers (cancelled or not) with what the loop
reported; delays, values and exceptions are also picked at random:

| requirement                                          | scenario                                              | points |
|------------------------------------------------------|-------------------------------------------------------|--------|
| a plain function that returns at once a pending      | V "returns at once a pending future of the running    | 0.5    |
| future of the running loop, not a task               | loop, not a task"                                     |        |
| completed with `value` after exactly `delay` s       | V "awaiting future_after(2, 'x') gives 'x' after      | 0.5    |
|                                                      | exactly 2 s"                                          |        |
| with `exception` (the object itself) if given        | V "awaiting future_after(1, exception=e) raises e     | 0.5    |
|                                                      | itself after exactly 1 s"                             |        |
| several awaited together: as long as the longest     | H "three futures awaited together take as long as the | 0.5    |
|                                                      | longest"                                              |        |
| must not create any task                             | H "creates no task"                                   | 0.5    |
| never done before the timer fires, even delay == 0   | H "never done before the timer fires, even with delay | 0.25   |
|                                                      | 0"                                                    |        |
| the delay counts from the call (loop.call_later)     | H "the delay counts from the call: made at 1 s ..."   | 0.25   |
| cancelled early: its timer is cancelled, nothing     | H "cancelled at 0.5 s: its timer is cancelled too"    | 0.5    |
| happens at `delay`                                   |                                                       |        |
| completed by someone else early: its timer is        | H "completed by someone else at 0.5 s: its timer is   | 0.5    |
| cancelled, the result stays, no InvalidStateError    | cancelled, their result stays"                        |        |
"""

from __future__ import annotations

from typing import Any

from aiolab import probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "03-results-and-callbacks"

ERRORS = ["ValueError", "KeyError", "OSError", "RuntimeError", "LookupError"]


def _one(answer: judge.Answer) -> dict[str, Any]:
    (got,) = answer.values(1)
    if not isinstance(got, dict):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    return got


def _times(count: int, low: float, high: float) -> list[float]:
    """``count`` distinct random times between ``low`` and ``high`` s, in quarters of a second."""
    return [q / 4 for q in judge.rng.sample(range(int(low * 4), int(high * 4) + 1), count)]


# ---- make_collector ------------------------------------------------------------------------

class _Shown:
    """An object of the learner's (as the kernel described it) in a message: its repr."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _readable(value: Any) -> Any:
    """A log entry as data, made to read as the learner's own repr."""
    if isinstance(value, dict) and isinstance(value.get("repr"), str):
        return _Shown(value["repr"])
    if isinstance(value, (list, tuple)):
        items = [_readable(v) for v in value]
        return items if isinstance(value, list) else tuple(items)
    return value


def _raised_by(value: Any, name: str) -> bool:
    """Whether ``value`` is (the data of) the very exception the task ``name`` raised."""
    return isinstance(value, dict) and value.get("job") == name and value.get("made") == "raised"


def _logs(answer: judge.Answer) -> dict[str, Any]:
    got = _one(answer)
    if got.get("pair") is not None:
        raise GradingFailure(f"make_collector() should return a pair (on_done, log) with log a list; it returned "
                             f"{got['pair']}")
    return got


def _entry(log: list[Any], name: str, why: str) -> Any:
    """The last entry of the task ``name`` in ``log``."""
    found = [e for e in log if isinstance(e, tuple) and e[:1] == (name,)]
    if not found:
        raise GradingFailure(f"no entry for task {name!r} in the log {_readable(log)!r}; a missing entry means "
                             f"on_done {why} (the loop only reports errors raised in callbacks)")
    return found[-1]


def make_collector_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("make_collector")
    run = judge.shared(lambda script: kernel.probe("collector_script", "make_collector", script))

    def three(names: list[str], delays: list[float], values: list[Any], error: list[str],
              cancel_after: float) -> dict[str, Any]:
        """A returns its value, b raises its error, c is cancelled before its delay is up."""
        return {"jobs": [{"name": names[0], "delay": delays[0], "value": values[0]},
                         {"name": names[1], "delay": delays[1], "raises": error},
                         {"name": names[2], "delay": delays[2], "value": values[2], "cancel_after": cancel_after}]}

    example = three(["a", "b", "c"], [2, 1, 3], ["A", None, "C"], ["ValueError", "b failed"], 1.5)
    ends = _times(3, 0.5, 4)            # when a returns, b raises, c is cancelled: distinct
    picked = three(judge.names(3), [ends[0], ends[1], ends[2] + judge.rng.randint(1, 8) / 4],
                   judge.names(3, taken=()), [judge.rng.choice(ERRORS), judge.names(1)[0]], ends[2])

    def visible_log(script: dict[str, Any]) -> list[Any]:
        return _logs(run(script))["logs"][0]

    def job(script: dict[str, Any], i: int) -> dict[str, Any]:
        return script["jobs"][i]

    @visible.scenario("a task that returns 'A' is recorded as ('a', 'result', 'A')", points=0.5)
    def _():
        for script in (example, picked):
            a = job(script, 0)
            got = _entry(visible_log(script), a["name"], "raised for it")
            expected = (a["name"], "result", a["value"])
            if got != expected:
                raise GradingFailure(f"expected {expected!r}, got {_readable(got)!r}")

    @visible.scenario("a task that raises is recorded as ('b', 'exception', <the very ValueError it raised>)",
                      points=0.5)
    def _():
        for script in (example, picked):
            b = job(script, 1)
            got = _entry(visible_log(script), b["name"], "raised for it")
            if not (len(got) == 3 and got[1] == "exception" and _raised_by(got[2], b["name"])):
                kind, message = b["raises"]
                raise GradingFailure(f"{b['name']} raised {kind}({message!r}): expected ({b['name']!r}, 'exception', "
                                     f"that very exception object), got {_readable(got)!r}")

    @visible.scenario("a cancelled task is recorded as ('c', 'cancelled', None)", points=0.25)
    def _():
        for script in (example, picked):
            c = job(script, 2)
            got = _entry(visible_log(script), c["name"], "raised for it")
            expected = (c["name"], "cancelled", None)
            if got != expected:
                raise GradingFailure(f"expected {expected!r}, got {_readable(got)!r}")

    @visible.scenario("the log is in completion order: b (1 s), c (1.5 s), a (2 s)", points=0.25)
    def _():
        for script, finished in ((example, [2, 1, 1.5]), (picked, ends)):   # when a, b and c ended
            order = [name for _, name in sorted(zip(finished, (job(script, i)["name"] for i in range(3))))]
            log = visible_log(script)
            names = [e[0] if isinstance(e, tuple) and e else _readable(e) for e in log]
            if not (len(names) >= 2 and names == [n for n in order if n in names]):
                raise GradingFailure(f"the tasks finished in the order {', '.join(order)}, so the log should list "
                                     f"them in that order; its entries name {names}")

    def hidden_entry(jobs: list[dict[str, Any]], name: str, **more: Any) -> Any:
        return _entry(_logs(run({"jobs": jobs, **more}))["logs"][0], name, "was not called for it or raised")

    @hidden.scenario("a task that returns None is recorded as ('nothing', 'result', None)", points=0.25)
    def _():
        for name in ("nothing", judge.names(1)[0]):
            got = hidden_entry([{"name": name, "delay": judge.rng.randint(1, 8) / 4, "value": None}], name)
            if got != (name, "result", None):
                raise GradingFailure(f"the task {name!r} returned None: expected ({name!r}, 'result', None), got "
                                     f"{_readable(got)!r}")

    @hidden.scenario("a task that catches its cancellation and returns normally is a result, "
                     "not a cancellation: ('swallow', 'result', 'cleaned up')", points=0.25)
    def _():
        for name, value, cancel_after in (("swallow", "cleaned up", 0.5),
                                          (judge.names(1)[0], judge.names(1)[0], judge.rng.randint(1, 12) / 4)):
            got = hidden_entry([{"name": name, "delay": 10, "value": None, "cancel_after": cancel_after,
                                 "on_cancel": value}], name)
            if got != (name, "result", value):
                raise GradingFailure(
                    f"the task {name!r} was asked to cancel, caught the CancelledError and returned {value!r}, so it "
                    f"is not cancelled: expected ({name!r}, 'result', {value!r}), got {_readable(got)!r}")

    @hidden.scenario("a failure it recorded is not reported as 'Task exception was never retrieved'", points=0.25)
    def _():
        for name, error in (("doomed", ["OSError", "recorded, so seen"]),
                            (judge.names(1)[0], [judge.rng.choice(ERRORS), judge.names(1)[0]])):
            got = _logs(run({"jobs": [{"name": name, "delay": judge.rng.randint(1, 8) / 4, "raises": error}],
                             "collect": True}))
            lost = [r for r in got["reports"] if "never retrieved" in str(r)]
            if lost:
                raise GradingFailure(f"the task {name!r} raised {error[0]} and on_done recorded it, yet the loop "
                                     f"reported {lost[0]!r}: on_done should get the exception with task.exception(), "
                                     "which marks it as seen")

    @hidden.scenario("each make_collector() returns a fresh, empty log: two collectors at once keep "
                     "their own entries", points=0.25)
    def _():
        picked = list(zip(judge.names(3), judge.names(3, taken=()), _times(3, 0.5, 4)))
        for (x, vx, dx), (y, vy, dy), (z, vz, dz) in ((("x", "X", 1), ("y", "Y", 2), ("z", "Z", 3)), picked):
            got = _logs(run({"collectors": 2, "jobs": [{"name": x, "delay": dx, "value": vx},
                                                       {"name": y, "delay": dy, "value": vy},
                                                       {"name": z, "delay": dz, "value": vz, "collector": 1}]}))
            for length, first in got["fresh"]:
                if length:
                    raise GradingFailure(f"a new collector's log must be empty; make_collector() returned a log "
                                         f"holding {length} entries already, the first {_readable(first)!r} (left "
                                         "by earlier calls?)")
            if got["same_log"]:
                raise GradingFailure("two calls of make_collector() returned the same list: each needs its own")
            log_1, log_2 = got["logs"]
            first, second = sorted([(x, "result", vx), (y, "result", vy)], key=repr), [(z, "result", vz)]
            if not (sorted(log_1, key=repr) == first and log_2 == second):
                raise GradingFailure(
                    f"the first collector watched {x} and {y}, the second {z}: expected the entries of {x} and {y}, "
                    f"{first!r}, and of {z}, {second!r}; got {_readable(log_1)!r} and {_readable(log_2)!r}")

    @hidden.scenario("a callback added to an already finished task still records it", points=0.25)
    def _():
        for name, value in (("finished", "early"), (judge.names(1)[0], judge.names(1)[0])):
            got = hidden_entry([{"name": name, "delay": judge.rng.randint(1, 8) / 4, "value": value,
                                 "watch": "when done"}], name)
            if got != (name, "result", value):
                raise GradingFailure(f"on_done was added to the task {name!r} after it returned {value!r}: expected "
                                     f"({name!r}, 'result', {value!r}), got {_readable(got)!r}")

    @hidden.scenario("on_done never raises, whatever the outcome: called on a task that returned, "
                     "one that raised and one that was cancelled", points=0.25)
    def _():
        def outcomes(names: list[str], error: list[str], cancel_after: float) -> list[dict[str, Any]]:
            return [{"name": names[0], "delay": 1, "value": judge.names(1)[0], "watch": "never"},
                    {"name": names[1], "delay": 1, "raises": error, "watch": "never"},
                    {"name": names[2], "delay": 5, "value": "never", "cancel_after": cancel_after, "watch": "never"}]

        for jobs in (outcomes(["ok", "bad", "stopped"], ["KeyError", "oops"], 2),
                     outcomes(judge.names(3), [judge.rng.choice(ERRORS), judge.names(1)[0]],
                              judge.rng.randint(6, 16) / 4)):
            direct = _logs(run({"jobs": jobs, "call_directly": True}))["direct"]
            for how, entry in zip(("returned", "raised", "was cancelled"), jobs):
                raised = direct.get(entry["name"])
                if raised is not None:
                    kind, message = raised
                    raise GradingFailure(
                        f"on_done(task) raised {kind}{': ' + message if message else ''} for a task that {how}: a "
                        "done callback must never raise (the loop would only report it, and nothing after that "
                        "line of on_done runs)")

    return visible, hidden


# ---- future_after ----------------------------------------------------------------------------

def _call(delay: float, value: Any = None, error: list[str] | None = None) -> str:
    """How a scenario calls future_after, as the learner reads it."""
    if error is not None:
        return f"future_after({delay:g}, exception={error[0]}({error[1]!r}))"
    return f"future_after({delay:g}, {value!r})"


def _a_future(made: str, call: str) -> None:
    """What ``call`` returned must be a future (else a message naming what it was)."""
    if made == "coroutine":
        raise GradingFailure(f"{call} should return a future; it returned coroutine (define future_after with a "
                             "plain `def`, not `async def`)")
    if made not in ("future", "task"):
        raise GradingFailure(f"{call} should return a future; it returned {made}")


def _state(state: list[Any]) -> str:
    if state[:1] == ["result"]:
        return f"the result {_readable(state[1])!r}"
    if state[:1] == ["exception"]:
        return f"the exception {state[1]}"
    return {"pending": "still pending"}.get(state[0], str(state[0]))


def future_after_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("future_after")

    def probe(name: str, *args: Any) -> judge.Answer:
        return kernel.probe(name, "future_after", *args)

    def reference():
        return model(LESSON, "future_after")

    def word() -> str:
        return judge.names(1)[0]

    @visible.scenario("returns at once a pending future of the running loop, not a task", points=0.5)
    def _():
        for delay, value in ((2, "x"), (judge.rng.randint(1, 20) / 4, word())):
            got = _one(probe("future_after_made", delay, value, None, False))
            call = _call(delay, value)
            if got["made"] == "coroutine":
                raise GradingFailure(f"{call} returned a coroutine: define it with a plain `def`, not `async def`")
            if got["made"] not in ("future", "task"):
                raise GradingFailure(f"{call} should return a future, it returned {got['made']}")
            if got["made"] == "task":
                raise GradingFailure("future_after() should return a plain future from loop.create_future(), "
                                     "not a Task")
            if not got["own_loop"]:
                raise GradingFailure("the future should belong to the running loop")
            if got["done_at_once"]:
                raise GradingFailure("the future should still be pending right after future_after() returns")

    @visible.scenario("awaiting future_after(2, 'x') gives 'x' after exactly 2 s", points=0.5)
    def _():
        for delay, value in ((2, "x"), (judge.rng.randint(1, 20) / 4, word())):
            answer = probe("future_after_made", delay, value, None, True)
            got = _one(answer)
            _a_future(got["made"], _call(delay, value))
            if got.get("raised") is not None or got.get("value") != value:
                shown = got["shown"] if got.get("raised") is not None else repr(_readable(got.get("value")))
                raise GradingFailure(f"awaiting {_call(delay, value)} should give {value!r}, got {shown}")
            judge.expect_elapsed(answer, float(delay), reference=probes.future_after_made,
                                 args=(reference(), delay, value, None, True),
                                 hint="The timer should complete the future after exactly `delay` seconds.")

    @visible.scenario("awaiting future_after(1, exception=e) raises e itself after exactly 1 s", points=0.5)
    def _():
        for delay, error in ((1, ["ValueError", "late failure"]),
                             (judge.rng.randint(1, 20) / 4, [judge.rng.choice(ERRORS), word()])):
            answer = probe("future_after_made", delay, None, error, True)
            got = _one(answer)
            _a_future(got["made"], _call(delay, error=error))
            if not (got.get("raised") is not None and got.get("same")):
                shown = got["shown"] if got.get("raised") is not None else repr(_readable(got.get("value")))
                raise GradingFailure(f"awaiting future_after({delay:g}, exception=e) should raise e itself, "
                                     f"got {shown}")
            judge.expect_elapsed(answer, float(delay), reference=probes.future_after_made,
                                 args=(reference(), delay, None, error, True),
                                 hint="The timer should set the exception after exactly `delay` seconds.")

    @hidden.scenario("three futures awaited together take as long as the longest: delays 1, 3 and 2.5 s "
                     "give their values in order, in 3 s", points=0.5)
    def _():
        count = judge.rng.randint(2, 4)
        picked = [[d, v] for d, v in zip(_times(count, 0.5, 5), judge.names(count, taken=()))]
        for pairs in ([[1, "one"], [3, "three"], [2.5, "two and a half"]], picked):
            answer = probe("gather_new", *pairs)
            (got,) = answer.values(1)
            values = [v for _, v in pairs]
            if got != values:
                shown = ", ".join(f"({d:g}, {v!r})" for d, v in pairs)
                raise GradingFailure(f"gather of future_after{shown} should give {values!r}, got {_readable(got)!r}")
            longest = max(d for d, _ in pairs)
            judge.expect_elapsed(answer, longest, reference=probes.gather_new, args=(reference(), *pairs),
                                 hint=f"The timers wait at the same time: the longest is {longest:g} s.")

    @hidden.scenario("creates no task: calling future_after(1, 'one') and future_after(2, 'two') "
                     "starts none, even when the timers fire", points=0.5)
    def _():
        delays = _times(2, 0.5, 4)
        for calls in ([[1, "one"], [2, "two"]], [[d, word()] for d in delays]):
            got = _one(probe("future_after_tasks_made", calls, max(d for d, _ in calls) + 1))
            for made, (delay, value) in zip(got["made"], calls):
                _a_future(made, _call(delay, value))
            if got["tasks"]:
                raise GradingFailure("future_after must not create tasks (a timer and the future's own methods do "
                                     f"the work); tasks created: {', '.join(got['tasks'])}")

    @hidden.scenario("never done before the timer fires, even with delay 0: future_after(0, 'now') is "
                     "pending at first, then gives 'now' at 0 s", points=0.25)
    def _():
        for value in ("now", word()):
            answer = probe("future_after_made", 0, value, None, True)
            got = _one(answer)
            _a_future(got["made"], _call(0, value))
            if got["done_at_once"]:
                raise GradingFailure(f"{_call(0, value)} returned a future that was already done: even with delay 0 "
                                     "the timer completes it, later")
            if got.get("raised") is not None or got.get("value") != value:
                shown = got["shown"] if got.get("raised") is not None else repr(_readable(got.get("value")))
                raise GradingFailure(f"awaiting {_call(0, value)} should give {value!r}, got {shown}")
            judge.expect_elapsed(answer, 0.0)

    @hidden.scenario("the delay counts from the call: future_after(2, 'later') made at 1 s is done at 3 s",
                     points=0.25)
    def _():
        for at, delay, value in ((1, 2, "later"), (judge.rng.randint(2, 12) / 4, judge.rng.randint(2, 12) / 4, word())):
            answer = probe("called_late", at, delay, value)
            (got,) = answer.values(1)
            if got != value:
                raise GradingFailure(f"awaiting {_call(delay, value)} should give {value!r}, got {_readable(got)!r}")
            judge.expect_elapsed(answer, at + delay, reference=probes.called_late,
                                 args=(reference(), at, delay, value),
                                 hint=f"A future made at {at:g} s with delay {delay:g} is done at {at + delay:g} s: "
                                      "the delay counts from the call.")

    def ended_early(how: str, what: str, check_state) -> None:
        delay, after = judge.rng.randint(8, 16) / 4, judge.rng.randint(1, 6) / 4
        for delay, value, after, theirs in ((2, "timer value", 0.5, "someone else"),
                                            (delay, word(), after, word())):
            got = _one(probe("future_after_ended_early", delay, value, how, after, theirs))
            call = _call(delay, value)
            _a_future(got["made"], call)
            if not got["timers"]:
                raise GradingFailure(f"{call} set no timer: it should complete the future from a timer set with "
                                     "loop.call_later(delay, ...)")
            if got["reports"]:
                raise GradingFailure(f"after the future was {what} at {after:g} s the timer still fired at "
                                     f"{delay:g} s, and the loop reported: {got['reports'][0]!r}")
            if not all(got["timers"]):
                raise GradingFailure(
                    f"the future made by {call} was {what} at {after:g} s, but its timer was still scheduled at "
                    f"{after + 0.1:g} s: cancel the timer handle (returned by loop.call_later) as soon as the future "
                    "is done")
            check_state(_state(got["state"]), theirs)

    @hidden.scenario("cancelled at 0.5 s: its timer is cancelled too, and nothing happens at 2 s", points=0.5)
    def _():
        def check_state(state: str, _theirs: Any) -> None:
            if state != "cancelled":
                raise GradingFailure(f"a cancelled future must stay cancelled; it ended with {state}")
        ended_early("cancel", "cancelled", check_state)

    @hidden.scenario("completed by someone else at 0.5 s: its timer is cancelled too, their result stays, "
                     "no InvalidStateError", points=0.5)
    def _():
        def check_state(state: str, theirs: Any) -> None:
            if state != f"the result {theirs!r}":
                raise GradingFailure(f"someone else set the result {theirs!r}; the future should keep it, it ended "
                                     f"with {state}")
        ended_early("complete", "completed by someone else", check_state)

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"make_collector": make_collector_outside, "future_after": future_after_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
