"""Probes: how the grader drives a learner's objects when a plain call is not enough.

Why this exists: graded checks are decided outside the learner's kernel (the course's
judge, in the grader's process), which can only ask the kernel to run something and answer
with data (:mod:`aiolab.drive`). Most requests are a plain call of the learner's function.
Some scenarios need more: await the same object twice, hold the loop up while a sleep is
due, look at what creating an object started. A probe is that driving, written once here:
an ``async def`` taking the learner's objects first and then the grader's arguments, and
returning plain data (numbers, strings, lists, dicts) about what happened.

Everything a probe returns must be plain data (the exact builtin types): a learner's
object anywhere in it makes the whole answer opaque, equal to nothing. So a probe turns
objects into what the grader needs (a class name, ``str(err)``, a count) itself.

A probe never judges: it holds no expected value and no model answer, and reports what
the learner's code did. The verdicts stay with the grader, which picks the arguments (some
at random) and compares the data it gets back. Probes are public on purpose: a learner may
read them, as they may read the scenario titles in the notebook.

Register one with :func:`probe`; :func:`aiolab.drive.probe` runs it by name.
"""

from __future__ import annotations

import asyncio
import builtins
import concurrent.futures
import contextlib
import gc
import hashlib
import inspect
import threading
import time
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Any
from unittest import mock

__all__ = ["PROBES", "REAL_TIME", "builtin_exception", "probe"]

#: Every probe, by name.
PROBES: dict[str, Callable[..., Awaitable[Any]]] = {}
#: The names of the probes that run in real time (``@probe(real_time=True)``).
REAL_TIME: set[str] = set()


