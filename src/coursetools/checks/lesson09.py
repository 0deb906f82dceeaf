"""Hidden checks of lesson 09 · Async HTTP, offline.

``retry(attempt, *, retries, base)`` (3 points), in virtual time with a stand-in for
``attempt`` (:func:`script`). Requirements of the exercise text, and where each is checked
(V: visible scenario in the notebook, H: hidden scenario here):

| requirement                                                        | scenario                                                    | points |
|--------------------------------------------------------------------|-------------------------------------------------------------|--------|
| an `async def`; a status < 500 after failures is returned; waits   | V "the example: 503, 503, then 200 ..."                      | 0.5    |
|   `base`, `2 * base` before retries 1, 2 (one attempt at a time)   |                                                             |        |
| a status below 500 is final (404: one call)                        | V "a status below 500 is final ..."                          | 0.5    |
| wait `base * 2 ** (k - 1)` before retry k, for any base (4th: 4x)  | H "waits base * 2 ** (k - 1) before retry k ..."            | 0.5    |
| at most `retries + 1` calls; all failed with a status: return the  | H "every attempt fails with a status ..."                    | 0.5    |
|   last status, no wait after the last attempt                      |                                                             |        |
| other statuses below 500 (302) are final; retries=0: one attempt   | H "a 302 is final too, and retries=0 means one attempt"      | 0.25   |
| TimeoutError and ConnectionError (subclasses too) are retried      | H "TimeoutError and ConnectionResetError are retried"        | 0.25   |
| the last attempt raised: raise that exception                      | H "the last attempt raised: retry raises that exception"     | 0.25   |
| any other exception propagates at once, without a retry            | H "any other exception propagates at once"                   | 0.25   |

``crawl(urls, *, limit, timeout, retries=2)`` (4 points), in *real* time: each scenario runs
the learner's crawl on a loop of its own (:func:`aiolab.run_virtual` with a real loop, in a
worker thread) against a :class:`DemoServer` in another thread, and judges it by the
server's counters (most requests in flight, requests per URL, connections, open
connections) and by the order of the results, never by the clock. The only real-time
limits are generous: a per-attempt timeout of 1 s or more against pages that take 0.05 to
0.3 s (or 20 s, to be timed out), and :data:`REAL_LIMIT` s for a whole crawl.

| requirement                                                        | scenario                                                    | points |
|--------------------------------------------------------------------|-------------------------------------------------------------|--------|
| one status per URL; at most `limit` in flight, slots kept busy     | V "six /items pages with limit=2 ..."                        | 0.5    |
| retries: a 5xx is retried up to `retries` (default 2) more times;  | V "a 404 is final, a 5xx is retried ..."                     | 0.5    |
|   statuses below 500 are final; failures are results              |                                                             |        |
| exactly `limit` requests at once with enough URLs (limit=4)        | H "limit=4 over 8 URLs: exactly 4 requests at once"          | 0.25   |
| one client: at most `limit` connections                            | H "one client for the whole crawl ..."                      | 0.25   |
| the client is closed before `crawl` returns                        | H "closes its client before returning ..."                  | 0.25   |
| start the next request as soon as one finishes, not in batches     | H "slots are refilled at once, not in batches ..."          | 0.5    |
| results in the order of `urls`                                     | H "results follow the order of the URLs ..."                | 0.25   |
| a timeout per attempt; a timed-out attempt gives None, is retried  | H "an attempt with no response after `timeout` s fails ..."  | 0.5    |
| waiting for a slot does not count toward the timeout               | H "waiting for a free slot does not count ..."              | 0.25   |
| cannot connect: None, not an exception                             | H "a URL nobody answers (connection refused) gives None"     | 0.25   |
| `crawl([])` returns [] without a request                           | H "crawl([]) returns [] without a request"                  | 0.25   |
| no task it started still running when it returns                  | H "no task it started is still running when it returns"      | 0.25   |

"You may wait a little between attempts" is a permission, not checked (a long wait only
makes a crawl slower; past :data:`REAL_LIMIT` it fails).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiolab import grading, run_virtual
from aiolab.checks import Checks
from aiolab.errors import RealTimeLimitError
from aiolab.server import DemoServer
from aiolab.timeline import Timeline

from . import checker, model

LESSON = "09-async-http"

#: Real seconds one crawl may take (a correct one takes 0.1 to 2.5 s); nbgrader gives the
#: whole test cell 30 s, so this stays well below it.
REAL_LIMIT = 8.0


# ---- retry ------------------------------------------------------------------------------

def script(*outcomes: Any, seconds: float = 1.0) -> Callable[[], Any]:
    """A stand-in for `attempt`: each call takes `seconds` (virtual), then returns the next
    status of `outcomes` or raises the next exception (the last one repeats). Each call runs
    as a task named "attempt 1", "attempt 2", ...; `attempt.calls` counts them."""
    async def one(outcome: Any) -> Any:
        await asyncio.sleep(seconds)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def attempt() -> Any:
        n = attempt.calls = attempt.calls + 1
        outcome = outcomes[min(n, len(outcomes)) - 1]
        return await asyncio.create_task(one(outcome), name=f"attempt {n}")

    attempt.calls = 0
    return attempt


def starts(run: grading.Run) -> list[float]:
    """When each attempt started, in virtual seconds."""
    return [round(rec.created, 6) for rec in run.timeline.tasks if rec.name.startswith("attempt ")]


async def outcome_of(coro: Any) -> Any:
    """What `coro` returned, or the exception it raised."""
    try:
        return await coro
    except Exception as err:   # noqa: BLE001 - the exception is the outcome under test
        return err


def retry(retry) -> Checks:
    checks = Checks("retry")
    
    def schedule(outcomes: list[Any], retries: int, base: float, *, result: Any,
                 started: list[float], elapsed: float, hint: str) -> None:
        attempt = script(*outcomes)
        run = grading.run(retry, attempt, retries=retries, base=base)
        what = f"retry(attempt, retries={retries}, base={base:g}) with outcomes {list(outcomes)!r}"
        assert run.result == result, f"{what} should return {result!r}, it returned {run.result!r}"
        rows = [rec for rec in run.timeline.tasks if rec.name.startswith("attempt ")]
        for before, after in zip(rows, rows[1:]):
            assert before.ended <= after.created, (
                f"{what}: {after.name} started before {before.name} had ended (one attempt at a time)")
        if starts(run) != started:
            grading.show_comparison(run.timeline, grading.reference_timeline(
                model(LESSON, "retry"), script(*outcomes), retries=retries, base=base),
                f"attempts at t = {starts(run)}")
            raise grading.GradingFailure(
                f"{what}: attempts should start at t = {started}, they started at t = {starts(run)}. {hint}")
        grading.expect_elapsed(run, elapsed, reference=model(LESSON, "retry"), args=(script(*outcomes),),
                               kwargs={"retries": retries, "base": base}, hint=hint)

    @checks.scenario("waits base * 2 ** (k - 1) before retry k, for any base: with base=0.5, attempts "
                     "at t = 0, 1.5, 3.5 and 6.5", points=0.5)
    def _():
        schedule([500, 500, 500, 201], 3, 0.5, result=201, started=[0, 1.5, 3.5, 6.5], elapsed=7.5,
                 hint="Before retry k wait base * 2 ** (k - 1): 0.5, 1 and 2 s here.")

    @checks.scenario("every attempt fails with a status: returns the last status, with no wait after "
                     "the last attempt (503, 500, 502 with retries=2: 502 at t = 6)", points=0.5)
    def _():
        schedule([503, 500, 502], 2, 1, result=502, started=[0, 2, 5], elapsed=6,
                 hint="At most retries + 1 attempts, and no wait after the last one.")

    @checks.scenario("a 302 is final too, and retries=0 means one attempt", points=0.25)
    def _():
        for outcomes, retries, expected in (([302, 200], 2, 302), ([503, 200], 0, 503)):
            attempt = script(*outcomes)
            run = grading.run(retry, attempt, retries=retries, base=1)
            assert (run.result, attempt.calls) == (expected, 1), (
                f"retry(attempt, retries={retries}, base=1) with outcomes {outcomes}: expected {expected} "
                f"after 1 call, got {run.result!r} after {attempt.calls} calls")

    @checks.scenario("TimeoutError and ConnectionError (a ConnectionResetError too) are retried", points=0.25)
    def _():
        outcomes = [TimeoutError("slow"), ConnectionResetError("reset"), 200]
        attempt = script(*outcomes)
        run = grading.run(outcome_of, retry(attempt, retries=2, base=1))
        assert (run.result, attempt.calls) == (200, 3), (
            f"retry(attempt, retries=2, base=1) with outcomes {outcomes!r}: expected 200 after 3 calls, "
            f"got {run.result!r} after {attempt.calls} calls")
        assert starts(run) == [0, 2, 5], (
            f"after a TimeoutError or ConnectionError, wait as after a 5xx: attempts should start at "
            f"t = [0, 2, 5], they started at t = {starts(run)}")

    @checks.scenario("the last attempt raised: retry raises that same exception", points=0.25)
    def _():
        boom = TimeoutError("the last attempt timed out")
        attempt = script(503, boom)
        run = grading.run(outcome_of, retry(attempt, retries=1, base=2))
        assert run.result is boom and attempt.calls == 2, (
            f"503, then TimeoutError('the last attempt timed out'), with retries=1: retry must raise "
            f"that TimeoutError after 2 calls; it gave {run.result!r} after {attempt.calls} calls")

    @checks.scenario("any other exception (a ValueError) propagates at once, without a retry", points=0.25)
    def _():
        bug = ValueError("a bug in the request code")
        attempt = script(bug, 200)
        run = grading.run(outcome_of, retry(attempt, retries=3, base=1))
        assert run.result is bug and attempt.calls == 1 and math.isclose(run.elapsed, 1), (
            f"an attempt raising ValueError('a bug in the request code'): retry must let it out at "
            f"once (1 call, at t = 1); it gave {run.result!r} after {attempt.calls} calls, at "
            f"t = {run.elapsed:g}")

    return checks


# ---- crawl ------------------------------------------------------------------------------

@dataclass
class Crawled:
    """What one real-time crawl returned and left behind."""

    results: Any
    #: Names of tasks the crawl started that were still running when it returned.
    left: list[str]
    timeline: Timeline


def on_a_real_loop(main: Callable[[], Any], what: str, why: str = "") -> tuple[Any, Timeline]:
    """Run ``main()`` on a real event loop in a worker thread (real sockets need real time),
    within :data:`REAL_LIMIT` s and what is left of the cell's real-time budget."""
    budget = grading.budget()
    real_limit = budget.limit(REAL_LIMIT, shrink=False)
    try:
        return run_virtual(main, loop_factory=asyncio.new_event_loop, limit=None,
                           real_limit=real_limit, blocking_threshold=None)
    except RealTimeLimitError:
        budget.note_stuck(f"a crawl was stopped after {real_limit:g} s of real time")
        raise grading.GradingFailure(f"{what} did not finish within {real_limit:g} s of real time{why}") from None


