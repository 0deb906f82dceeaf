"""A local HTTP server for the async HTTP lessons and their tests: ``DemoServer``.

Why it exists: the study notes send their requests to httpbin.org, but the course must run
offline, in seconds, and give the same answers every time. So lessons and tests talk to this
server instead. It is an ``aiohttp.web`` application bound to 127.0.0.1 (never to another
interface) on a free port, with endpoints whose latency, jitter and failure rate we choose.

It also *counts* what clients do to it. That is the honest way to show what a client did:
how many requests it made, how many TCP connections it opened, and the most requests it
had in flight at the same time (``max_in_flight``). A test can then say "the crawler never
had more than 3 requests running" or "one shared client used 3 connections for 12
requests" from the server's side, without measuring wall-clock time.

In a notebook (on the kernel's running loop)::

    server = await DemoServer.start(latency=0.05)
    async with httpx.AsyncClient() as client:
        resp = await client.get(server.url("/items/1"))
    print(server.requests, server.max_in_flight)
    await server.stop()

or ``async with DemoServer(latency=0.05) as server: ...``. From synchronous code (a script,
a test that must not share its loop with the client) it runs in a thread of its own::

    with DemoServer.run_in_thread(latency=0.05) as server:
        asyncio.run(main(server.url("/items/1")))

Endpoints (GET unless said otherwise; every response is JSON unless said otherwise):

=======================  ====================================================================
``/``                    the list of endpoints
``/get``                 an echo in the spirit of httpbin.org/get: method, path, args, headers
``/anything``            the same echo for any method, with the request body
``/items/{id}``          ``{"id": id, "name": "item <id>"}``
``/delay/{seconds}``     waits exactly ``seconds``, then answers ``{"delay": seconds}``
``/status/{code}``       answers with status ``code`` (200-599) at once
``/flaky/{key}``         fails the first ``failures`` (default 1) requests for ``key`` with
                         ``status`` (default 503), then answers 200
``/stream/{n}``          ``n`` text lines, one every ``interval`` seconds (default 0.05),
                         chunked: for read timeouts that are per chunk, not per response
``/bytes/{n}``           ``n`` bytes of body (``application/octet-stream``)
=======================  ====================================================================

``/get``, ``/anything``, ``/items/{id}`` and ``/flaky/{key}`` wait the server's ``latency``
plus a random extra of up to ``jitter`` seconds; ``/get``, ``/anything`` and
``/items/{id}`` then fail with probability ``failure_rate`` (a status drawn from
``failure_statuses``). A query string overrides these per request:
``server.url("/items/3", latency=1)`` is an item that takes a second,
``server.url("/items/4", failure_rate=1)`` one that always fails. ``/status/{code}``
accepts ``latency`` too. The other endpoints do exactly what their path says.

Randomness is reproducible: the draw for a request depends only on the seed, the method
and path, and how many times that path was requested before, never on the order in which
concurrent requests happened to arrive. Two runs of the same client against servers with
the same seed see the same latencies and the same failures.

Every response carries the headers ``X-Demo-Request`` (its number, from 1) and
``X-Demo-Connection`` (the number of the TCP connection it came on, from 1), so a lesson
can print which requests shared a connection.
"""

from __future__ import annotations

import asyncio
import random
import threading
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

__all__ = ["DemoServer", "RequestRecord", "ServerThread"]

T = TypeVar("T")

#: The only interface the server ever binds: the course never reaches beyond this machine.
HOST = "127.0.0.1"
#: Upper bounds that keep a typo (``/delay/6000``, ``/bytes/10**10``) from hanging a lesson.
MAX_DELAY = 600.0
MAX_BYTES = 50_000_000
MAX_STREAM_LINES = 10_000

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class RequestRecord:
    """One request the server received, in order of arrival.

    Times are seconds since the server started, on the clock of the loop the server runs
    on. ``status`` and ``ended`` stay ``None`` while the request is in flight; if the client
    went away first (a timeout, a cancelled task), the request ends with ``status=None``
    and ``cancelled=True``.
    """

    #: Arrival order, from 1 (also sent back as the ``X-Demo-Request`` header).
    number: int
    method: str
    #: The path without the query string, e.g. ``"/items/3"``.
    path: str
    #: The query string, e.g. ``"latency=0.2"`` (empty if none).
    query: str
    #: Which TCP connection it came on, from 1 in order of first use.
    connection: int
    started: float
    #: Requests in flight right after this one arrived (itself included).
    in_flight: int
    #: The wait the server chose for it (latency plus jitter, or the path's delay), seconds.
    delay: float = 0.0
    ended: float | None = None
    status: int | None = None
    cancelled: bool = False


