"""aiolab.server.DemoServer: the local HTTP server of the async HTTP lessons and their tests.

Lessons and graders trust its counters (requests, connections, the most requests in flight
at once) to judge a client's concurrency without wall-clock thresholds, so these tests pin
the counters down exactly, check that seeded randomness does not depend on arrival order,
and that the server starts and stops cleanly (no task, thread or socket left behind) both
on the caller's loop and in a thread of its own. Delays are a few tens of milliseconds; the
whole module runs in a couple of seconds.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import threading
import time
import warnings

import aiohttp
import httpx
import pytest

from aiolab import Timeline
from aiolab.server import DemoServer, RequestRecord, ServerThread

pytestmark = pytest.mark.filterwarnings("error::ResourceWarning",
                                        "error::pytest.PytestUnraisableExceptionWarning")


@pytest.fixture(autouse=True)
def earlier_garbage_collected():
    """Collect what tests run before this one in the same worker left behind, quietly:
    a socket another module leaked and gc finds during one of these tests would otherwise
    fail it (seen once in CI: a client socket to a port no test here had used)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def run(coro):
    """Run a test coroutine, then check it left no task behind on its loop."""
    async def main():
        result = await coro
        others = asyncio.all_tasks() - {asyncio.current_task()}
        assert not others, f"tasks left running: {others}"
        return result

    result = asyncio.run(main())
    gc.collect()   # unclosed sockets or transports would warn now (an error, see pytestmark)
    return result


