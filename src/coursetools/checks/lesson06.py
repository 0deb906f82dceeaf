"""Hidden checks of lesson 06 · Blocking.

``process_all(jobs)`` (3 points). Requirements of the exercise text, and where each is
checked (V: visible scenario in the notebook, H: hidden scenario here). The hidden scenarios
replace the notebook's ``checksum`` by a fast stand-in that records its data and whether it
ran on the event loop's thread ("call it by its name", says the text):

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

``dashboard(user_id)`` (3 points):

| requirement                                          | scenario                                               | points |
|------------------------------------------------------|--------------------------------------------------------|--------|
| returns the same dictionary as dashboard_sequential  | V "returns the same dictionary as dashboard_sequential"| 0.5    |
| takes the longest chain of dependencies (3 s)        | V "takes the longest chain: 3 s"                       | 0.75   |
| ... with other DELAYS too                            | H "with other DELAYS, still the longest chain"         | 0.5    |
| each fetch_* once; orders and recommendations get    | H "calls each fetch_* exactly once, ... the user"      | 0.5    |
| the user fetch_user returned                         |                                                        |        |
| fetch_user raises: dashboard raises that LookupError | H "dashboard(-1) raises the LookupError"               | 0.75   |
| (or an ExceptionGroup holding only it)               |                                                        |        |
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from contextlib import contextmanager

from aiolab import grading
from aiolab.checks import Checks

from . import checker, model

LESSON = "06-blocking"


# ---- the lesson's setup cells, for a model answer loaded on its own -----------------------
# A learner's notebook defines these; tests/test_checks.py loads the model answer alone, so
# it gets these copies (setdefault: a learner's own definitions are never replaced).

def _checksum(data: bytes) -> str:
    time.sleep(0.6)
    return hashlib.sha256(data).hexdigest()[:12]


async def _download(name: str, seconds: float) -> bytes:
    await asyncio.sleep(seconds)
    return f"contents of {name}".encode()


_DELAYS = {"user": 1.0, "orders": 2.0, "recommendations": 1.5, "promotions": 2.5}


async def _fetch_user(user_id):
    await asyncio.sleep(_scope["DELAYS"]["user"])
    if user_id < 0:
        raise LookupError(f"no user with id {user_id}")
    return {"id": user_id, "name": f"user-{user_id}"}


async def _fetch_orders(user):
    await asyncio.sleep(_scope["DELAYS"]["orders"])
    return [f"order-{user['id']}-{n}" for n in (1, 2)]


async def _fetch_recommendations(user):
    await asyncio.sleep(_scope["DELAYS"]["recommendations"])
    return [f"book for {user['name']}"]


async def _fetch_promotions():
    await asyncio.sleep(_scope["DELAYS"]["promotions"])
    return ["spring sale"]


_scope: dict = {"DELAYS": _DELAYS}
FETCHES = ("fetch_user", "fetch_orders", "fetch_recommendations", "fetch_promotions")


@contextmanager
def replaced(scope: dict, **names):
    """Replace names in the learner's namespace for the length of a scenario."""
    saved = {name: scope[name] for name in names if name in scope}
    scope.update(names)
    try:
        yield
    finally:
        for name in names:
            if name in saved:
                scope[name] = saved[name]
            else:
                scope.pop(name, None)


# ---- process_all ---------------------------------------------------------------------------

