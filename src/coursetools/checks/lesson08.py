"""Hidden checks of lesson 08 · Timeouts, cancellation and shielding, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

Every scenario asks the kernel to drive the learner's function as the lesson's ``drive``
does: as a task of its own, cancelled at chosen moments if asked, then keeping the clock
running a few seconds more, so that work left running in the background shows up. The
stand-ins (``fetch()``, ``op()``, ``conn``) are built in the kernel from plain data (probes
``fetch_with_deadline_on_fake_fetch``, ``retry_on_flaky_op``, ``save_then_close_on_fake_conn``),
which answer with how and when the call ended (returned, raised which exception, whether the
very one a stand-in raised, or ended cancelled) and the ``[start, end, how]`` of every call
of the stand-ins. The verdicts are made here, from that data. An exception other than
TimeoutError, ValueError or ConnectionError (the stand-ins' own) is the learner's failure,
reported with its line. Each scenario runs the example of its title, then inputs picked at
random (durations, values, messages, moments of cancellation) of the same shape. A failing
scenario shows the learner's chart above the model answer's.
(V: visible scenario in the notebook, made again here from data at grading time; H: hidden
scenario.)

``fetch_with_deadline(fetch, timeout, default)`` (3 points):

| requirement                                                  | scenario                                                      | points |
|--------------------------------------------------------------|---------------------------------------------------------------|--------|
| done within `timeout`: its value, as soon as it is done      | V "a 1 s fetch with timeout=3: its value at 1 s"              | 0.5    |
|   (fetch() called exactly once, not cancelled)               | H "a 2.5 s fetch with timeout=4: ... called once, not cancelled" | 0.25 |
| not done at `timeout`: `default` at exactly that moment      | V "a 5 s fetch with timeout=2: the default at 2 s"            | 0.5    |
| ... `default` is the very object passed in                   | H "a 9 s fetch with timeout=4: the default object itself, at 4 s" | 0.25 |
| ... fetch() cancelled then, not left running; called once    | H "the slow fetch is cancelled at the deadline ..."           | 0.5    |
| `timeout=None`: no limit                                     | H "timeout=None: a 7 s fetch gives its value at 7 s"          | 0.25   |
| fetch()'s exceptions propagate unchanged, as soon as raised  | H "fetch() raises ConnectionError at 1 s: that very error ..."| 0.25   |
| ... also a TimeoutError of fetch()'s own, before the deadline| V "fetch() raises its own TimeoutError ...: it propagates"    | 0.5    |

``retry(op, attempts, per_attempt, deadline)`` (4 points). Every scenario with attempts
also checks that they never overlap.

| requirement                                                  | scenario                                                      | points |
|--------------------------------------------------------------|---------------------------------------------------------------|--------|
| returns the first successful call's result, no more calls    | H "success on the first attempt: ... no other attempt"        | 0.25   |
| an attempt not done after `per_attempt` is cancelled then;   | V "a hung attempt is cancelled after 3 s, the next one starts | 0.75   |
| the next one starts at once                                  |   at once: 'pong' at 4 s"                                     |        |
|                                                              | H "two attempts time out, the third succeeds at 7 s ..."      | 0.25   |
| an attempt that raises is retried at once                    | H "an attempt that raises is retried at once"                 | 0.5    |
| at most `attempts`; all failed: the last attempt's error     | V "every attempt hangs: 2 attempts, then TimeoutError at 4 s" | 0.5    |
|                                                              | H "every attempt raises: attempt 3's own ValueError at 3 s"   | 0.5    |
|                                                              | H "the last attempt timed out after a failed one: TimeoutError"| 0.25  |
| the deadline cancels the running attempt and raises          | H "the deadline (7.5 s) cuts the third attempt short ..."     | 0.5    |
| `TimeoutError` at exactly that moment                        | H "a deadline (2 s) shorter than one attempt (5 s) ..."       | 0.25   |
| never start an attempt at or after the deadline              | H "quick failures until the deadline (3.5 s): ... none after" | 0.25   |

``save_then_close(conn, data)`` (4 points):

| requirement                                                  | scenario                                                      | points |
|--------------------------------------------------------------|---------------------------------------------------------------|--------|
| write, then close, return write()'s result; close once       | V "no cancellation: write 0-3 s, close 3-5 s, returns 5 at 5 s"| 0.75  |
|                                                              | H "no cancellation (write 2 s, close 1 s): ... close() once"  | 0.25   |
| cancelled during write: close() still runs to completion,    | V "cancelled at 1 s, during write: close 1-3 s, ends          | 0.75   |
| then the task ends cancelled                                 |   cancelled at 3 s"                                           |        |
|                                                              | H "cancelled at 1 s and again at 2 s ..."                     | 0.25   |
| cancelled while close() runs: close() runs on to its end,    | H "cancelled at 4 s, while closing ..."                       | 0.5    |
| the task ends cancelled, not before close() has finished     | H "cancelled at 2 and 3 s (close takes 1.5 s) ..."            | 0.25   |
| ... also when cancelled several times while closing          | H "cancelled at 2, 3 and 4 s, all while closing ..."          | 0.5    |
| write() raised: close() runs, then that exception propagates | H "write() raises ConnectionResetError: ..."                  | 0.5    |
| cancelled at any point: ends cancelled (even if write raised)| H "write() raised, then cancelled while closing: ..."         | 0.25   |
"""