def port_is_closed(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def get_all(client: httpx.AsyncClient, urls: list[str], limit: int | None = None) -> list[httpx.Response]:
    sem = asyncio.Semaphore(limit or len(urls) or 1)

    async def one(url: str) -> httpx.Response:
        async with sem:
            return await client.get(url)

    return await asyncio.gather(*(one(url) for url in urls))


# -- starting, stopping, URLs --------------------------------------------------------------

def test_start_serve_and_stop_on_the_running_loop():
    async def main():
        server = await DemoServer.start()
        assert server.running and server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        assert server.url("/items/7") == f"{server.base_url}/items/7"
        assert server.url("items/7", latency=0.2) == f"{server.base_url}/items/7?latency=0.2"
        async with httpx.AsyncClient() as client:
            resp = await client.get(server.url("/items/7"))
        assert resp.status_code == 200
        assert resp.json() == {"id": "7", "name": "item 7"}
        assert resp.headers["X-Demo-Request"] == "1" and resp.headers["X-Demo-Connection"] == "1"
        await server.stop()
        await server.stop()   # twice is fine
        assert not server.running
        assert server.requests == 1   # counters stay readable after stop
        return server.port

    assert port_is_closed(run(main()))


def test_async_with_starts_and_stops():
    async def main():
        async with DemoServer(latency=0.01) as server:
            async with aiohttp.ClientSession() as session:
                async with session.get(server.url("/get", q="x")) as resp:
                    body = await resp.json()
                    status = resp.status
        return server, status, body

    server, status, body = run(main())
    assert status == 200 and body["args"] == {"q": "x"} and body["origin"] == "127.0.0.1"
    assert not server.running and port_is_closed(server.port)


def test_a_server_starts_once_and_urls_need_a_started_server():
    async def main():
        server = DemoServer()
        with pytest.raises(RuntimeError, match="not been started"):
            server.url("/")
        await server._start()
        with pytest.raises(RuntimeError, match="already been started"):
            await server._start()
        await server.stop()
        with pytest.raises(RuntimeError, match="already been started"):
            await server.__aenter__()

    run(main())


@pytest.mark.parametrize("options", [{"latency": -1}, {"jitter": -0.1}, {"failure_rate": 1.5},
                                     {"failure_statuses": ()}, {"failure_statuses": (700,)}])
def test_bad_options_are_refused(options):
    with pytest.raises(ValueError):
        DemoServer(**options)


def test_binds_only_the_loopback_interface():
    async def main():
        async with DemoServer() as server:
            return [addr[0] for addr in server._runner.addresses]

    assert run(main()) == ["127.0.0.1"]


def test_stop_cancels_requests_in_progress_after_the_grace_period():
    async def main():
        server = await DemoServer.start(grace=0.05)
        async with httpx.AsyncClient() as client:
            pending = asyncio.create_task(client.get(server.url("/delay/30")))
            while server.in_flight == 0:
                await asyncio.sleep(0.005)
            t0 = time.perf_counter()
            await server.stop()
            stopped_in = time.perf_counter() - t0
            with pytest.raises(httpx.HTTPError):
                await pending
        return server, stopped_in

    server, stopped_in = run(main())
    assert stopped_in < 5, f"stop() took {stopped_in:.2f} s with a 30 s request in progress"
    assert server.in_flight == 0
    [rec] = server.log
    assert rec.cancelled and rec.status is None and rec.ended is not None


# -- endpoints ------------------------------------------------------------------------------

def test_endpoints():
    async def main():
        async with DemoServer() as server, httpx.AsyncClient() as client:
            async def get(path, **query):
                return await client.get(server.url(path, **query))

            index = (await get("/")).json()
            assert "/items/{id}" in index["endpoints"]
            assert (await get("/delay/0.01")).json() == {"delay": 0.01}
            assert (await get("/status/418")).status_code == 418
            no_content = await get("/status/204")
            assert no_content.status_code == 204 and no_content.content == b""
            assert (await get("/status/abc")).status_code == 400
            assert (await get("/status/99")).status_code == 400
            assert (await get("/delay/-1")).status_code == 400
            assert (await get("/items/1", latency="soon")).status_code == 400
            assert (await get("/no/such/path")).status_code == 404
            assert (await get("/bytes/100")).content == (b"0123456789abcdef" * 7)[:100]
            echo = (await client.post(server.url("/anything"), content=b"hello")).json()
            assert echo["method"] == "POST" and echo["data"] == "hello"
            return server.status_counts

    counts = run(main())
    assert counts == {200: 4, 418: 1, 204: 1, 400: 4, 404: 1}


def test_stream_sends_its_lines_one_at_a_time():
    async def main():
        async with DemoServer() as server, httpx.AsyncClient() as client:
            arrivals = []
            async with client.stream("GET", server.url("/stream/3", interval=0.02)) as resp:
                async for line in resp.aiter_lines():
                    arrivals.append((line, time.perf_counter()))
            return resp, arrivals

    resp, arrivals = run(main())
    assert resp.status_code == 200 and resp.headers["X-Demo-Request"] == "1"
    assert [line for line, _ in arrivals] == ["line 1 of 3", "line 2 of 3", "line 3 of 3"]
    assert arrivals[-1][1] > arrivals[0][1]   # not one block: the lines came separately


def test_flaky_fails_a_given_number_of_times_per_key():
    async def main():
        async with DemoServer() as server, httpx.AsyncClient() as client:
            statuses = [(await client.get(server.url("/flaky/a", failures=2, status=500))).status_code
                        for _ in range(4)]
            other = (await client.get(server.url("/flaky/b"))).status_code    # default: 1 x 503
            again = (await client.get(server.url("/flaky/b"))).status_code
            return server, statuses, other, again

    server, statuses, other, again = run(main())
    assert statuses == [500, 500, 200, 200]
    assert (other, again) == (503, 200)
    assert server.hits("/flaky/a") == 4 and server.hits("/flaky/b?failures=1") == 2


# -- latency, jitter, failures: reproducible -----------------------------------------------

def test_latency_is_waited_and_can_be_set_per_request():
    async def main():
        async with DemoServer(latency=0.05) as server, httpx.AsyncClient() as client:
            await client.get(server.url("/items/1"))
            await client.get(server.url("/items/2", latency=0.01))
            await client.get(server.url("/status/200", latency=0.03))
            await client.get(server.url("/status/200"))    # /status waits only when asked
            return server.log

    log = run(main())
    assert [rec.delay for rec in log] == [0.05, 0.01, 0.03, 0.0]
    for rec in log:
        assert rec.ended - rec.started >= rec.delay * 0.9, rec   # asyncio timers may fire a hair early


def draws(seed, order):
    """Delays and statuses a server with this seed gives /items/0..9, requested in `order`
    (all at once), and then each path a second time."""
    async def main():
        async with DemoServer(latency=0.01, jitter=0.02, failure_rate=0.5, seed=seed) as server:
            async with httpx.AsyncClient() as client:
                first = await asyncio.gather(*(client.get(server.url(f"/items/{i}")) for i in order))
                second = await asyncio.gather(*(client.get(server.url(f"/items/{i}")) for i in order))
            by_path = {}
            for rec in server.log:
                by_path.setdefault(rec.path, []).append((round(rec.delay, 9), rec.status))
            return by_path, [r.status_code for r in first], [r.status_code for r in second]

    return run(main())


def test_seeded_draws_do_not_depend_on_arrival_order():
    forward, statuses, _ = draws(7, list(range(10)))
    backward, _, _ = draws(7, list(range(9, -1, -1)))
    assert forward == backward
    assert statuses == [status for (_, status), _ in forward.values()]
    assert len({d for d, _ in sum(forward.values(), [])}) > 10    # jitter: delays differ
    assert all(0.01 <= d <= 0.03 for d, _ in sum(forward.values(), []))
    # a second request for the same path is a new draw (so a retry can succeed)
    assert any(first != second for first, second in forward.values())


def test_another_seed_gives_other_draws_and_failure_rate_is_respected():
    seven, _, _ = draws(7, list(range(10)))
    eight, _, _ = draws(8, list(range(10)))
    assert seven != eight
    statuses = [status for pairs in seven.values() for _, status in pairs]
    assert 200 in statuses and set(statuses) - {200} <= {500, 503} and set(statuses) != {200}

    async def never_and_always():
        async with DemoServer(failure_rate=1, failure_statuses=[502]) as server:
            async with httpx.AsyncClient() as client:
                always = [(await client.get(server.url(f"/items/{i}"))).status_code for i in range(5)]
                never = [(await client.get(server.url(f"/items/{i}", failure_rate=0))).status_code
                         for i in range(5)]
                delay = (await client.get(server.url("/delay/0"))).status_code   # never fails
        return always, never, delay

    assert run(never_and_always()) == ([502] * 5, [200] * 5, 200)


# -- counters ---------------------------------------------------------------------------------

@pytest.mark.parametrize("limit", [1, 3, 9])
def test_max_in_flight_is_the_clients_concurrency(limit):
    async def main():
        async with DemoServer(latency=0.05) as server, httpx.AsyncClient() as client:
            responses = await get_all(client, [server.url(f"/items/{i}") for i in range(9)], limit)
            assert server.in_flight == 0
            return server, responses

    server, responses = run(main())
    assert [r.status_code for r in responses] == [200] * 9
    assert server.requests == 9 and server.max_in_flight == limit
    assert server.connections == limit      # one shared client reuses its connections
    assert max(rec.in_flight for rec in server.log) == limit


def test_pool_limits_bound_the_requests_in_flight_too():
    async def main():
        async with DemoServer(latency=0.03) as server:
            urls = [server.url(f"/items/{i}") for i in range(8)]
            async with httpx.AsyncClient(limits=httpx.Limits(max_connections=2)) as client:
                await asyncio.gather(*(client.get(url) for url in urls))
            httpx_max, httpx_connections = server.max_in_flight, server.connections
            server.reset()
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=3)) as session:
                async def one(url):
                    async with session.get(url) as resp:
                        return await resp.read()
                await asyncio.gather(*(one(url) for url in urls))
            return httpx_max, httpx_connections, server.max_in_flight, server.connections

    assert run(main()) == (2, 2, 3, 3)