def probe(fn: Callable[..., Awaitable[Any]] | None = None, *, real_time: bool = False) -> Any:
    """Register ``fn`` as a probe named after it: ``@probe``. ``@probe(real_time=True)``:
    :func:`aiolab.drive.probe` runs it on a real event loop instead of in virtual time
    (real sockets, a server in a thread), and nothing it does is judged by the clock."""
    def register(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        PROBES[fn.__name__] = fn
        if real_time:
            REAL_TIME.add(fn.__name__)
        return fn
    return register if fn is None else register(fn)


def builtin_exception(err: BaseException) -> str:
    """The name of the nearest built-in class of ``err`` (a learner's own exception named
    ``ValueError`` that does not derive from the real one reports what it derives from)."""
    for kind in type(err).__mro__:
        if getattr(builtins, kind.__name__, None) is kind:
            return kind.__name__
    return "BaseException"


# ---- a function called ---------------------------------------------------------------------

@probe
async def call_with(fn: Callable[..., Awaitable[Any]], args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``await fn(*args, **kwargs)`` (keyword arguments, which a plain request has not)."""
    return await fn(*args, **kwargs)


@probe
async def outcome(fn: Callable[..., Awaitable[Any]], args: list[Any], kwargs: dict[str, Any]) -> dict[str, Any]:
    """``await fn(*args, **kwargs)`` with an exception as data: ``{"raised": None, "value":
    ...}`` or ``{"raised": "<built-in exception class>", "message": str(err)}``. (A value
    that is not plain data makes the whole answer opaque to the grader.)"""
    try:
        value = await fn(*args, **kwargs)
    except Exception as err:        # noqa: BLE001 - which one is the answer
        return {"raised": builtin_exception(err), "message": str(err)[:500]}
    return {"raised": None, "value": value}


# ---- a function called in odd circumstances ------------------------------------------------

@probe
async def called_late(fn: Callable[..., Awaitable[Any]], at: float, *args: Any) -> Any:
    """``await fn(*args)`` called when the loop's clock already reads ``at`` more than at
    the start."""
    await asyncio.sleep(at)
    return await fn(*args)


@probe
async def held_up(fn: Callable[..., Awaitable[Any]], busy_from: float, busy_until: float, *args: Any) -> Any:
    """``await fn(*args)`` while other work holds the loop from ``busy_from`` to
    ``busy_until`` seconds after the call: a timer falling due in that window fires only
    when the loop is free again, at ``busy_until`` (a sleep due then ends late)."""
    loop = asyncio.get_running_loop()
    start, call_at = loop.time(), loop.call_at

    def busy_call_at(when: float, callback: Callable[..., Any], *cb_args: Any, context: Any = None) -> Any:
        if start + busy_from <= when < start + busy_until:
            when = start + busy_until
        return call_at(when, callback, *cb_args, context=context)

    loop.call_at = busy_call_at             # type: ignore[method-assign]
    try:
        return await fn(*args)
    finally:
        del loop.call_at


# ---- an awaitable class ------------------------------------------------------------------

@probe
async def await_new(make: Callable[..., Awaitable[Any]], *args: Any) -> Any:
    """``await make(*args)``: a new instance, awaited once."""
    return await make(*args)


@probe
async def await_twice(make: Callable[..., Awaitable[Any]], *args: Any) -> list[Any]:
    """One instance ``make(*args)`` awaited twice."""
    made = make(*args)
    return [await made, await made]


@probe
async def gather_new(make: Callable[..., Awaitable[Any]], *arg_lists: list[Any]) -> list[Any]:
    """``asyncio.gather`` over one new instance per argument list."""
    return list(await asyncio.gather(*(make(*a) for a in arg_lists)))


@probe
async def create(make: Callable[..., Any], *args: Any) -> str | None:
    """Create ``make(*args)`` and drop it: None, or the built-in exception it raised. Only
    that: what else creating it did (a coroutine never awaited) is :func:`left_unused`'s."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            made = make(*args)
        except Exception as err:        # noqa: BLE001 - which one is the answer
            return builtin_exception(err)
        del made
        gc.collect()
    return None


@probe
async def left_unused(make: Callable[..., Awaitable[Any]], *args: Any) -> dict[str, Any]:
    """Create ``make(*args)``, let the loop run a step, drop it: which "never awaited"
    warnings that caused, and the names of the tasks it started (then cancelled)."""
    before = asyncio.all_tasks()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unused = make(*args)
        await asyncio.sleep(0)
        started = asyncio.all_tasks() - before
        del unused
        gc.collect()
    for task in started:
        task.cancel()
    return {"never_awaited": [str(w.message) for w in caught if "never awaited" in str(w.message)],
            "started": sorted(t.get_name() for t in started)}


# ---- lesson 04: the basic template ---------------------------------------------------------

def builtin_error(kind: str, message: str) -> Exception:
    """A new exception of the built-in class named ``kind`` (e.g. "ValueError"), the way a
    grader names one in plain data."""
    cls = getattr(builtins, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        raise ValueError(f"not a built-in exception class: {kind!r}")
    return cls(message)


def _shown(value: Any) -> str:
    """``repr(value)``, however the learner's object behaves."""
    try:
        return repr(value)[:500]
    except Exception:       # noqa: BLE001 - a learner's __repr__ may raise anything
        return f"<a {type(value).__name__} object>"


def _text(err: BaseException) -> str:
    """``str(err)``, however the learner's exception behaves."""
    try:
        return str(err)[:500]
    except Exception:       # noqa: BLE001 - a learner's __str__ may raise anything
        return ""


def _is_plain(value: Any) -> bool:
    from .drive import literal

    try:
        literal(value)
    except (ValueError, RecursionError):
        return False
    return True


async def _lesson04_fetch(name: str, delay: float) -> str:
    """The lesson's ``fetch`` (its exercise setup cell): wait ``delay`` seconds, then report."""
    await asyncio.sleep(delay)
    return f"{name} ({delay:g} s)"


@contextlib.contextmanager
def _lesson04_fetch_in(fetch_all: Any) -> Iterator[None]:
    """For the call, ``fetch`` as ``fetch_all`` sees it (its module's globals) is the lesson's,
    whatever the notebook's ``fetch`` has become; restored afterwards."""
    space = getattr(fetch_all, "__globals__", None)
    if not isinstance(space, dict):
        yield
        return
    missing = object()
    before = space.get("fetch", missing)
    space["fetch"] = _lesson04_fetch
    try:
        yield
    finally:
        if before is missing:
            space.pop("fetch", None)
        else:
            space["fetch"] = before


def _close_coroutines(args: tuple[Any, ...]) -> None:
    """A stub that refuses a coroutine closes it: one never awaited would warn later."""
    for arg in args:
        if inspect.iscoroutine(arg):
            arg.close()


def _refusing(name: str, called: list[str]) -> Callable[..., Any]:
    def stub(*args: Any, **kwargs: Any) -> Any:
        _close_coroutines(args)
        called.append(name)
        raise RuntimeError(f"asyncio.{name}() is refused here")
    return stub


@probe
async def fetch_all_with_lesson_fetch(fetch_all: Callable[..., Awaitable[Any]], jobs: list[tuple[str, float]]) -> Any:
    """``await fetch_all(jobs)`` (``(name, delay)`` pairs) with the lesson's ``fetch``."""
    with _lesson04_fetch_in(fetch_all):
        return await fetch_all(jobs)


@probe
async def fetch_all_without_loops(fetch_all: Callable[..., Awaitable[Any]],
                                  jobs: list[tuple[str, float]]) -> dict[str, Any]:
    """``await fetch_all(jobs)`` with the lesson's ``fetch`` while ``asyncio.new_event_loop``,
    ``set_event_loop``, ``run`` and ``Runner`` refuse to be called (they raise RuntimeError):
    ``{"called": [the ones it called], "raised": None, "value": ...}``, or ``"raised"`` the
    built-in exception and ``"message"``."""
    called: list[str] = []
    refused = {n: _refusing(n, called) for n in ("new_event_loop", "set_event_loop", "run", "Runner")}
    with _lesson04_fetch_in(fetch_all), mock.patch.multiple(asyncio, **refused):
        try:
            value = await fetch_all(jobs)
        except Exception as err:        # noqa: BLE001 - which one is the answer
            return {"called": called, "raised": builtin_exception(err), "message": _text(err)}
    return {"called": called, "raised": None, "value": value if _is_plain(value) else _shown(value)}


def _thread_current_loop() -> asyncio.AbstractEventLoop | None:
    """The calling thread's current loop, or None (never creates one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)      # get_event_loop_policy() on 3.14
        try:
            return asyncio.get_event_loop_policy().get_event_loop()
        except RuntimeError:                                     # none set in this thread
            return None


@probe
async def run_in_new_loop_from_threads(run_in_new_loop: Callable[..., Any], refuse_asyncio_run: bool,
                                       *calls: list[Any]) -> list[dict[str, Any]]:
    """Call the synchronous ``run_in_new_loop(coro_fn, *args)`` once per ``[name, args]`` of
    ``calls``, one after the other, as a script would: each from a new thread of its own,
    where no loop runs; with ``refuse_asyncio_run``, ``asyncio.run`` and ``asyncio.Runner``
    refuse to be called. ``coro_fn`` by name:

    - ``times_two(x)``: 2 * x after 0.01 s;
    - ``loop_is_current()``: whether the thread's current loop is the loop running it;
    - ``explodes(kind, message)``: raises the built-in exception ``kind(message)``;
    - ``leaves_a_task(value)``: starts a task that sleeps an hour (cancelled, it takes 0.01 s
      to end, noting "task cancelled"), returns ``value``;
    - ``explodes_leaving_a_task(kind, message)``: the same task, then raises;
    - ``leaves_a_generator(stop)``: leaves an async generator open (still referenced; it notes
      "generator closed" when closed) after ``stop`` items, returns ``stop``.

    One dict per call: ``returned`` (plain data, else None; ``shown`` its repr), ``raised``
    (the built-in exception, None if none; ``type`` and ``message`` its own), ``refused``
    (asyncio functions it called that refused), ``current_loop`` (repr of the thread's
    current loop afterwards, None if none), ``loop`` (the loop the coroutine ran on, numbered
    0, 1, ... in order of first appearance in this probe; None if it never ran),
    ``loop_closed`` (that loop once the call was over) and ``log`` (what was noted)."""
    from ._executor import DaemonThreadPool

    loops: list[asyncio.AbstractEventLoop] = []      # kept alive: each number stays its loop's
    kept: list[Any] = []
    ran_on: list[asyncio.AbstractEventLoop] = []
    log: list[str] = []
    refused: list[str] = []

    async def times_two(x: Any) -> Any:
        ran_on.append(asyncio.get_running_loop())
        await asyncio.sleep(0.01)
        return 2 * x

    async def loop_is_current() -> bool:
        ran_on.append(asyncio.get_running_loop())
        return _thread_current_loop() is asyncio.get_running_loop()

    async def explodes(kind: str, message: str) -> None:
        ran_on.append(asyncio.get_running_loop())
        await asyncio.sleep(0)
        raise builtin_error(kind, message)

    async def sleeps_forever() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.01)     # its cleanup takes a moment: the loop must run until it ends
            log.append("task cancelled")
            raise

    async def leaves_a_task(value: Any) -> Any:
        ran_on.append(asyncio.get_running_loop())
        asyncio.create_task(sleeps_forever())
        await asyncio.sleep(0)
        return value

    async def explodes_leaving_a_task(kind: str, message: str) -> None:
        ran_on.append(asyncio.get_running_loop())
        asyncio.create_task(sleeps_forever())
        await asyncio.sleep(0)
        raise builtin_error(kind, message)

    async def numbers() -> Any:
        try:
            for i in range(1000):
                yield i
        finally:
            log.append("generator closed")

    async def leaves_a_generator(stop: int) -> int:
        ran_on.append(asyncio.get_running_loop())
        generator = numbers()
        kept.append(generator)            # still referenced: only shutdown_asyncgens() closes it
        async for i in generator:
            if i == stop:
                break
        return stop

    coroutine_functions = {f.__name__: f for f in (times_two, loop_is_current, explodes, leaves_a_task,
                                                   explodes_leaving_a_task, leaves_a_generator)}

    def in_thread(coro_fn: Callable[..., Any], args: list[Any]) -> dict[str, Any]:
        try:
            value = run_in_new_loop(coro_fn, *args)
        except BaseException as err:        # noqa: B902 - CancelledError included: an outcome to report
            outcome = {"returned": None, "shown": "", "raised": builtin_exception(err),
                       "type": type(err).__name__, "message": _text(err)}
        else:
            outcome = {"returned": value if _is_plain(value) else None, "shown": _shown(value),
                       "raised": None, "type": None, "message": ""}
        current = _thread_current_loop()
        outcome["current_loop"] = None if current is None else _shown(current)
        return outcome

    loop = asyncio.get_running_loop()
    answers = []
    with contextlib.ExitStack() as stack:
        if refuse_asyncio_run:
            stack.enter_context(mock.patch.multiple(asyncio, run=_refusing("run", refused),
                                                    Runner=_refusing("Runner", refused)))
        for name, args in calls:
            del ran_on[:], log[:], refused[:]
            pool = DaemonThreadPool(max_workers=1)          # a new thread for each call
            try:
                outcome = await loop.run_in_executor(pool, in_thread, coroutine_functions[name], list(args))
            finally:
                pool.shutdown(wait=False)
            number = None
            if ran_on:
                number = next((i for i, seen in enumerate(loops) if seen is ran_on[0]), len(loops))
                if number == len(loops):
                    loops.append(ran_on[0])
            outcome.update(refused=list(refused), loop=number, log=list(log),
                           loop_closed=ran_on[0].is_closed() if ran_on else None)
            answers.append(outcome)
    kept.clear()
    return answers


# ---- lesson 05: gather and wait --------------------------------------------------------------

def _lesson05_jobs(script: list[dict[str, Any]],
                   own: set[asyncio.Task[Any]]) -> tuple[list[Callable[[], Awaitable[Any]]], dict[str, Any]]:
    """The jobs (async functions of no arguments) a script describes, one per entry:

    - ``{"name", "delay", "value"}``: waits ``delay`` s, returns ``value``;
    - ``... "raises": [kind, message]}``: raises that built-in exception (one object, made now);
    - ``... "returns_error": [kind, message]}``: returns that exception object, as a value;
    - ``... "numbered": True}``: returns ``value`` followed by how many runs of it have started;
    - ``{"again": i}``: the very job of entry ``i`` again.

    Each job names the task running it after itself (its row in the chart), unless that
    task is one of ``own``. Also returns what the description of results needs: the
    exceptions the jobs made (by id, kept alive) and how many times each job started."""
    made: dict[int, tuple[BaseException, str, str]] = {}
    runs: dict[str, int] = {}
    jobs: list[Callable[[], Awaitable[Any]]] = []

    def make(entry: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
        name, delay, value = str(entry["name"]), entry["delay"], entry.get("value")
        raised = returned = None
        if entry.get("raises"):
            raised = builtin_error(*entry["raises"])
            made[id(raised)] = (raised, name, "raised")
        if entry.get("returns_error"):
            returned = builtin_error(*entry["returns_error"])
            made[id(returned)] = (returned, name, "returned")
        numbered = bool(entry.get("numbered"))
        runs[name] = 0

        async def job() -> Any:
            task = asyncio.current_task()
            if task is not None and task not in own:
                task.set_name(name)
            runs[name] += 1
            run = runs[name]
            await asyncio.sleep(delay)
            if raised is not None:
                raise raised
            if returned is not None:
                return returned
            return f"{value}{run}" if numbered else value
        return job

    for entry in script:
        jobs.append(jobs[entry["again"]] if "again" in entry else make(entry))
    return jobs, {"made": made, "runs": runs}


def _lesson05_data(value: Any, made: dict[int, tuple[BaseException, str, str]], depth: int = 0) -> Any:
    """A result as plain data: lists and tuples item by item; None, bools, numbers and
    strings as they are; an exception as ``{"exception": its built-in class, "type",
    "message", "repr", "job": the job that made it (None if none did), "made": "raised" or
    "returned"}``; anything else as ``{"object": its type, "repr"}``."""
    if isinstance(value, BaseException):
        _, job, how = made.get(id(value), (None, None, None))
        return {"exception": builtin_exception(value), "type": type(value).__name__,
                "message": _text(value), "repr": _shown(value), "job": job, "made": how}
    if isinstance(value, (list, tuple)) and depth < 10:
        items = [_lesson05_data(v, made, depth + 1) for v in list(value)[:1000]]
        return items if isinstance(value, list) else tuple(items)
    if type(value) in (type(None), bool, int, float, str):
        return value
    return {"object": type(value).__name__, "repr": _shown(value)}


@probe
async def scripted_jobs_awaited(fn: Callable[..., Awaitable[Any]], script: list[dict[str, Any]]) -> dict[str, Any]:
    """``await fn(jobs)``, the jobs made from ``script`` (see :func:`_lesson05_jobs`):
    ``{"result": the result as data (:func:`_lesson05_data`), "runs": {job: times started}}``."""
    jobs, seen = _lesson05_jobs(script, {asyncio.current_task()})
    result = await fn(jobs)
    return {"result": _lesson05_data(result, seen["made"]), "runs": dict(seen["runs"])}


@probe
async def scripted_jobs_driven(fn: Callable[..., Awaitable[Any]], script: list[dict[str, Any]],
                               cancel_after: float | None = None) -> dict[str, Any]:
    """The lesson's ``drive``: ``fn(jobs)`` in a task named "call", as a caller would
    (cancelling it after ``cancel_after`` s if given), then 10 s more of watching, so a job
    left running shows up on the timeline. ``{"how": "value", "error" or "cancelled",
    "value": what it returned or raised, as data, "ended_at": when it ended (s), "runs"}``."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    own = {asyncio.current_task()}
    jobs, seen = _lesson05_jobs(script, own)
    call = asyncio.create_task(fn(jobs), name="call")
    own.add(call)
    if cancel_after is not None:
        await asyncio.sleep(cancel_after)
        call.cancel()
    value: Any = None
    try:
        how, value = "value", await call
    except asyncio.CancelledError:
        how = "cancelled"
    except Exception as err:        # noqa: BLE001 - an outcome, reported as data
        how, value = "error", err
    ended_at = loop.time() - start
    await asyncio.sleep(10)
    return {"how": how, "value": _lesson05_data(value, seen["made"]), "ended_at": ended_at,
            "runs": dict(seen["runs"])}


# ---- lesson 08: timeouts, cancellation and shielding ---------------------------------------