from __future__ import annotations

import contextlib
import math
import string
from collections.abc import Iterator
from typing import Any

from aiolab import grading, messages, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "08-timeouts-and-cancellation"

#: Exceptions that come back as data: the stand-ins raise them, and so may a right answer.
#: Any other (a blank answer's NotImplementedError, a TypeError ...) fails the scenario with
#: the learner's line.
REPORTED = ["TimeoutError", "ValueError", "ConnectionError"]
#: The notebook's ``drive`` reports every exception (but NotImplementedError) as an outcome.
EVERY = ["Exception"]
#: A call run directly in the notebook (not through ``drive``): every exception is a failure.
NONE: list[str] = []
LINGER = 5      # seconds the notebook's drive keeps the clock running after the call

CONNECTION_ERRORS = ["ConnectionError", "ConnectionRefusedError", "ConnectionResetError", "ConnectionAbortedError"]


# ---- random inputs, and the answers as the learner reads them ----------------------------

def _q(low: float, high: float) -> float:
    """A random duration from ``low`` to ``high`` s, in quarter seconds (exact in binary:
    sums of them compare exactly)."""
    return judge.rng.randint(round(low * 4), round(high * 4)) / 4


def _word() -> str:
    return "".join(judge.rng.choice(string.ascii_lowercase) for _ in range(judge.rng.randint(3, 9)))


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return isinstance(a, (int, float)) and math.isclose(a, b, abs_tol=grading.TOLERANCE)


def _same_log(got: Any, want: list[tuple[Any, ...]]) -> bool:
    """Entries ``[start, end, how]`` as expected (times to the tolerance)."""
    return (isinstance(got, list) and len(got) == len(want)
            and all(isinstance(g, list) and len(g) == 3 and _close(g[0], w[0]) and _close(g[1], w[1]) and g[2] == w[2]
                    for g, w in zip(got, want)))


def _log(entries: Any) -> list[list[Any]]:
    """A stand-in's entries as data; one still running when the probe ended was left running."""
    if not isinstance(entries, list) or not all(isinstance(e, list) and len(e) == 3 for e in entries):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    return [[start, end, "left running" if how == "running" else how] for start, end, how in entries]


def _span(start: Any, end: Any) -> str:
    return f"from {start:g} s" if end is None else f"{start:g}-{end:g} s"


def _ended(out: dict[str, Any]) -> str:
    """How the call ended, as the hidden checks say it."""
    what = {"returned": f"returned {out['shown']}", "cancelled": "ended cancelled",
            "raised": f"raised {out['type']}" + (f"({out['message']!r})" if out["message"] else "")}[out["how"]]
    return f"it {what} at {out['ended']:g} s"


def _said(out: dict[str, Any]) -> str:
    """How the call ended, as the notebook's visible checks say it."""
    return f"{out['how']} {out['shown'] or None} at {out['ended']:g} s"


def _ask(kernel: judge.Kernel, probe: str, function: str, *args: Any) -> tuple[judge.Answer, dict[str, Any]]:
    answer = kernel.probe(probe, function, *args)
    (out,) = answer.values(1)
    if not isinstance(out, dict) or not {"how", "ended", "shown", "type", "message"} <= out.keys() \
            or out["how"] not in ("returned", "raised", "cancelled"):
        raise GradingFailure("The kernel's answer was malformed (did code in the notebook change how cells run?).")
    return answer, out


@contextlib.contextmanager
def _charts(answer: judge.Answer, title: str, probe: str, function: str, *args: Any) -> Iterator[None]:
    """If the block fails, show the learner's chart above the model answer's (the same
    probe, run here on the model answer)."""
    try:
        yield
    except AssertionError:
        judge.show(answer.timeline, grading.reference_timeline(probes.PROBES[probe], model(LESSON, function), *args),
                   title)
        raise


# ---- exercise 1 ------------------------------------------------------------------------

def _fetch(kernel: judge.Kernel, seconds: float, timeout: Any, default: Any, *, value: Any = "data",
           error: list[str] | None = None, new_default_object: bool = False, linger: float = 10,
           report: list[str] = REPORTED) -> tuple[judge.Answer, dict[str, Any], tuple[Any, ...]]:
    args = ({"seconds": seconds, "value": value, "error": error}, timeout, default, new_default_object, linger, report)
    answer, out = _ask(kernel, "fetch_with_deadline_on_fake_fetch", "fetch_with_deadline", *args)
    out["fetch"] = _log(out.get("fetch"))
    return answer, out, args