def test_connections_count_new_clients_and_open_connections_the_live_ones():
    async def main():
        async with DemoServer() as server:
            for i in range(3):                     # one client per request: a connection each
                async with httpx.AsyncClient() as client:
                    resp = await client.get(server.url(f"/items/{i}"))
            per_request = server.connections
            async with httpx.AsyncClient() as client:
                numbers = [(await client.get(server.url(f"/items/{i}"))).headers["X-Demo-Connection"]
                           for i in range(3)]
                live = server.open_connections
            await asyncio.sleep(0.05)              # let the server see the close
            return per_request, numbers, live, server.open_connections, resp

    per_request, numbers, live, after, _ = run(main())
    assert per_request == 3
    assert numbers == ["4", "4", "4"]
    assert live == 1 and after == 0


def test_a_client_timeout_ends_the_request_on_the_server_at_once():
    async def main():
        async with DemoServer() as server, httpx.AsyncClient() as client:
            with pytest.raises(httpx.TimeoutException):
                await client.get(server.url("/delay/5"), timeout=0.05)
            for _ in range(200):                   # the server notices the closed connection
                if server.in_flight == 0:
                    break
                await asyncio.sleep(0.005)
            return server

    server = run(main())
    assert server.in_flight == 0 and server.max_in_flight == 1
    [rec] = server.log
    assert rec.cancelled and rec.status is None
    assert rec.ended - rec.started < 1      # long before the 5 s delay was over
    assert server.status_counts == {None: 1}


