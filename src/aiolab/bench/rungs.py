"""The ladder's rungs: each one a way of running N concurrent waits, as plain data.

A rung is only a name and the options its child process reads (:mod:`.child` runs it). The
table lives apart from the code that measures, so that the runner, the reports and the
charts all agree on the order and the titles, and a new rung is one line here plus the
option it needs in the child.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Rung", "RUNGS", "GO_RUNGS", "GO_RUNG", "GO_KEYS", "GO_INSTALL", "rung_by_key",
           "pool_plan", "timeout_for"]


@dataclass(frozen=True)
class Rung:
    """One way of running N concurrent waits."""

    key: str
    title: str
    kind: str                    # "tasks", "pool", "threads" or "go"
    about: str
    options: dict[str, Any] = field(default_factory=dict)
    #: Same workload as ``plain`` (N waits of ``delay`` at once): its wall time compares
    #: directly. The others do something else on purpose (fewer threads, a pool).
    same_workload: bool = True
    #: A Go rung's Python counterpart: the rung that runs the same work the same way.
    twin: str | None = None


#: The Python rungs, in the order the ladder climbs them. Each builds on the one before,
#: except the last two, which do something different on purpose.
RUNGS: list[Rung] = [
    Rung("plain", "plain", "tasks",
         "create_task + gather; each task awaits asyncio.sleep(delay)"),
    Rung("gc", "+ GC paused", "tasks",
         "GC paused while creating and starting the tasks, then gc.freeze()",
         {"gc": True}),
    Rung("eager", "+ eager tasks", "tasks",
         "GC paused + asyncio.eager_task_factory (3.12+)",
         {"gc": True, "eager": True}),
    Rung("uvloop", "+ uvloop", "tasks",
         "GC paused + uvloop's event loop",
         {"gc": True, "loop": "uvloop"}),
    Rung("shared", "+ one shared timer", "tasks",
         "GC paused + uvloop; every task awaits one Future, completed by one call_later",
         {"gc": True, "loop": "uvloop", "shared": True}),
    Rung("pool", "worker pool", "pool",
         "N jobs of delay/100 through N/100 worker tasks and a Queue (same ideal makespan)",
         {"rounds": 100}, same_workload=False),
    Rung("threads", "threads", "threads",
         "one OS thread per wait (time.sleep), capped", same_workload=False),
]

#: The optional Go rungs: not Python children but the Go program shipped in ``bench/go``,
#: run in the mode that does what their ``twin`` does in Python, so that each compares
#: like with like: a timer per wait (plain), one shared timer, a worker pool.
GO_RUNGS: list[Rung] = [
    Rung("go", "Go: timer each", "go",
         "a goroutine per wait, each time.Sleep(delay): Go's plain",
         {"mode": "timer"}, twin="plain"),
    Rung("go-shared", "Go: shared timer", "go",
         "a goroutine per wait, all blocked on one channel that one time.AfterFunc closes",
         {"mode": "shared"}, twin="shared"),
    Rung("go-pool", "Go: worker pool", "go",
         "N jobs of delay/100 through N/100 goroutines fed by a channel (as the pool rung)",
         {"mode": "pool", "rounds": 100}, same_workload=False, twin="pool"),
]
#: The first Go rung (a timer per goroutine), the only one before the shared and pool modes.
GO_RUNG = GO_RUNGS[0]
GO_KEYS = [r.key for r in GO_RUNGS]
#: How to get the ``go`` command, for messages when it is missing.
GO_INSTALL = ("install Go with `sudo apt-get install golang-go` (Debian, Ubuntu; elsewhere "
              "Go 1.19 or newer from https://go.dev/doc/install) and run again")

_BY_KEY = {r.key: r for r in [*RUNGS, *GO_RUNGS]}


def rung_by_key(key: str) -> Rung:
    """The rung called ``key`` (one of :data:`RUNGS` or :data:`GO_RUNGS`)."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise ValueError(f"unknown rung {key!r}; choose from {list(_BY_KEY)}") from None


def pool_plan(n: int, delay: float, rounds: int) -> tuple[int, float]:
    """A pool rung's workers and each job's wait for N jobs: ``ceil(N / rounds)`` workers
    (at least one) and jobs short enough that the ideal makespan is still ``delay``.
    The Python and the Go pool both get theirs from here."""
    rounds = max(1, min(rounds, n))
    workers = max(1, math.ceil(n / rounds))
    return workers, delay / math.ceil(n / workers)


def timeout_for(n: int, delay: float) -> float:
    """How long one rung may run before its child is given up on: generous, since a slow
    or loaded machine must not fail the run (1,000,000 tasks -> 7 minutes)."""
    return 120.0 + delay * 10 + n * 300e-6
