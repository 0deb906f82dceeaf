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
    # What is drawn, not how long a step took: no real-time check of blocking steps here
    # (on a machine loaded by a second suite, starting the thread took 0.051 s, over 0.05).
    return run_virtual(lesson, blocking_threshold=None)[1]


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
    assert rows_of(collection(ax, "ready")) == {}  # virtual time: never ready


def blocked_timeline() -> Timeline:
    """A run rebuilt from records: "hog" blocks the loop from 0.1 to 0.5 s while "ticker"
    (due at 0.15) and "queued" (created at 0.1) are ready behind it; "idle" waits, ready
    for 0.1 ms only (too short to draw)."""
    def row(index, name, created, ended, steps, ready):
        return {"index": index, "name": name, "kind": "task", "created": created,
                "ended": ended, "outcome": "result", "steps": steps, "ready": ready}

    return Timeline.from_records([
        row(0, "hog", 0.0, 0.5, [[0.0, 0.0], [0.1, 0.5]], [[0.0, 0.0], [0.1, 0.1]]),
        row(1, "ticker", 0.0, 0.6, [[0.0, 0.0], [0.5, 0.5], [0.6, 0.6]],
            [[0.0, 0.0], [0.15, 0.5], [0.6, 0.6]]),
        row(2, "queued", 0.1, 0.5, [[0.5, 0.5]], [[0.1, 0.5]]),
        row(3, "idle", 0.0, 0.6, [[0.0, 0.0], [0.6001, 0.6001]], [[0.0, 0.0], [0.6, 0.6001]]),
    ], stopped_at=0.6, virtual=False)


def test_ready_is_a_third_hatched_shade_named_in_the_legend():
    tl = blocked_timeline()
    (ax,) = tl.plot().axes
    ready = collection(ax, "ready")
    assert rows_of(ready) == {1: 1, 2: 1}  # ticker and queued, behind the hog
    spans = sorted((round(p.vertices[:, 0].min(), 6), round(p.vertices[:, 0].max(), 6))
                   for p in ready.get_paths())
    assert spans == [(0.1, 0.5), (0.15, 0.5)]
    assert ready.get_hatch() == gantt.READY_HATCH
    assert collection(ax, "waiting").get_zorder() < ready.get_zorder() \
        < collection(ax, "running").get_zorder()
    legend = [t.get_text() for t in ax.figure.legends[0].get_texts()]
    assert legend == ["waiting", "ready, queued for the loop", "running on the loop"]
    assert ax.get_title(loc="left").startswith("4 tasks, all done after 0.60 s")
    assert repr(ax.figure).startswith("Chart: 4 tasks, all done after 0.60 s")


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


#: Machado, Oliveira & Fernandes (2009), severity 1: linear-RGB simulations of the three
#: common colour-vision deficiencies.
CVD = {
    "protanopia": [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
    "deuteranopia": [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]],
    "tritanopia": [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]],
}


def _lab(colour: str, matrix) -> np.ndarray:
    """CIELAB of an sRGB hex colour as seen through ``matrix`` (a CVD simulation)."""
    rgb = np.array([int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) \
        @ np.clip(np.asarray(matrix) @ linear, 0, 1) / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_the_charts_colours_stay_apart_with_every_common_colour_vision_deficiency():
    """Every pair of the chart's colours differs by a colour difference (CIE76 ΔE) of at
    least 15 for normal vision and as simulated for protanopia, deuteranopia and tritanopia
    (about 2.3 is a just-noticeable difference); and waiting, ready and running step down
    in lightness, so they survive greyscale printing (ready is hatched besides)."""
    import itertools

    colours = {name: getattr(gantt, name) for name in
               ("WAITING", "READY", "RUNNING", "THREAD", "CANCELLED", "FAILED", "TIMED_OUT",
                "PENDING")}
    for vision, matrix in {"normal": np.eye(3), **CVD}.items():
        for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
            delta = np.linalg.norm(_lab(ca, matrix) - _lab(cb, matrix))
            assert delta >= 15, f"{a} and {b} look alike with {vision}: ΔE {delta:.1f}"
    lightness = [_lab(getattr(gantt, name), np.eye(3))[0] for name in ("WAITING", "READY", "RUNNING")]
    assert lightness[0] - lightness[1] > 15 and lightness[1] - lightness[2] > 15
    # The check can fail: two close blues are caught.
    assert np.linalg.norm(_lab("#0072B2", CVD["deuteranopia"]) - _lab("#1A6FB0", CVD["deuteranopia"])) < 15