class _Lesson08Timed:
    """The calls of one stand-in (fetch(), op(), conn.write ...): each runs in a task of its
    own, named after it (its row in the chart), and ``log`` holds ``[start, end, how]`` per
    call, in seconds since the probe started: ``how`` is "running" until it ends, then the
    label it finished with, or "cancelled" (perhaps before it began)."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.log: list[list[Any]] = []
        self.errors: list[BaseException] = []        # every exception the stand-in raised

    def now(self) -> float:
        return asyncio.get_running_loop().time() - self.start

    async def call(self, name: str, seconds: float, label: str, error: BaseException | None = None,
                   value: Any = None) -> Any:
        entry: list[Any] = [self.now(), None, "running"]
        self.log.append(entry)

        async def work() -> Any:
            await asyncio.sleep(seconds)
            if error is not None:
                entry[1:] = [self.now(), label]
                self.errors.append(error)
                raise error
            entry[1:] = [self.now(), label]
            return value

        task = asyncio.create_task(work(), name=name)

        def ended(done: asyncio.Task[Any]) -> None:
            if done.cancelled() and entry[1] is None:
                entry[1:] = [self.now(), "cancelled"]
        task.add_done_callback(ended)
        return await task

    def entries(self) -> list[list[Any]]:
        return [list(entry) for entry in self.log]


def _lesson08_reported(err: BaseException, report: list[str]) -> bool:
    """Whether ``err`` comes back as data (an instance of a built-in class named in
    ``report``), or propagates as the learner's failure (NotImplementedError: not written yet)."""
    if isinstance(err, NotImplementedError):
        return False
    return any(isinstance(err, cls) for cls in (getattr(builtins, k, None) for k in report)
               if isinstance(cls, type) and issubclass(cls, BaseException))


async def _lesson08_drive(call: Callable[[], Awaitable[Any]], stand_in: _Lesson08Timed, name: str,
                          cancel_at: list[float], linger: float, report: list[str],
                          default: Any = None) -> dict[str, Any]:
    """Run ``call()`` as the task ``name``, cancel it ``cancel_at`` seconds after the start,
    note how and when it ended, then let the clock run ``linger`` s more (work left running
    shows up). The outcome: ``how`` ("returned", "raised" or "cancelled"), ``ended`` (s after
    the start); what it returned (``value`` if plain data, ``plain``, ``shown`` its repr,
    ``type`` its class name, ``is_default``: the very object ``default``) or raised (``raised``
    the built-in exception class, ``type``, ``message``, ``shown``, ``own_error``: the very
    exception a stand-in raised). An exception comes back as data if
    :func:`_lesson08_reported`, else propagates (after the lingering), with the learner's line."""
    loop = asyncio.get_running_loop()
    task = asyncio.create_task(call(), name=name)
    for t in cancel_at:
        loop.call_at(stand_in.start + t, task.cancel)
    await asyncio.wait([task])
    outcome: dict[str, Any] = {"how": "returned", "ended": stand_in.now(), "value": None, "plain": True,
                               "shown": "", "raised": None, "type": None, "message": "", "own_error": False,
                               "is_default": False}
    failure = None
    if task.cancelled():
        outcome["how"] = "cancelled"
    elif task.exception() is not None:
        err = task.exception()
        outcome.update(how="raised", raised=builtin_exception(err), type=type(err).__name__, message=_text(err),
                       shown=_shown(err), own_error=any(err is e for e in stand_in.errors))
        if not _lesson08_reported(err, report):
            failure = err
    else:
        value = task.result()
        plain = _is_plain(value)
        outcome.update(value=value if plain else None, plain=plain, shown=_shown(value), type=type(value).__name__,
                       is_default=value is default)
    await asyncio.sleep(linger)
    if failure is not None:
        raise failure
    return outcome


@probe
async def fetch_with_deadline_on_fake_fetch(fn: Callable[..., Awaitable[Any]], fetch: dict[str, Any], timeout: Any,
                                            default: Any, new_default_object: bool, linger: float,
                                            report: list[str]) -> dict[str, Any]:
    """The lesson's ``drive(fn, fetch, timeout, default)``, ``fetch()`` a stand-in that takes
    ``fetch["seconds"]``, then returns ``fetch["value"]`` or raises ``fetch["error"]``
    (``[kind, message]``, a built-in exception, one object made now); ``default`` is a new
    ``object()`` if ``new_default_object``. The outcome (:func:`_lesson08_drive`; ``own_error``:
    the very exception fetch() raised, ``is_default``: the very default object) and ``"fetch"``: the
    ``[start, end, how]`` of every call ("done", "failed", "cancelled" or "running")."""
    stand_in = _Lesson08Timed(asyncio.get_running_loop().time())
    error = builtin_error(*fetch["error"]) if fetch.get("error") else None

    async def fake_fetch() -> Any:
        name = f"fetch (call {len(stand_in.log) + 1})"
        return await stand_in.call(name, fetch["seconds"], "failed" if error else "done", error, fetch.get("value"))

    if new_default_object:
        default = object()
    outcome = await _lesson08_drive(lambda: fn(fake_fetch, timeout, default), stand_in, "call", [], linger,
                                    report, default)
    return {**outcome, "fetch": stand_in.entries()}


@probe
async def retry_on_flaky_op(fn: Callable[..., Awaitable[Any]], plan: list[list[Any]], attempts: Any,
                            per_attempt: Any, deadline: Any, linger: float, report: list[str]) -> dict[str, Any]:
    """The lesson's ``drive(fn, op, attempts, per_attempt, deadline)``, ``op()`` a stand-in
    whose n-th call follows ``plan[n - 1]`` (the last step repeats): ``["ok", seconds, value]``,
    ``["fail", seconds]`` (then ``ValueError("attempt n failed")``) or ``["hang"]`` (never ends
    by itself). The outcome (:func:`_lesson08_drive`) and ``"attempts"``: the ``[start, end,
    how]`` of every call ("ok", "fail", "cancelled" or "running")."""
    stand_in = _Lesson08Timed(asyncio.get_running_loop().time())

    async def op() -> Any:
        n = len(stand_in.log) + 1
        step = plan[min(n, len(plan)) - 1]
        if step[0] == "hang":
            return await stand_in.call(f"attempt {n}", 1000, "hang")
        error = ValueError(f"attempt {n} failed") if step[0] == "fail" else None
        return await stand_in.call(f"attempt {n}", step[1], step[0], error, step[2] if len(step) > 2 else None)

    outcome = await _lesson08_drive(lambda: fn(op, attempts, per_attempt, deadline), stand_in, "call", [],
                                    linger, report)
    return {**outcome, "attempts": stand_in.entries()}


@probe
async def save_then_close_on_fake_conn(fn: Callable[..., Awaitable[Any]], write_s: float, close_s: float,
                                       write_error: list[str] | None, data: bytes, cancel_at: list[float],
                                       linger: float, report: list[str]) -> dict[str, Any]:
    """The lesson's ``drive(fn, conn, data, cancel_at=..., name="save")``, ``conn`` a stand-in
    whose ``write(data)`` takes ``write_s`` (then returns ``len(data)``, or raises
    ``write_error``, ``[kind, message]``) and ``close()`` takes ``close_s``. The outcome
    (:func:`_lesson08_drive`) and ``"write"``, ``"close"``: the ``[start, end, how]`` of every
    call of each ("done", "failed", "cancelled" or "running")."""
    start = asyncio.get_running_loop().time()
    writes, closes = _Lesson08Timed(start), _Lesson08Timed(start)
    error = builtin_error(*write_error) if write_error else None

    class Conn:
        async def write(self, payload: Any) -> Any:
            return await writes.call("write", write_s, "failed" if error else "done", error, len(payload))

        async def close(self) -> None:
            await closes.call("close", close_s, "done")

    outcome = await _lesson08_drive(lambda: fn(Conn(), data), writes, "save", cancel_at, linger, report)
    return {**outcome, "write": writes.entries(), "close": closes.entries()}


# ---- lesson 10: a million coroutines -------------------------------------------------------

