"""Typed results: what one rung measured, a whole ladder, a scaling curve, Go's runs, and
Python against Go (:class:`Pair`, :func:`versus_go`).

The child processes speak JSON (:mod:`.child`); everything on this side of that boundary is
a frozen dataclass instead of a dict with string keys, so a lesson reads ``r.us_per_task``
and ``ladder.best.speedup``, a misspelt figure fails at once instead of a cell later, and an
editor can complete the names. ``dataclasses.asdict`` turns any of them back into plain JSON
(:func:`.report.save_json`), and each ``from_dict`` reads that JSON back.

The per-task figures (time beyond the wait, memory per task) and the ratios to the plain
rung are computed here, once, from the raw measurements, so that the table, the chart and
the JSON can never disagree about them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .rungs import GO_INSTALL, Rung, rung_by_key

__all__ = ["RungResult", "GoResult", "Best", "Machine", "Ladder", "ScalePoint", "Pair",
           "compare_to_plain", "versus_go"]

_R = TypeVar("_R", bound="RungResult")


def _field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def _known(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of ``cls`` (JSON files may carry extra keys,
    such as the command line a runner added)."""
    names = _field_names(cls)
    return {k: v for k, v in data.items() if k in names}


@dataclass(frozen=True, kw_only=True)
class RungResult:
    """One rung, run once at one N: which rung, what its child measured, and the figures
    per task computed from that.

    A rung that cannot run here (eager tasks before Python 3.12, uvloop or Go missing) has
    ``skipped`` set to the reason and every measurement None. Fields that belong to one
    kind of rung only (``workers`` for the pool, ``alive`` for threads...) are None on the
    others. ``time_ratio`` and ``memory_ratio`` are set when the result is part of a
    :class:`Ladder` that has a plain rung.
    """

    # -- which rung, asked to do what
    rung: str                                 #: the rung's key (``"plain"``, ``"gc"``...)
    title: str                                #: its label in tables and charts
    about: str = ""
    kind: str                                 #: "tasks", "pool", "threads" or "go"
    same_workload: bool = True                #: N waits of ``delay`` at once, as plain
    n: int                                    #: the N asked for
    delay: float                              #: the wait asked for, in seconds
    skipped: str | None = None                #: why it did not run (None: it ran)

    # -- measured in the child
    units: int | None = None                  #: tasks, jobs, threads or goroutines run
    ideal_s: float | None = None              #: the shortest possible run: the wait itself
    wall_s: float | None = None               #: first create to end of gather
    create_s: float | None = None             #: creating (or starting) them all
    start_s: float | None = None              #: until every task reached its first await
    rss_before: int | None = None             #: resident memory before creating any, bytes
    rss_alive: int | None = None              #: ... once all were created and waiting
    peak_rss: int | None = None               #: the child's own peak (VmHWM on Linux)
    python: str | None = None                 #: the child's Python version
    gc_collections: int | None = None         #: cycle collections during the run (tasks, pool)
    gc_full_collections: int | None = None    #: ... of the oldest generation
    traced_bytes_per_task: float | None = None  #: Python's own allocations (tracemalloc)
    workers: int | None = None                #: pool: worker tasks
    job_delay: float | None = None            #: pool: each job's wait
    alive: int | None = None                  #: threads: alive at once
    stack_size: int | None = None             #: threads: threading.stack_size(), if set
    default_stack_limit: int | None = None    #: threads: the soft RLIMIT_STACK
    error: str | None = None                  #: threads: what stopped starting more

    # -- per task, computed from the above
    overhead_s: float | None = None           #: wall time beyond the ideal wait
    us_per_task: float | None = None          #: overhead per unit, microseconds
    bytes_per_task: float | None = None       #: peak RSS growth per unit
    alive_bytes_per_task: float | None = None  #: RSS growth once all alive, per unit

    # -- compared with the plain rung of the same ladder
    time_ratio: float | None = None
    memory_ratio: float | None = None

    @property
    def measured(self) -> bool:
        """True when the rung ran (it was not skipped)."""
        return self.skipped is None

    @property
    def unit_name(self) -> str:
        """What one unit of this rung is, in the plural: tasks, jobs, threads, goroutines."""
        return {"threads": "threads", "go": "goroutines", "pool": "jobs"}.get(self.kind, "tasks")

    @classmethod
    def skip(cls: type[_R], rung: Rung, n: int, delay: float, reason: str) -> _R:
        """The result of a rung that cannot run here, and why."""
        return cls(rung=rung.key, title=rung.title, about=rung.about, kind=rung.kind,
                   same_workload=rung.same_workload, n=n, delay=delay, skipped=reason)

    @classmethod
    def from_measurement(cls: type[_R], rung: Rung, n: int, delay: float,
                         raw: Mapping[str, Any]) -> _R:
        """Type a child's raw measurements (its JSON line) and add the per-task figures.

        Keys the result has no field for are an error: the child and this class must
        describe the same protocol.
        """
        unknown = set(raw) - _field_names(cls)
        if unknown:
            raise ValueError(f"{cls.__name__}: unexpected measurements {sorted(unknown)}")
        units = raw["units"] or 1
        overhead = max(0.0, raw["wall_s"] - raw["ideal_s"])
        alive_growth = max(0, raw["rss_alive"] - raw["rss_before"])
        bytes_per_task = max(0, raw["peak_rss"] - raw["rss_before"]) / units
        if rung.kind == "threads" and raw.get("alive"):
            # Threads are not all alive at the peak if starting them took longer than the
            # wait: measure them at the end of starting, divided by those alive then.
            bytes_per_task = alive_growth / raw["alive"]
        return cls(rung=rung.key, title=rung.title, about=rung.about, kind=rung.kind,
                   same_workload=rung.same_workload, n=n, delay=delay, **raw,
                   overhead_s=overhead, us_per_task=overhead / units * 1e6,
                   bytes_per_task=bytes_per_task, alive_bytes_per_task=alive_growth / units)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RungResult:
        """Read back one result saved as JSON (a Go rung comes back as :class:`GoResult`)."""
        target: type[RungResult] = GoResult if data.get("kind") == "go" else cls
        return target(**_known(target, data))

    def compared_with(self: _R, plain: RungResult | None) -> _R:
        """This result with its time and memory per task as ratios to ``plain``'s (None
        without a plain rung, or when plain's figure is zero)."""
        if not self.measured:
            return self
        time_ratio = memory_ratio = None
        if plain is not None and plain.measured:
            if plain.us_per_task and self.us_per_task is not None:
                time_ratio = self.us_per_task / plain.us_per_task
            if plain.bytes_per_task and self.bytes_per_task is not None:
                memory_ratio = self.bytes_per_task / plain.bytes_per_task
        return dataclasses.replace(self, time_ratio=time_ratio, memory_ratio=memory_ratio)


