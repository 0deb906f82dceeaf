"""The course in a real browser: `make lab`, Debian's Chromium driven by Playwright.

Opens the learner's edition of the gather-and-wait lesson in JupyterLab, runs every cell,
waits for the Gantt charts to render, presses nbgrader's Validate button and reads its
verdict (the blank exercises must be reported as failing). Screenshots go to build/browser/.
Run with `make test-browser` (not part of `make test`: it needs Chromium and takes a minute).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "browser"
LESSON = "05-gather-and-wait/gather-and-wait.ipynb"
CHROMIUM = "/usr/bin/chromium"
# This machine's network is closed: without these, Chromium keeps trying to reach Google.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make chromium)"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab started exactly as `make lab` starts it, on a free port, on a fresh workspace."""
    workspace = tmp_path_factory.mktemp("workspace")
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path_factory.mktemp("log") / "lab.log", "w+")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", f"WORKSPACE={workspace}",
         f"LAB_ARGS=--no-browser --port {port} --ip 127.0.0.1 --ServerApp.token={token}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"JupyterLab did not start:\n{log.read()[-3000:]}")
            time.sleep(0.5)
    yield base, token, workspace
    os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
    log.close()


def test_lesson_runs_charts_render_and_validate_reports_blank_exercises(lab):
    from playwright.sync_api import expect, sync_playwright

    base, token, workspace = lab
    assert (workspace / LESSON).is_file(), "make lab must lay out the learner's edition"
    if SHOTS.exists():
        shutil.rmtree(SHOTS)
    SHOTS.mkdir(parents=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/lab/tree/{LESSON}?token={token}")

        # The kernel: the notebook's toolbar names it and reports it idle.
        expect(page.locator(".jp-Notebook").first).to_be_visible()
        expect(page.get_by_text("Python 3 (asyncio course)").first).to_be_visible()
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first).to_be_visible(timeout=90_000)

        # Run ▸ Run All Cells, from the menu as a learner would.
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

        # The Gantt charts are images in the outputs; wait until they are drawn.
        charts = page.locator(".jp-OutputArea-output img")
        expect(charts.nth(3)).to_be_visible(timeout=120_000)
        page.screenshot(path=str(SHOTS / "lesson-running.png"))
        charts.first.scroll_into_view_if_needed()
        charts.first.screenshot(path=str(SHOTS / "gantt-chart.png"))
        natural = charts.first.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert natural[0] > 200 and natural[1] > 100, f"the chart image did not load: {natural}"

        # nbgrader's Validate button, in the notebook toolbar.
        validate = page.get_by_role("button", name=re.compile("Validate", re.I)).first
        expect(validate).to_be_visible()
        validate.click()
        dialog = page.locator(".jp-Dialog")
        expect(dialog).to_be_visible(timeout=180_000)
        expect(dialog).to_contain_text(re.compile(r"fail|NotImplementedError", re.I), timeout=180_000)
        text = dialog.inner_text()
        page.screenshot(path=str(SHOTS / "validate.png"))
        browser.close()
    assert "NotImplementedError" in text or "failed" in text.lower(), text[:2000]
    assert "Success" not in text
