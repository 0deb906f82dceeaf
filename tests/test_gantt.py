"""Gantt charts: checked by the structure of the figure (rows, segments, markers, axes),
never by pixels."""

from __future__ import annotations

import asyncio
import sys
from collections import Counter

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("numpy")

import numpy as np  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import aiolab  # noqa: E402
from aiolab import Timeline, plot_side_by_side, run_virtual  # noqa: E402
from aiolab import gantt  # noqa: E402


async def sleeper(delay: float, fail: bool = False) -> float:
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(delay)
    return delay


async def slow() -> None:
    async with asyncio.timeout(1.5):
        await asyncio.sleep(5)


async def lesson() -> None:
    victim = asyncio.create_task(sleeper(10), name="victim")
    await aiolab.to_thread("hash", sum, range(1000))
    await asyncio.gather(
        asyncio.create_task(sleeper(1), name="one"),
        asyncio.create_task(sleeper(2), name="two"),
        asyncio.create_task(sleeper(0.5, fail=True), name="fails"),
        asyncio.create_task(slow(), name="times out"),
        return_exceptions=True,
    )
    victim.cancel()
    await asyncio.sleep(1)


@pytest.fixture(scope="module")
def timeline() -> Timeline:
    return run_virtual(lesson)[1]


def collection(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) == 1, f"expected one {gid!r} collection"
    return found[0]


def rows_of(coll) -> Counter[int]:
    """How many rectangles the collection draws on each row (y is the row index)."""
    return Counter(int(round(p.vertices[:, 1].mean())) for p in coll.get_paths())


def marker(ax, gid):
    found = [line for line in ax.lines if line.get_gid() == gid]
    return found[0] if found else None


def test_one_row_per_task_in_creation_order(timeline):
    fig = timeline.plot()
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["main", "victim", "hash", "one", "two", "fails", "times out"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]  # first row drawn on top


def test_segments_per_row(timeline):
    (ax,) = timeline.plot().axes
    running = rows_of(collection(ax, "running"))
    steps = {i: r.n_steps for i, r in enumerate(timeline.tasks) if r.kind != "thread"}
    assert running == steps
    assert rows_of(collection(ax, "thread")) == {2: 1}  # the thread row, in its colour
    waiting = rows_of(collection(ax, "waiting"))
    assert waiting == {i: 1 for i in range(len(timeline.tasks))}


def test_zero_length_steps_stay_visible(timeline):
    (ax,) = timeline.plot().axes
    widths = [np.ptp(p.vertices[:, 0]) for p in collection(ax, "running").get_paths()]
    assert min(widths) > 0  # virtual time: every step is instantaneous, yet drawn


def test_markers_for_cancelled_failed_and_timed_out(timeline):
    (ax,) = timeline.plot().axes
    found = {}
    for gid in ("cancelled", "failed", "timed_out", "pending"):
        line = marker(ax, gid)
        found[gid] = None if line is None else (list(line.get_xdata()),
                                                list(line.get_ydata()))
    assert found == {
        "cancelled": ([2.0], [1.0]),  # victim, cancelled at t = 2
        "failed": ([0.5], [5.0]),
        "timed_out": ([1.5], [6.0]),
        "pending": None,
    }
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert legend == ["waiting", "running on the loop", "running in a thread", "cancelled",
                      "failed (exception)", "timed out"]


def test_title_compares_elapsed_with_one_after_another():
    async def main():
        await asyncio.gather(sleeper(1), sleeper(2), sleeper(3))

    _, tl = run_virtual(main)
    (ax,) = tl.plot().axes
    said = "4 tasks, all done after 3.00 s; one after another they would take 6.00 s"
    assert ax.get_title(loc="left") == said
    (ax,) = tl.plot(title="gather").axes
    assert ax.get_title(loc="left").splitlines() == ["gather", said]
    assert ax.get_xlabel() == "virtual time (s)"