@dataclass(frozen=True, kw_only=True)
class GoResult(RungResult):
    """The Go program's run: the same figures as a rung, and Go's own view of it."""

    mode: str | None = None                   #: "timer", "shared" or "pool"
    go: str | None = None                     #: runtime.Version(), e.g. "go1.19.8"
    gomaxprocs: int | None = None             #: OS threads running goroutines at once
    stack_inuse_alive: int | None = None      #: bytes of goroutine stacks, all alive

    @property
    def unit_name(self) -> str:
        """Goroutines, or jobs for the pool."""
        return "jobs" if self.mode == "pool" else "goroutines"

    @property
    def goroutines(self) -> int | None:
        """Goroutines alive at once: one per wait, or the pool's workers."""
        return self.workers if self.mode == "pool" else self.units

    @property
    def stack_bytes_per_goroutine(self) -> float | None:
        """Goroutine stack in use per goroutine, with all of them alive (Go's accounting)."""
        if self.stack_inuse_alive is None or not self.goroutines:
            return None
        return self.stack_inuse_alive / self.goroutines


@dataclass(frozen=True, kw_only=True)
class Best:
    """The fastest rung that ran the same workload as plain, and how much faster it was."""

    rung: str
    title: str
    wall_s: float
    plain_wall_s: float
    speedup: float                            #: plain's wall time / this rung's


