"""The Chinese edition in a real browser: `make lab EDITION=zh`, Debian's Chromium driven by
Playwright. JupyterLab's own menus are in Chinese (the language pack), lesson 00 runs to its
last cell with Run All chosen from the Chinese menu, and its Gantt charts are drawn in
Chinese (their saved text says 图表：). Screenshots go to build/browser-zh/.
Run with `make test-browser` (marked browser, like tests/test_browser.py)."""

from __future__ import annotations

import re
import shutil

import pytest
from test_browser import (CHROMIUM, CHROMIUM_ARGS, ROOT, _wait_for_saved_run, pytestmark,  # noqa: F401
                          started_lab, take_kernel_dialog)

SHOTS = ROOT / "build" / "browser-zh"
LESSON = "00-start-here/start-here.ipynb"


@pytest.fixture(scope="module")
def lab_zh(tmp_path_factory):
    with started_lab(tmp_path_factory, "EDITION=zh") as started:
        yield started


def test_a_chinese_lesson_runs_in_a_chinese_jupyterlab_with_chinese_charts(lab_zh):
    import nbformat
    from playwright.sync_api import expect, sync_playwright

    base, token, workspace = lab_zh
    assert (workspace / LESSON).is_file() and (workspace / "contents.ipynb").is_file()
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/lab/tree/{LESSON}?token={token}")
        expect(page.locator(".jp-Notebook:visible").first).to_be_visible()
        take_kernel_dialog(page)
        expect(page.locator(".jp-RenderedMarkdown h1:visible", has_text="从这里开始").first).to_be_visible()
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(
            timeout=90_000)
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "文件" in menus and "运行" in menus, f"JupyterLab's menus are not in Chinese: {menus}"

        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^运行$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^运行所有单元格$")).click()
        charts = page.locator(".jp-OutputArea-output img")
        expect(charts.first).to_be_visible(timeout=120_000)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(
            timeout=180_000)
        page.keyboard.press("Control+s")
        ran = _wait_for_saved_run(workspace / LESSON)
        assert ran["unrun"] == [], f"cells Run All never reached: {ran['unrun']}"
        charts.first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "lesson-00-zh.png"))
        charts.first.screenshot(path=str(SHOTS / "gantt-chart-zh.png"))
        browser.close()
    saved = nbformat.read(workspace / LESSON, as_version=4)
    alts = [o["data"]["text/plain"] for c in saved.cells for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]
    assert alts and all(a.startswith("图表：") for a in alts), alts
    assert any("个任务，全部在" in a for a in alts), alts
