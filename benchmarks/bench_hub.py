"""How many learners one machine serves on the hub (make bench-hub): a benchmark, not a test.

For each N (default 10 20 30) it starts a fresh hub (autograder/hub/jupyterhub_config.py, data
in a temporary folder, on free 127.0.0.1 ports), starts N learners' servers at once through the
REST API, and in every server runs lesson 02's code cells (the learner's edition, solutions
blank) in the course kernel over the kernel's websocket, all servers at once. It reports the
time to spawn (each server's request to ready), the time for every server to run the lesson,
and memory per learner: the unique memory (USS) of their server and its kernel, with the
machine's free memory before and after. Results as JSON (--json).

Usage: .venv/bin/python benchmarks/bench_hub.py [--n 10 20 30] [--json build/bench/hub.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import nbformat
import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROXY = ROOT / "build" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
LESSON = "02-tasks"


#: Each round's hub log (its servers' logs included), kept after the run: where a size that
#: breaks says why.
LOGS = ROOT / "build" / "bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ours(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.pid != os.getpid() and any(marker in v for v in proc.environ().values()):
                found.append(proc)
        except psutil.Error:
            pass
    return found


async def execute(session, base, name, token, cells) -> float:
    """Start a kernel in ``name``'s server, run ``cells`` one after another; seconds taken."""
    headers = {"Authorization": f"token {token}"}
    started = time.monotonic()
    async with session.post(f"{base}/user/{name}/api/kernels", json={"name": "asyncio-course"},
                            headers=headers) as r:
        kernel = (await r.json())["id"]
    async with session.ws_connect(f"{base.replace('http', 'ws')}/user/{name}/api/kernels/{kernel}/channels",
                                  headers=headers, max_msg_size=0) as ws:
        for source in cells:
            msg_id = uuid.uuid4().hex
            await ws.send_json({"header": {"msg_id": msg_id, "msg_type": "execute_request", "username": name,
                                           "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
                                "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                                "content": {"code": source, "silent": False, "store_history": True,
                                            "user_expressions": {}, "allow_stdin": False}})
            while True:
                frame = await ws.receive(timeout=300)
                if frame.type is not aiohttp.WSMsgType.TEXT:
                    raise RuntimeError(f"{name}'s kernel websocket said {frame.type.name}: {frame.data!r} "
                                       f"(close code {ws.close_code}, {ws.exception()!r})")
                msg = json.loads(frame.data)
                if msg.get("channel") == "shell" and msg["parent_header"].get("msg_id") == msg_id:
                    break
    return time.monotonic() - started