def fetch_with_deadline_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("fetch_with_deadline")
    probe = "fetch_with_deadline_on_fake_fetch"

    def charts(answer: judge.Answer, title: str, args: tuple[Any, ...]) -> contextlib.AbstractContextManager[None]:
        return _charts(answer, title, probe, "fetch_with_deadline", *args)

    def called_once(out: dict[str, Any]) -> None:
        calls = len(out["fetch"])
        assert calls == 1, f"fetch() must be called exactly once; it was called {calls} times"

    @visible.scenario("a 1 s fetch with timeout=3: returns its value as soon as it is done, at 1 s", points=0.5)
    def _():
        seconds = _q(0.5, 3)
        for seconds, timeout, value, default in ((1, 3, "fresh data", "cached data"),
                                                 (seconds, seconds + _q(0.5, 3), _word(), _word())):
            answer, out, args = _fetch(kernel, seconds, timeout, default, value=value, linger=0, report=NONE)
            if out["how"] != "returned" or out["value"] != value:
                raise GradingFailure(f"expected the fetch's value, {value!r}, got {out['shown'] or None}")
            judge.expect_elapsed(answer, float(seconds), reference=probes.PROBES[probe],
                                 args=(model(LESSON, "fetch_with_deadline"), *args),
                                 hint="a fetch that finishes in time is returned as soon as it is done")

    @visible.scenario("a 5 s fetch with timeout=2: gives up and returns the default at 2 s", points=0.5)
    def _():
        timeout = _q(0.5, 3)
        for seconds, timeout, default in ((5, 2, "cached data"), (timeout + _q(1, 4), timeout, _word())):
            answer, out, args = _fetch(kernel, seconds, timeout, default, value="fresh data", linger=0, report=NONE)
            if out["how"] != "returned" or out["value"] != default:
                raise GradingFailure(f"expected the default, {default!r}, got {out['shown'] or None}")
            judge.expect_elapsed(answer, float(timeout), reference=probes.PROBES[probe],
                                 args=(model(LESSON, "fetch_with_deadline"), *args),
                                 hint="give up exactly `timeout` seconds after the call")

    @visible.scenario("fetch() raises its own TimeoutError at 1 s, before the 3 s deadline: that error propagates",
                      points=0.5)
    def _():
        seconds = _q(0.5, 3)
        for seconds, timeout, message in ((1, 3, "socket read timed out"),
                                          (seconds, seconds + _q(0.5, 3), f"{_word()} timed out")):
            answer, out, args = _fetch(kernel, seconds, timeout, "cached data", error=["TimeoutError", message],
                                       linger=LINGER, report=EVERY)
            if out["how"] != "raised" or not out["own_error"]:
                raise GradingFailure(
                    f"fetch() raised its own TimeoutError({message!r}) at {seconds:g} s, long before your {timeout:g} s "
                    f"deadline: that error must propagate, not become the default; your function {_said(out)}")

    @hidden.scenario("the slow fetch is cancelled at the deadline (a 5 s fetch, timeout=2: cancelled at 2 s), "
                     "not left running, and called once", points=0.5)
    def _():
        timeout = _q(1, 4)
        for seconds, timeout in ((5, 2), (timeout + _q(1, 5), timeout)):
            answer, out, args = _fetch(kernel, seconds, timeout, "cached data")
            with charts(answer, f"a {seconds:g} s fetch, timeout={timeout:g}", args):
                called_once(out)
                finished = [end for _, end, how in out["fetch"] if how == "done"]
                cancelled = [end for _, end, how in out["fetch"] if how == "cancelled"]
                assert not finished, (
                    f"the {seconds:g} s fetch was left running and finished at {finished[0]:g} s, after the "
                    f"{timeout:g} s deadline: when the time is up, fetch() must be cancelled, not left running in "
                    "the background")
                assert len(cancelled) == 1 and _close(cancelled[0], timeout), (
                    f"the {seconds:g} s fetch should be cancelled at the {timeout:g} s deadline; it was cancelled at "
                    f"{cancelled or 'no time'}")

    @hidden.scenario("a 9 s fetch with timeout=4: returns the default object itself (the very object passed in), "
                     "at exactly 4 s", points=0.25)
    def _():
        timeout = _q(1, 5)
        for seconds, timeout in ((9, 4), (timeout + _q(1, 6), timeout)):
            answer, out, args = _fetch(kernel, seconds, timeout, None, new_default_object=True)
            with charts(answer, f"a {seconds:g} s fetch, timeout={timeout:g}", args):
                assert out["how"] == "returned" and out["is_default"] and _close(out["ended"], timeout), (
                    f"expected the default object passed in, returned at {timeout:g} s; {_ended(out)}"
                    + (" (another object, not the one passed in)" if out["how"] == "returned"
                       and out["type"] == "object" and not out["is_default"] else ""))

    @hidden.scenario("fetch() raises ConnectionError at 1 s (timeout=3): that very exception propagates, at 1 s",
                     points=0.25)
    def _():
        seconds = _q(0.5, 3)
        for seconds, timeout, error in ((1, 3, ["ConnectionError", "connection refused"]),
                                        (seconds, seconds + _q(0.5, 3), [judge.rng.choice(CONNECTION_ERRORS), _word()])):
            answer, out, args = _fetch(kernel, seconds, timeout, "cached data", error=error)
            with charts(answer, f"fetch() raises {error[0]} at {seconds:g} s", args):
                assert out["how"] == "raised" and out["own_error"] and _close(out["ended"], seconds), (
                    f"fetch() raised {error[0]}({error[1]!r}) at {seconds:g} s: that exception must propagate "
                    f"unchanged, at once, not become the default; {_ended(out)}")
                called_once(out)

    @hidden.scenario("timeout=None means no limit: a 7 s fetch gives its value at 7 s", points=0.25)
    def _():
        for seconds, value in ((7, "late but complete"), (_q(2, 12), _word())):
            answer, out, args = _fetch(kernel, seconds, None, "cached data", value=value)
            with charts(answer, f"a {seconds:g} s fetch, timeout=None", args):
                assert out["how"] == "returned" and out["value"] == value and _close(out["ended"], seconds), (
                    f"with timeout=None, wait for fetch() however long it takes: expected {value!r} "
                    f"at {seconds:g} s; {_ended(out)}")

    @hidden.scenario("a 2.5 s fetch with timeout=4: its value at 2.5 s, fetch() called once and not cancelled",
                     points=0.25)
    def _():
        seconds = _q(0.5, 4)
        value = [judge.rng.randint(0, 99) for _ in range(judge.rng.randint(1, 4))]
        for seconds, timeout, value in ((2.5, 4, [1, 2]), (seconds, seconds + _q(0.5, 3), value)):
            answer, out, args = _fetch(kernel, seconds, timeout, "cached data", value=value)
            with charts(answer, f"a {seconds:g} s fetch, timeout={timeout:g}", args):
                assert out["how"] == "returned" and out["value"] == value and _close(out["ended"], seconds), (
                    f"expected the fetch's value {value!r} as soon as it is done, at {seconds:g} s; {_ended(out)}")
                calls = [start for start, _, _ in out["fetch"]]
                cancelled = [end for _, end, how in out["fetch"] if how == "cancelled"]
                assert len(calls) == 1 and _close(calls[0], 0.0) and not cancelled, (
                    f"fetch() must be called exactly once and not cancelled; called at {calls} s, "
                    f"cancelled at {cancelled} s")

    return visible, hidden