def test_the_title_leaves_out_a_comparison_that_says_nothing():
    async def main():
        await sleeper(1)
        await sleeper(2)

    _, tl = run_virtual(main)
    (ax,) = tl.plot().axes
    assert ax.get_title(loc="left") == "1 task, all done after 3.00 s"

    async def in_turn():
        await asyncio.create_task(sleeper(1))
        await asyncio.create_task(sleeper(2))

    _, tl = run_virtual(in_turn)
    (ax,) = tl.plot().axes
    assert ax.get_title(loc="left") == "3 tasks, all done after 3.00 s"


def test_aggregate_view_above_max_rows():
    async def main():
        await asyncio.gather(*(sleeper(1 + i % 7) for i in range(300)))

    _, tl = run_virtual(main)
    fig = tl.plot()
    flight, hist = fig.axes
    assert flight.get_ylabel() == "tasks in flight"
    line = next(line for line in flight.lines if line.get_gid() == "in_flight")
    assert max(line.get_ydata()) == 301  # main + 300
    assert hist.get_xlabel() == "task duration (s)"
    assert "301 rows" in hist.get_title(loc="left")
    assert len(tl.plot(max_rows=1000).axes) == 1  # the threshold is a parameter


def test_in_flight_counts():
    async def main():
        a = asyncio.create_task(sleeper(2))
        await asyncio.sleep(1)
        await asyncio.gather(a, sleeper(3))

    _, tl = run_virtual(main)
    times, counts = gantt._in_flight(gantt._Columns(tl))
    assert list(zip(times.tolist(), counts.tolist())) == [(0.0, 2), (1.0, 3), (2.0, 2),
                                                          (4.0, 0)]


def test_side_by_side_shares_the_time_scale():
    async def fast():
        await asyncio.gather(sleeper(1), sleeper(2))

    async def slow_one():
        await sleeper(1)
        await sleeper(2)

    expected, actual = run_virtual(fast)[1], run_virtual(slow_one)[1]
    fig = plot_side_by_side(expected, actual, titles=("expected", "yours"))
    top, bottom = fig.axes
    assert top.get_xlim() == bottom.get_xlim()
    assert top.get_xlim()[1] >= 3.0
    assert top.get_title(loc="left").startswith("expected") and bottom.get_title(loc="left").startswith("yours")
    assert [t.get_text() for t in bottom.get_yticklabels()] == ["main"]


def test_figure_renders_png_for_jupyter(timeline):
    png = timeline.plot()._repr_png_()
    assert png.startswith(b"\x89PNG")


def test_jupyter_shows_a_returned_figure_as_one_image(timeline):
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(timeline.plot())
    assert set(data) == {"text/plain", "image/png"}
    assert data["image/png"].startswith(b"\x89PNG")


def test_no_pyplot_and_no_leaked_figures(timeline):
    timeline.plot()
    plot_side_by_side(timeline, timeline)
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


def test_style_is_the_course_style_and_optional(timeline, monkeypatch):
    assert gantt.STYLE_PATH.is_file()
    (ax,) = timeline.plot().axes
    assert not ax.spines["top"].get_visible()  # from aiolab/aiolab.mplstyle
    monkeypatch.setattr(gantt, "STYLE_PATH", gantt.STYLE_PATH.with_name("missing.mplstyle"))
    (ax,) = timeline.plot().axes  # the style file missing: matplotlib's defaults
    assert ax.spines["top"].get_visible()


def test_real_time_chart_and_empty_timeline():
    async def main():
        async with Timeline() as tl:
            await asyncio.gather(sleeper(0.01), sleeper(0.02))
        async with Timeline() as empty:
            pass
        return tl, empty

    tl, empty = asyncio.run(main())
    (ax,) = tl.plot().axes
    assert ax.get_xlabel() == "time (s)" and len(ax.get_yticklabels()) == 2
    (ax,) = empty.plot().axes
    assert ax.get_title(loc="left") == "0 tasks, all done after 0.00 s"