@dataclass(frozen=True, kw_only=True)
class Machine:
    """Where the ladder ran."""

    platform: str
    cpus: int | None


@dataclass(frozen=True, kw_only=True)
class Ladder:
    """Every rung run at one N, in order, with their ratios to plain and the best rung."""

    n: int
    delay: float
    python: str                               #: the children's Python version
    machine: Machine
    thread_cap: int                           #: at most this many threads
    thread_delay: float                       #: each thread's wait
    trace_n: int                              #: tasks in the tracemalloc measurement
    rungs: list[RungResult]
    best: Best | None                         #: None without a plain or a task rung
    total_s: float | None = None              #: how long the whole ladder took

    @property
    def versus(self) -> list[Pair]:
        """Python against Go in this ladder (:func:`versus_go`); empty without Go rungs."""
        return versus_go(self.rungs)

    def rung(self, key: str) -> RungResult:
        """The result of the rung called ``key``."""
        for r in self.rungs:
            if r.rung == key:
                return r
        raise KeyError(f"no rung {key!r} in this ladder: {[r.rung for r in self.rungs]}")

    @property
    def measured(self) -> list[RungResult]:
        """The rungs that ran (not skipped)."""
        return [r for r in self.rungs if r.measured]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ladder:
        """Read back a ladder saved as JSON (:func:`.report.save_json`); extra top-level keys
        (a runner's command line, its target) are ignored."""
        fields = _known(cls, data)
        fields["machine"] = Machine(**data["machine"])
        fields["rungs"] = [RungResult.from_dict(r) for r in data["rungs"]]
        fields["best"] = Best(**data["best"]) if data.get("best") else None
        return cls(**fields)


@dataclass(frozen=True, kw_only=True)
class ScalePoint:
    """One point of a scaling curve (:func:`.runner.scale`): one rung measured at one N."""

    rung: str
    title: str
    n: int
    delay: float
    python: str | None
    units: int
    wall_s: float
    overhead_s: float
    us_per_task: float
    bytes_per_task: float
    peak_rss: int
    traced_bytes_per_task: float | None = None
    gc_collections: int | None = None
    gc_full_collections: int | None = None

    @classmethod
    def from_result(cls, r: RungResult) -> ScalePoint:
        """The figures of a measured rung that a scaling curve plots."""
        if not r.measured:
            raise ValueError(f"rung {r.rung!r} did not run at N = {r.n:,}: {r.skipped}")
        assert (r.units is not None and r.wall_s is not None and r.overhead_s is not None
                and r.us_per_task is not None and r.bytes_per_task is not None
                and r.peak_rss is not None)
        return cls(rung=r.rung, title=r.title, n=r.n, delay=r.delay, python=r.python,
                   units=r.units, wall_s=r.wall_s, overhead_s=r.overhead_s,
                   us_per_task=r.us_per_task, bytes_per_task=r.bytes_per_task,
                   peak_rss=r.peak_rss, traced_bytes_per_task=r.traced_bytes_per_task,
                   gc_collections=r.gc_collections, gc_full_collections=r.gc_full_collections)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScalePoint:
        """Read back one point saved as JSON."""
        return cls(**_known(cls, data))


def compare_to_plain(rungs: Sequence[RungResult]) -> tuple[list[RungResult], Best | None]:
    """Each rung's time and memory per task as a ratio to plain's, and the fastest rung
    that ran the same workload as plain (task rungs only: threads and the pool do less or
    something else on purpose, and Go is not Python), with its speed-up in wall time."""
    plain = next((r for r in rungs if r.rung == "plain" and r.measured), None)
    rated = [r.compared_with(plain) for r in rungs]
    same = [r for r in rated if r.measured and r.same_workload and r.kind == "tasks"]
    if plain is None or not same:
        return rated, None
    best = min(same, key=lambda r: r.wall_s or 0.0)
    assert best.wall_s is not None and plain.wall_s is not None
    return rated, Best(rung=best.rung, title=best.title, wall_s=best.wall_s,
                       plain_wall_s=plain.wall_s, speedup=plain.wall_s / best.wall_s)