@contextlib.contextmanager
def _tasks_made(made: list[asyncio.Task[Any]]) -> Iterator[None]:
    """Every task the loop creates in the block is appended to ``made`` (the loop's task
    factory, chained to the one recording the timeline, is restored afterwards)."""
    loop = asyncio.get_running_loop()
    previous = loop.get_task_factory()

    def factory(loop: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        task = previous(loop, coro, **kwargs) if previous else asyncio.Task(coro, loop=loop, **kwargs)
        made.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        yield
    finally:
        loop.set_task_factory(previous)


@probe
async def run_bounded_on_counted_jobs(fn: Callable[..., Awaitable[Any]], script: list[dict[str, Any]],
                                      workers: Any) -> dict[str, Any]:
    """``await fn(jobs, workers)``, job i (an async function of no arguments) waiting
    ``script[i]["seconds"]``, then returning ``script[i]["value"]`` or raising
    ``script[i]["raises"]`` (``[kind, message]``, a built-in exception, one object made now).
    ``{"results": the result as data (:func:`_lesson05_data`, an exception's ``"job"`` the
    index of the job that raised it), "escaped": None, or a job's own exception that
    escaped from fn, as data (any other exception propagates), "started": job calls made,
    "peak": the most jobs running at once, "tasks": tasks created during the call, "left":
    the names of those still running (not done, not being cancelled) when it returned}``."""
    made: dict[int, tuple[BaseException, str, str]] = {}
    count = {"running": 0, "peak": 0, "started": 0}

    def make(i: int, entry: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
        error = builtin_error(*entry["raises"]) if entry.get("raises") else None
        if error is not None:
            made[id(error)] = (error, str(i), "raised")

        async def job() -> Any:
            count["started"] += 1
            count["running"] += 1
            count["peak"] = max(count["peak"], count["running"])
            try:
                await asyncio.sleep(entry["seconds"])
            finally:
                count["running"] -= 1
            if error is not None:
                raise error
            return entry.get("value")
        return job

    jobs = [make(i, entry) for i, entry in enumerate(script)]
    before = asyncio.all_tasks()
    tasks: list[asyncio.Task[Any]] = []
    results: Any = None
    escaped = None
    try:
        with _tasks_made(tasks):
            results = await fn(jobs, workers)
    except Exception as err:
        if id(err) not in made or made[id(err)][0] is not err:
            raise
        escaped = _lesson05_data(err, made)
    left = sorted(t.get_name() for t in asyncio.all_tasks() - before if not t.done() and not t.cancelling())
    return {"results": None if escaped else _lesson05_data(results, made), "escaped": escaped,
            "started": count["started"], "peak": count["peak"], "tasks": len(tasks), "left": left}


@probe
async def sleep_many_watched(fn: Callable[..., Awaitable[Any]], n: Any, delay: float) -> dict[str, Any]:
    """``await fn(n, delay)``, watched: ``{"result": what it returned (its repr if not plain
    data), "timers": the timers it armed (every one goes through ``loop.call_at``), "tasks":
    the tasks it created, "waiting_halfway": how many of them were not done ``delay / 2`` s
    after the call, "task_results": what those that ended with a value returned (their repr
    if not plain data)}``."""
    loop = asyncio.get_running_loop()
    call_at = loop.call_at
    tasks: list[asyncio.Task[Any]] = []
    waiting: list[int] = []
    halfway = call_at(loop.time() + delay / 2, lambda: waiting.append(sum(not t.done() for t in tasks)))
    armed: list[Any] = []

    def counting_call_at(when: float, callback: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        armed.append(callback)
        return call_at(when, callback, *args, **kwargs)

    loop.call_at = counting_call_at         # type: ignore[method-assign]
    try:
        with _tasks_made(tasks):
            result = await fn(n, delay)
    finally:
        del loop.call_at
        halfway.cancel()
    returned = [t.result() for t in tasks if t.done() and not t.cancelled() and t.exception() is None]
    return {"result": result if _is_plain(result) else _shown(result), "timers": len(armed), "tasks": len(tasks),
            "waiting_halfway": waiting[0] if waiting else None,
            "task_results": [r if _is_plain(r) else _shown(r) for r in returned]}


# ---- lesson 09: async HTTP, offline -----------------------------------------------------------

@probe
async def retry_scripted(retry: Callable[..., Awaitable[Any]], outcomes: list[Any], retries: int, base: float,
                         seconds: float = 1.0) -> dict[str, Any]:
    """``await retry(attempt, retries=retries, base=base)`` with a stand-in ``attempt``: its
    call n takes ``seconds``, then returns ``outcomes[n - 1]`` (a status) or raises it (an
    exception given as ``[built-in class name, message]``, made anew for each call); the last
    outcome repeats. Each call runs as a task named "attempt n".

    Reports ``{"raised": None, "value": ..., "shown": repr}`` (``value`` None if it is not
    plain data) or ``{"raised": "<built-in class>", "message": str(err), "from_attempt": n}``
    (n: the call that raised this very exception, None if none did), and ``"attempts"``:
    ``[started, ended]`` of each call, in seconds since retry was called (``ended`` None if
    it never ended)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    attempts: list[list[float | None]] = []
    made: list[tuple[BaseException, int]] = []

    async def one(n: int) -> Any:
        spec = outcomes[min(n, len(outcomes)) - 1]
        outcome = builtin_error(*spec) if isinstance(spec, list) else spec
        await asyncio.sleep(seconds)
        if isinstance(outcome, BaseException):
            made.append((outcome, n))
            raise outcome
        return outcome

    async def attempt() -> Any:
        row: list[float | None] = [round(loop.time() - start, 6), None]
        attempts.append(row)
        try:
            return await asyncio.create_task(one(len(attempts)), name=f"attempt {len(attempts)}")
        finally:
            row[1] = round(loop.time() - start, 6)

    try:
        value = await retry(attempt, retries=retries, base=base)
    except Exception as err:        # noqa: BLE001 - which one, and whose, is the answer
        return {"raised": builtin_exception(err), "message": _text(err),
                "from_attempt": next((n for e, n in made if e is err), None), "attempts": attempts}
    return {"raised": None, "value": value if _is_plain(value) else None, "shown": _shown(value),
            "attempts": attempts}


def _lesson09_status(value: Any) -> Any:
    """A crawl's result for one URL as plain data: a status (an int, or the int an int
    subclass such as HTTPStatus stands for), None, or else its repr."""
    if value is None or type(value) is int:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value)
    return _shown(value)


@probe(real_time=True)
async def crawl_demo_server(crawl: Callable[..., Awaitable[Any]], *runs: dict[str, Any]) -> list[dict[str, Any]]:
    """One crawl per run, one after the other, in real time: ``await crawl(urls,
    **run["kwargs"])`` against a :class:`~aiolab.server.DemoServer` of its own, started with
    the options ``run["server"]`` in a thread of its own (a crawl that blocks its loop still
    gets answers). ``urls`` are the server's URLs of ``run["pages"]``; a page given as
    ``["refused", path]`` is on a port nobody listens on any more. ``run["settle"]``: once
    crawl has returned, wait up to that many seconds for the server to see no connection open.

    Reports, per run, what crawl returned (``returned``: its type's name; ``results``: one
    plain value per item, or None if it is not a list), ``left``: the names of the tasks it
    started that were still running when it returned, and what the server saw:
    ``requests``, ``max_in_flight``, ``connections``, ``open_connections`` (after settling),
    ``hits`` (requests per page, None for a refused one) and ``log`` (each request in order
    of arrival: path, started, ended, status, in seconds since the server started)."""
    from .server import DemoServer

    reports = []
    for run in runs:
        pages, settle = run["pages"], run.get("settle", 0.0)
        with DemoServer.run_in_thread(**run.get("server", {})) as live:
            refused = ""
            if any(isinstance(p, list) for p in pages):
                with DemoServer.run_in_thread() as gone:    # stopped: its port refuses connections
                    refused = gone.base_url
            urls = [refused + p[1] if isinstance(p, list) else live.url(p) for p in pages]
            before = asyncio.all_tasks()
            returned = await crawl(urls, **run["kwargs"])
            left = sorted(t.get_name() for t in asyncio.all_tasks() - before if not t.done())
            for _ in range(int(settle * 10)):                # closing takes a moment to reach the server
                if live.open_connections == 0:
                    break
                await asyncio.sleep(0.1)
            reports.append({
                "returned": type(returned).__name__,
                "results": [_lesson09_status(r) for r in returned] if type(returned) is list else None,
                "left": left, "requests": live.requests, "max_in_flight": live.max_in_flight,
                "connections": live.connections, "open_connections": live.open_connections,
                "hits": [None if isinstance(p, list) else live.hits(p) for p in pages],
                "log": [{"path": r.path, "started": round(r.started, 4),
                         "ended": None if r.ended is None else round(r.ended, 4), "status": r.status}
                        for r in live.log[:1000]]})
    return reports


# ---- lesson 02: tasks ------------------------------------------------------------------------

async def _lesson02_job(delay: float, value: Any) -> Any:
    """The lesson's ``run_job`` (its exercise setup cell): wait ``delay`` seconds, return ``value``."""
    await asyncio.sleep(delay)
    return value


def _lesson02_data(value: Any) -> Any:
    """What the learner's method returned, as plain data (else ``{"object", "repr"}``)."""
    return value if _is_plain(value) else {"object": type(value).__name__, "repr": _shown(value)}


def _lesson02_task(task: Any) -> dict[str, Any]:
    """What ``spawn`` returned and what became of it: ``{"task": is it an asyncio.Task,
    "name", "state": "pending", "result", "exception" or "cancelled", "value": its result
    (plain data) or the built-in class of its exception, "shown": its repr}``."""
    if not isinstance(task, asyncio.Task):
        return {"task": False, "name": None, "state": None, "value": None, "shown": _shown(task)}
    value: Any = None
    if not task.done():
        state = "pending"
    elif task.cancelled():
        state = "cancelled"
    elif task.exception() is not None:
        state, value = "exception", builtin_exception(task.exception())
    else:
        state, value = "result", _lesson02_data(task.result())
    return {"task": True, "name": task.get_name(), "state": state, "value": value, "shown": _shown(task)}


def _lesson02_raised(err: BaseException, call: str) -> dict[str, Any]:
    return {"raised": builtin_exception(err), "text": f"{call} raised {type(err).__name__}: {_text(err)}"}


async def _lesson02_alone(main: Callable[..., Awaitable[Any]], *args: Any) -> dict[str, Any]:
    """``main(*args)`` with ``asyncio.run`` in a thread of its own: on a plain event loop with
    no timeline (a timeline holds on to the tasks it records, so nothing would ever be
    garbage-collected). ``{"timed_out": None, "value": ...}``, or ``{"timed_out": s}`` when
    it had not finished after that many real seconds (the waits in it are tiny).

    The probes that use it are real-time probes: while the thread's ``gc.collect()`` holds
    the GIL (most of a second in a big process), the kernel's loop cannot run, which a
    virtual-time run would blame on the learner's code as blocking."""
    from .grading import REAL_LIMIT

    def in_thread() -> Any:
        return asyncio.run(asyncio.wait_for(main(*args), REAL_LIMIT))

    try:
        return {"timed_out": None, "value": await asyncio.to_thread(in_thread)}
    except TimeoutError:
        return {"timed_out": REAL_LIMIT}


@probe
async def background_jobs_spawned(jobs_class: Callable[[], Any], jobs: list[list[Any]]) -> dict[str, Any]:
    """A new ``jobs_class()``: spawn the lesson's job for each ``[name, delay, value]`` of
    ``jobs`` (in order), ask ``running()`` at once, ``await wait_all()``, ask ``running()``
    again. ``{"spawned": what each spawn returned (:func:`_lesson02_task`, after wait_all),
    "before", "returned" (by wait_all), "after"}``."""
    background = jobs_class()
    spawned = [background.spawn(_lesson02_job(delay, value), name) for name, delay, value in jobs]
    before = _lesson02_data(background.running())
    returned = _lesson02_data(await background.wait_all())
    return {"spawned": [_lesson02_task(t) for t in spawned], "before": before, "returned": returned,
            "after": _lesson02_data(background.running())}


@probe
async def background_jobs_spawned_while_waiting(jobs_class: Callable[[], Any], parent_for: float,
                                                child_for: float) -> Any:
    """A new ``jobs_class()``; a job "parent" spawns on it, after ``parent_for`` s, a job
    "child" of ``child_for`` s; ``await wait_all()``: what ``running()`` says then."""
    background = jobs_class()

    async def parent() -> None:
        await asyncio.sleep(parent_for)
        background.spawn(_lesson02_job(child_for, None), "child")

    background.spawn(parent(), "parent")
    await background.wait_all()
    return _lesson02_data(background.running())


@probe
async def background_jobs_one_fails(jobs_class: Callable[[], Any], fails_after: float, error: list[str],
                                    good_for: float, good_value: Any) -> dict[str, Any]:
    """A new ``jobs_class()``; a job "bad" raises the built-in exception ``error`` (``[kind,
    message]``) after ``fails_after`` s, a job "good" returns ``good_value`` after
    ``good_for`` s; ``await wait_all()``. ``{"raised": None, "bad", "good"
    (:func:`_lesson02_task`), "running"}``, or what wait_all() raised (``"raised"``, ``"text"``)."""
    background = jobs_class()

    async def bad() -> None:
        await asyncio.sleep(fails_after)
        raise builtin_error(*error)

    failing = background.spawn(bad(), "bad")
    good = background.spawn(_lesson02_job(good_for, good_value), "good")
    try:
        await background.wait_all()
    except Exception as err:        # noqa: BLE001 - an outcome, reported as data
        _lesson02_task(failing)     # its exception looked at: not "never retrieved"
        return _lesson02_raised(err, "wait_all()")
    return {"raised": None, "bad": _lesson02_task(failing), "good": _lesson02_task(good),
            "running": _lesson02_data(background.running())}


@probe
async def background_jobs_one_cancelled(jobs_class: Callable[[], Any], doomed_for: float, cancel_after: float,
                                        fine_for: float) -> dict[str, Any]:
    """A new ``jobs_class()``; jobs "doomed" (``doomed_for`` s) and "fine" (``fine_for`` s);
    the caller cancels doomed's task after ``cancel_after`` s; ``await wait_all()``.
    ``{"raised": None, "doomed": :func:`_lesson02_task`, "running"}``, or what wait_all()
    raised (CancelledError included: ``"raised"``, ``"text"``)."""
    background = jobs_class()
    doomed = background.spawn(_lesson02_job(doomed_for, None), "doomed")
    background.spawn(_lesson02_job(fine_for, "fine"), "fine")
    await asyncio.sleep(cancel_after)
    doomed.cancel()
    try:
        await background.wait_all()
    except (Exception, asyncio.CancelledError) as err:      # noqa: BLE001 - an outcome, reported as data
        return _lesson02_raised(err, "wait_all()")
    return {"raised": None, "doomed": _lesson02_task(doomed), "running": _lesson02_data(background.running())}


@probe
async def background_jobs_none_spawned(jobs_class: Callable[[], Any]) -> tuple[Any, Any]:
    """A new ``jobs_class()`` with nothing spawned: ``await wait_all()``, then ``(await
    cancel_all(), running())``."""
    background = jobs_class()
    await background.wait_all()
    return _lesson02_data(await background.cancel_all()), _lesson02_data(background.running())


@probe
async def background_jobs_shut_down(jobs_class: Callable[[], Any], stubborn: list[str], cleanup: float,
                                    early: list[Any], cancel_after: float) -> tuple[Any, ...]:
    """A new ``jobs_class()``; one job per name of ``stubborn`` (in that order) that waits
    100 s and, when it ends (cancelled), cleans up for ``cleanup`` s with ``await``, then
    notes its name; a job ``early = [name, delay]``; after ``cancel_after`` s, ``await
    cancel_all()``. ``(what cancel_all() returned, the sorted names cleaned up, running(),
    whether early's task was cancelled)``."""
    background = jobs_class()
    cleaned: list[str] = []

    async def stubborn_job(name: str) -> None:
        try:
            await asyncio.sleep(100)
        finally:
            await asyncio.sleep(cleanup)
            cleaned.append(name)

    for name in stubborn:
        background.spawn(stubborn_job(name), name)
    first = background.spawn(_lesson02_job(early[1], None), early[0])
    await asyncio.sleep(cancel_after)
    cancelled = _lesson02_data(await background.cancel_all())
    return cancelled, sorted(cleaned), _lesson02_data(background.running()), first.cancelled()


@probe(real_time=True)
async def background_jobs_unreferenced(jobs_class: Callable[[], Any], name: str) -> dict[str, Any]:
    """On a loop of its own (:func:`_lesson02_alone`): a new ``jobs_class()`` spawns a job
    ``name`` that waits for a future nobody else references, and the task it returns is
    dropped; after ``gc.collect()``: ``{"timed_out", "value": [running(), then what
    cancel_all() returns, then running()]}``."""
    async def waits_for_nothing() -> None:
        await asyncio.get_running_loop().create_future()

    async def main() -> list[Any]:
        background = jobs_class()
        background.spawn(waits_for_nothing(), name)         # the task it returns: dropped on purpose
        await asyncio.sleep(0)
        gc.collect()
        after_gc = _lesson02_data(background.running())
        cancelled = _lesson02_data(await background.cancel_all())
        return [after_gc, cancelled, _lesson02_data(background.running())]

    return await _lesson02_alone(main)


@probe(real_time=True)
async def background_jobs_release_finished(jobs_class: Callable[[], Any], name: str) -> dict[str, Any]:
    """On a loop of its own (:func:`_lesson02_alone`): whether a finished task is garbage
    (only a weak reference left) once the caller dropped it, ``{"timed_out", "value":
    [when its caller awaited it (nobody called wait_all()), when wait_all() returned]}``."""
    async def main() -> list[bool]:
        background = jobs_class()
        short = background.spawn(_lesson02_job(0.01, None), name)
        await asyncio.wait([short])                     # waited for by the caller, not wait_all()
        finished = weakref.ref(short)
        del short
        await asyncio.sleep(0)
        gc.collect()
        alone = finished() is None

        background = jobs_class()
        finished = weakref.ref(background.spawn(_lesson02_job(0.01, None), name))
        await background.wait_all()
        await asyncio.sleep(0)
        gc.collect()
        return [alone, finished() is None]

    return await _lesson02_alone(main)


# ---- lesson 03: results and callbacks --------------------------------------------------------

@probe
async def collector_script(make_collector: Callable[[], Any], script: dict[str, Any]) -> dict[str, Any]:
    """``script["collectors"]`` (default 1) calls of ``make_collector()``, then one task per
    job of ``script["jobs"]``, each ``{"name", "delay", "value"}`` (returns ``value`` after
    ``delay`` s) or ``... "raises": [kind, message]}`` (raises that built-in exception, one
    object made now), with optional ``"cancel_after"`` (the caller cancels it then),
    ``"on_cancel"`` (it catches its cancellation and returns this), ``"collector"`` (whose
    ``on_done``, default 0) and ``"watch"``: ``"at once"`` (default: add_done_callback right
    after creating it), ``"when done"`` (after every job is done) or ``"never"``. Once all are
    done and the callbacks have run, with ``script["call_directly"]`` the first collector's
    ``on_done(task)`` is called for each job; with ``script["collect"]`` the tasks are
    dropped and garbage-collected. The loop's error reports are collected throughout.

    ``{"pair": None, "fresh": [(length, first entry) of each log when made], "same_log":
    whether two collectors share one log, "logs": the logs at the end as data (an exception
    a job raised: ``{"exception", ..., "job", "made": "raised"}``, :func:`_lesson05_data`),
    "direct": {job: None, or what on_done raised: [its class, its message]}, "reports":
    [the loop's messages]}``; or ``{"pair": repr}`` when make_collector() did not return a
    pair ``(on_done, log)`` with ``log`` a list."""
    loop = asyncio.get_running_loop()
    pairs = [make_collector() for _ in range(int(script.get("collectors", 1)))]
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[1], list)):
            return {"pair": _shown(pair)}
    made: dict[int, tuple[BaseException, str, str]] = {}
    logs = [log for _, log in pairs]
    fresh = [(len(log), _lesson05_data(log[0], made) if log else None) for log in logs]
    reports: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reports.append(str(context.get("message"))[:500]))
    try:
        tasks: dict[str, asyncio.Task[Any]] = {}

        def job_for(entry: dict[str, Any]) -> Callable[[], Awaitable[Any]]:
            error = builtin_error(*entry["raises"]) if entry.get("raises") else None
            if error is not None:
                made[id(error)] = (error, str(entry["name"]), "raised")

            async def job() -> Any:
                try:
                    await asyncio.sleep(entry["delay"])
                except asyncio.CancelledError:
                    if "on_cancel" in entry:
                        return entry["on_cancel"]
                    raise
                if error is not None:
                    raise error
                return entry.get("value")
            return job

        for entry in script["jobs"]:       # the tasks are held in ``tasks`` only: "collect" drops them
            name = str(entry["name"])
            tasks[name] = asyncio.create_task(job_for(entry)(), name=name)
            if entry.get("watch", "at once") == "at once":
                tasks[name].add_done_callback(pairs[entry.get("collector", 0)][0])
            if entry.get("cancel_after") is not None:
                loop.call_later(entry["cancel_after"], tasks[name].cancel)
        if tasks:
            await asyncio.wait(tasks.values())
        for entry in script["jobs"]:
            if entry.get("watch") == "when done":
                tasks[str(entry["name"])].add_done_callback(pairs[entry.get("collector", 0)][0])
        await asyncio.sleep(0)
        direct: dict[str, Any] = {}
        if script.get("call_directly"):
            for name in tasks:
                try:
                    pairs[0][0](tasks[name])
                    direct[name] = None
                except BaseException as err:        # noqa: B902 - what it raised is the answer
                    direct[name] = [type(err).__name__, _text(err)]
        if script.get("collect"):
            tasks.clear()
            gc.collect()                # a failed task nobody looked at is reported now
            await asyncio.sleep(0)
    finally:
        loop.set_exception_handler(previous)
    return {"pair": None, "fresh": fresh, "same_log": len(logs) > 1 and logs[0] is logs[1],
            "logs": [_lesson05_data(list(log), made) for log in logs], "direct": direct, "reports": reports}