def crawl_real(crawl, server: Any, urls: list[str], **kwargs: Any) -> Crawled:
    """Run ``crawl(urls, **kwargs)`` in real time on a loop of its own (a worker thread).
    Its own exceptions propagate; past :data:`REAL_LIMIT` s it fails with a message."""
    async def main() -> tuple[Any, list[str]]:
        before = asyncio.all_tasks()
        results = await crawl(urls, **kwargs)
        left = sorted(t.get_name() for t in asyncio.all_tasks() - before if not t.done())
        return results, left

    shown = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    (results, left), tl = on_a_real_loop(
        main, f"crawl(<{len(urls)} URLs>, {shown})",
        " (a correct crawl takes under 2 s here): an attempt without a timeout, or a wait that never ends?")
    if not isinstance(results, list):
        raise grading.GradingFailure(f"crawl must return a list, it returned {type(results).__name__}")
    if len(results) != len(urls):
        raise grading.GradingFailure(f"crawl returned {len(results)} results for {len(urls)} URLs")
    return Crawled(results, left, tl)


def once(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` run at most once: later calls return its result or raise its exception again."""
    memo: dict[str, Any] = {}

    def get() -> Any:
        if not memo:
            try:
                memo["value"] = fn()
            except BaseException as err:   # noqa: BLE001 - replayed to every scenario using it
                memo["error"] = err
        if "error" in memo:
            raise memo["error"]
        return memo["value"]
    return get


def crawl(crawl) -> Checks:
    checks = Checks("crawl")

    @dataclass
    class Twelve:
        crawled: Crawled
        requests: int
        max_in_flight: int
        connections: int

    @once
    def twelve() -> Twelve:
        """8 /items pages of 0.3 s, limit=4: the run several scenarios judge."""
        with DemoServer.run_in_thread(latency=0.3) as server:
            urls = [server.url(f"/items/{i}") for i in range(8)]
            crawled = crawl_real(crawl, server, urls, limit=4, timeout=5)
        return Twelve(crawled, server.requests, server.max_in_flight, server.connections)

    @checks.scenario("limit=4 over 8 URLs: [200] * 8, and the server sees exactly 4 requests at once",
                     points=0.25)
    def _():
        run = twelve()
        assert run.crawled.results == [200] * 8, f"8 /items pages should give [200] * 8, not {run.crawled.results!r}"
        if run.max_in_flight != 4:
            grading.show_comparison(run.crawled.timeline, None, f"limit=4, the server saw {run.max_in_flight} at once")
            raise grading.GradingFailure(
                f"with limit=4 and 8 URLs the server should see exactly 4 requests at once, it saw "
                f"{run.max_in_flight} (your tasks are in the chart, in real time)")

    @checks.scenario("one client for the whole crawl: 8 URLs with limit=4 come on at most 4 connections",
                     points=0.25)
    def _():
        run = twelve()
        assert run.connections <= 4, (
            f"one shared client needs at most 4 connections for limit=4; the server saw "
            f"{run.connections} connections for {run.requests} requests: a new client per request?")

    @checks.scenario("no task it started is still running when it returns", points=0.25)
    def _():
        run = twelve()
        assert not run.crawled.left, (
            f"crawl returned while tasks it started were still running: {run.crawled.left}")

    @checks.scenario("closes its client before returning: the server then sees no connection left open",
                     points=0.25)
    def _():
        with DemoServer.run_in_thread(latency=0.05) as server:
            async def crawl_then_count() -> int:
                await crawl([server.url(f"/items/{i}") for i in range(4)], limit=2, timeout=5)
                for _ in range(30):               # closing takes a moment to reach the server
                    if server.open_connections == 0:
                        break
                    await asyncio.sleep(0.1)
                return server.open_connections

            still_open, _ = on_a_real_loop(crawl_then_count, "crawl(<4 URLs>, limit=2, timeout=5)")
        assert still_open == 0, (
            f"3 s after crawl returned, {still_open} of its connections were still open: close the client "
            "(or session) before returning, e.g. with `async with httpx.AsyncClient() as client:`")

    @checks.scenario("slots are refilled at once, not in batches: while one slow page (1.5 s) is fetched, "
                     "the other slot serves the fast ones", points=0.5)
    def _():
        with DemoServer.run_in_thread(latency=0.05) as server:
            paths = ["/delay/1.5"] + [f"/items/{i}" for i in range(8)]
            crawled = crawl_real(crawl, server, [server.url(p) for p in paths], limit=2, timeout=5)
        assert crawled.results == [200] * 9, f"one /delay/1.5 page and 8 /items pages should give [200] * 9, not {crawled.results!r}"
        log = server.log
        slow = next(rec for rec in log if rec.path == "/delay/1.5")
        later = [rec for rec in log if rec.path != slow.path and rec.started > slow.started]
        during = [rec.path for rec in later if rec.ended is not None and rec.ended <= slow.ended]
        if len(during) < min(len(later), 3):
            grading.show_comparison(crawled.timeline, None, "one slow URL and eight fast ones, limit=2")
            raise grading.GradingFailure(
                f"limit=2, one page of 1.5 s and 8 of 0.05 s: while the slow request ran, the other slot "
                f"should have served the fast pages still waiting, one after another; only {len(during)} "
                f"ran meanwhile, {len(later) - len(during)} started after it. Start a new request as soon "
                f"as one finishes, not in batches of `limit`.")

    @checks.scenario("results follow the order of the URLs, whatever order the responses come in",
                     points=0.25)
    def _():
        with DemoServer.run_in_thread() as server:
            paths = ["/status/201?latency=0.9", "/status/202?latency=0.6", "/status/404?latency=0.3", "/status/200"]
            crawled = crawl_real(crawl, server, [server.url(p) for p in paths], limit=4, timeout=5)
        assert crawled.results == [201, 202, 404, 200], (
            f"four pages answering 201 after 0.9 s, 202 after 0.6 s, 404 after 0.3 s and 200 at once: "
            f"results must follow the order of the URLs, [201, 202, 404, 200]; got {crawled.results!r}")

    @checks.scenario("an attempt with no response after `timeout` s fails and is retried: a 20 s page with "
                     "timeout=1, retries=1 gives None after 2 requests", points=0.5)
    def _():
        with DemoServer.run_in_thread() as server:
            crawled = crawl_real(crawl, server, [server.url("/delay/20")], limit=2, timeout=1, retries=1)
        hits = server.hits("/delay/20")
        assert crawled.results == [None], (
            f"a page that answers after 20 s, with timeout=1: its attempts time out, so the result is "
            f"[None]; got {crawled.results!r}")
        assert hits == 2, f"with retries=1 a timed-out page is requested twice; the server saw {hits} requests"

    @checks.scenario("waiting for a free slot does not count toward the timeout: 6 pages of 0.3 s, limit=1, "
                     "timeout=1 all give 200", points=0.25)
    def _():
        with DemoServer.run_in_thread(latency=0.3) as server:
            urls = [server.url(f"/items/{i}") for i in range(6)]
            crawled = crawl_real(crawl, server, urls, limit=1, timeout=1, retries=0)
        assert crawled.results == [200] * 6, (
            f"6 pages of 0.3 s with limit=1 and timeout=1: each request takes 0.3 s once it has its "
            f"slot, so every page should give 200; got {crawled.results!r}. The last pages wait 1.5 s for "
            f"a slot: does your timeout start before the request has its slot (aiohttp's "
            f"ClientTimeout(total=...) with a connector limit counts the wait for a connection)?")

    @checks.scenario("a URL nobody answers (connection refused) gives None, not an exception", points=0.25)
    def _():
        with DemoServer.run_in_thread() as closed:
            url = closed.url("/items/1")          # the server stops: its port refuses connections
        crawled = crawl_real(crawl, None, [url], limit=2, timeout=2, retries=1)
        assert crawled.results == [None], (
            f"a URL whose server is gone (connection refused) should give [None]; got {crawled.results!r}")

    @checks.scenario("crawl([]) returns [] without a request", points=0.25)
    def _():
        with DemoServer.run_in_thread() as server:
            crawled = crawl_real(crawl, server, [], limit=3, timeout=1)
        assert crawled.results == [], f"crawl([]) should return [], not {crawled.results!r}"
        assert server.requests == 0, f"crawl([]) must send no request; the server saw {server.requests}"

    return checks


EXERCISES = {"retry": retry, "crawl": crawl}
check = checker(EXERCISES)