async def round_of(n: int, folder: Path) -> dict:
    token = secrets.token_hex(32)
    data = folder / f"hub-{n}"
    config = folder / "bench_config.py"
    config.write_text(
        f"load_subconfig({str(ROOT / 'autograder' / 'hub' / 'jupyterhub_config.py')!r})\n"
        "c = get_config()\n"
        f"c.JupyterHub.services = [{{'name': 'bench', 'api_token': {token!r}}}]\n"
        "c.JupyterHub.load_roles = [{'name': 'bench', 'scopes': ['admin:users', 'admin:servers', 'tokens',"
        " 'list:users', 'read:users', 'access:servers'], 'services': ['bench']}]\n"
        "c.JupyterHub.concurrent_spawn_limit = 0\n")
    port = free_port()
    env = {**os.environ, "HUB_DATA": str(data), "HUB_PORT": str(port), "HUB_API_PORT": str(free_port()),
           "HUB_PROXY_API_PORT": str(free_port()), "HUB_PASSWORD": secrets.token_hex(8),
           "HUB_ADMIN_PASSWORD": secrets.token_hex(16), "HUB_PROXY": str(PROXY),
           "HUB_LEARNER_EDITION": str(folder / "edition")}
    base = f"http://127.0.0.1:{port}"
    LOGS.mkdir(parents=True, exist_ok=True)
    free_before = psutil.virtual_memory().available
    hub = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=folder, env=env,
                           stdout=open(LOGS / f"hub-{n}.log", "w"), stderr=subprocess.STDOUT, start_new_session=True)
    headers = {"Authorization": f"token {token}"}
    names = [f"learner{i:02d}" for i in range(n)]
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=900)) as session:
            for _ in range(120):
                try:
                    async with session.get(f"{base}/hub/api/") as r:
                        if r.status == 200:
                            break
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.5)
            async with session.post(f"{base}/hub/api/users", json={"usernames": names}, headers=headers) as r:
                assert r.status == 201, await r.text()

            async def spawn(name):
                t0 = time.monotonic()
                async with session.post(f"{base}/hub/api/users/{name}/server", headers=headers) as r:
                    assert r.status in (201, 202), await r.text()
                while True:
                    async with session.get(f"{base}/hub/api/users/{name}", headers=headers) as r:
                        user = await r.json()
                    server = user["servers"].get("")
                    if server and server.get("ready"):
                        return time.monotonic() - t0
                    if not server and not user.get("pending"):      # the hub gave up on it
                        raise RuntimeError(f"the hub gave up on {name}'s server after {time.monotonic() - t0:.0f} s "
                                           "(its log says why: 'never showed up' is Spawner.http_timeout)")
                    await asyncio.sleep(0.25)

            t0 = time.monotonic()
            spawn_times = await asyncio.gather(*(spawn(name) for name in names))
            all_spawned = time.monotonic() - t0
            nb = nbformat.read(folder / "edition" / LESSON / "tasks.ipynb", as_version=4)
            cells = [c.source for c in nb.cells if c.cell_type == "code"]
            t0 = time.monotonic()
            run_times = await asyncio.gather(*(execute(session, base, name, token, cells) for name in names))
            all_ran = time.monotonic() - t0
            per_user = []
            for name in names:
                procs = [p for p in ours(str(data)) if p.environ().get("JUPYTERHUB_USER") == name]
                tree = {q.pid: q for p in procs for q in [p, *p.children(recursive=True)]}
                per_user.append(sum(q.memory_full_info().uss for q in tree.values()) / 2**20)
            free_after = psutil.virtual_memory().available
    finally:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(60)
        except subprocess.TimeoutExpired:
            hub.kill()
        left = ours(str(data))
        for p in left:
            p.kill()
        psutil.wait_procs(left, timeout=10)
    return {"n": n, "spawn_s": {"median": statistics.median(spawn_times), "max": max(spawn_times),
                                "all": all_spawned},
            "lesson02_s": {"median": statistics.median(run_times), "max": max(run_times), "all": all_ran},
            "uss_mib_per_user": {"median": statistics.median(per_user), "max": max(per_user)},
            "available_mib": {"before": free_before / 2**20, "after": free_after / 2**20},
            "cores": os.cpu_count()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, nargs="+", default=[10, 20, 30])
    ap.add_argument("--json")
    args = ap.parse_args()
    if not PROXY.exists():
        print("configurable-http-proxy is not installed: make hub-proxy", file=sys.stderr)
        return 1
    results = []
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as tmp:
        folder = Path(tmp)
        subprocess.run([sys.executable, "-m", "coursetools", "--course", "autograder", "edition", "--build",
                        folder / "edition", "--workspace", folder / "edition-workspace", LESSON],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        print(f"{'N':>3} {'spawn median/max/all s':>24} {'lesson 02 median/max/all s':>28} "
              f"{'USS MiB/learner':>16} {'free MiB before→after':>22}")
        for n in args.n:
            try:
                r = asyncio.run(round_of(n, folder))
            except Exception as err:        # a size that breaks is a result too: say how, go on
                results.append({"n": n, "error": f"{type(err).__name__}: {err}"})
                print(f"{n:>3} did not finish: {type(err).__name__}: {err} (log: {LOGS / f'hub-{n}.log'})", flush=True)
                continue
            results.append(r)
            s, l, m, a = r["spawn_s"], r["lesson02_s"], r["uss_mib_per_user"], r["available_mib"]
            print(f"{n:>3} {s['median']:7.1f} {s['max']:7.1f} {s['all']:7.1f}   {l['median']:8.1f} {l['max']:8.1f} "
                  f"{l['all']:8.1f}   {m['median']:7.0f} (max {m['max']:.0f}) {a['before']:9.0f}→{a['after']:.0f}",
                  flush=True)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
