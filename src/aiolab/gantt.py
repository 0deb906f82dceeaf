"""Gantt charts of a :class:`~aiolab.timeline.Timeline`, the course's main picture.

One row per task, top to bottom in creation order: a light bar from creation to end (the
task exists, mostly waiting) with solid segments where it actually ran on the loop, hatched
mid-blue segments where it was *ready* (the loop could have resumed it but was busy running
something else, so a step that blocks the loop shows every other task queued behind it),
thread work in another colour, and a marker where a task was cancelled, failed or timed out. The
title says in words how long the tasks took beside what running them one after another
would have cost, which is the point of most lessons ("3 tasks, all done after 3.00 s; one
after another they would take 6.00 s").

Why it is built this way:

* Object-oriented matplotlib only (``matplotlib.figure.Figure``, never ``pyplot``): no
  global figure registry, so nothing leaks, charts can be drawn from worker threads, and
  Jupyter shows a returned figure exactly once (pyplot-managed figures are shown a second
  time by the inline backend at the end of the cell).
* Each kind of bar is *one* ``PolyCollection`` (and each marker kind one ``Line2D``), built
  from numpy arrays: thousands of bars draw as fast as one.
* Above ``max_rows`` rows a per-task chart is unreadable and slow, so we switch to an
  aggregate view: tasks in flight over time, and a histogram of task durations. It is
  computed with numpy from two arrays and stays within a few seconds for 100,000 tasks.
* The course's style ships with the package (``aiolab/aiolab.mplstyle``) and is applied with
  ``matplotlib.style.context`` so that drawing a chart changes nothing globally.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
import matplotlib.style
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .messages import _, chart, fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import SubFigure

    from .timeline import Timeline

__all__ = ["plot", "plot_side_by_side", "STYLE_PATH", "GanttFigure"]

#: The course style, shipped as package data so an installed aiolab draws in it too. If the
#: file is missing (a broken install), charts fall back to matplotlib's defaults.
STYLE_PATH = Path(__file__).resolve().parent / "aiolab.mplstyle"

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies, and the
# bars differ in lightness too (light waiting, mid ready, dark running), so they survive
# greyscale; ready is hatched as well, so it does not depend on colour at all.
WAITING = "#CFE3F3"
WAITING_EDGE = "#A9CBE6"
READY = "#56B4E9"
READY_HATCH = "///"
RUNNING = "#0072B2"
THREAD = "#E69F00"
CANCELLED = "#4D4D4D"
FAILED = "#D55E00"
TIMED_OUT = "#CC79A7"
PENDING = "#000000"

BAR_HEIGHT = 0.62
#: A zero-length step (as every step is under virtual time) is drawn this fraction of the
#: x range wide, so it can be seen.
MIN_STEP_FRACTION = 0.004
#: Ready stretches shorter than this fraction of the x range (a few pixels) are not drawn,
#: nor named in the legend: the loop's ordinary fraction of a millisecond between queueing
#: a task and running it would only smear the chart.
MIN_READY_FRACTION = 0.005

# (gid, legend label, marker, colour, size): markers drawn at the end of a row.
MARKERS = {
    "cancelled": ("cancelled", "X", CANCELLED, 8),
    "failed": ("failed (exception)", "o", FAILED, 7),
    "timed_out": ("timed out", "s", TIMED_OUT, 7),
    "pending": ("still pending", ">", PENDING, 6),
}

_lock = threading.Lock()  # style.context swaps global rcParams: one chart at a time


@contextlib.contextmanager
def _style() -> Iterator[None]:
    with _lock:
        if STYLE_PATH.is_file():
            with matplotlib.style.context([str(STYLE_PATH), fonts()]):
                yield
        else:
            yield


class GanttFigure(Figure):
    """A Figure that also knows how to show itself in Jupyter without pyplot.

    IPython shows a figure returned as a cell's last expression through ``_repr_png_``
    when matplotlib's inline backend has not registered its own Figure formatter (and
    through that formatter when it has); either way there is exactly one image.
    """

    def __repr__(self) -> str:
        """What the chart shows, in words (its titles): Jupyter saves it as the image's
        plain-text alternative, which the handouts use as the image's alt text."""
        from matplotlib.axes import Axes

        texts = [self.get_suptitle()] if self.get_suptitle() else []
        for ax in self.findobj(Axes):
            texts += [t.replace("\n", ": ") for t in (ax.get_title(loc="left"), ax.get_title()) if t]
        return _("Chart: ") + " | ".join(dict.fromkeys(texts)) if texts else _("A chart")

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        with _style():
            self.savefig(buf, format="png")
        return buf.getvalue()