def _lesson03_kind(made: Any) -> str:
    """What ``future_after`` returned: "future", "task", "coroutine" (closed: never awaited,
    no warning) or the name of its type."""
    if asyncio.iscoroutine(made):
        made.close()
        return "coroutine"
    if isinstance(made, asyncio.Task):
        return "task"
    return "future" if asyncio.isfuture(made) else type(made).__name__


def _lesson03_state(fut: Any) -> list[Any]:
    """How a future ended: ["cancelled"], ["pending"], ["exception", its repr] or ["result", data]."""
    if fut.cancelled():
        return ["cancelled"]
    if not fut.done():
        return ["pending"]
    if fut.exception() is not None:
        return ["exception", _shown(fut.exception())]
    return ["result", _lesson05_data(fut.result(), {})]


@probe
async def future_after_made(future_after: Callable[..., Any], delay: float, value: Any, error: list[str] | None,
                            wait: bool) -> dict[str, Any]:
    """Call ``future_after(delay, value)``, or with ``error = [kind, message]``
    ``future_after(delay, exception=<that built-in exception, made now>)``, in the running
    loop. ``{"made": :func:`_lesson03_kind`, "own_loop": the future is the running loop's,
    "done_at_once"}``; with ``wait``, the future is awaited too: ``"value"`` (as data), or
    ``"raised"`` (its built-in class), ``"same"`` (the very exception given) and ``"shown"``."""
    loop = asyncio.get_running_loop()
    exception = builtin_error(*error) if error else None
    made = future_after(delay, exception=exception) if exception is not None else future_after(delay, value)
    kind = _lesson03_kind(made)
    report: dict[str, Any] = {"made": kind}
    if kind not in ("future", "task"):
        return report
    get_loop = getattr(made, "get_loop", None)
    report.update(own_loop=callable(get_loop) and get_loop() is loop, done_at_once=made.done())
    if wait:
        try:
            got = await made
        except (Exception, asyncio.CancelledError) as err:      # noqa: BLE001 - an outcome, reported as data
            report.update(raised=builtin_exception(err), same=err is exception, shown=_shown(err))
        else:
            report.update(raised=None, value=_lesson05_data(got, {}))
    return report


