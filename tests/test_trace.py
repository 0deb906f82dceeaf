"""Chrome trace-event export (Perfetto / chrome://tracing)."""

from __future__ import annotations

import asyncio
import json

import aiolab
from aiolab import run_virtual


async def sleeper(delay: float) -> float:
    await asyncio.sleep(delay)
    return delay


async def main() -> None:
    await aiolab.to_thread("hash", sum, range(100))
    victim = asyncio.create_task(sleeper(10), name="victim")
    await asyncio.gather(asyncio.create_task(sleeper(1), name="one"),
                         asyncio.create_task(sleeper(2), name="two"))
    victim.cancel()
    await asyncio.sleep(0.5)


def events_of(trace, **match):
    return [e for e in trace["traceEvents"] if all(e.get(k) == v for k, v in match.items())]


def test_chrome_trace_structure(tmp_path):
    _, tl = run_virtual(main)
    trace = tl.to_chrome_trace()
    assert json.loads(json.dumps(trace)) == trace  # plain JSON

    names = {e["tid"]: e["args"]["name"] for e in events_of(trace, ph="M", name="thread_name")}
    assert names == {1: "main", 2: "hash", 3: "victim", 4: "one", 5: "two"}
    assert events_of(trace, ph="M", name="process_name")
    sort = {e["tid"]: e["args"]["sort_index"]
            for e in events_of(trace, ph="M", name="thread_sort_index")}
    assert sort == {1: 1, 2: 2, 3: 3, 4: 4, 5: 5}

    for rec in tl.tasks:
        tid = rec.index + 1
        category = "thread" if rec.kind == "thread" else "running"
        steps = events_of(trace, ph="X", tid=tid, cat=category)
        assert len(steps) == rec.n_steps
        assert [(e["ts"], e["ts"] + e["dur"]) for e in steps] == [
            (s * 1e6, e * 1e6) for s, e in rec.steps]  # microseconds

    # "one": created at 0, ran at 0, waited until 1 s, ran, ended.
    one = events_of(trace, tid=4)
    assert [(e["ph"], e.get("cat"), e["ts"], e.get("dur")) for e in one
            if e["ph"] != "M"] == [
        ("X", "running", 0.0, 0.0),
        ("X", "waiting", 0.0, 1e6),
        ("X", "running", 1e6, 0.0),
        ("i", "outcome", 1e6, None),
    ]
    (victim_end,) = events_of(trace, tid=3, ph="i")
    assert (victim_end["name"], victim_end["ts"]) == ("cancelled", 2e6)
    assert trace["otherData"]["clock"] == "virtual"
    assert trace["otherData"]["elapsed_s"] == 2.5

    path = tmp_path / "run.json"
    tl.save_chrome_trace(path)
    assert json.loads(path.read_text()) == trace


def test_failures_are_named_in_the_trace():
    async def fails() -> None:
        async with asyncio.timeout(1):
            await asyncio.sleep(2)

    async def failing_main() -> None:
        await asyncio.gather(asyncio.create_task(fails(), name="late"),
                             return_exceptions=True)

    _, tl = run_virtual(failing_main)
    (end,) = events_of(tl.to_chrome_trace(), tid=2, ph="i")
    assert end["name"] == "timed out"
    assert end["args"]["exception"] == "TimeoutError"


def test_ready_time_is_its_own_slice_right_before_the_step():
    def row(index, name, created, ended, steps, ready):
        return {"index": index, "name": name, "kind": "task", "created": created,
                "ended": ended, "outcome": "result", "steps": steps, "ready": ready}

    tl = aiolab.Timeline.from_records([
        row(0, "hog", 0.0, 0.5, [[0.0, 0.0], [0.1, 0.5]], [[0.0, 0.0], [0.1, 0.1]]),
        row(1, "ticker", 0.0, 0.5, [[0.0, 0.0], [0.5, 0.5]], [[0.0, 0.0], [0.15, 0.5]]),
    ], stopped_at=0.5, virtual=False)
    trace = tl.to_chrome_trace()
    ticker = [(e["cat"], e["ts"], e.get("dur")) for e in events_of(trace, tid=2)
              if e["ph"] == "X"]
    assert ticker == [("running", 0.0, 0.0), ("waiting", 0.0, 150000.0),
                      ("ready", 150000.0, 350000.0), ("running", 500000.0, 0.0)]
    (ready,) = events_of(trace, tid=2, cat="ready")
    assert ready["name"] == "ready"
    assert not events_of(trace, tid=1, cat="ready")  # the hog ran at once