def _seconds(x: float) -> str:
    if abs(x) >= 1000:
        return f"{x:,.0f} s"
    if x == 0 or abs(x) >= 0.1:
        return f"{x:.2f} s"
    if abs(x) >= 1e-3:
        return f"{x * 1e3:.1f} ms"
    return f"{x * 1e6:.0f} µs"


def summary_title(tl: Timeline) -> str:
    """The chart's summary line, in words: ``3 tasks, all done after 3.00 s; one after
    another they would take 6.00 s``. The comparison is left out where it says nothing
    (one task, or tasks that never waited at the same time)."""
    n = len(tl)
    line = _("{n} task, all done after {elapsed}" if n == 1 else "{n} tasks, all done after {elapsed}",
             n=f"{n:,}", elapsed=_seconds(tl.elapsed))
    together = tl.total_task_time
    if n > 1 and together > tl.elapsed * 1.01 + 1e-9:
        line += _("; one after another they would take {together}", together=_seconds(together))
    return line


class _Columns:
    """The timeline as flat arrays (read from record slots directly: 100k rows)."""

    def __init__(self, tl: Timeline) -> None:
        recs = tl._records
        origin = tl._origin
        self.end = tl.end
        self.n = len(recs)
        self.records = recs
        until = self.end + origin
        self.created = np.fromiter((r._created for r in recs), float, self.n) - origin
        self.ended = np.fromiter(
            (until if r._ended is None else r._ended for r in recs), float, self.n) - origin
        self.pending = np.fromiter((r._ended is None for r in recs), bool, self.n)


def _rects(x0: np.ndarray, x1: np.ndarray, y: np.ndarray, height: float) -> np.ndarray:
    """(n, 4, 2) rectangle vertices for PolyCollection."""
    lo = y - height / 2
    hi = y + height / 2
    return np.stack([np.column_stack([x0, lo]), np.column_stack([x0, hi]),
                     np.column_stack([x1, hi]), np.column_stack([x1, lo])], axis=1)


def _draw_rows(ax: Axes, tl: Timeline, xlim: tuple[float, float] | None = None,
               legend_target: Figure | SubFigure | None = None) -> None:
    """The per-task chart on ``ax``."""
    cols = _Columns(tl)
    recs = cols.records
    n = cols.n
    y = np.arange(n, dtype=float)
    x_lo, x_hi = xlim if xlim is not None else (min(0.0, float(cols.created.min(initial=0))),
                                                max(cols.end, 1e-9))
    span = x_hi - x_lo if x_hi > x_lo else 1.0
    min_w = span * MIN_STEP_FRACTION

    waiting = PolyCollection(
        _rects(cols.created, np.maximum(cols.ended, cols.created + min_w), y, BAR_HEIGHT),
        facecolors=WAITING, edgecolors=WAITING_EDGE, linewidths=0.5, zorder=2)
    waiting.set_gid("waiting")
    ax.add_collection(waiting)

    origin = tl._origin
    run_x0: list[float] = []
    run_x1: list[float] = []
    run_y: list[float] = []
    thr_x0: list[float] = []
    thr_x1: list[float] = []
    thr_y: list[float] = []
    rdy_x0: list[float] = []
    rdy_x1: list[float] = []
    rdy_y: list[float] = []
    min_ready = span * MIN_READY_FRACTION
    for i, r in enumerate(recs):
        if r.kind == "thread":
            x0s, x1s, ys = thr_x0, thr_x1, thr_y
        else:
            x0s, x1s, ys = run_x0, run_x1, run_y
        st = r._steps
        for q, s, e in zip(st[0::4], st[1::4], st[2::4]):
            x0s.append(s - origin)
            x1s.append(e - origin)
            ys.append(i)
            if s - q >= min_ready:
                rdy_x0.append(q - origin)
                rdy_x1.append(s - origin)
                rdy_y.append(i)
    ready = PolyCollection(
        _rects(np.asarray(rdy_x0, float), np.asarray(rdy_x1, float),
               np.asarray(rdy_y, float), BAR_HEIGHT),
        facecolors=READY, edgecolors="none", hatch=READY_HATCH, hatchcolor=RUNNING,
        zorder=2.5)
    ready.set_gid("ready")
    ax.add_collection(ready)
    for gid, x0l, x1l, yl, colour in (("running", run_x0, run_x1, run_y, RUNNING),
                                      ("thread", thr_x0, thr_x1, thr_y, THREAD)):
        x0 = np.asarray(x0l, float)
        x1 = np.maximum(np.asarray(x1l, float), x0 + min_w)
        coll = PolyCollection(_rects(x0, x1, np.asarray(yl, float), BAR_HEIGHT),
                              facecolors=colour, edgecolors="none", zorder=3)
        coll.set_gid(gid)
        ax.add_collection(coll)

    handles: list[Any] = [
        Patch(facecolor=WAITING, edgecolor=WAITING_EDGE, label=_("waiting")),
    ]
    if rdy_x0:
        handles.append(Patch(facecolor=READY, edgecolor="none", hatch=READY_HATCH,
                             hatchcolor=RUNNING, label=_("ready, queued for the loop")))
    handles.append(Patch(facecolor=RUNNING, label=_("running on the loop")))
    if thr_x0:
        handles.append(Patch(facecolor=THREAD, label=_("running in a thread")))

    groups: dict[str, list[int]] = {k: [] for k in MARKERS}
    for i, r in enumerate(recs):
        if r.outcome == "cancelled":
            groups["cancelled"].append(i)
        elif r.timed_out:
            groups["timed_out"].append(i)
        elif r.outcome == "exception":
            groups["failed"].append(i)
        elif r.outcome == "pending":
            groups["pending"].append(i)
    for gid, rows in groups.items():
        if not rows:
            continue
        label, marker, colour, size = MARKERS[gid]
        idx = np.asarray(rows)
        line = Line2D(cols.ended[idx], y[idx], linestyle="none", marker=marker,
                      markersize=size, color=colour, markeredgecolor="white",
                      markeredgewidth=0.6, zorder=4, label=_(label), clip_on=False)
        line.set_gid(gid)
        ax.add_line(line)
        handles.append(line)

    ax.set_xlim(x_lo - span * 0.01, x_hi + span * 0.03)
    ax.set_ylim(n - 0.5, -0.5)  # first row on top
    fontsize = 9 if n <= 40 else max(4.0, 9 - (n - 40) / 30)
    ax.set_yticks(y, [r.label for r in recs], fontsize=fontsize)
    ax.set_xlabel(_("virtual time (s)" if tl.virtual else "time (s)"))
    ax.grid(True, axis="x")
    ax.grid(False, axis="y")
    if legend_target is not None:
        legend_target.legend(handles=handles, loc="outside lower center",
                             ncols=min(len(handles), 6))


