"""The course on JupyterHub in Chromium (make test-browser): a learner signs in on the hub's
login page with the workshop's password, their server starts, and their lab opens on the
contents page with the course kernel. Screenshots in build/browser/hub-*.png.

The hub is tests/test_hub.py's (the project's config, data in a temporary folder, every
process stopped at the end); Chromium is Debian's, driven by Playwright as in test_browser.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, SHOTS
from test_hub import LESSON, running_hub

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium (make chromium)"),
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("hub-browser")) as hub:
        yield hub


def test_a_learner_signs_in_and_gets_their_lab_with_the_course(hub):
    from playwright.sync_api import expect, sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(f"{hub.url}/hub/login")
        page.fill("input[name=username]", "dana")
        page.fill("input[name=password]", "workshop-password")
        page.screenshot(path=str(SHOTS / "hub-login.png"))
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_url(f"{hub.url}/user/dana/lab**", timeout=120_000)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(
            timeout=90_000)
        expect(page.locator(".jp-DirListing-item", has_text=LESSON).first).to_be_visible()
        # The first notebook the lab opens gets the course kernel, the only one offered.
        expect(page.get_by_text("Python 3 (asyncio course)").first).to_be_visible(timeout=90_000)
        expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']:visible").first).to_be_visible(
            timeout=90_000)
        page.screenshot(path=str(SHOTS / "hub-lab.png"))
        browser.close()
    assert (hub.data / "homes" / "dana" / "contents.ipynb").is_file()
