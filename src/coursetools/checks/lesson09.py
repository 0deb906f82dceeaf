"""Hidden checks of lesson 09 · Async HTTP, offline, judged outside the kernel
(:mod:`coursetools.judge`; the kernel runs the learner's code through :mod:`aiolab.probes`).

``retry(attempt, *, retries, base)`` (3 points), in virtual time with a stand-in for
``attempt`` built in the kernel from a plain-data script (probe ``retry_scripted``: each
call takes 1 s, then returns the next status or raises the next exception, named by its
built-in class). Requirements of the exercise text, and where each is checked (V: visible
scenario in the notebook, made again here from data at grading time; H: hidden scenario).
Each scenario also asks for inputs picked at random (statuses, exceptions and their
messages, ``retries``, and ``base`` where "any base" is the requirement):

| requirement                                                        | scenario                                                    | points |
|--------------------------------------------------------------------|-------------------------------------------------------------|--------|
| an `async def`; a status < 500 after failures is returned; waits   | V "the example: 503, 503, then 200 ..."                      | 0.5    |
|   `base`, `2 * base` before retries 1, 2 (one attempt at a time)   |                                                             |        |
| a status below 500 is final (404: one call)                        | V "a status below 500 is final ..."                          | 0.5    |
| wait `base * 2 ** (k - 1)` before retry k, for any base (4th: 4x)  | H "waits base * 2 ** (k - 1) before retry k ..."            | 0.5    |
| at most `retries + 1` calls; all failed with a status: return the  | H "every attempt fails with a status ..."                    | 0.5    |
|   last status, no wait after the last attempt                      |                                                             |        |
| other statuses below 500 (302) are final; retries=0: one attempt   | H "a 302 is final too, and retries=0 means one attempt"      | 0.25   |
| TimeoutError and ConnectionError (subclasses too) are retried      | H "TimeoutError and ConnectionError ... are retried"         | 0.25   |
| the last attempt raised: raise that exception                      | H "the last attempt raised: retry raises that same ..."      | 0.25   |
| any other exception propagates at once, without a retry            | H "any other exception (a ValueError) propagates at once"    | 0.25   |

``crawl(urls, *, limit, timeout, retries=2)`` (4 points), in *real* time: the crawls of a
scenario run in the kernel, in one request, on a real event loop (probe
``crawl_demo_server``, a real-time probe), each against a :class:`~aiolab.server.DemoServer`
of its own that the probe starts in a thread there; the answer is each crawl's results
and the server's counters (most requests in flight, requests per URL, connections, open
connections, its log in order of arrival). Verdicts come from those and from the order of
the results, never from the clock. The only real-time limits are generous: a per-attempt
timeout of 1 s or more against pages that take 0.05 to 0.3 s (or 1.5 s; or 20 s, to be
timed out), :data:`aiolab.drive.REAL_TIME_LIMIT` (8 s) for a scenario's crawls, and
:data:`CRAWL_BUDGET` for the cell's. Every crawl asks for random paths (item ids, keys);
the scenarios marked * also crawl with random parameters (a second crawl, or the only one
where the title has no example):

| requirement                                                        | scenario                                                    | points |
|--------------------------------------------------------------------|-------------------------------------------------------------|--------|
| one status per URL; at most `limit` in flight, slots kept busy     | V* "six /items pages with limit=2 ..."                       | 0.5    |
| retries: a 5xx is retried up to `retries` (default 2) more times;  | V* "a 404 is final, a 5xx is retried ..."                    | 0.5    |
|   statuses below 500 are final; failures are results              |                                                             |        |
| exactly `limit` requests at once with enough URLs (limit=4)        | H "limit=4 over 8 URLs: exactly 4 requests at once"          | 0.25   |
| one client: at most `limit` connections                            | H "one client for the whole crawl ..."                      | 0.25   |
| no task it started still running when it returns                  | H "no task it started is still running when it returns"      | 0.25   |
| the client is closed before `crawl` returns (the limit=4 crawl)    | H "closes its client before returning ..."                  | 0.25   |
| start the next request as soon as one finishes, not in batches     | H* "slots are refilled at once, not in batches ..."         | 0.5    |
| results in the order of `urls`                                     | H* "results follow the order of the URLs ..."               | 0.25   |
| a timeout per attempt; a timed-out attempt gives None, is retried  | H "an attempt with no response after `timeout` s fails ..."  | 0.5    |
| waiting for a slot does not count toward the timeout               | H "waiting for a free slot does not count ..."              | 0.25   |
| cannot connect: None, not an exception                             | H* "a URL nobody answers (connection refused) gives None"    | 0.25   |
| `crawl([])` returns [] without a request                           | H* "crawl([]) returns [] without a request"                 | 0.25   |

"You may wait a little between attempts" is a permission, not checked (a long wait only
makes a crawl slower; past the real-time limit it fails).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiolab import grading, probes
from aiolab.checks import Checks
from aiolab.grading import GradingFailure

from .. import judge
from . import checker, model

LESSON = "09-async-http"

_MALFORMED = "The kernel's answer was malformed (did code in the notebook change how cells run?)."


def _data(answer: judge.Answer) -> dict[str, Any]:
    """The one value a probe answered: a dict of plain data, or the failure."""
    (got,) = answer.values(1)
    if not isinstance(got, dict):
        raise GradingFailure(_MALFORMED)
    return got


def _times(times: list[float]) -> str:
    return "[" + ", ".join(f"{t:g}" for t in times) + "]"


# ---- retry ------------------------------------------------------------------------------

#: What the stand-in ``attempt`` does on one call: a status, or ``[built-in exception class,
#: message]`` to raise.
Outcome = int | list[str]

RETRIED = ["TimeoutError", "ConnectionError", "ConnectionResetError", "ConnectionRefusedError",
           "ConnectionAbortedError", "BrokenPipeError"]
NOT_RETRIED = ["ValueError", "TypeError", "RuntimeError", "AttributeError", "ZeroDivisionError", "LookupError"]


def _shown(outcome: Outcome) -> str:
    return f"{outcome[0]}({outcome[1]!r})" if isinstance(outcome, list) else repr(outcome)


def _listed(outcomes: list[Outcome]) -> str:
    return "[" + ", ".join(map(_shown, outcomes)) + "]"


def _fails() -> int:
    return judge.rng.choice([500, 502, 503, 504])


def _succeeds() -> int:
    return judge.rng.choice([200, 201, 202, 204])


def _error(kinds: list[str]) -> list[str]:
    words = ["slow", "reset", "gone", "refused", "bad input", "no route", "busy"]
    return [judge.rng.choice(kinds), f"{judge.rng.choice(words)} #{judge.rng.randint(1, 999)}"]


@dataclass
class Retried:
    """What ``retry`` did with a scripted ``attempt``, as the probe reported it."""

    answer: judge.Answer
    raised: str | None              # the built-in class of what it raised
    value: Any                      # what it returned (None if it raised)
    gave: str                       # either, as the learner would see it
    from_attempt: int | None        # the call that raised that very exception
    attempts: list[list[Any]]       # [started, ended] of each call

    @property
    def calls(self) -> int:
        return len(self.attempts)

    @property
    def starts(self) -> list[float]:
        return [a[0] for a in self.attempts]

    def returned(self, status: int) -> bool:
        return self.raised is None and self.value == status


def _retry(kernel: judge.Kernel, outcomes: list[Outcome], retries: int, base: float) -> Retried:
    answer = kernel.probe("retry_scripted", "retry", outcomes, retries, base)
    if answer.defined and not answer.coroutine_function and answer.failure:
        raise GradingFailure(f"retry must be an `async def` function ({answer.failure})")
    got = _data(answer)
    attempts = got.get("attempts")
    if not (isinstance(attempts, list) and all(isinstance(a, list) and len(a) == 2 and isinstance(a[0], (int, float))
                                               for a in attempts)):
        raise GradingFailure(_MALFORMED)
    raised = got.get("raised")
    gave = f"{raised}({got.get('message')!r})" if raised else str(got.get("shown"))
    return Retried(answer, raised if isinstance(raised, str) else None, got.get("value"), gave,
                   got.get("from_attempt"), attempts)


def _plan(outcomes: list[Outcome], retries: int, base: float) -> tuple[list[float], float]:
    """When each attempt should start, and when retry should end (attempts of 1 s)."""
    starts, now = [], 0.0
    for k in range(retries + 1):
        if k:
            now += base * 2 ** (k - 1)
        starts.append(now)
        now += 1
        outcome = outcomes[min(k, len(outcomes) - 1)]
        if isinstance(outcome, list) and outcome[0] not in RETRIED:
            break
        if isinstance(outcome, int) and outcome < 500:
            break
    return starts, now


def _same_times(actual: list[float], expected: list[float]) -> bool:
    return len(actual) == len(expected) and all(
        math.isclose(a, b, abs_tol=grading.TOLERANCE) for a, b in zip(actual, expected))


def retry_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    visible, hidden = judge.new_checks("retry")

    def retry_model() -> Any:
        return model(LESSON, "retry")

    def schedule(outcomes: list[Outcome], retries: int, base: float, *, result: int, hint: str) -> None:
        """Returns ``result``, one attempt at a time, each when it should start, in the time it should."""
        started, elapsed = _plan(outcomes, retries, base)
        did = _retry(kernel, outcomes, retries, base)
        what = f"retry(attempt, retries={retries}, base={base:g}) with outcomes {_listed(outcomes)}"
        if not did.returned(result):
            raise GradingFailure(f"{what} should return {result!r}, it returned {did.gave}")
        for n, (before, after) in enumerate(zip(did.attempts, did.attempts[1:]), start=1):
            if before[1] is None or before[1] > after[0] + grading.TOLERANCE:
                raise GradingFailure(f"{what}: attempt {n + 1} started before attempt {n} had ended "
                                     "(one attempt at a time)")
        if not _same_times(did.starts, started):
            judge.show(did.answer.timeline, grading.reference_timeline(
                probes.retry_scripted, retry_model(), outcomes, retries, base), f"attempts at t = {_times(did.starts)}")
            raise GradingFailure(f"{what}: attempts should start at t = {_times(started)}, they started at "
                                 f"t = {_times(did.starts)}. {hint}")
        judge.expect_elapsed(did.answer, elapsed, reference=probes.retry_scripted,
                             args=(retry_model(), outcomes, retries, base), hint=hint)

    @visible.scenario("the example: 503, 503, then 200 (retries=3, base=1) returns 200, attempts at t = 0, 2 and 5",
                      points=0.5)
    def _():
        failures = judge.rng.randint(1, 2)
        picked = [_fails() for _ in range(failures)] + [_succeeds()]
        for outcomes, retries in (([503, 503, 200], 3), (picked, judge.rng.randint(failures, 3))):
            final, waits = outcomes[-1], "waits of 1 s, then 2 s" if len(outcomes) == 3 else "a wait of 1 s"
            started, _ = _plan(outcomes, retries, 1)
            did = _retry(kernel, outcomes, retries, 1)
            told = ", ".join(map(str, outcomes[:-1]))
            if not did.returned(final):
                raise GradingFailure(f"{told}, then {final}: retry should return {final}, not {did.gave}")
            if not _same_times(did.starts, started):
                raise GradingFailure(f"attempts should start at t = {_times(started)} ({waits}), "
                                     f"not {_times(did.starts)}")

    @visible.scenario("a status below 500 is final: 404, then 200 gives 404 after one call", points=0.5)
    def _():
        for status in (404, judge.rng.choice([400, 401, 403, 409, 410, 418, 422, 429, 451])):
            did = _retry(kernel, [status, 200], 3 if status == 404 else judge.rng.randint(1, 4), 1)
            if not (did.returned(status) and did.calls == 1):
                raise GradingFailure(f"a {status} is final: expected {status} after 1 call, got {did.gave} "
                                     f"after {did.calls} calls")

    @hidden.scenario("waits base * 2 ** (k - 1) before retry k, for any base: with base=0.5, attempts "
                     "at t = 0, 1.5, 3.5 and 6.5", points=0.5)
    def _():
        schedule([500, 500, 500, 201], 3, 0.5, result=201,
                 hint="Before retry k wait base * 2 ** (k - 1): 0.5, 1 and 2 s here.")
        base = judge.rng.choice([0.25, 0.75, 1.25, 1.5, 2, 2.5])
        outcomes = [_fails(), _fails(), _fails(), _succeeds()]
        schedule(outcomes, judge.rng.randint(3, 4), base, result=outcomes[-1],
                 hint=f"Before retry k wait base * 2 ** (k - 1): {base:g}, {2 * base:g} and {4 * base:g} s here.")

    @hidden.scenario("every attempt fails with a status: returns the last status, with no wait after "
                     "the last attempt (503, 500, 502 with retries=2: 502 at t = 6)", points=0.5)
    def _():
        retries = judge.rng.randint(1, 2)
        for outcomes in ([503, 500, 502], [_fails() for _ in range(retries + 1)]):
            schedule(outcomes, len(outcomes) - 1, 1, result=outcomes[-1],
                     hint="At most retries + 1 attempts, and no wait after the last one.")

    @hidden.scenario("a 302 is final too, and retries=0 means one attempt", points=0.25)
    def _():
        redirect = judge.rng.choice([301, 303, 307, 308])
        for outcomes, retries in (([302, 200], 2), ([503, 200], 0), ([redirect, _succeeds()], judge.rng.randint(1, 4)),
                                  ([_fails(), _succeeds()], 0)):
            did = _retry(kernel, outcomes, retries, 1)
            if not (did.returned(outcomes[0]) and did.calls == 1):
                raise GradingFailure(f"retry(attempt, retries={retries}, base=1) with outcomes {outcomes}: expected "
                                     f"{outcomes[0]} after 1 call, got {did.gave} after {did.calls} calls")

    @hidden.scenario("TimeoutError and ConnectionError (a ConnectionResetError too) are retried", points=0.25)
    def _():
        picked = [_error(RETRIED) for _ in range(judge.rng.randint(1, 2))] + [_succeeds()]
        for outcomes in ([["TimeoutError", "slow"], ["ConnectionResetError", "reset"], 200], picked):
            did = _retry(kernel, outcomes, 2, 1)
            started, _ = _plan(outcomes, 2, 1)
            if not (did.returned(outcomes[-1]) and did.calls == len(outcomes)):
                raise GradingFailure(
                    f"retry(attempt, retries=2, base=1) with outcomes {_listed(outcomes)}: expected {outcomes[-1]} "
                    f"after {len(outcomes)} calls, got {did.gave} after {did.calls} calls")
            if not _same_times(did.starts, started):
                raise GradingFailure(
                    f"after a TimeoutError or ConnectionError, wait as after a 5xx: attempts should start at "
                    f"t = {_times(started)}, they started at t = {_times(did.starts)}")

    @hidden.scenario("the last attempt raised: retry raises that same exception", points=0.25)
    def _():
        retries = judge.rng.randint(1, 2)
        for outcomes in ([503, ["TimeoutError", "the last attempt timed out"]],
                         [_fails() for _ in range(retries)] + [_error(RETRIED)]):
            did = _retry(kernel, outcomes, len(outcomes) - 1, 2)
            calls, boom = len(outcomes), outcomes[-1]
            if not (did.raised and did.from_attempt == calls and did.calls == calls):
                told = ", ".join(map(_shown, outcomes[:-1]))
                raise GradingFailure(
                    f"{told}, then {_shown(boom)}, with retries={calls - 1}: retry must raise that {boom[0]} "
                    f"after {calls} calls; it gave {did.gave} after {did.calls} calls")

    @hidden.scenario("any other exception (a ValueError) propagates at once, without a retry", points=0.25)
    def _():
        for bug, retries in ((["ValueError", "a bug in the request code"], 3),
                             (_error(NOT_RETRIED), judge.rng.randint(1, 4))):
            did = _retry(kernel, [bug, 200], retries, 1)
            elapsed = did.answer.elapsed
            if not (did.raised and did.from_attempt == 1 and did.calls == 1 and elapsed is not None
                    and math.isclose(elapsed, 1, abs_tol=grading.TOLERANCE)):
                raise GradingFailure(
                    f"an attempt raising {_shown(bug)}: retry must let it out at once (1 call, at t = 1); it gave "
                    f"{did.gave} after {did.calls} calls, at t = {elapsed if elapsed is not None else float('nan'):g}")

    return visible, hidden


# ---- crawl ------------------------------------------------------------------------------

#: A page the demo server answers: a path (with its query), or ``["refused", path]`` on a
#: port nobody listens on.
Page = str | list[str]


@dataclass
class Crawled:
    """What one real-time crawl returned and left behind, and what the server saw."""

    answer: judge.Answer
    results: list[Any]
    left: list[str]                 # tasks it started still running when it returned
    requests: int
    max_in_flight: int
    connections: int
    open_connections: int
    hits: list[int | None]          # requests per page (None: refused)
    log: list[dict[str, Any]]       # each request, in order of arrival


def crawl_of(pages: list[Page], *, server: dict[str, Any] | None = None, settle: float = 0.0,
             **kwargs: Any) -> dict[str, Any]:
    """One crawl for :func:`crawls`: ``crawl(<urls of pages>, **kwargs)`` against a demo
    server with the options ``server``; then ``settle`` s at most for its connections to close."""
    return {"pages": pages, "kwargs": kwargs, "server": server or {}, "settle": settle}


def crawls(ask: Callable[..., judge.Answer], *runs: dict[str, Any]) -> list[Crawled]:
    """The crawls of one scenario, run in the kernel in real time, one after the other, in
    one request (each request costs time of its own): ``ask(*runs)`` asks for them. The
    first failure fails the scenario."""
    what = ", then ".join(f"crawl(<{len(r['pages'])} URLs>, {', '.join(f'{k}={v!r}' for k, v in r['kwargs'].items())})"
                          for r in runs)
    answer = ask(*runs)
    try:
        (got,) = answer.values(1)
    except GradingFailure as err:
        raise GradingFailure(f"{what}: {err}") from None
    if not (isinstance(got, list) and len(got) == len(runs) and all(isinstance(g, dict) for g in got)):
        raise GradingFailure(_MALFORMED)
    done = []
    for run, report in zip(runs, got):
        results, count = report.get("results"), len(run["pages"])
        if results is None:
            raise GradingFailure(f"crawl must return a list, it returned {report.get('returned')}")
        if not isinstance(results, list):
            raise GradingFailure(_MALFORMED)
        if len(results) != count:
            raise GradingFailure(f"crawl returned {len(results)} results for {count} URLs")
        try:
            done.append(Crawled(answer, results, list(report["left"]), int(report["requests"]),
                                int(report["max_in_flight"]), int(report["connections"]),
                                int(report["open_connections"]), list(report["hits"]),
                                [dict(r) for r in report["log"]]))
        except (KeyError, TypeError, ValueError):
            raise GradingFailure(_MALFORMED) from None
    return done


def _ids(count: int) -> list[int]:
    return judge.rng.sample(range(1, 1000), count)


def _items(count: int) -> list[str]:
    return [f"/items/{i}" for i in _ids(count)]


#: Real seconds the crawl cell's requests may take together (the grader's budget for a cell,
#: :class:`coursetools.judge.Kernel`, is :data:`aiolab.grading.CELL_BUDGET` otherwise):
#: crawls take real time, and a crawl stopped at its real-time limit takes 8 s of it. As
#: when the cell ran in the kernel: its visible crawls outside any budget, its hidden ones
#: within 20 s, and nbgrader's 30 s for the whole cell.
CRAWL_BUDGET = 30.0


def crawl_outside(kernel: judge.Kernel) -> tuple[Checks, Checks]:
    if isinstance(getattr(kernel, "budget", None), (int, float)):
        kernel.budget = max(kernel.budget, CRAWL_BUDGET)
    visible, hidden = judge.new_checks("crawl")
    ask = judge.shared(functools.partial(kernel.probe, "crawl_demo_server", "crawl"))

    @visible.scenario("six /items pages with limit=2: [200] * 6, and the server sees exactly 2 requests at once",
                      points=0.5)
    def _():
        other = judge.rng.randint(3, 4)
        cases = [(2, 6, 0.3), (other, other + 1, 0.15)]
        for (limit, count, _), run in zip(cases, crawls(ask, *(
                crawl_of(_items(count), server={"latency": latency}, limit=limit, timeout=5)
                for limit, count, latency in cases))):
            pages = "six /items pages" if count == 6 else f"{count} /items pages"
            if run.results != [200] * count:
                raise GradingFailure(f"{pages} should give [200] * {count}, not {run.results!r}")
            if run.requests != count:
                raise GradingFailure(f"expected {count} requests (one per URL), the server saw {run.requests}")
            if run.max_in_flight != limit:
                raise GradingFailure(f"with limit={limit} the server should see exactly {limit} requests at once, "
                                     f"it saw {run.max_in_flight}")

    @visible.scenario("a 404 is final, a 5xx is retried up to `retries` (default 2) more times: [404, 200, 503]",
                      points=0.5)
    def _():
        retries = judge.rng.randint(0, 2)
        failures = judge.rng.randint(1, retries + 1)
        final, failing, key = judge.rng.choice([400, 403, 404, 410]), _fails(), f"k{_ids(1)[0]}"
        # Each attempt of the flaky page takes 0.08 s, of the failing one 0.2 s: each URL's
        # last answer comes after the one before it, so the order of the results is not at stake.
        flaky = f"/flaky/{key}?failures={failures}&status={failing}&latency=0.08"
        cases = [(["/status/404", "/flaky/a?failures=1", "/status/503"], {}, [404, 200, 503], [1, 2, 3]),
                 ([f"/status/{final}", flaky, f"/status/{failing}?latency=0.2"],
                  {"retries": retries}, [final, 200 if failures <= retries else failing, failing],
                  [1, min(failures, retries) + 1, retries + 1])]
        runs = crawls(ask, *(crawl_of(paths, limit=3, timeout=5, **more) for paths, more, _, _ in cases))
        for (_, more, results, hits), run in zip(cases, runs):
            if run.results != results:
                raise GradingFailure(f"expected {results}, got {run.results!r}")
            if run.hits != hits:
                told = ("404: final; flaky: one retry; 503: retried twice" if not more else
                        f"{final}: final; flaky: fails {failures} times; {failing}: retried {retries} times")
                raise GradingFailure(f"requests per URL should be {hits} ({told}), the server saw {run.hits}")

    #: 8 /items pages with limit=4, then 3 s at most for the connections to close: the run
    #: several scenarios judge (asked once).
    eight_pages = crawl_of(_items(8), server={"latency": 0.2}, settle=3.0, limit=4, timeout=5)

    def eight() -> Crawled:
        (run,) = crawls(ask, eight_pages)
        return run

    @hidden.scenario("limit=4 over 8 URLs: [200] * 8, and the server sees exactly 4 requests at once",
                     points=0.25)
    def _():
        run = eight()
        if run.results != [200] * 8:
            raise GradingFailure(f"8 /items pages should give [200] * 8, not {run.results!r}")
        if run.max_in_flight != 4:
            judge.show(run.answer.timeline, None, f"limit=4, the server saw {run.max_in_flight} at once")
            raise GradingFailure(
                f"with limit=4 and 8 URLs the server should see exactly 4 requests at once, it saw "
                f"{run.max_in_flight} (your tasks are in the chart, in real time)")

    @hidden.scenario("one client for the whole crawl: 8 URLs with limit=4 come on at most 4 connections",
                     points=0.25)
    def _():
        run = eight()
        if run.connections > 4:
            raise GradingFailure(
                f"one shared client needs at most 4 connections for limit=4; the server saw "
                f"{run.connections} connections for {run.requests} requests: a new client per request?")

    @hidden.scenario("no task it started is still running when it returns", points=0.25)
    def _():
        run = eight()
        if run.left:
            raise GradingFailure(f"crawl returned while tasks it started were still running: {run.left}")

    @hidden.scenario("closes its client before returning: the server then sees no connection left open",
                     points=0.25)
    def _():
        run = eight()
        if run.open_connections:
            raise GradingFailure(
                f"3 s after crawl returned, {run.open_connections} of its connections were still open: close the "
                "client (or session) before returning, e.g. with `async with httpx.AsyncClient() as client:`")

    @hidden.scenario("slots are refilled at once, not in batches: while one slow page (1.5 s) is fetched, "
                     "the other slot serves the fast ones", points=0.5)
    def _():
        fast = judge.rng.randint(5, 8)
        (run,) = crawls(ask, crawl_of(["/delay/1.5"] + _items(fast), server={"latency": 0.05}, limit=2, timeout=5))
        if run.results != [200] * (fast + 1):
            raise GradingFailure(f"one /delay/1.5 page and {fast} /items pages should give [200] * {fast + 1}, "
                                 f"not {run.results!r}")
        slow = next((r for r in run.log if r.get("path") == "/delay/1.5"), None)
        if slow is None or slow.get("ended") is None:
            raise GradingFailure(f"the server saw no complete request for /delay/1.5 (it saw {run.requests} requests)")
        later = [r for r in run.log if r.get("path") != "/delay/1.5" and r["started"] > slow["started"]]
        during = [r for r in later if r.get("ended") is not None and r["ended"] <= slow["ended"]]
        if len(during) < min(len(later), 3):
            judge.show(run.answer.timeline, None, f"one slow URL and {fast} fast ones, limit=2")
            raise GradingFailure(
                f"limit=2, one page of 1.5 s and {fast} of 0.05 s: while the slow request ran, the other slot "
                f"should have served the fast pages still waiting, one after another; only {len(during)} "
                f"ran meanwhile, {len(later) - len(during)} started after it. Start a new request as soon "
                f"as one finishes, not in batches of `limit`.")

    @hidden.scenario("results follow the order of the URLs, whatever order the responses come in",
                     points=0.25)
    def _():
        count = judge.rng.randint(3, 4)
        statuses = judge.rng.sample([200, 201, 202, 203], count - 1) + [judge.rng.choice([403, 404, 410])]
        judge.rng.shuffle(statuses)         # all different: the order they come back in is not the URLs'
        latencies = [round(0.1 * (count - 1 - i), 2) for i in range(count)]      # the last answers first
        paths = [f"/status/{s}?latency={t:g}" if t else f"/status/{s}" for s, t in zip(statuses, latencies)]
        (run,) = crawls(ask, crawl_of(paths, limit=4, timeout=5))
        if run.results != statuses:
            told = ", ".join(f"{s} after {t:g} s" for s, t in zip(statuses, latencies))
            raise GradingFailure(f"{count} pages answering {told}: results must follow the order of the URLs, "
                                 f"{statuses}; got {run.results!r}")

    @hidden.scenario("an attempt with no response after `timeout` s fails and is retried: a 20 s page with "
                     "timeout=1, retries=1 gives None after 2 requests", points=0.5)
    def _():
        # With a fast page first (a random one): it comes back first too, so the order of the
        # results is not at stake here.
        item = _items(1)[0]
        (run,) = crawls(ask, crawl_of([item, "/delay/20"], limit=2, timeout=1, retries=1))
        if run.results != [200, None]:
            raise GradingFailure(f"a page that answers after 20 s, with timeout=1: its attempts time out, so its "
                                 f"result is None (after an {item} page: [200, None]); got {run.results!r}")
        if run.hits[1] != 2:
            raise GradingFailure(f"with retries=1 a timed-out page is requested twice; the server saw {run.hits[1]} "
                                 "requests")

    @hidden.scenario("waiting for a free slot does not count toward the timeout: 6 pages of 0.3 s, limit=1, "
                     "timeout=1 all give 200", points=0.25)
    def _():
        (run,) = crawls(ask, crawl_of(_items(6), server={"latency": 0.3}, limit=1, timeout=1, retries=0))
        if run.results != [200] * 6:
            raise GradingFailure(
                f"6 pages of 0.3 s with limit=1 and timeout=1: each request takes 0.3 s once it has its "
                f"slot, so every page should give 200; got {run.results!r}. The last pages wait 1.5 s for "
                f"a slot: does your timeout start before the request has its slot (aiohttp's "
                f"ClientTimeout(total=...) with a connector limit counts the wait for a connection)?")

    @hidden.scenario("a URL nobody answers (connection refused) gives None, not an exception", points=0.25)
    def _():
        pages = [["refused", path] for path in _items(judge.rng.randint(1, 2))]
        (run,) = crawls(ask, crawl_of(pages, limit=2, timeout=2, retries=judge.rng.randint(0, 2)))
        if run.results != [None] * len(pages):
            raise GradingFailure(f"a URL whose server is gone (connection refused) should give None: expected "
                                 f"{[None] * len(pages)}, got {run.results!r}")

    @hidden.scenario("crawl([]) returns [] without a request", points=0.25)
    def _():
        (run,) = crawls(ask, crawl_of([], limit=judge.rng.randint(1, 5), timeout=judge.rng.randint(1, 3)))
        if run.results != []:
            raise GradingFailure(f"crawl([]) should return [], not {run.results!r}")
        if run.requests:
            raise GradingFailure(f"crawl([]) must send no request; the server saw {run.requests}")

    return visible, hidden


#: Judged outside the kernel at grading time (coursetools.judge).
OUTSIDE = {"retry": retry_outside, "crawl": crawl_outside}
#: The same hidden scenarios inside a kernel, on its own objects (the instructor's notebook).
EXERCISES = judge.in_kernel_all(OUTSIDE)
check = checker(EXERCISES)
