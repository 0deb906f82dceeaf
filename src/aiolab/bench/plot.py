"""The benchmark's charts: the ladder (time and memory per task, per rung) and a scaling
curve (cost per task as N grows), drawn in the course's style.

matplotlib is imported inside the functions, never at import time: ``from aiolab import
bench`` only to run a ladder from a script must not pay for it. The figures are
:class:`aiolab.gantt.GanttFigure`, which Jupyter shows as a PNG when a cell ends with one,
without pyplot and its global state.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .results import Ladder, RungResult, ScalePoint

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["plot_ladder", "plot_scaling", "save_png"]


def _style() -> Any:
    """The course's chart style (aiolab's mplstyle, package data) as a context manager;
    matplotlib's defaults if the file is missing."""
    import matplotlib.style

    from ..gantt import STYLE_PATH

    if STYLE_PATH.is_file():
        return matplotlib.style.context(str(STYLE_PATH))
    return contextlib.nullcontext()


def _figure(figsize: tuple[float, float]) -> Figure:
    """A figure Jupyter shows as PNG when a cell ends with it (no pyplot involved)."""
    from ..gantt import GanttFigure

    return GanttFigure(figsize=figsize, layout="constrained")


def save_png(fig: Figure, path: Path | str) -> Path:
    """Save a chart of this module as PNG, in the course style."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _style():
        fig.savefig(path, format="png")
    return path


def _label(r: RungResult) -> str:
    if not r.measured:
        return f"{r.title}\n(skipped)"
    if r.kind == "threads":
        return f"{r.title}\n({r.units or 0:,} threads)"
    if r.kind == "pool" or (r.kind == "go" and r.workers):
        return f"{r.title}\n({r.workers or 0:,} workers)"
    return r.title


def _colour(r: RungResult) -> str:
    if r.rung == "plain":
        return "#888888"
    if r.kind == "tasks":
        return "#0072B2"
    if r.kind in ("pool", "threads"):
        return "#E69F00"
    return "#009E73"                                # Go


def plot_ladder(ladder: Ladder, *, title: str | None = None) -> Figure:
    """Two bar charts, one bar per rung: time per task and memory per task (log scales:
    threads cost a hundred times what tasks do), each labelled with its ratio to plain."""
    rows = ladder.rungs
    with _style():
        fig = _figure((9.0, 1.5 + 0.5 * len(rows)))
        ax_t, ax_m = fig.subplots(1, 2, sharey=True)
        y = list(range(len(rows)))[::-1]
        for ax, figure_of, ratio_of in (
                (ax_t, lambda r: r.us_per_task, lambda r: r.time_ratio),
                (ax_m, lambda r: r.bytes_per_task, lambda r: r.memory_ratio)):
            measured = [v for r in rows if r.measured and (v := figure_of(r) or 0.0) > 0]
            lo = min(measured) / 3 if measured else 1.0
            hi = max(measured) * 12 if measured else 10.0
            for yi, r in zip(y, rows):
                if not r.measured:
                    ax.text(lo * 1.1, yi, (r.skipped or "").split(";")[0], va="center",
                            fontsize=8, color="#666666")
                    continue
                v = max(figure_of(r) or 0.0, lo)
                ax.barh(yi, v - lo, left=lo, color=_colour(r), height=0.62)
                text = f"{v:,.1f}" if v < 100 else f"{v:,.0f}"
                ratio = ratio_of(r)
                if ratio is not None and r.rung != "plain":
                    text += f"  ({ratio:.2f}x)"
                ax.text(v * 1.08, yi, text, va="center", fontsize=8)
            ax.set_xscale("log")
            ax.set_xlim(lo, hi)
            ax.grid(axis="y", visible=False)
        ax_t.set_yticks(y, [_label(r) for r in rows])
        ax_t.set_xlabel("time per task beyond the wait (µs, log scale)")
        ax_m.set_xlabel("peak memory per task (bytes, log scale)")
        heading = title or (f"{ladder.n:,} concurrent waits of {ladder.delay:g} s, "
                            f"Python {ladder.python}")
        fig.suptitle(heading + "  ·  (ratio to plain)", x=0.01, ha="left", fontsize=11)
    return fig


def plot_scaling(points: Sequence[ScalePoint], *, title: str | None = None) -> Figure:
    """How the cost grows with N: time per task (each point labelled with its wall time),
    and memory per task (peak RSS growth, and Python's own allocations by tracemalloc)."""
    with _style():
        fig = _figure((9.0, 3.6))
        ax_w, ax_m = fig.subplots(1, 2)
        ns = [p.n for p in points]
        us = [p.us_per_task for p in points]
        ax_w.plot(ns, us, "o-", label="time per task beyond the wait")
        for n, u, p in zip(ns, us, points):
            ax_w.annotate(f"{p.wall_s:.2f} s", (n, u), textcoords="offset points",
                          xytext=(0, 7), ha="center", fontsize=8, color="#444444")
        ax_w.set_xscale("log")
        ax_w.set_ylim(0, max(us, default=1) * 1.3)
        ax_w.set_xlabel("N concurrent tasks")
        ax_w.set_ylabel("µs per task (labels: wall time)")
        ax_w.legend(loc="lower right")
        ax_w.grid(True, which="major", axis="both")
        ax_m.plot(ns, [p.bytes_per_task for p in points], "o-", label="peak RSS growth / N")
        traced = [(p.n, p.traced_bytes_per_task) for p in points if p.traced_bytes_per_task]
        if traced:
            ax_m.plot(*zip(*traced), "s--", label="Python allocations / task (tracemalloc)")
        ax_m.set_xscale("log")
        ax_m.set_ylim(bottom=0)
        for ax in (ax_w, ax_m):                    # ticks at the measured sizes, plainly
            ax.minorticks_off()
            ax.set_xticks(ns, [f"{n:,}" for n in ns])
        ax_m.set_xlabel("N concurrent tasks")
        ax_m.set_ylabel("bytes per task")
        ax_m.legend(loc="lower right")
        ax_m.grid(True, which="major", axis="both")
        if title is None and points:
            first = points[0]
            title = (f"{first.title}: N tasks each awaiting asyncio.sleep({first.delay:g}), "
                     f"Python {first.python or ''}")
        fig.suptitle(title or "", x=0.01, ha="left", fontsize=11)
    return fig