#: Where a request keeps its RequestRecord, for the handlers.
_RECORD = web.RequestKey("demo_record", RequestRecord)


class DemoServer:
    """An HTTP server on 127.0.0.1 with simulated latency and failures, that counts clients.

    :param latency: seconds the simulated endpoints wait before answering.
    :param jitter: a random extra wait, uniform between 0 and ``jitter`` seconds.
    :param failure_rate: probability (0-1) that a simulated endpoint answers with a failure.
    :param failure_statuses: the statuses a failure draws from (500 and 503 by default).
    :param seed: seeds the random draws, so runs are reproducible.
    :param port: 0 (the default) lets the OS pick a free port; read it from :attr:`port`.
    :param grace: on :meth:`stop`, seconds to let requests in progress finish before they
        are cancelled. Short on purpose: a lesson's server must stop at once.

    Counters (read them any time, reset them with :meth:`reset`): :attr:`requests`,
    :attr:`in_flight`, :attr:`max_in_flight`, :attr:`connections`,
    :attr:`open_connections`, and the :attr:`log` of every request.
    """

    def __init__(self, *, latency: float = 0.0, jitter: float = 0.0, failure_rate: float = 0.0,
                 failure_statuses: Iterable[int] = (500, 503), seed: int | str = 0,
                 port: int = 0, grace: float = 0.1) -> None:
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter must be >= 0")
        if not 0 <= failure_rate <= 1:
            raise ValueError("failure_rate must be between 0 and 1")
        statuses = tuple(failure_statuses)
        if not statuses or any(not 100 <= s <= 599 for s in statuses):
            raise ValueError("failure_statuses must be HTTP statuses (100-599)")
        self.latency = float(latency)
        self.jitter = float(jitter)
        self.failure_rate = float(failure_rate)
        self.failure_statuses = statuses
        self.seed = seed
        self.grace = grace
        self._requested_port = port
        #: The port the server listens on (0 until it has started).
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._t0 = 0.0
        self._stopped = False
        self.reset()

    # -- counters -------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every request so far: counters, log, and the per-path counts behind
        ``/flaky`` and the random draws (so the server then behaves as if just started).

        Requests still in flight stay counted in :attr:`in_flight` (and so in
        :attr:`max_in_flight`), because they are still running. Call it from the loop the
        server runs on; :class:`ServerThread` does that for you.
        """
        in_flight = getattr(self, "in_flight", 0)
        #: Requests received since the start (or the last reset).
        self.requests = 0
        #: Requests being handled right now.
        self.in_flight = in_flight
        #: The most requests that were in flight at the same moment.
        self.max_in_flight = in_flight
        #: TCP connections that sent at least one request.
        self.connections = 0
        #: Every request, in order of arrival.
        self.log: list[RequestRecord] = []
        self._per_path: Counter[str] = Counter()
        self._connection_numbers: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()

    @property
    def open_connections(self) -> int:
        """TCP connections open right now (idle keep-alive connections included)."""
        server = self._runner.server if self._runner is not None else None
        return len(server.connections) if server is not None else 0

    def hits(self, path: str) -> int:
        """How many requests asked for ``path`` (compared without the query string)."""
        path = path.split("?", 1)[0]
        return sum(1 for rec in self.log if rec.path == path)

    @property
    def status_counts(self) -> Counter[int | None]:
        """How many requests ended with each status (``None``: the client went away)."""
        return Counter(rec.status for rec in self.log if rec.ended is not None)

    # -- starting and stopping ------------------------------------------------------------

    @classmethod
    async def start(cls, **options: Any) -> DemoServer:
        """Create a server with ``options`` (see the class) and start it on the running
        loop: ``server = await DemoServer.start(latency=0.05)``."""
        server = cls(**options)
        await server._start()
        return server

    async def _start(self) -> None:
        if self._runner is not None or self._stopped:
            raise RuntimeError("this DemoServer has already been started; make a new one")
        self._loop = asyncio.get_running_loop()
        app = web.Application(middlewares=[self._count])
        app.add_routes([
            web.get("/", self._index),
            web.get("/get", self._echo),
            web.route("*", "/anything", self._echo),
            web.get("/items/{id}", self._item),
            web.get("/delay/{seconds}", self._delay),
            web.get("/status/{code}", self._status),
            web.get("/flaky/{key}", self._flaky),
            web.get("/stream/{n}", self._stream),
            web.get("/bytes/{n}", self._bytes),
        ])
        # handler_cancellation: when a client gives up (a timeout) and closes the
        # connection, the handler is cancelled at once, so `in_flight` drops at once
        # instead of when the simulated latency would have ended.
        runner = web.AppRunner(app, handle_signals=False, access_log=None,
                               handler_cancellation=True, shutdown_timeout=self.grace)
        await runner.setup()
        try:
            site = web.TCPSite(runner, HOST, self._requested_port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]
        self._t0 = self._loop.time()

    async def stop(self) -> None:
        """Stop listening, close every connection, cancel requests still running after
        :attr:`grace` seconds. Safe to call twice. Counters stay readable afterwards."""
        runner, self._runner = self._runner, None
        self._stopped = True
        if runner is not None:
            await runner.cleanup()

    @property
    def running(self) -> bool:
        return self._runner is not None

    async def __aenter__(self) -> DemoServer:
        if self._runner is None:
            await self._start()
        return self

    async def __aexit__(self, typ: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    @classmethod
    def run_in_thread(cls, **options: Any) -> ServerThread:
        """Start a server with ``options`` on an event loop of its own, in a daemon thread,
        and return once it is listening.

        For synchronous code (scripts, ``asyncio.run`` in a test), and for tests whose
        client must not share a loop with the server: a client that blocks its loop
        (``time.sleep``, a synchronous HTTP call) then still gets answers, and the
        server's counters show what it did. Stop it with ``.stop()`` or a ``with`` block.
        """
        return ServerThread(cls(**options))

    # -- URLs -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``, no trailing slash."""
        if not self.port:
            raise RuntimeError("the server has not been started yet")
        return f"http://{HOST}:{self.port}"

    def url(self, path: str = "/", **query: Any) -> str:
        """The full URL of ``path`` on this server; keyword arguments become the query
        string: ``server.url("/items/3", latency=0.2)``."""
        if not path.startswith("/"):
            path = "/" + path
        url = self.base_url + path
        if query:
            url += ("&" if "?" in path else "?") + urlencode(query)
        return url

    def __repr__(self) -> str:
        where = self.base_url if self.port else "not started"
        state = "running" if self.running else ("stopped" if self._stopped else "new")
        return (f"<DemoServer {where} {state}: latency={self.latency:g} jitter={self.jitter:g} "
                f"failure_rate={self.failure_rate:g}; {self.requests} requests, "
                f"max {self.max_in_flight} in flight, {self.connections} connections>")

    # -- request handling -----------------------------------------------------------------

    def _now(self) -> float:
        assert self._loop is not None
        return self._loop.time() - self._t0

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """Count and log every request, and number its connection."""
        transport = request.transport
        numbers = self._connection_numbers
        if transport is None:
            connection = 0
        elif transport in numbers:
            connection = numbers[transport]
        else:
            self.connections += 1
            connection = numbers[transport] = self.connections
        self.requests += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        rec = RequestRecord(self.requests, request.method, request.path, request.query_string,
                            connection, self._now(), self.in_flight)
        self.log.append(rec)
        request[_RECORD] = rec
        status: int | None = None
        try:
            try:
                response = await handler(request)
            except web.HTTPException as err:   # 404 for unknown paths, 400 for bad ones
                status = err.status
                raise
            status = response.status
            if not response.prepared:             # streamed responses sent their headers
                response.headers["X-Demo-Request"] = str(rec.number)
                response.headers["X-Demo-Connection"] = str(connection)
            return response
        except asyncio.CancelledError:
            rec.cancelled = True                  # the client went away (or we stopped)
            status = None
            raise
        finally:
            # Decrement *before* the response is written: a client can only start its next
            # request after reading this response, so it is never counted twice at once.
            self.in_flight -= 1
            rec.ended = self._now()
            rec.status = status

    def _draw(self, request: web.Request) -> random.Random:
        """The random generator for this request: a function of the seed, the method and
        path, and how often that path was requested before (not of arrival order)."""
        key = f"{request.method} {request.path}"
        n = self._per_path[key]
        self._per_path[key] = n + 1
        return random.Random(f"{self.seed}|{key}|{n}")

    @staticmethod
    def _number(request: web.Request, name: str, default: float, low: float = 0.0,
                high: float = MAX_DELAY) -> float:
        raw = request.query.get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise web.HTTPBadRequest(text=f"{name} must be a number, not {raw!r}") from None
        if not low <= value <= high:
            raise web.HTTPBadRequest(text=f"{name} must be between {low:g} and {high:g}")
        return value

    @staticmethod
    def _int_part(request: web.Request, name: str, low: int, high: int) -> int:
        raw = request.match_info[name]
        try:
            value = int(raw)
        except ValueError:
            raise web.HTTPBadRequest(text=f"{name} must be an integer, not {raw!r}") from None
        if not low <= value <= high:
            raise web.HTTPBadRequest(text=f"{name} must be between {low} and {high}")
        return value

    async def _simulate(self, request: web.Request, *, can_fail: bool) -> web.Response | None:
        """Wait the latency (plus jitter); maybe return a simulated failure."""
        rng = self._draw(request)
        latency = self._number(request, "latency", self.latency)
        jitter = self._number(request, "jitter", self.jitter)
        failure_rate = self._number(request, "failure_rate", self.failure_rate, high=1.0)
        delay = latency + rng.uniform(0.0, jitter)
        fails = rng.random() < failure_rate
        status = rng.choice(self.failure_statuses)
        request[_RECORD].delay = delay
        if delay > 0:
            await asyncio.sleep(delay)
        if can_fail and fails:
            return web.json_response({"error": "simulated failure", "status": status},
                                     status=status)
        return None

    async def _index(self, request: web.Request) -> web.Response:
        return web.json_response({
            "endpoints": ["/get", "/anything", "/items/{id}", "/delay/{seconds}",
                          "/status/{code}", "/flaky/{key}?failures=1&status=503",
                          "/stream/{n}?interval=0.05", "/bytes/{n}"],
            "defaults": {"latency": self.latency, "jitter": self.jitter,
                         "failure_rate": self.failure_rate},
        })

    async def _echo(self, request: web.Request) -> web.Response:
        failed = await self._simulate(request, can_fail=True)
        if failed is not None:
            return failed
        body = await request.text() if request.can_read_body else ""
        return web.json_response({
            "method": request.method,
            "url": str(request.url),
            "args": dict(request.query),
            "headers": dict(request.headers),
            "origin": request.remote,
            "data": body,
        })

    async def _item(self, request: web.Request) -> web.Response:
        item = request.match_info["id"]
        failed = await self._simulate(request, can_fail=True)
        if failed is not None:
            return failed
        return web.json_response({"id": item, "name": f"item {item}"})

    async def _delay(self, request: web.Request) -> web.Response:
        raw = request.match_info["seconds"]
        try:
            seconds = float(raw)
        except ValueError:
            raise web.HTTPBadRequest(text=f"seconds must be a number, not {raw!r}") from None
        if not 0 <= seconds <= MAX_DELAY:
            raise web.HTTPBadRequest(text=f"seconds must be between 0 and {MAX_DELAY:g}")
        request[_RECORD].delay = seconds
        await asyncio.sleep(seconds)
        return web.json_response({"delay": seconds})

    async def _status(self, request: web.Request) -> web.Response:
        code = self._int_part(request, "code", 200, 599)
        latency = self._number(request, "latency", 0.0)
        request[_RECORD].delay = latency
        if latency > 0:
            await asyncio.sleep(latency)
        if code in (204, 304):                    # these may not carry a body
            return web.Response(status=code)
        return web.json_response({"status": code}, status=code)

    async def _flaky(self, request: web.Request) -> web.Response:
        key = request.match_info["key"]
        failures = int(self._number(request, "failures", 1, high=1_000_000))
        status = int(self._number(request, "status", 503, low=400, high=599))
        attempt = self._per_path[f"{request.method} {request.path}"] + 1   # before _draw counts it
        await self._simulate(request, can_fail=False)
        if attempt <= failures:
            return web.json_response({"key": key, "attempt": attempt, "error": "flaky"},
                                     status=status)
        return web.json_response({"key": key, "attempt": attempt})

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        n = self._int_part(request, "n", 0, MAX_STREAM_LINES)
        interval = self._number(request, "interval", 0.05)
        rec = request[_RECORD]
        response = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8",
                                               "X-Demo-Request": str(rec.number),
                                               "X-Demo-Connection": str(rec.connection)})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for i in range(n):
            await asyncio.sleep(interval)
            await response.write(f"line {i + 1} of {n}\n".encode())
        await response.write_eof()
        return response

    async def _bytes(self, request: web.Request) -> web.Response:
        n = self._int_part(request, "n", 0, MAX_BYTES)
        pattern = b"0123456789abcdef"
        body = (pattern * (n // len(pattern) + 1))[:n]
        return web.Response(body=body, content_type="application/octet-stream")


class ServerThread:
    """A :class:`DemoServer` running on its own event loop in a daemon thread.

    Made by :meth:`DemoServer.run_in_thread`. It offers the server's URLs and counters
    (read from any thread: they are plain numbers), ``reset()`` and ``stop()`` (run on the
    server's loop for you), and works as a ``with`` block. The server itself is
    :attr:`server`.
    """

    def __init__(self, server: DemoServer, *, start_timeout: float = 10.0) -> None:
        self.server = server
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._quit: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._main, name=f"DemoServer-{id(self):x}",
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(start_timeout):
            raise RuntimeError(f"the DemoServer thread did not start within {start_timeout:g} s")
        if self._error is not None:
            self._thread.join()
            raise self._error

    def _main(self) -> None:
        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._quit = asyncio.Event()
            try:
                await self.server._start()
            except BaseException as err:  # reported to the starting thread
                self._error = err
                self._ready.set()
                return
            self._ready.set()
            try:
                await self._quit.wait()
            finally:
                await self.server.stop()

        with asyncio.Runner() as runner:
            runner.run(serve())

    def _call(self, fn: Callable[[], T], timeout: float = 10.0) -> T:
        """Run ``fn()`` on the server's loop and return its result."""
        loop = self._loop
        if loop is None or not self._thread.is_alive():
            return fn()  # stopped: nothing runs concurrently any more

        async def call() -> T:
            return fn()

        return asyncio.run_coroutine_threadsafe(call(), loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and its thread; safe to call twice."""
        if self._thread.is_alive() and self._loop is not None and self._quit is not None:
            try:
                self._loop.call_soon_threadsafe(self._quit.set)
            except RuntimeError:   # the loop closed in the meantime
                pass
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"the DemoServer thread did not stop within {timeout:g} s")

    def reset(self) -> None:
        """:meth:`DemoServer.reset`, run on the server's loop."""
        self._call(self.server.reset)

    def __enter__(self) -> ServerThread:
        return self

    def __exit__(self, typ: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and self.server.running

    # The server's URLs and counters, so a ServerThread reads like a DemoServer.
    @property
    def port(self) -> int:
        return self.server.port

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def url(self, path: str = "/", **query: Any) -> str:
        """:meth:`DemoServer.url`."""
        return self.server.url(path, **query)

    @property
    def requests(self) -> int:
        return self.server.requests

    @property
    def in_flight(self) -> int:
        return self.server.in_flight

    @property
    def max_in_flight(self) -> int:
        return self.server.max_in_flight

    @property
    def connections(self) -> int:
        return self.server.connections

    @property
    def open_connections(self) -> int:
        return self._call(lambda: self.server.open_connections)

    @property
    def log(self) -> list[RequestRecord]:
        """A copy of the server's log (the server thread may be appending to it)."""
        return self._call(lambda: list(self.server.log))

    @property
    def status_counts(self) -> Counter[int | None]:
        return self._call(lambda: self.server.status_counts)

    def hits(self, path: str) -> int:
        """:meth:`DemoServer.hits`."""
        return self._call(lambda: self.server.hits(path))

    def __repr__(self) -> str:
        return f"<ServerThread of {self.server!r}>"
