"""What aiolab's charts say, in the language of the course's edition: one message catalogue.

The language is the environment variable ``AIOLAB_LANGUAGE`` (``make lab EDITION=zh`` sets
it to ``zh`` for the Chinese lab, so every kernel it starts has it); unset, or a language
the catalogue does not have, means English. A message is looked up by its English text,
which is also what English shows, so the English charts are exactly as they were.
Chinese text is drawn with Debian's Noto Sans CJK SC (``fonts-noto-cjk``), which
:func:`fonts` adds after the course's own font for that language only.
"""

from __future__ import annotations

import os

VARIABLE = "AIOLAB_LANGUAGE"

CATALOGUE: dict[str, dict[str, str]] = {
    "zh": {
        "waiting": "等待",
        "ready, queued for the loop": "就绪，排队等待事件循环",
        "running on the loop": "在事件循环上运行",
        "running in a thread": "在线程中运行",
        "cancelled": "已取消",
        "failed (exception)": "失败（异常）",
        "failed": "失败",
        "timed out": "超时",
        "still pending": "仍未完成",
        "pending": "未完成",
        "result": "正常返回",
        "virtual time (s)": "虚拟时间（秒）",
        "time (s)": "时间（秒）",
        "task duration (s)": "任务耗时（秒）",
        "tasks in flight": "进行中的任务",
        "tasks": "任务数",
        "{n} task, all done after {elapsed}": "{n} 个任务，全部在 {elapsed} 时完成",
        "{n} tasks, all done after {elapsed}": "{n} 个任务，全部在 {elapsed} 时完成",
        "; one after another they would take {together}": "；依次运行则需要 {together}",
        "{n} rows: {outcomes}": "{n} 行：{outcomes}",
        "Chart: ": "图表：",
        "A chart": "一张图表",
    },
}

#: The fonts a language's text needs after the course's own (matplotlib falls back glyph by
#: glyph), each with the start of its files' names (Debian: /usr/share/fonts/opentype/noto/).
FONTS = {"zh": {"Noto Sans CJK SC": "NotoSansCJK"}}


def language() -> str:
    chosen = os.environ.get(VARIABLE, "").strip().lower()
    return chosen if chosen in CATALOGUE else "en"


def _(message: str, **fields: object) -> str:
    """``message`` in the edition's language, with ``fields`` filled in."""
    text = CATALOGUE.get(language(), {}).get(message, message)
    return text.format(**fields) if fields else text


def _known(family: str, files: str) -> bool:
    """Whether matplotlib knows ``family``; a font installed after matplotlib cached its
    list of fonts (make chromium installs the CJK fonts) is added from the system's fonts."""
    from matplotlib import font_manager

    def known() -> bool:
        return any(f.name == family for f in font_manager.fontManager.ttflist)

    if not known():
        for path in font_manager.findSystemFonts():
            if os.path.basename(path).startswith(files):
                font_manager.fontManager.addfont(path)
    return known()


def fonts() -> dict[str, object]:
    """matplotlib settings for the language's text (nothing for English, or when its fonts
    are not installed: then matplotlib warns of every missing glyph)."""
    extra = [family for family, files in FONTS.get(language(), {}).items() if _known(family, files)]
    return {"font.family": ["DejaVu Sans", *extra]} if extra else {}