# ---- exercise 2 ------------------------------------------------------------------------

def _attempts(log: list[list[Any]]) -> str:
    if not log:
        return "no attempt at all"
    return messages.series([f"attempt {n}: {_span(start, end)}, {how}" for n, (start, end, how) in enumerate(log, 1)],
                           "semicolon")


def _retry(kernel: judge.Kernel, plan: list[list[Any]], args: tuple[Any, ...], *, linger: float = LINGER,
           report: list[str] = REPORTED) -> tuple[judge.Answer, dict[str, Any], tuple[Any, ...]]:
    probe_args = (plan, *args, linger, report)
    answer, out = _ask(kernel, "retry_on_flaky_op", "retry", *probe_args)
    out["attempts"] = _log(out.get("attempts"))
    return answer, out, probe_args


def retry_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("retry")

    def case(plan: list[list[Any]], args: tuple[Any, ...], expected: tuple[Any, ...], at: float,
             attempts: list[tuple[Any, ...]], title: str, only_first: bool = False) -> None:
        """retry(op following `plan`, *args) must end as `expected` (("returned", value) or
        ("raised", kind, message or None)) at `at`, with the attempts [start, end, how]
        (only the first len(attempts) of them if only_first)."""
        answer, out, probe_args = _retry(kernel, plan, args)
        log = out["attempts"]
        with _charts(answer, title, "retry_on_flaky_op", "retry", *probe_args):
            if expected[0] == "returned":
                ok = out["how"] == "returned" and out["plain"] and out["value"] == expected[1]
                want = f"return {expected[1]!r}"
            else:
                _, kind, message = expected
                ok = (out["how"] == "raised" and out["raised"] == kind and out["type"] == kind
                      and (message is None or out["message"] == message))
                want = f"raise {kind}" + (f"({message!r})" if message else "")
            assert ok and _close(out["ended"], at), f"expected retry to {want} at {at:g} s; {_ended(out)}"
            seen = log[:len(attempts)] if only_first else log
            if not _same_log(seen, attempts):
                extra = "" if only_first else " (then no more)"
                raise AssertionError(f"expected these attempts: {_attempts(attempts)}{extra}; got: {_attempts(log)}")
            for n in range(1, len(log)):
                assert log[n - 1][1] is not None and log[n][0] >= log[n - 1][1] - grading.TOLERANCE, (
                    f"attempt {n + 1} started at {log[n][0]:g} s, before attempt {n} had ended: "
                    f"attempts must run one at a time ({_attempts(log)})")

    @visible.scenario("a hung attempt is cancelled after per_attempt (3 s) and the next one starts at once: "
                      "'pong' at 4 s", points=0.75)
    def _():
        per_attempt = _q(1.5, 4)
        seconds = _q(0.25, per_attempt - 0.25)
        picked = (per_attempt, seconds, _word(), judge.rng.randint(2, 5), per_attempt + seconds + _q(1, 10))
        for per_attempt, seconds, value, attempts, deadline in ((3, 1, "pong", 3, 10), picked):
            answer, out, probe_args = _retry(kernel, [["hang"], ["ok", seconds, value]],
                                             (attempts, per_attempt, deadline), linger=0, report=NONE)
            if out["how"] != "returned" or out["value"] != value:
                raise GradingFailure(f"retry should return the first successful result, {value!r}; got "
                                     f"{out['shown'] or None}")
            expected = [(0, per_attempt, "cancelled"), (per_attempt, per_attempt + seconds, "ok")]
            if not _same_log(out["attempts"], expected):
                raise GradingFailure(
                    f"expected attempt 1 from 0 to {per_attempt:g} s, cancelled when its {per_attempt:g} s were up, "
                    f"then attempt 2 from {per_attempt:g} to {per_attempt + seconds:g} s, ok; "
                    f"got [start, end, how] = {out['attempts']}")
            judge.expect_elapsed(answer, per_attempt + seconds, reference=probes.PROBES["retry_on_flaky_op"],
                                 args=(model(LESSON, "retry"), *probe_args),
                                 hint=f"{per_attempt:g} s for the attempt that timed out, then {seconds:g} s for the "
                                      "one that succeeded")

    @visible.scenario("every attempt hangs (attempts=2, per_attempt=2): attempts at 0 and 2 s, then TimeoutError at 4 s",
                      points=0.5)
    def _():
        picked = (judge.rng.randint(2, 4), _q(1, 3), judge.rng.randint(50, 150))
        for attempts, per_attempt, deadline in ((2, 2, 100), picked):
            _, out, _ = _retry(kernel, [["hang"]], (attempts, per_attempt, deadline), report=EVERY)
            at = attempts * per_attempt
            if not (out["how"] == "raised" and out["raised"] == "TimeoutError" and _close(out["ended"], at)):
                raise GradingFailure(f"when every attempt times out, retry must raise TimeoutError at {at:g} s; "
                                     f"it {_said(out)}")
            expected = [(n * per_attempt, (n + 1) * per_attempt, "cancelled") for n in range(attempts)]
            if not _same_log(out["attempts"], expected):
                spans = ", ".join(f"{s:g}-{e:g} s" for s, e, _ in expected)
                raise GradingFailure(f"expected exactly {attempts} attempts, {spans}, all cancelled; got "
                                     f"[start, end, how] = {out['attempts']}")

    @hidden.scenario("success on the first attempt: its result at 1 s, and no other attempt", points=0.25)
    def _():
        case([["ok", 1, "first time"]], (5, 3, 10), ("returned", "first time"), 1.0, [(0, 1, "ok")],
             "success on the first attempt")
        seconds, value = _q(0.25, 3), _word()
        case([["ok", seconds, value]], (judge.rng.randint(2, 6), seconds + _q(0.5, 3), seconds + _q(1, 10)),
             ("returned", value), seconds, [(0, seconds, "ok")], "success on the first attempt")

    @hidden.scenario("two attempts time out (0-3 s, 3-6 s, both cancelled), the third succeeds: its result at 7 s, "
                     "no further attempt", points=0.25)
    def _():
        case([["hang"], ["hang"], ["ok", 1, "third time lucky"]], (5, 3, 20), ("returned", "third time lucky"),
             7.0, [(0, 3, "cancelled"), (3, 6, "cancelled"), (6, 7, "ok")], "two timeouts, then success")
        p = _q(1, 4)
        s, value = _q(0.25, p - 0.25), _word()
        case([["hang"], ["hang"], ["ok", s, value]], (judge.rng.randint(3, 6), p, 2 * p + s + _q(1, 10)),
             ("returned", value), 2 * p + s, [(0, p, "cancelled"), (p, 2 * p, "cancelled"), (2 * p, 2 * p + s, "ok")],
             "two timeouts, then success")

    @hidden.scenario("an attempt that raises is retried at once: ValueError at 1 s, the next attempt runs 1-3 s "
                     "and its result is returned", points=0.5)
    def _():
        case([["fail", 1], ["ok", 2, "recovered"]], (3, 5, 30), ("returned", "recovered"), 3.0,
             [(0, 1, "fail"), (1, 3, "ok")], "an attempt that raises is retried at once")
        f, s, value = _q(0.25, 2), _q(0.25, 3), _word()
        case([["fail", f], ["ok", s, value]], (judge.rng.randint(2, 5), max(f, s) + _q(0.5, 3), f + s + _q(1, 20)),
             ("returned", value), f + s, [(0, f, "fail"), (f, f + s, "ok")], "an attempt that raises is retried at once")

    @hidden.scenario("every attempt raises (attempts=3): the last attempt's own error, ValueError('attempt 3 failed'), "
                     "at 3 s", points=0.5)
    def _():
        case([["fail", 1]], (3, 5, 30), ("raised", "ValueError", "attempt 3 failed"), 3.0,
             [(0, 1, "fail"), (1, 2, "fail"), (2, 3, "fail")], "every attempt raises")
        n, f = judge.rng.randint(2, 5), _q(0.25, 2)
        case([["fail", f]], (n, f + _q(0.5, 3), n * f + _q(1, 20)), ("raised", "ValueError", f"attempt {n} failed"),
             n * f, [(k * f, (k + 1) * f, "fail") for k in range(n)], "every attempt raises")

    @hidden.scenario("the last attempt timed out after a failed one (attempts=2, per_attempt=4): TimeoutError at 5 s",
                     points=0.25)
    def _():
        case([["fail", 1], ["hang"]], (2, 4, 100), ("raised", "TimeoutError", None), 5.0,
             [(0, 1, "fail"), (1, 5, "cancelled")], "attempts used up, the last one timed out")
        n, f = judge.rng.randint(2, 4), _q(0.25, 2)
        p = f + _q(0.5, 4)
        at = f + (n - 1) * p
        case([["fail", f], ["hang"]], (n, p, at + _q(5, 50)), ("raised", "TimeoutError", None), at,
             [(0, f, "fail")] + [(f + k * p, f + (k + 1) * p, "cancelled") for k in range(n - 1)],
             "attempts used up, the last one timed out")

    @hidden.scenario("the deadline (7.5 s) cuts the third attempt short: it is cancelled and TimeoutError is raised "
                     "at 7.5 s", points=0.5)
    def _():
        case([["hang"]], (5, 3, 7.5), ("raised", "TimeoutError", None), 7.5,
             [(0, 3, "cancelled"), (3, 6, "cancelled"), (6, 7.5, "cancelled")], "deadline 7.5 s, attempts of 3 s",
             only_first=True)
        p, k = _q(1, 4), judge.rng.randint(1, 3)
        deadline = k * p + _q(0.25, p - 0.25)
        case([["hang"]], (k + 1 + judge.rng.randint(1, 3), p, deadline), ("raised", "TimeoutError", None), deadline,
             [(n * p, (n + 1) * p, "cancelled") for n in range(k)] + [(k * p, deadline, "cancelled")],
             f"deadline {deadline:g} s, attempts of {p:g} s", only_first=True)

    @hidden.scenario("a deadline (2 s) shorter than one attempt (5 s): the attempt is cancelled and TimeoutError "
                     "raised at 2 s", points=0.25)
    def _():
        case([["hang"]], (3, 5, 2), ("raised", "TimeoutError", None), 2.0, [(0, 2, "cancelled")],
             "deadline 2 s, attempts of 5 s", only_first=True)
        p = _q(2, 6)
        deadline = _q(0.5, p - 0.5)
        case([["hang"]], (judge.rng.randint(2, 5), p, deadline), ("raised", "TimeoutError", None), deadline,
             [(0, deadline, "cancelled")], f"deadline {deadline:g} s, attempts of {p:g} s", only_first=True)

    @hidden.scenario("quick failures until the deadline (3.5 s): attempts at 0, 1, 2 and 3 s, the fourth cancelled "
                     "at 3.5 s, and none started at or after the deadline", points=0.25)
    def _():
        case([["fail", 1]], (10, 5, 3.5), ("raised", "TimeoutError", None), 3.5,
             [(0, 1, "fail"), (1, 2, "fail"), (2, 3, "fail"), (3, 3.5, "cancelled")],
             "quick failures until the 3.5 s deadline")
        f, k = _q(0.5, 1.5), judge.rng.randint(2, 4)
        deadline = k * f + _q(0.25, f - 0.25)
        case([["fail", f]], (k + 1 + judge.rng.randint(2, 6), f + _q(0.5, 3), deadline),
             ("raised", "TimeoutError", None), deadline,
             [(n * f, (n + 1) * f, "fail") for n in range(k)] + [(k * f, deadline, "cancelled")],
             f"quick failures until the {deadline:g} s deadline")

    return visible, hidden


