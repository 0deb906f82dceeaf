"""The course in a real browser: `make lab`, Debian's Chromium driven by Playwright.

Opens the learner's edition of the gather-and-wait lesson in JupyterLab, runs every cell
(Run All goes on past the blank exercises to the last cell), waits for the Gantt charts to
render, looks at one in the dark theme, presses nbgrader's Validate button and reads its
verdict (the blank exercises must be reported as failing); the learner's lab offers one
kernel and no instructor tools; the contents page shows progress. Screenshots go to
build/browser/.
Run with `make test-browser` (not part of `make test`: it needs Chromium and takes a minute).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import nbcheck

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


@contextlib.contextmanager
def started_lab(tmp_path_factory, *make_args: str):
    """JupyterLab started exactly as `make lab <make_args>` starts it, on a free port, on a
    fresh workspace; stopped afterwards."""
    workspace = tmp_path_factory.mktemp("workspace")
    port, token = free_port(), secrets.token_hex(16)
    log = open(tmp_path_factory.mktemp("log") / "lab.log", "w+")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "lab", *make_args, f"WORKSPACE={workspace}",
         f"LAB_ARGS=--no-browser --port {port} --ip 127.0.0.1 --ServerApp.token={token}"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    try:
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
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
        log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with started_lab(tmp_path_factory) as started:
        yield started


def _wait_for_saved_run(path: Path, timeout: float = 60) -> dict[str, list]:
    """The saved notebook's code cells that never ran, and its graded test cells (all, and
    those with an error), once a save with outputs has reached the disk."""
    import nbformat

    deadline = time.monotonic() + timeout
    while True:
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:       # noqa: BLE001 - caught mid-write: read again
            nb = None
        if nb is not None and any(c.get("outputs") for c in nb.cells) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    if nb is None:
        return {"unrun": ["the notebook could not be read"], "graded": [], "failed": []}
    graded = nbcheck.graded_test_cells(nb)
    return {"unrun": nbcheck.unrun(nb), "graded": [grade_id for grade_id, _ in graded],
            "failed": [grade_id for grade_id, cell in graded if nbcheck.failed(cell)]}


def take_kernel_dialog(page, wait_ms: int = 10_000) -> bool:
    """Answer JupyterLab's "Select Kernel" dialog if it comes, and say whether it came.

    A notebook opened beside another (the lab reopens contents.ipynb and lesson 00 from its
    workspace) may be asked for a kernel instead of starting one, with the course's
    preselected, the only one offered. Left open, the dialog swallows Run All: no cell runs.
    Whether it comes is a race inside JupyterLab, so the test waits a few seconds for it."""
    select = page.locator(".jp-Dialog button", has_text=re.compile(r"^(Select|选择)$"))   # en, zh
    try:
        select.wait_for(timeout=wait_ms)
    except Exception:       # noqa: BLE001 - no dialog: the kernel started by itself
        return False
    select.click()
    return True


def test_the_learners_lab_offers_the_course_kernel_and_no_instructor_tools(lab):
    """Self-study needs Validate; formgrader and the course and assignment lists (which
    report errors without an nbgrader exchange) are the instructor's."""
    import json

    base, token, _ = lab
    with urllib.request.urlopen(f"{base}/api/kernelspecs?token={token}", timeout=10) as r:
        specs = json.load(r)
    assert list(specs["kernelspecs"]) == ["asyncio-course"] and specs["default"] == "asyncio-course"
    for path in ("/formgrader", "/courses"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(f"{base}{path}?token={token}", timeout=10)
        assert err.value.code == 404, path
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=10) as r:
        page = r.read().decode()
    for plugin in ("menu", "assignment-list", "course-list", "create-assignment", "formgrader"):
        assert f'"@jupyter/nbgrader:{plugin}"' in page, plugin
    assert '"@jupyter/nbgrader:validate-assignment"' not in page.split('"disabledExtensions"')[1].split("]")[0]


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
        expect(page.locator(".jp-Notebook:visible").first).to_be_visible()
        take_kernel_dialog(page)
        expect(page.locator(".jp-Toolbar:visible", has_text="Python 3 (asyncio course)").first).to_be_visible(
            timeout=90_000)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(timeout=90_000)

        # Run ▸ Run All Cells, from the menu as a learner would.
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()

        # The Gantt charts are images in the outputs; wait until they are drawn.
        charts = page.locator(".jp-OutputArea-output img")
        expect(charts.nth(3)).to_be_visible(timeout=120_000)

        # Run All went on past the blank exercises to the last cell: once the kernel is
        # idle again, save, and read what ran from the file.
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(
            timeout=180_000)
        page.keyboard.press("Control+s")
        ran = _wait_for_saved_run(workspace / LESSON)
        assert ran["unrun"] == [], f"cells Run All never reached: {ran['unrun']}"
        assert ran["graded"] and ran["graded"] == ran["failed"], ran

        # The learner's lab has no instructor tools and nothing that reports errors.
        menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
        assert "Nbgrader" not in menus, menus
        assert page.get_by_text("Error fetching courses").count() == 0
        page.screenshot(path=str(SHOTS / "lesson-running.png"))
        charts.first.scroll_into_view_if_needed()
        charts.first.screenshot(path=str(SHOTS / "gantt-chart.png"))
        natural = charts.first.evaluate("img => [img.naturalWidth, img.naturalHeight]")
        assert natural[0] > 200 and natural[1] > 100, f"the chart image did not load: {natural}"

        # JupyterLab's dark theme: a chart keeps its own opaque white ground (dark ink on
        # white), so it reads the same on the dark page and on paper.
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^JupyterLab Dark$")).click()
        expect(page.locator("body[data-jp-theme-light='false']")).to_be_attached(timeout=30_000)
        charts.first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "dark-theme.png"))
        corner = charts.first.evaluate("""img => { const c = document.createElement('canvas');
            c.width = img.naturalWidth; c.height = img.naturalHeight; const g = c.getContext('2d');
            g.drawImage(img, 0, 0); return Array.from(g.getImageData(2, 2, 1, 1).data); }""")
        assert corner == [255, 255, 255, 255], f"the chart's ground is not opaque white: {corner}"
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Settings$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^JupyterLab Light$")).click()

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


def test_the_contents_page_opens_with_every_lesson_and_shows_progress(lab):
    from playwright.sync_api import expect, sync_playwright

    base, token, workspace = lab
    assert (workspace / "contents.ipynb").is_file(), "make lab lays out the contents page"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{base}/lab/tree/contents.ipynb?token={token}")
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(timeout=90_000)
        take_kernel_dialog(page)
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        table = page.locator(".jp-OutputArea-output table:visible").first
        expect(table).to_contain_text("exercises passed", timeout=60_000)
        expect(table).to_contain_text("Start here")
        shown = page.locator(".jp-OutputArea-output[data-mime-type='text/markdown']:visible").first
        expect(shown).to_contain_text(re.compile(r"\d+ of \d+ exercises passed"))
        table.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "contents.png"))
        browser.close()