def process_all(process_all) -> Checks:
    checks = Checks("process_all")
    scope = getattr(process_all, "__globals__", {})
    scope.setdefault("checksum", _checksum)
    scope.setdefault("download", _download)
    calls: list[tuple[bytes, bool]] = []

    def spy_checksum(data):
        # Fast stand-in for checksum(): records its data and whether it ran on the loop's thread.
        try:
            asyncio.get_running_loop()
            on_loop = True
        except RuntimeError:
            on_loop = False
        calls.append((data, on_loop))
        return "sum of " + data.decode()

    reference = model(LESSON, "process_all", namespace={"download": scope["download"], "checksum": spy_checksum})

    def spied(jobs):
        calls.clear()
        with replaced(scope, checksum=spy_checksum):
            return grading.run(process_all, jobs)

    def never_called():
        assert calls, ("checksum() was never called in this process: call it by its name, in a thread, "
                       "with `await asyncio.to_thread(checksum, data)`")

    # First: it passes at once even for an answer that blocks for seconds, whose later
    # scenarios may run out of the cell's real-time budget.
    @checks.scenario("process_all([]) returns [] at once, without calling checksum()", points=0.25)
    def _():
        run = spied([])
        assert run.result == [], f"process_all([]) should return [], got {run.result!r}"
        assert run.elapsed == 0, f"process_all([]) should take no time, it took {run.elapsed:g} s"
        assert not calls, "process_all([]) should not call checksum()"

    @checks.scenario("checksum() runs in a worker thread, never on the event loop's thread", points=0.5)
    def _():
        spied([("a.txt", 3), ("b.txt", 1), ("c.txt", 2)])
        never_called()
        on_loop = [data.decode() for data, flag in calls if flag]
        assert not on_loop, (f"checksum() ran on the event loop's thread for {on_loop}; run it in a "
                             "worker thread with `await asyncio.to_thread(checksum, data)`")

    @checks.scenario("checksum() is called once per job, with that job's data", points=0.25)
    def _():
        jobs = [("a.txt", 3), ("b.txt", 1), ("c.txt", 2)]
        spied(jobs)
        never_called()
        got = sorted(data for data, _ in calls)
        want = sorted(f"contents of {name}".encode() for name, _ in jobs)
        assert got == want, f"checksum() should be called once per job, with that job's data; it got {got}"

    @checks.scenario("downloads of 3, 1 and 2 s: the checksums in job order, in 3 s", points=0.5)
    def _():
        jobs = [("a.txt", 3), ("b.txt", 1), ("c.txt", 2)]
        run = spied(jobs)
        want = [f"sum of contents of {name}" for name, _ in jobs]
        got = list(run.result) if isinstance(run.result, (list, tuple)) else run.result
        assert got == want, f"results must be in the order of the jobs: expected {want}, got {run.result!r}"
        grading.expect_elapsed(run, 3.0, reference=reference, args=(jobs,),
                               hint="The downloads should overlap: the longest one (3 s) sets the time.")

    @checks.scenario("a name listed twice is two jobs: [same, other, same] gives three checksums", points=0.25)
    def _():
        jobs = [("same.txt", 2), ("other.txt", 1), ("same.txt", 2)]
        run = spied(jobs)
        want = [f"sum of contents of {name}" for name, _ in jobs]
        got = list(run.result) if isinstance(run.result, (list, tuple)) else run.result
        assert got == want, f"for jobs {jobs} expected {want}, got {run.result!r}"
        assert len(calls) == 3, f"checksum() should run once per job (3 jobs), it ran {len(calls)} times"

    return checks


# ---- dashboard -----------------------------------------------------------------------------

def dashboard(dashboard) -> Checks:
    checks = Checks("dashboard")
    scope = getattr(dashboard, "__globals__", {})
    for name, own in zip(FETCHES, (_fetch_user, _fetch_orders, _fetch_recommendations, _fetch_promotions)):
        scope.setdefault(name, own)
    scope.setdefault("DELAYS", _DELAYS)
    _scope["DELAYS"] = scope["DELAYS"]
    reference = model(LESSON, "dashboard", namespace={name: scope[name] for name in (*FETCHES, "DELAYS")})

    @checks.scenario("calls each fetch_* function exactly once, and gives orders and recommendations the user "
                     "fetch_user returned", points=0.5)
    def _():
        calls, results = [], {}

        def counted(name, fn):
            async def wrapper(*args):
                calls.append((name, args))
                results[name] = value = await fn(*args)
                return value
            return wrapper

        with replaced(scope, **{name: counted(name, scope[name]) for name in FETCHES}):
            grading.run(dashboard, 3)
        names = sorted(name for name, _ in calls)
        assert names == sorted(FETCHES), (
            f"each fetch_* function should be called exactly once; the calls were {names}")
        for name, args in calls:
            if name in ("fetch_orders", "fetch_recommendations"):
                assert args == (results.get("fetch_user"),), (
                    f"{name} must be given the user that fetch_user returned; it got {args!r}")

    @checks.scenario("with other DELAYS, still the longest chain: promotions 4 s, user + recommendations 5 s, "
                     "user + orders 4 s", points=0.5)
    def _():
        delays = scope["DELAYS"]
        saved = dict(delays)
        try:
            for new, longest in [({"user": 1, "orders": 1, "recommendations": 1, "promotions": 4}, 4.0),
                                 ({"user": 2, "orders": 1, "recommendations": 3, "promotions": 1}, 5.0),
                                 ({"user": 1, "orders": 3, "recommendations": 1, "promotions": 1}, 4.0)]:
                delays.update(new)
                run = grading.run(dashboard, 5)
                assert isinstance(run.result, dict) and run.result.get("orders") == ["order-5-1", "order-5-2"], (
                    f"with DELAYS = {new}, dashboard(5) returned {run.result!r}")
                grading.expect_elapsed(run, longest, reference=reference, args=(5,),
                                       hint=f"With DELAYS = {new} the longest chain takes {longest:g} s.")
        finally:
            delays.clear()
            delays.update(saved)

    @checks.scenario("dashboard(-1) raises the LookupError of fetch_user (or an ExceptionGroup holding only it)",
                     points=0.75)
    def _():
        try:
            run = grading.run(dashboard, -1)
        except LookupError:
            return
        except ExceptionGroup as group:             # a TaskGroup wraps the error: fine
            lookup, others = group.split(LookupError)
            assert lookup is not None and others is None, (
                f"dashboard(-1) should raise the LookupError from fetch_user; it raised {group!r}")
            return
        raise AssertionError(f"dashboard(-1) should raise the LookupError from fetch_user; "
                             f"it returned {run.result!r}")

    return checks


EXERCISES = {"process_all": process_all, "dashboard": dashboard}
check = checker(EXERCISES)