# ---- exercise 3 ------------------------------------------------------------------------

WANT = {"cancelled": "end cancelled", "raised": "raise write()'s exception", "returned": "return write()'s result"}


def _calls(name: str, log: list[list[Any]]) -> str:
    if not log:
        return f"{name}() never called"
    return "; ".join(f"{name}() {_span(start, end)}, {how}" for start, end, how in log)


def _data() -> bytes:
    return _word().encode() * judge.rng.randint(1, 3)


def _save(kernel: judge.Kernel, write_s: float, close_s: float, cancel_at: list[float], *,
          write_error: list[str] | None = None, data: bytes = b"hello",
          report: list[str] = REPORTED) -> tuple[judge.Answer, dict[str, Any], tuple[Any, ...]]:
    args = (write_s, close_s, write_error, data, cancel_at, LINGER, report)
    answer, out = _ask(kernel, "save_then_close_on_fake_conn", "save_then_close", *args)
    out["write"], out["close"] = _log(out.get("write")), _log(out.get("close"))
    return answer, out, args


def save_then_close_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("save_then_close")

    def case(write_s: float, close_s: float, cancel_at: list[float], write: tuple[Any, ...], close: tuple[Any, ...],
             expected: str, at: float, title: str, *, write_error: list[str] | None = None,
             data: bytes = b"hello") -> dict[str, Any]:
        """save_then_close(conn, data) as the task "save", cancelled at `cancel_at`: write()
        and close() must each run once, as given ([start, end, how]), and the task must end
        `expected` ("returned", "raised" or "cancelled") at `at`. Returns the outcome."""
        answer, out, args = _save(kernel, write_s, close_s, cancel_at, write_error=write_error, data=data)
        with _charts(answer, title, "save_then_close_on_fake_conn", "save_then_close", *args):
            closes = out["close"]
            assert len(closes) == 1, (f"close() must be called exactly once; it was called {len(closes)} times "
                                      f"({_calls('close', closes)})")
            assert _same_log(closes, [close]), (
                f"close() should run {_span(*close[:2])} and finish ({close[2]}); got {_calls('close', closes)}"
                + (": cancelling the task cancelled close() too" if closes[0][2] == "cancelled" else ""))
            assert _same_log(out["write"], [write]), (
                f"write() should run {_span(*write[:2])}, {write[2]}; got {_calls('write', out['write'])}")
            assert out["how"] == expected and _close(out["ended"], at), (
                f"the task should {WANT[expected]} at {at:g} s, once close() has finished (at {close[1]:g} s); "
                f"{_ended(out)}")
        return out

    @visible.scenario("no cancellation: write (0-3 s), then close (3-5 s), then returns what write() returned (5), "
                      "at 5 s", points=0.75)
    def _():
        for w, c, data in ((3, 2, b"hello"), (_q(0.5, 4), _q(0.5, 4), _data())):
            _, out, _ = _save(kernel, w, c, [], data=data, report=EVERY)
            if not (_same_log(out["write"], [(0, w, "done")]) and _same_log(out["close"], [(w, w + c, "done")])):
                log = {"write": out["write"], "close": out["close"]}
                raise GradingFailure(f"expected write from 0 to {w:g} s, then one close from {w:g} to {w + c:g} s; "
                                     f"got [start, end, how] = {log}")
            if not (out["how"] == "returned" and out["value"] == len(data) and _close(out["ended"], w + c)):
                raise GradingFailure(f"expected to return {len(data)} (what write() returned) at {w + c:g} s; your "
                                     f"function {_said(out)}")

    @visible.scenario("cancelled at 1 s, during write: close() still runs, 1-3 s, then the task ends cancelled at 3 s",
                      points=0.75)
    def _():
        w = _q(1, 4)
        for w, c, x in ((3, 2, 1), (w, _q(0.5, 4), _q(0.25, w - 0.25))):
            _, out, _ = _save(kernel, w, c, [x], report=EVERY)
            if not _same_log(out["close"], [(x, x + c, "done")]):
                raise GradingFailure(f"cancelled during write at {x:g} s, close() must still run once, from {x:g} to "
                                     f"{x + c:g} s; close calls: {out['close']}")
            if not (out["how"] == "cancelled" and _close(out["ended"], x + c)):
                said = "ended cancelled" if out["how"] == "cancelled" else f"{out['how']} {out['shown'] or None}"
                raise GradingFailure(
                    f"the task was cancelled: once close() has finished ({x + c:g} s) it must end cancelled (let the "
                    f"CancelledError propagate); it {said} at {out['ended']:g} s")

    @hidden.scenario("cancelled at 4 s, while closing (write 0-3 s, close 3-5 s): close() runs on to 5 s, "
                     "then the task ends cancelled at 5 s", points=0.5)
    def _():
        case(3, 2, [4], (0, 3, "done"), (3, 5, "done"), "cancelled", 5.0, "cancelled at 4 s, while closing")
        w, c = _q(0.5, 4), _q(1, 4)
        x = w + _q(0.25, c - 0.25)
        case(w, c, [x], (0, w, "done"), (w, w + c, "done"), "cancelled", w + c, f"cancelled at {x:g} s, while closing")

    @hidden.scenario("cancelled at 1 s and again at 2 s: close() runs once, 1-3 s, then the task ends cancelled "
                     "at 3 s", points=0.25)
    def _():
        case(3, 2, [1, 2], (0, 1, "cancelled"), (1, 3, "done"), "cancelled", 3.0, "cancelled at 1 s and at 2 s")
        w, c = _q(1, 4), _q(1, 4)
        x = _q(0.25, w - 0.25)
        y = x + _q(0.25, c - 0.25)
        case(w, c, [x, y], (0, x, "cancelled"), (x, x + c, "done"), "cancelled", x + c,
             f"cancelled at {x:g} s and at {y:g} s")

    @hidden.scenario("cancelled at 2, 3 and 4 s, all while closing (write 1 s, close 4 s): close() runs once to "
                     "its end at 5 s, then the task ends cancelled", points=0.5)
    def _():
        case(1, 4, [2, 3, 4], (0, 1, "done"), (1, 5, "done"), "cancelled", 5.0,
             "cancelled at 2, 3 and 4 s, all while closing")
        w, c = _q(0.5, 3), _q(1.5, 4)
        times = [w + q / 4 for q in sorted(judge.rng.sample(range(1, round(c * 4)), 3))]
        case(w, c, times, (0, w, "done"), (w, w + c, "done"), "cancelled", w + c,
             f"cancelled at {', '.join(f'{t:g}' for t in times)} s, all while closing")

    @hidden.scenario("cancelled at 2 and 3 s (write 6 s, close 1.5 s): close() runs 2-3.5 s, then the task ends "
                     "cancelled at 3.5 s", points=0.25)
    def _():
        case(6, 1.5, [2, 3], (0, 2, "cancelled"), (2, 3.5, "done"), "cancelled", 3.5,
             "cancelled at 2 s during write and at 3 s while closing")
        w, c = _q(3, 8), _q(0.5, 3)
        x = _q(0.5, w - 0.5)
        y = x + _q(0.25, c - 0.25)
        case(w, c, [x, y], (0, x, "cancelled"), (x, x + c, "done"), "cancelled", x + c,
             f"cancelled at {x:g} s during write and at {y:g} s while closing")

    @hidden.scenario("write() raises ConnectionResetError at 3 s: close() still runs, 3-5 s, then that very "
                     "exception propagates", points=0.5)
    def _():
        for w, c, message in ((3, 2, "peer went away"), (_q(0.5, 4), _q(0.5, 4), f"{_word()} went away")):
            out = case(w, c, [], (0, w, "failed"), (w, w + c, "done"), "raised", w + c,
                       "write() raises ConnectionResetError", write_error=["ConnectionResetError", message])
            assert out["raised"] == "ConnectionResetError" and out["own_error"], (
                f"write()'s own ConnectionResetError must propagate; got {out['shown']}")

    @hidden.scenario("write() raised at 3 s, then the task is cancelled at 4 s while closing: it still ends "
                     "cancelled, at 5 s", points=0.25)
    def _():
        case(3, 2, [4], (0, 3, "failed"), (3, 5, "done"), "cancelled", 5.0,
             "write() raised, then cancelled at 4 s while closing", write_error=["ConnectionResetError", "peer went away"])
        w, c = _q(0.5, 4), _q(1, 4)
        x = w + _q(0.25, c - 0.25)
        case(w, c, [x], (0, w, "failed"), (w, w + c, "done"), "cancelled", w + c,
             f"write() raised, then cancelled at {x:g} s while closing",
             write_error=["ConnectionResetError", f"{_word()} went away"])

    @hidden.scenario("no cancellation (write 2 s, close 1 s): returns write()'s result (5) at 3 s, close() called "
                     "once", points=0.25)
    def _():
        for w, c, data in ((2, 1, b"hello"), (_q(0.5, 4), _q(0.5, 4), _data())):
            out = case(w, c, [], (0, w, "done"), (w, w + c, "done"), "returned", w + c, "no cancellation", data=data)
            assert out["value"] == len(data), (f"save_then_close should return what write() returned ({len(data)}); "
                                               f"it returned {out['shown']}")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"fetch_with_deadline": fetch_with_deadline_outside, "retry": retry_outside,
           "save_then_close": save_then_close_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