@probe
async def future_after_tasks_made(future_after: Callable[..., Any], calls: list[list[Any]],
                                  watch_for: float) -> dict[str, Any]:
    """``future_after(*args)`` for each ``args`` of ``calls``, then ``watch_for`` s of waiting
    (their timers fire), while the loop notes every task created. ``{"made": [what each call
    returned (:func:`_lesson03_kind`)], "tasks": [the coroutine of each task created]}``."""
    loop = asyncio.get_running_loop()
    created: list[str] = []
    previous = loop.get_task_factory()

    def factory(loop_: asyncio.AbstractEventLoop, coro: Any, **kwargs: Any) -> asyncio.Task[Any]:
        created.append(str(getattr(coro, "__qualname__", type(coro).__name__)))
        if previous is not None:
            return previous(loop_, coro, **kwargs)
        return asyncio.Task(coro, loop=loop_, **kwargs)

    loop.set_task_factory(factory)
    try:
        made = [future_after(*args) for args in calls]
        kinds = [_lesson03_kind(m) for m in made]
        await asyncio.sleep(watch_for)
    finally:
        loop.set_task_factory(previous)
    return {"made": kinds, "tasks": created}


@probe
async def future_after_ended_early(future_after: Callable[..., Any], delay: float, value: Any, how: str,
                                   after: float, their_value: Any) -> dict[str, Any]:
    """``future_after(delay, value)`` made at 0 s; after ``after`` s the caller cancels the
    future (``how == "cancel"``) or sets its result ``their_value`` (``how == "complete"``).
    ``{"made", "timers": [whether each timer future_after set was cancelled, 0.1 s later],
    "state": how the future ended (:func:`_lesson03_state`), "reports": [what the loop
    reported until ``delay`` + 5 s]}``."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    timers: list[asyncio.TimerHandle] = []
    call_at = loop.call_at
    calling = True

    def spy(*args: Any, **kwargs: Any) -> asyncio.TimerHandle:   # loop.call_later(d, ...) goes through call_at
        handle = call_at(*args, **kwargs)
        if calling or asyncio.current_task() is not main:            # not the probe's own sleeps
            timers.append(handle)
        return handle

    reports: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reports.append(str(context.get("message"))[:500]))
    try:
        loop.call_at = spy                  # type: ignore[method-assign]
        try:
            fut = future_after(delay, value)
            calling = False
            kind = _lesson03_kind(fut)
            if kind not in ("future", "task"):
                return {"made": kind}
            await asyncio.sleep(after)
            if how == "cancel":
                fut.cancel()
            else:
                fut.set_result(their_value)
        finally:
            del loop.call_at
        await asyncio.sleep(0.1)
        timers_cancelled = [t.cancelled() for t in timers]
        await asyncio.sleep(delay + 5 - after - 0.1)     # well past the timer's time
    finally:
        loop.set_exception_handler(previous)
    return {"made": kind, "timers": timers_cancelled, "state": _lesson03_state(fut), "reports": reports}


# ---- lesson 06: blocking ---------------------------------------------------------------------

@contextlib.contextmanager
def _globals_replaced(fn: Any, **names: Any) -> Iterator[None]:
    """For the call, ``names`` in ``fn``'s module (the notebook, for a learner's function) are
    these, whatever the notebook's have become; restored (or removed) afterwards."""
    space = getattr(fn, "__globals__", None)
    if not isinstance(space, dict):
        yield
        return
    missing = object()
    before = {name: space.get(name, missing) for name in names}
    space.update(names)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is missing:
                space.pop(name, None)
            else:
                space[name] = value


async def _lesson06_download(name: str, seconds: float) -> bytes:
    """The lesson's ``download`` (its exercise setup cell): wait, then the file's contents."""
    await asyncio.sleep(seconds)
    return f"contents of {name}".encode()


def _lesson06_checksum(data: bytes) -> str:
    """The lesson's ``checksum``: 0.6 s of real time in the calling thread, then a digest.
    At module level, so that a process pool's worker can import it, as a notebook's."""
    time.sleep(0.6)
    return hashlib.sha256(data).hexdigest()[:12]


def _lesson06_on_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@probe
async def process_all_with_lesson_setup(process_all: Callable[..., Awaitable[Any]], jobs: list[Any]) -> dict[str, Any]:
    """``await process_all(jobs)`` with the lesson's ``download`` and its real ``checksum``
    (0.6 s of real time per call, in the thread that calls it), whatever the notebook's have
    become. Reports ``value`` (None if not plain data) and ``shown`` (its repr)."""
    with _globals_replaced(process_all, download=_lesson06_download, checksum=_lesson06_checksum):
        value = await process_all(jobs)
    return {"value": value if _is_plain(value) else None, "shown": _shown(value)}


@probe
async def process_all_with_stand_in_checksum(process_all: Callable[..., Awaitable[Any]],
                                             jobs: list[Any]) -> dict[str, Any]:
    """``await process_all(jobs)`` with the lesson's ``download`` and, for ``checksum``, a fast
    stand-in that returns ``"sum of " + data.decode()`` and records each call. Reports
    ``value``, ``shown`` and ``calls``: ``[data, whether it ran on the event loop's thread]``
    per call of the stand-in, in the order of the calls."""
    calls: list[list[Any]] = []

    def checksum(data: bytes) -> str:
        calls.append([data if _is_plain(data) else _shown(data), _lesson06_on_loop()])
        return "sum of " + data.decode()

    with _globals_replaced(process_all, download=_lesson06_download, checksum=checksum):
        value = await process_all(jobs)
    return {"value": value if _is_plain(value) else None, "shown": _shown(value), "calls": list(calls)}


def _exception_leaves(err: BaseException) -> list[str]:
    """The built-in classes of the exceptions an exception group holds, at any depth."""
    if isinstance(err, BaseExceptionGroup):
        return [leaf for inner in err.exceptions for leaf in _exception_leaves(inner)]
    return [builtin_exception(err)]


@probe
async def dashboard_with_lesson_fetches(dashboard: Callable[..., Awaitable[Any]], delays: dict[str, float],
                                        user_id: int, raised_as_data: bool = False) -> dict[str, Any]:
    """``await dashboard(user_id)`` with the lesson's ``fetch_user``, ``fetch_orders``,
    ``fetch_recommendations`` and ``fetch_promotions`` (its exercise setup cell), each
    waiting ``delays[...]`` seconds (also ``DELAYS``, for the call), whatever the notebook's
    have become. Reports ``value``, ``shown``, ``calls`` (``[name, args]`` per fetch, in the
    order they were called) and ``user`` (what fetch_user returned). ``raised_as_data``:
    an exception dashboard raised is reported (``raised``: its built-in class, ``message``,
    ``shown``, ``leaves``: the built-in classes an exception group holds) instead of raised."""
    calls: list[list[Any]] = []
    returned: dict[str, Any] = {}

    async def fetch_user(user_id: int) -> dict[str, Any]:
        await asyncio.sleep(delays["user"])
        if user_id < 0:
            raise LookupError(f"no user with id {user_id}")
        return {"id": user_id, "name": f"user-{user_id}"}

    async def fetch_orders(user: dict[str, Any]) -> list[str]:
        await asyncio.sleep(delays["orders"])
        return [f"order-{user['id']}-{n}" for n in (1, 2)]

    async def fetch_recommendations(user: dict[str, Any]) -> list[str]:
        await asyncio.sleep(delays["recommendations"])
        return [f"book for {user['name']}"]

    async def fetch_promotions() -> list[str]:
        await asyncio.sleep(delays["promotions"])
        return ["spring sale"]

    def recorded(fetch: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any) -> Any:
            calls.append([fetch.__name__, [a if _is_plain(a) else _shown(a) for a in args]])
            returned[fetch.__name__] = value = await fetch(*args)
            return value
        wrapper.__name__ = wrapper.__qualname__ = fetch.__name__
        return wrapper

    fetches = {f.__name__: recorded(f) for f in (fetch_user, fetch_orders, fetch_recommendations, fetch_promotions)}
    seen: dict[str, Any] = {"raised": None}
    with _globals_replaced(dashboard, DELAYS=dict(delays), **fetches):
        try:
            value = await dashboard(user_id)
        except Exception as err:        # noqa: BLE001 - which one is the answer
            if not raised_as_data:
                raise
            value = None
            seen = {"raised": builtin_exception(err), "message": _text(err), "shown": _shown(err),
                    "leaves": _exception_leaves(err)}
    return {**seen, "value": value if _is_plain(value) else None, "shown_value": _shown(value),
            "calls": calls, "user": returned.get("fetch_user")}


# ---- lesson 07: asyncio with threads ---------------------------------------------------------

