"""aiolab's chart text in the edition's language (aiolab.messages): English unless
AIOLAB_LANGUAGE says zh, when every label, legend entry and summary line is Chinese and is
drawn with Noto Sans CJK SC, with no missing-glyph boxes."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import warnings

import pytest

pytest.importorskip("matplotlib")

import aiolab  # noqa: E402
from aiolab import messages, run_virtual  # noqa: E402


async def sleeper(delay: float, fail: bool = False) -> float:
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(delay)
    return delay


async def lesson() -> None:
    victim = asyncio.create_task(sleeper(10), name="victim")
    await aiolab.to_thread("hash", sum, range(1000))
    await asyncio.gather(sleeper(1), sleeper(2), sleeper(0.5, fail=True), return_exceptions=True)
    victim.cancel()
    await asyncio.sleep(1)


def _cjk_font() -> bool:
    return bool(shutil.which("fc-list")) and "Noto Sans CJK SC" in subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout


def _texts(fig) -> list[str]:
    ax = fig.axes[0]
    return [ax.get_title(loc="left"), ax.get_xlabel(), *(t.get_text() for t in fig.legends[0].get_texts())]


def _png_warnings(fig) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig._repr_png_()
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_english_unless_the_edition_says_otherwise(monkeypatch):
    monkeypatch.delenv(messages.VARIABLE, raising=False)
    assert messages.language() == "en" and messages._("waiting") == "waiting" and messages.fonts() == {}
    monkeypatch.setenv(messages.VARIABLE, "fr")
    assert messages.language() == "en"
    fig = run_virtual(lesson)[1].plot()
    assert _texts(fig)[:3] == ["6 tasks, all done after 3.00 s; one after another they would take 6.50 s",
                               "virtual time (s)", "waiting"]


def test_every_message_has_its_chinese_and_its_fields():
    zh = messages.CATALOGUE["zh"]
    for english, chinese in zh.items():
        assert chinese and chinese != english
        assert sorted(f for f in ("{n}", "{elapsed}", "{together}", "{outcomes}") if f in english) == \
            sorted(f for f in ("{n}", "{elapsed}", "{together}", "{outcomes}") if f in chinese), english


def test_the_chinese_chart_says_everything_in_chinese(monkeypatch):
    monkeypatch.setenv(messages.VARIABLE, "zh")
    fig = run_virtual(lesson)[1].plot()
    texts = _texts(fig)
    assert texts == ["6 个任务，全部在 3.00 s 时完成；依次运行则需要 6.50 s", "虚拟时间（秒）",
                     "等待", "在事件循环上运行", "在线程中运行", "已取消", "失败（异常）"]
    assert repr(fig).startswith("图表：6 个任务")


@pytest.mark.skipif(not _cjk_font(), reason="Debian's fonts-noto-cjk is not installed (make chromium installs it)")
def test_the_chinese_chart_has_no_missing_glyphs(monkeypatch):
    monkeypatch.setenv(messages.VARIABLE, "zh")
    fig = run_virtual(lesson)[1].plot()
    assert _png_warnings(fig) == []
    # The same chart without the CJK font does show boxes: the check can fail.
    monkeypatch.setattr(messages, "FONTS", {})
    assert _png_warnings(run_virtual(lesson)[1].plot())