def test_reset_forgets_counts_and_flaky_history():
    async def main():
        async with DemoServer() as server, httpx.AsyncClient() as client:
            first = [(await client.get(server.url("/flaky/k"))).status_code for _ in range(2)]
            server.reset()
            assert (server.requests, server.max_in_flight, server.connections, server.log) == (0, 0, 0, [])
            again = [(await client.get(server.url("/flaky/k"))).status_code for _ in range(2)]
            return first, again, server

    first, again, server = run(main())
    assert first == again == [503, 200]
    assert server.requests == 2 and server.connections == 1   # the same connection, counted anew
    assert [rec.number for rec in server.log] == [1, 2]
    assert isinstance(server.log[0], RequestRecord)


def test_the_servers_own_tasks_stay_out_of_a_timeline():
    """A lesson records its client tasks while the server runs on the same loop: the chart
    must show the client's rows only."""
    async def fetch(session, url):
        async with session.get(url) as resp:
            return await resp.read()

    async def main():
        async with DemoServer(latency=0.02) as server, aiohttp.ClientSession() as session:
            async with Timeline() as tl:
                await asyncio.gather(*(asyncio.create_task(fetch(session, server.url(f"/items/{i}")),
                                                           name=f"GET {i}") for i in range(3)))
        return tl

    tl = run(main())
    assert [rec.name for rec in tl.tasks] == ["GET 0", "GET 1", "GET 2"]


# -- in a thread --------------------------------------------------------------------------------

def test_run_in_thread_serves_synchronous_code_and_stops_cleanly():
    before = set(threading.enumerate())
    with DemoServer.run_in_thread(latency=0.01) as server:
        assert isinstance(server, ServerThread) and server.running
        with httpx.Client() as client:
            statuses = [client.get(server.url(f"/items/{i}")).status_code for i in range(3)]
            assert server.open_connections == 1
        assert server.requests == 3 and server.connections == 1 and server.max_in_flight == 1
        assert [rec.path for rec in server.log] == ["/items/0", "/items/1", "/items/2"]
        assert server.hits("/items/1") == 1 and server.status_counts == {200: 3}
        server.reset()
        assert server.requests == 0
        port = server.port
    assert statuses == [200, 200, 200]
    assert not server.running and port_is_closed(port)
    server.stop()                                   # twice is fine
    assert set(threading.enumerate()) == before
    assert server.requests == 0 and server.base_url.endswith(str(port))
    gc.collect()


def test_run_in_thread_answers_a_client_that_blocks_its_own_loop():
    """Why tests run the server in a thread: a learner's client that blocks its loop
    (here with time.sleep) must still get answers, and the counters must show it ran one
    request at a time."""
    async def blocking_client(server):
        async with httpx.AsyncClient() as client:
            async def one(i):
                time.sleep(0.01)                       # the mistake
                return (await client.get(server.url(f"/items/{i}"))).status_code
            return await asyncio.gather(*(one(i) for i in range(3)))

    with DemoServer.run_in_thread(latency=0.02) as server:
        statuses = run(blocking_client(server))
        assert statuses == [200] * 3 and server.requests == 3


def test_run_in_thread_reports_a_start_failure():
    with DemoServer.run_in_thread() as first:
        with pytest.raises(OSError):
            DemoServer.run_in_thread(port=first.port)     # the port is taken


def test_a_script_can_run_the_server_and_asyncio_run_a_client():
    from aiolab.scripts import run_script

    out = run_script("""
        import asyncio, httpx
        from aiolab.server import DemoServer

        async def main(url):
            async with httpx.AsyncClient() as client:
                return (await client.get(url)).json()

        with DemoServer.run_in_thread() as server:
            print(asyncio.run(main(server.url("/items/5"))), server.requests)
    """, "-W", "error::ResourceWarning", quiet=True)
    assert out == "{'id': '5', 'name': 'item 5'} 1\n"