class _Lesson07Library:
    """A library that calls back at chosen virtual times, each time from a worker thread of
    the loop's executor (so virtual time waits for it), and, if asked, at once from inside
    ``start``, in the loop's thread. Keeps what the learner's callback raised in a worker
    (``errors``) and what the event loop reported (``loop_errors``)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, calls: list[list[Any]], at_once: list[Any]) -> None:
        self.loop, self.t0 = loop, loop.time()
        self.calls, self.at_once = calls, at_once
        self.errors: list[BaseException] = []
        self.loop_errors: list[dict[str, Any]] = []
        self.started = 0

    def start(self, callback: Callable[[Any], Any]) -> None:
        self.started += 1
        for value in self.at_once:
            callback(value)
        for when, value in self.calls:
            self.loop.call_at(self.t0 + when, self._spawn, callback, value)

    def _spawn(self, callback: Callable[[Any], Any], value: Any) -> None:
        def work() -> None:
            try:
                callback(value)
            except BaseException as exc:      # noqa: B902 - reported
                self.errors.append(exc)
        self.loop.run_in_executor(None, work)


@probe
async def library_calling_back(fn: Callable[..., Awaitable[Any]], calls: list[list[Any]], at_once: list[Any],
                               args: list[Any], kwargs: dict[str, Any], linger: float = 0.0, debug: bool = False,
                               give_up: float | None = None) -> dict[str, Any]:
    """``await fn(library.start, *args, **kwargs)`` with a library that, once started, calls
    back with ``value`` at ``t`` seconds for each ``[t, value]`` of ``calls``, each time from
    a worker thread, and with each value of ``at_once`` at once, from inside ``start``; then
    ``linger`` seconds more (later calls come meanwhile). ``debug``: the loop in debug mode
    meanwhile (asyncio raises RuntimeError when another thread calls a loop method that is
    not thread-safe). ``give_up``: stop waiting for fn that many seconds after the start if
    the callback has raised in a worker by then (otherwise wait on).

    Reports ``outcome`` ("returned", "raised TimeoutError" or "still waiting"), ``value``
    (None if not ``plain`` data), ``shown`` (its repr), ``at`` (seconds after the start),
    ``starts`` (calls of ``start``), ``callback_errors`` (``[class name, message]`` of each
    exception the callback raised in a worker) and ``loop_errors`` (``[message, repr of the
    exception]`` of each error the event loop reported)."""
    loop = asyncio.get_running_loop()
    library = _Lesson07Library(loop, calls, at_once)
    loop.set_exception_handler(lambda _, context: library.loop_errors.append(context))
    # fn runs in a task of its own, and this one waits for it or for giving up. Cancelling
    # fn's task would not do: a future set from another thread is done but may never wake
    # the task awaiting it (3.12+: asyncio's callbacks were never scheduled), and such a
    # task cannot be woken to take a cancellation either.
    gave_up = loop.create_future()

    def watch() -> None:
        if library.errors and not gave_up.done():
            gave_up.set_result(None)

    async def call() -> Any:
        return await fn(library.start, *args, **kwargs)

    guard = loop.call_at(library.t0 + give_up, watch) if give_up is not None else None
    if debug:
        loop.set_debug(True)
        loop.slow_callback_duration = 10.0
    try:
        answer = loop.create_task(call(), name=getattr(fn, "__name__", "answer"))
        try:
            await asyncio.wait([answer, gave_up], return_when=asyncio.FIRST_COMPLETED)
        except BaseException:
            answer.cancel()
            raise
        if answer.done():
            try:
                value, outcome = answer.result(), "returned"
            except TimeoutError:
                value, outcome = None, "raised TimeoutError"
        else:
            answer.cancel()                 # (it may never run again: see above)
            value, outcome = None, "still waiting"
        at = loop.time() - library.t0
        if guard is not None:
            guard.cancel()
        if outcome != "still waiting":
            await asyncio.sleep(linger)
    finally:
        loop.set_debug(False)
    plain = _is_plain(value)
    return {"outcome": outcome, "value": value if plain else None, "plain": plain, "shown": _shown(value), "at": at,
            "starts": library.started,
            "callback_errors": [[type(e).__name__, _text(e)] for e in library.errors],
            "loop_errors": [[str(c.get("message")), _shown(c.get("exception"))] for c in library.loop_errors]}


# SyncClient runs in real time with real threads. Each probe below is one scenario: it drives
# the learner's class from a worker thread (the probe's loop stays free) and reports what
# happened, step by step, as data; a step that raised or was still blocked after the
# grader's ``limit`` ends the scenario (``stopped``), and ``ran_out`` says whether a wait ran
# out (the grader then gives later scenarios 1 s). A step is not taken when the one before
# left nothing to take it with (no running thread to call into, no timeout to wait after).

#: Seconds a close() judged is preceded by a time.sleep queued on the client's loop, so that
#: no verdict depends on which thread gets there first (lesson 07's checks explain).
_LESSON07_BUSY = 0.2


class _Lesson07Stop(Exception):
    """A step that could not go on: ``fact`` says which (``what``) and how."""

    def __init__(self, fact: dict[str, Any]) -> None:
        super().__init__(fact.get("what"))
        self.fact = fact


class _Lesson07Patience:
    """Waits in real time, each for ``limit`` seconds at most, then 1 s once one ran out."""

    def __init__(self, limit: float) -> None:
        self.limit, self.ran_out = float(limit), False

    def out(self) -> float:
        limit, self.limit, self.ran_out = self.limit, 1.0, True
        return limit

    def outcome(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[str, Any]:
        """('returned', value), ('raised', exception) or ('stuck', seconds waited): never hangs."""
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as exc:      # noqa: B902 - reported
                box["error"] = exc

        helper = threading.Thread(target=target, daemon=True, name="test helper")
        helper.start()
        helper.join(self.limit)
        if helper.is_alive():
            return "stuck", self.out()
        return ("raised", box["error"]) if "error" in box else ("returned", box["value"])

    def returns(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """What ``fn`` returned; raised or still blocked: the scenario stops there."""
        kind, value = self.outcome(fn, *args, **kwargs)
        if kind == "stuck":
            raise _Lesson07Stop({"what": what, "stuck": value})
        if kind == "raised":
            raise _Lesson07Stop({"what": what, "raised": type(value).__name__, "builtin": builtin_exception(value),
                                 "message": _text(value)})
        return value

    def within(self, what: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """The notebook's ``within_5_s``: the learner's exception is raised again here."""
        kind, value = self.outcome(fn, *args, **kwargs)
        if kind == "stuck":
            raise _Lesson07Stop({"what": what, "stuck": value})
        if kind == "raised":
            raise value
        return value

    def wait(self, event: threading.Event) -> float | None:
        """None if ``event`` was set in time, else the seconds waited."""
        return None if event.wait(self.limit) else self.out()


def _lesson07_said(kind: str, value: Any) -> str:
    return f"was still blocked after {value:g} s" if kind == "stuck" else f"{kind} {_shown(value)}"


def _lesson07_data(value: Any) -> Any:
    return value if _is_plain(value) else _shown(value)


def _lesson07_keep_busy(client: Any, seconds: float = _LESSON07_BUSY) -> None:
    client.loop.call_soon_threadsafe(time.sleep, seconds)


def _lesson07_close_quietly(client: Any) -> None:
    """After a scenario: close the client, waiting 1 s at most, reporting nothing."""
    def close() -> None:
        try:
            _lesson07_keep_busy(client)
            client.close()
        except BaseException:             # noqa: B902 - not reported
            pass
    helper = threading.Thread(target=close, daemon=True, name="test: close quietly")
    helper.start()
    helper.join(1.0)


def _lesson07_close_in_background(client: Any) -> None:
    """The notebook's ``close_quietly``: close it in a thread of its own, without waiting."""
    def close() -> None:
        try:
            client.close()
        except Exception:                 # noqa: BLE001 - not reported
            pass
    threading.Thread(target=close, daemon=True).start()


async def _lesson07_add(a: Any, b: Any) -> Any:
    await asyncio.sleep(0.01)
    return a + b


async def _lesson07_fail(message: str) -> None:
    await asyncio.sleep(0)
    raise ValueError(message)


async def _lesson07_where_am_i() -> tuple[threading.Thread, asyncio.AbstractEventLoop]:
    await asyncio.sleep(0)
    return threading.current_thread(), asyncio.get_running_loop()


#: The coroutine's own exception class, named Oops in messages.
_Lesson07Oops = type("Oops", (Exception,), {"__module__": __name__})


async def _lesson07_oops(*args: Any) -> None:
    await asyncio.sleep(0.001)
    raise _Lesson07Oops(*args)