def _in_flight(cols: _Columns) -> tuple[np.ndarray, np.ndarray]:
    """Event times and the number of tasks alive (created, not ended) just after each."""
    times = np.concatenate([cols.created, cols.ended])
    deltas = np.concatenate([np.ones(cols.n, np.int64), -np.ones(cols.n, np.int64)])
    order = np.lexsort((deltas, times))  # at equal times, ends before starts
    times = times[order]
    counts = np.cumsum(deltas[order])
    # Keep the count after the last event at each distinct time.
    last = np.r_[times[1:] != times[:-1], True]
    return times[last], counts[last]


def _envelope(times: np.ndarray, counts: np.ndarray, x_lo: float, x_hi: float,
              bins: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a step function to ``bins`` steps keeping each bin's maximum.

    100,000 tasks make 200,000 steps, far more than the pixels across a chart, and
    matplotlib would spend seconds on them; the per-bin maximum keeps every peak visible.
    """
    if len(times) <= 2 * bins or x_hi <= x_lo:
        return times, counts
    edges = np.linspace(x_lo, x_hi, bins + 1)
    # The count in force at each bin's start, then the highest count reached inside it.
    at_start = np.searchsorted(times, edges[:-1], side="right") - 1
    env = np.where(at_start >= 0, counts[np.maximum(at_start, 0)], 0)
    which = np.clip(np.searchsorted(edges, times, side="right") - 1, 0, bins - 1)
    np.maximum.at(env, which, counts)
    return edges[:-1], env


def _draw_aggregate(ax_flight: Axes, ax_hist: Axes, tl: Timeline,
                    xlim: tuple[float, float] | None = None) -> None:
    cols = _Columns(tl)
    times, counts = _in_flight(cols)
    x_lo = xlim[0] if xlim is not None else min(0.0, float(cols.created.min(initial=0)))
    x_hi = xlim[1] if xlim is not None else max(cols.end, 1e-9)
    xs, ys = _envelope(times, counts, x_lo, x_hi)
    # Close the step function at the right edge, then draw it as a line (fast to render).
    xs = np.r_[xs, max(x_hi, float(xs[-1]) if len(xs) else x_hi)]
    ys = np.r_[ys, ys[-1] if len(ys) else 0]
    ax_flight.fill_between(xs, ys, step="post", color=WAITING, linewidth=0,
                           gid="in_flight_fill")
    ax_flight.plot(xs, ys, drawstyle="steps-post", color=RUNNING, linewidth=1.2,
                   gid="in_flight")
    ax_flight.set_ylim(0, max(1, int(counts.max(initial=0))) * 1.08)
    ax_flight.set_xlim(x_lo, x_hi + (x_hi - x_lo) * 0.02)
    ax_flight.set_ylabel(_("tasks in flight"))
    ax_flight.set_xlabel(_("virtual time (s)" if tl.virtual else "time (s)"))
    ax_flight.grid(True, axis="y")

    done = ~cols.pending
    durations = (cols.ended - cols.created)[done]
    if durations.size:
        lo, hi = float(durations.min()), float(durations.max())
        bins = 50 if hi > lo else 1
        hist, bin_edges = np.histogram(durations, bins=bins,
                                       range=(lo, hi) if hi > lo else (lo - 0.5, lo + 0.5))
        # stairs() is fine here: 50 bins (its cost grows with the number of steps).
        ax_hist.stairs(hist, bin_edges, fill=True, color=RUNNING, gid="durations")
    ax_hist.set_xlabel(_("task duration (s)"))
    ax_hist.set_ylabel(_("tasks"))
    ax_hist.grid(True, axis="y")

    outcomes: dict[str, int] = {}
    for r in cols.records:
        key = "timed out" if r.timed_out else ("failed" if r.outcome == "exception"
                                               else r.outcome)
        outcomes[key] = outcomes.get(key, 0) + 1
    text = ", ".join(f"{v:,} {_(k)}" for k, v in sorted(outcomes.items(), key=lambda kv: -kv[1]))
    ax_hist.set_title(_("{n} rows: {outcomes}", n=f"{cols.n:,}", outcomes=text), fontsize=9, loc="left")


def _height(n: int) -> float:
    return min(16.0, 1.5 + 0.3 * min(n, 30) + 0.08 * max(0, n - 30))


def plot(tl: Timeline, *, max_rows: int = 200, title: str | None = None,
         figsize: tuple[float, float] | None = None,
         xlim: tuple[float, float] | None = None) -> GanttFigure:
    """Draw ``tl`` as a Gantt chart and return the Figure (shown by Jupyter when it is the
    last expression of a cell; ``fig.savefig("chart.png")`` to keep it).

    :param max_rows: above this many rows draw the aggregate view (tasks in flight over
        time and a histogram of durations) instead of one row per task.
    :param title: shown above the summary line.
    :param xlim: fix the time axis, e.g. to compare several charts.
    """
    with _style():
        aggregate = len(tl) > max_rows
        if figsize is None:
            figsize = (9.0, 5.5) if aggregate else (9.0, _height(len(tl)))
        fig = GanttFigure(figsize=figsize, layout="constrained")
        _fill(fig, tl, aggregate=aggregate, title=title, xlim=xlim)
    return fig


def _fill(fig: Figure | SubFigure, tl: Timeline, *, aggregate: bool, title: str | None,
          xlim: tuple[float, float] | None) -> list[Axes]:
    heading = summary_title(tl) if title is None else f"{chart(title)}\n{summary_title(tl)}"
    if aggregate:
        ax_flight, ax_hist = fig.subplots(2, 1, height_ratios=(3, 2))
        _draw_aggregate(ax_flight, ax_hist, tl, xlim)
        ax_flight.set_title(heading, loc="left")
        return [ax_flight, ax_hist]
    ax = fig.subplots()
    if len(tl) == 0:
        ax.text(0.5, 0.5, "no tasks were recorded\n(awaits written directly in an "
                "`async with Timeline()` block are not tasks:\nuse "
                "`result, tl = await aiolab.record(main())`)", ha="center", va="center",
                transform=ax.transAxes, color="#666666")
        ax.set_yticks([])
    else:
        _draw_rows(ax, tl, xlim, legend_target=fig)
    ax.set_title(heading, loc="left")
    return [ax]


def plot_side_by_side(top: Timeline, bottom: Timeline, *,
                      titles: Sequence[str] = ("first", "second"), max_rows: int = 200,
                      figsize: tuple[float, float] | None = None) -> GanttFigure:
    """Two timelines one above the other, on the same time scale, so their lengths compare
    at a glance: a lesson's before and after, or a grader's learner's run above the
    expected one."""
    timelines = (top, bottom)
    if len(titles) != 2:
        raise ValueError("titles must name the two timelines")
    x_hi = max(max(tl.end for tl in timelines), 1e-9)
    x_lo = min(0.0, *(tl.start_time for tl in timelines))
    aggregate = [len(tl) > max_rows for tl in timelines]
    heights = [5.0 if agg else _height(len(tl)) for tl, agg in zip(timelines, aggregate)]
    with _style():
        fig = GanttFigure(figsize=figsize or (9.0, min(24.0, sum(heights))),
                          layout="constrained")
        subfigs = fig.subfigures(2, 1, height_ratios=heights)
        for sub, tl, title, agg in zip(subfigs, timelines, titles, aggregate):
            _fill(sub, tl, aggregate=agg, title=title, xlim=(x_lo, x_hi))
    return fig