@dataclass(frozen=True, kw_only=True)
class Pair:
    """A Python rung against a Go rung that did the same work: wall time and memory of both.

    ``go`` is None when Go did not run (``why`` then says why: not installed, and how to
    install it); ``python`` is None when its Python twin was not in the run or was skipped.
    """

    label: str                                #: "best vs best", or what both do ("shared timer")
    python: RungResult | None
    go: RungResult | None
    why: str | None = None                    #: why one side is missing

    @property
    def complete(self) -> bool:
        """Both sides measured."""
        return (self.python is not None and self.python.measured
                and self.go is not None and self.go.measured)

    @property
    def time_ratio(self) -> float | None:
        """Python's wall time / Go's: how many times longer Python took (> 1: Go faster)."""
        if not self.complete:
            return None
        assert self.python is not None and self.go is not None
        return (self.python.wall_s or 0.0) / self.go.wall_s if self.go.wall_s else None

    @property
    def memory_ratio(self) -> float | None:
        """Python's memory per unit (peak RSS growth) / Go's (> 1: Go lighter)."""
        if not self.complete:
            return None
        assert self.python is not None and self.go is not None
        if not self.go.bytes_per_task or self.python.bytes_per_task is None:
            return None
        return self.python.bytes_per_task / self.go.bytes_per_task


def _fastest(rungs: Sequence[RungResult]) -> RungResult | None:
    return min(rungs, key=lambda r: r.wall_s or 0.0) if rungs else None


def versus_go(rungs: Sequence[RungResult]) -> list[Pair]:
    """Python against Go, each pair doing the same work in the same run.

    First *best vs best*: the fastest Python task rung that ran the same workload as plain
    (N waits at once; the best rung of :func:`compare_to_plain`) against the fastest Go
    rung of that same workload (a timer each, or one shared timer). Then like with like:
    every Go rung against its Python twin (plain, one shared timer, the worker pool).
    Empty when no Go rung is in ``rungs``; when the Go rungs were skipped (Go missing),
    one *best vs best* pair with ``go`` None and the reason, which says how to install Go.
    """
    go_rungs = [r for r in rungs if r.kind == "go"]
    if not go_rungs:
        return []
    python_best = _fastest([r for r in rungs
                            if r.measured and r.kind == "tasks" and r.same_workload])
    go_same = [r for r in go_rungs if r.measured and r.same_workload]
    go_best = _fastest(go_same)
    measured_go = [r for r in go_rungs if r.measured]
    why = None
    if not measured_go:
        reason = next((r.skipped for r in go_rungs if r.skipped), "Go did not run")
        why = f"{reason.split(':')[0]}; {GO_INSTALL}"
    elif go_best is None:
        why = "no Go rung with the same workload as plain ran"
    if python_best is None and why is None:
        why = "no Python task rung ran"
    pairs = [Pair(label="best vs best", python=python_best, go=go_best, why=why)]
    by_key = {r.rung: r for r in rungs}
    for g in measured_go:
        try:
            twin_key = rung_by_key(g.rung).twin
        except ValueError:
            twin_key = None
        twin = by_key.get(twin_key) if twin_key else None
        label = g.title.removeprefix("Go: ")      # what both do: "shared timer"...
        if twin is not None and not twin.measured:
            pairs.append(Pair(label=label, python=None, go=g,
                              why=f"{twin.title}: {twin.skipped}"))
            continue
        pairs.append(Pair(label=label, python=twin, go=g,
                          why=None if twin else f"rung {twin_key!r} was not in this run"))
    return pairs