class _Lesson07Hang:
    """A coroutine function that waits for an hour, telling when it started and whether it
    saw its cancellation."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.cancelled = threading.Event()

    async def __call__(self) -> None:
        self.started.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            self.cancelled.set()
            raise


def _sync_client_probe(*, fresh_client: bool) -> Callable[[Callable[..., dict[str, Any]]], Any]:
    """Register ``body(patience, SyncClient or a new client, *args)`` as a real-time probe
    named after it, taking ``(SyncClient, limit, *args)``. ``fresh_client``: the body gets a
    client made by ``SyncClient()`` (within the limit), closed quietly afterwards."""
    def register(body: Callable[..., dict[str, Any]]) -> Any:
        def scenario(patience: _Lesson07Patience, sync_client: Any, *args: Any) -> dict[str, Any]:
            try:
                if not fresh_client:
                    facts = body(patience, sync_client, *args)
                else:
                    client = patience.returns("SyncClient()", sync_client)
                    try:
                        facts = body(patience, client, *args)
                    finally:
                        _lesson07_close_quietly(client)
            except _Lesson07Stop as stop:
                facts = {"stopped": stop.fact}
            facts["ran_out"] = patience.ran_out
            return facts

        async def run(sync_client: Any, limit: float, *args: Any) -> dict[str, Any]:
            return await asyncio.to_thread(scenario, _Lesson07Patience(limit), sync_client, *args)

        run.__name__ = run.__qualname__ = body.__name__
        run.__doc__ = body.__doc__
        return probe(real_time=True)(run)
    return register


@_sync_client_probe(fresh_client=False)
def sync_client_call_add(patience: _Lesson07Patience, sync_client: Any, a: Any, b: Any) -> dict[str, Any]:
    """The notebook's check: ``SyncClient()``, then ``client.call(add, a, b)`` (add sleeps
    0.01 s), each within the limit (the learner's exceptions raised again here); the client
    is closed in the background. Reports ``got``."""
    client = patience.within("SyncClient()", sync_client)
    try:
        return {"got": _lesson07_data(patience.within(f"client.call(add, {a!r}, {b!r})", client.call,
                                                      _lesson07_add, a, b))}
    finally:
        _lesson07_close_in_background(client)


@_sync_client_probe(fresh_client=False)
def sync_client_call_fail(patience: _Lesson07Patience, sync_client: Any, message: str) -> dict[str, Any]:
    """The notebook's check: ``client.call(fail, message)``, where fail raises
    ValueError(message). Reports ``value_error``: str() of the ValueError the call raised,
    or None if it returned (another exception is raised again here)."""
    client = patience.within("SyncClient()", sync_client)
    try:
        try:
            patience.within(f"client.call(fail, {message!r})", client.call, _lesson07_fail, message)
        except ValueError as err:
            return {"value_error": _text(err)}
        return {"value_error": None}
    finally:
        _lesson07_close_in_background(client)


@_sync_client_probe(fresh_client=False)
def sync_client_close_then_look(patience: _Lesson07Patience, sync_client: Any, busy: float) -> dict[str, Any]:
    """The notebook's check: with the loop's thread kept busy ``busy`` seconds more,
    ``client.close()``, then, the moment it returns, ``client.thread.is_alive()``: ``alive``."""
    client = patience.within("SyncClient()", sync_client)
    client.loop.call_soon_threadsafe(time.sleep, busy)

    def close_then_look() -> Any:
        client.close()
        return client.thread.is_alive()

    return {"alive": _lesson07_data(patience.within("client.close()", close_then_look))}


@_sync_client_probe(fresh_client=False)
def sync_client_close_closes_loop(patience: _Lesson07Patience, sync_client: Any, busy: float) -> dict[str, Any]:
    """The notebook's check: with the loop's thread kept busy ``busy`` seconds more,
    ``client.close()``, the thread joined (within the limit), then ``client.loop.is_closed()``:
    ``closed``."""
    client = patience.within("SyncClient()", sync_client)
    client.loop.call_soon_threadsafe(time.sleep, busy)
    patience.within("client.close()", client.close)
    client.thread.join(patience.limit)
    return {"closed": _lesson07_data(client.loop.is_closed())}


@_sync_client_probe(fresh_client=True)
def sync_client_runs_calls(patience: _Lesson07Patience, client: Any, pairs: list[list[Any]],
                           timed: list[Any]) -> dict[str, Any]:
    """Whether the client has ``loop`` (an event loop) and ``thread`` (a thread, ``alive``);
    if so, where a coroutine called through it ran (``in_thread``: in client.thread, named
    ``thread_name``; ``on_loop``: on client.loop), ``sums``: call(add, a, b) for each pair,
    one after another, and ``timed``: call(add, *timed, timeout=5)."""
    loop, thread = getattr(client, "loop", None), getattr(client, "thread", None)
    facts: dict[str, Any] = {"loop": isinstance(loop, asyncio.AbstractEventLoop),
                             "thread": isinstance(thread, threading.Thread)}
    facts["alive"] = facts["thread"] and thread.is_alive()
    if not (facts["loop"] and facts["alive"]):
        return facts                    # no running loop to call into
    ran_in, ran_on = patience.returns("client.call(where_am_i)", client.call, _lesson07_where_am_i)
    facts.update(in_thread=ran_in is client.thread, thread_name=_text(getattr(ran_in, "name", "?")),
                 on_loop=ran_on is client.loop)
    facts["sums"] = [_lesson07_data(patience.returns(f"client.call(add, {a!r}, {b!r})", client.call,
                                                     _lesson07_add, a, b)) for a, b in pairs]
    a, b = timed
    facts["timed"] = _lesson07_data(patience.returns(f"client.call(add, {a!r}, {b!r}, timeout=5)", client.call,
                                                     _lesson07_add, a, b, timeout=5))
    return facts


@_sync_client_probe(fresh_client=True)
def sync_client_raises_oops(patience: _Lesson07Patience, client: Any, arg_lists: list[list[Any]]) -> dict[str, Any]:
    """``client.call(oops, *args)`` for each of ``arg_lists``, where oops raises
    ``Oops(*args)``, an exception class of its own: per call, ``said`` (what the call did)
    and ``own`` (it raised that very class), with ``args`` (the exception's)."""
    seen = []
    for args in arg_lists:
        kind, err = patience.outcome(client.call, _lesson07_oops, *args)
        own = kind == "raised" and type(err) is _Lesson07Oops
        seen.append({"said": _lesson07_said(kind, err), "own": own,
                     "args": _lesson07_data(list(err.args)) if own else None})
        if kind == "stuck":
            break
    return {"calls": seen}


@_sync_client_probe(fresh_client=True)
def sync_client_calls_meet(patience: _Lesson07Patience, client: Any, names: list[Any]) -> dict[str, Any]:
    """From one thread per name, all at once, ``client.call(meet, name)``: meet waits at an
    ``asyncio.Barrier(len(names))``, then returns its name. ``blocked``: how many calls had
    not returned after the limit (``after``); else ``got``: what each returned."""
    barrier = asyncio.Barrier(len(names))

    async def meet(name: Any) -> Any:
        await barrier.wait()
        return name

    from ._executor import DaemonThreadPool

    callers = [DaemonThreadPool(1) for _ in names]
    futures = [pool.submit(client.call, meet, name) for pool, name in zip(callers, names)]
    limit = patience.limit
    _, not_done = concurrent.futures.wait(futures, timeout=limit)
    for pool in callers:
        pool.shutdown(wait=False)
    if not_done:
        patience.out()
        return {"blocked": len(not_done), "after": limit}
    return {"got": [_lesson07_data(f.result()) for f in futures]}


@_sync_client_probe(fresh_client=True)
def sync_client_times_out(patience: _Lesson07Patience, client: Any, timeout: float, a: Any, b: Any) -> dict[str, Any]:
    """``client.call(hang, timeout=timeout)`` (hang waits for an hour): ``kind``, ``said``,
    ``timeout_error`` (it raised TimeoutError); if so, ``waited``: None once hang saw its
    cancellation, else the seconds waited for it; if it did, ``got``: call(add, a, b) then."""
    hang = _Lesson07Hang()
    kind, err = patience.outcome(client.call, hang, timeout=timeout)
    facts: dict[str, Any] = {"kind": kind, "said": _lesson07_said(kind, err),
                             "timeout_error": kind == "raised" and isinstance(err, TimeoutError)}
    if not facts["timeout_error"]:
        return facts
    facts["waited"] = patience.wait(hang.cancelled)
    if facts["waited"] is None:
        facts["got"] = _lesson07_data(patience.returns(f"client.call(add, {a!r}, {b!r}) after a timeout",
                                                       client.call, _lesson07_add, a, b))
    return facts


@_sync_client_probe(fresh_client=True)
def sync_client_close_while_calling(patience: _Lesson07Patience, client: Any) -> dict[str, Any]:
    """From another thread ``client.call(hang)``; once hang has started (else ``started``:
    the seconds waited), ``close()``: ``close`` is what it did ("returned", "raised" with
    ``shown``, or "stuck" ``after`` seconds); if it returned, ``waited``: None once hang saw
    its cancellation, else the seconds waited; if it did, ``caller``: what the call did
    ("raised", "returned", or "still waiting" ``after`` seconds)."""
    from ._executor import DaemonThreadPool

    hang = _Lesson07Hang()
    caller = DaemonThreadPool(1)
    pending = caller.submit(client.call, hang)
    caller.shutdown(wait=False)
    waited = patience.wait(hang.started)
    if waited is not None:
        return {"started": waited}
    kind, err = patience.outcome(client.close)
    facts: dict[str, Any] = {"close": kind}
    if kind == "stuck":
        facts["after"] = err
    elif kind == "raised":
        facts["shown"] = f"{type(err).__name__}: {_text(err)}"
    if kind != "returned":
        return facts
    facts["waited"] = patience.wait(hang.cancelled)
    if facts["waited"] is not None:
        return facts
    limit = patience.limit
    try:
        pending.result(timeout=limit)
    except concurrent.futures.TimeoutError:
        patience.out()
        facts.update(caller="still waiting", after=limit)
    except BaseException:                 # noqa: B902 - any exception
        facts["caller"] = "raised"
    else:
        facts["caller"] = "returned"
    return facts


@_sync_client_probe(fresh_client=True)
def sync_client_closes_twice(patience: _Lesson07Patience, client: Any) -> dict[str, Any]:
    """``close()``, then ``close()`` again (the loop's thread kept busy a moment first)."""
    _lesson07_keep_busy(client)
    patience.returns("close()", client.close)
    patience.returns("a second close()", client.close)
    return {}


@_sync_client_probe(fresh_client=True)
def sync_client_call_after_close(patience: _Lesson07Patience, client: Any, a: Any, b: Any) -> dict[str, Any]:
    """``close()``, then ``client.call(add, a, b)``: ``said``, and ``runtime_error`` (it
    raised RuntimeError). A coroutine the answer created before the closed loop refused it
    (never awaited, which the text does not forbid) is collected here, its warning ignored."""
    _lesson07_keep_busy(client)
    patience.returns("close()", client.close)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        kind, err = patience.outcome(client.call, _lesson07_add, a, b)
        facts = {"said": _lesson07_said(kind, err), "runtime_error": kind == "raised" and isinstance(err, RuntimeError)}
        del err
        gc.collect()
    return facts


@_sync_client_probe(fresh_client=False)
def sync_client_with_two(patience: _Lesson07Patience, sync_client: Any) -> dict[str, Any]:
    """``with SyncClient() as a, SyncClient() as b:`` where each runs a coroutine: ``bound``
    (a and b are clients), ``shown`` (what a was bound to), ``own`` (their coroutines ran in
    different threads, on different loops); after the block, ``alive``: whether a client's
    thread was still running once joined (within the limit)."""
    def use_two_clients() -> Any:
        with sync_client() as a, sync_client() as b:
            bound = a, b
            seen = (a.call(_lesson07_where_am_i), b.call(_lesson07_where_am_i)) if None not in bound else None
            if None not in bound:         # b's close() comes first, then a's
                _lesson07_keep_busy(b)
                _lesson07_keep_busy(a, 3 * _LESSON07_BUSY)
        return bound, seen

    (a, b), seen = patience.returns("with SyncClient() as a, SyncClient() as b", use_two_clients)
    facts: dict[str, Any] = {"bound": isinstance(a, sync_client) and isinstance(b, sync_client), "shown": _shown(a)}
    if not facts["bound"]:
        return facts
    (ta, la), (tb, lb) = seen
    facts["own"] = ta is not tb and la is not lb
    if facts["own"]:
        for x in (a, b):
            x.thread.join(patience.limit)
            facts["alive"] = x.thread.is_alive()
            if facts["alive"]:
                break
    return facts


@_sync_client_probe(fresh_client=False)
def sync_client_with_raises(patience: _Lesson07Patience, sync_client: Any) -> dict[str, Any]:
    """``with SyncClient():`` whose block raises KeyError('inside'): ``said``, and
    ``key_error`` (that KeyError came out of the block)."""
    def error_in_with() -> None:
        client = sync_client()
        with client:
            _lesson07_keep_busy(client)
            raise KeyError("inside")

    kind, err = patience.outcome(error_in_with)
    return {"said": _lesson07_said(kind, err), "key_error": kind == "raised" and isinstance(err, KeyError)}
