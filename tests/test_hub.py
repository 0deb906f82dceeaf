"""The course on JupyterHub (make hub, autograder/hub/): a real hub on 127.0.0.1, an
instructor and three learners, nbgrader's exchange round trip run as each user.

The hub is the project's own configuration (autograder/hub/jupyterhub_config.py, loaded
by a test config that only adds an admin service token for the REST API), its data folder
(homes, course folder, exchange, database) in a temporary folder. Every nbgrader command
runs with the environment JupyterHub gave that user's server, read from the running
server process. Every process the hub started is stopped at the end, even on failure.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import nbformat
import psutil
import pytest

from coursetools.corpus import build_submission, manifests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PROXY = ROOT / "build" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
LESSON = "05-gather-and-wait"
NOTEBOOK = "gather-and-wait.ipynb"
INSTRUCTOR = "teacher"
STUDENTS = ["ann", "bob", "cat"]
WRONG = "sequential-awaits"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ours(marker: str) -> list[psutil.Process]:
    """Every process whose environment or command line names this test's hub folder."""
    found = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.pid == os.getpid():
                continue
            if any(marker in part for part in proc.info["cmdline"] or []) or \
                    any(marker in value for value in proc.environ().values()):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


class Hub:
    def __init__(self, folder: Path):
        self.folder = folder
        self.data = folder / "hub"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.log = folder / "hub.log"
        self.proc: subprocess.Popen | None = None

    def start(self, edition: Path, chinese: Path | None = None) -> None:
        config = self.folder / "test_jupyterhub_config.py"
        config.write_text(
            f"load_subconfig({str(ROOT / 'autograder' / 'hub' / 'jupyterhub_config.py')!r})\n"
            "c = get_config()\n"
            f"c.JupyterHub.services = [{{'name': 'test-admin', 'api_token': {self.token!r}}}]\n"
            "c.JupyterHub.load_roles = [{'name': 'admin-service', 'scopes': ['admin:users', 'admin:servers',"
            " 'tokens', 'admin-ui', 'list:users', 'read:users'], 'services': ['test-admin']}]\n")
        env = {**os.environ, "HUB_DATA": str(self.data), "HUB_PORT": str(self.port),
               "HUB_API_PORT": str(free_port()), "HUB_PROXY_API_PORT": str(free_port()),
               "HUB_INSTRUCTORS": INSTRUCTOR, "HUB_PASSWORD": "workshop-password",
               "HUB_ADMIN_PASSWORD": secrets.token_hex(16), "HUB_PROXY": str(PROXY),
               "HUB_LEARNER_EDITION": str(edition)}
        if chinese:
            env |= {"HUB_LEARNER_EDITION_ZH": str(chinese), "HUB_EDITIONS": "en zh"}
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(config)], cwd=self.folder, env=env,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"the hub stopped:\n{self.log.read_text()[-3000:]}"
            try:
                if httpx.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"the hub did not answer in 60 s:\n{self.log.read_text()[-3000:]}")

    def api(self, method: str, path: str, token: str | None = None, **kw) -> httpx.Response:
        return httpx.request(method, f"{self.url}/hub/api{path}", timeout=30,
                             headers={"Authorization": f"token {token or self.token}"}, **kw)

    def start_server(self, name: str) -> None:
        r = self.api("POST", f"/users/{name}/server")
        assert r.status_code in (201, 202), r.text
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            server = self.api("GET", f"/users/{name}").json()["servers"].get("", {})
            if server.get("ready"):
                return
            time.sleep(0.3)
        raise AssertionError(f"{name}'s server never became ready:\n{self.log.read_text()[-3000:]}")

    def server_env(self, name: str) -> dict[str, str]:
        """The environment JupyterHub gave ``name``'s running server."""
        for proc in ours(str(self.data)):
            try:
                env = proc.environ()
            except psutil.Error:
                continue
            if env.get("JUPYTERHUB_USER") == name and "jupyterhub-singleuser" in " ".join(proc.cmdline()):
                return env
        raise AssertionError(f"no running server for {name}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            try:
                for name in [INSTRUCTOR, *STUDENTS, "dan"]:
                    self.api("DELETE", f"/users/{name}/server")
            except httpx.HTTPError:
                pass
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        # Whatever is left (a server or proxy of this hub's, whatever happened above).
        left = ours(str(self.data))
        for proc in left:
            proc.kill()
        psutil.wait_procs(left, timeout=10)


def run(argv: list, env: dict[str, str], cwd: Path, timeout: float = 120) -> str:
    done = subprocess.run([str(a) for a in argv], env=env, cwd=cwd, text=True, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert done.returncode == 0, f"{argv} failed:\n{done.stdout[-4000:]}"
    return done.stdout


def nbgrader(env, cwd, *args, timeout=120) -> str:
    return run([BIN / "nbgrader", *args], env, cwd, timeout)


@contextlib.contextmanager
def running_hub(folder: Path, chinese: bool = False):
    """A hub in ``folder`` serving lesson LESSON's learner's edition (``chinese``: the
    English and the Chinese one, learners choosing); stopped on the way out, and no process
    of it may outlive it."""
    if not PROXY.exists():
        pytest.fail("configurable-http-proxy is not installed: make hub-proxy (make test does it)")
    built = {}
    for language in ("en", "zh") if chinese else ("en",):
        built[language] = folder / f"learner-edition-{language}"
        run([sys.executable, "-m", "coursetools", "--course", "autograder", "edition", "--edition", language,
             "--build", built[language], "--workspace", folder / f"edition-workspace-{language}", LESSON],
            os.environ.copy(), ROOT, timeout=180)
    hub = Hub(folder)
    try:
        hub.start(built["en"], built.get("zh"))
        yield hub
    finally:
        hub.stop()
        assert not ours(str(hub.data)), "processes of the hub outlived it"


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(tmp_path_factory.mktemp("hub"), chinese=True) as hub:
        r = hub.api("POST", "/users", json={"usernames": STUDENTS})
        assert r.status_code == 201, r.text
        for name in [INSTRUCTOR, *STUDENTS]:
            hub.start_server(name)
        yield hub


def test_each_learner_has_the_learners_edition_in_their_own_home_with_the_course_kernel(hub):
    for name in STUDENTS:
        home = hub.data / "homes" / name
        assert (home / "contents.ipynb").is_file() and (home / LESSON / NOTEBOOK).is_file()
        env = hub.server_env(name)
        assert env["HOME"] == str(home) and env["JUPYTERHUB_USER"] == name
        assert env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[-1] == str(ROOT / "autograder" / "learner")
        token = hub.api("POST", f"/users/{name}/tokens", json={"note": "test"}).json()["token"]
        headers = {"Authorization": f"token {token}"}
        specs = httpx.get(f"{hub.url}/user/{name}/api/kernelspecs", headers=headers, timeout=30).json()
        assert set(specs["kernelspecs"]) == {"asyncio-course"}
        listing = httpx.get(f"{hub.url}/user/{name}/api/contents/{LESSON}", headers=headers, timeout=30).json()
        assert NOTEBOOK in {item["name"] for item in listing["content"]}
        # One learner's token does not open another's server.
        other = STUDENTS[(STUDENTS.index(name) + 1) % len(STUDENTS)]
        r = httpx.get(f"{hub.url}/user/{other}/api/contents", headers=headers, timeout=30)
        assert r.status_code in (403, 404), r.status_code


def test_a_learner_chooses_the_chinese_edition_and_gets_it_in_a_folder_of_its_own(hub):
    name = "dan"
    assert hub.api("POST", "/users", json={"usernames": [name]}).status_code == 201
    # Signed in with the workshop's password, the learner lands on the spawn page's choice
    # (English by default), picks Chinese and submits it, as in the browser.
    client = httpx.Client(base_url=hub.url, follow_redirects=True, timeout=60)
    client.get("/hub/login")
    page = client.post("/hub/login", data={"username": name, "password": "workshop-password",
                                           "_xsrf": client.cookies.get("_xsrf")})
    assert page.status_code == 200 and "/hub/spawn" in str(page.url), (page.status_code, page.url)
    assert 'value="zh"' in page.text and 'value="en" checked' in page.text and "中文" in page.text
    r = client.post(f"/hub/spawn/{name}", data={"edition": "zh", "_xsrf": client.cookies.get("_xsrf")},
                    follow_redirects=False)
    assert r.status_code in (302, 303), (r.status_code, r.text[:500])
    deadline = time.monotonic() + 90
    while not hub.api("GET", f"/users/{name}").json()["servers"].get("", {}).get("ready"):
        assert time.monotonic() < deadline, f"{name}'s server never became ready:\n{hub.log.read_text()[-3000:]}"
        time.sleep(0.3)
    home = hub.data / "homes" / name
    lesson = nbformat.read(home / "zh" / LESSON / NOTEBOOK, as_version=4)
    assert lesson.metadata["course_edition"] == {"language": "zh"}
    assert not (home / LESSON).exists()                 # English would live in the home itself
    env = hub.server_env(name)
    assert str(ROOT / "autograder" / "learner-zh") in env["JUPYTER_CONFIG_PATH"].split(os.pathsep)
    token = hub.api("POST", f"/users/{name}/tokens", json={"note": "test"}).json()["token"]
    listing = httpx.get(f"{hub.url}/user/{name}/api/contents", headers={"Authorization": f"token {token}"},
                        timeout=30).json()
    assert {"contents.ipynb", LESSON} <= {item["name"] for item in listing["content"]}
    hub.api("DELETE", f"/users/{name}/server")


def test_instructor_has_the_formgrader_learners_do_not(hub):
    def extensions(name):
        token = hub.api("POST", f"/users/{name}/tokens", json={"note": "test"}).json()["token"]
        r = httpx.get(f"{hub.url}/user/{name}/formgrader/api/assignments",
                      headers={"Authorization": f"token {token}"}, timeout=60)
        return r.status_code
    assert extensions(INSTRUCTOR) == 200
    assert extensions(STUDENTS[0]) == 404


def test_the_exchange_round_trip_release_fetch_submit_collect_autograde_feedback(hub):
    teacher = hub.server_env(INSTRUCTOR)
    course = Path(teacher["COURSE_HUB_COURSE"])
    coursetools = [sys.executable, "-m", "coursetools", "--course", ROOT / "autograder", "--root", course]

    # The instructor releases lesson 05 through the exchange.
    run([*coursetools, "release", LESSON], teacher, ROOT)
    nbgrader(teacher, course, "release_assignment", LESSON)
    exchange = Path(teacher["COURSE_HUB_EXCHANGE"])
    assert (exchange / "asyncio-course" / "outbound" / LESSON / NOTEBOOK).is_file()

    # Every learner fetches it (beside, not over, their edition's copy); two submit.
    case = {c.name: c for c in manifests()[[m.lesson for m in manifests()].index(LESSON)].cases}
    answers = {"ann": case["correct"], "bob": case[WRONG]}
    for name in STUDENTS:
        env = hub.server_env(name)
        home = Path(env["HOME"])
        nbgrader(env, home, "fetch_assignment", LESSON)
        fetched = home / "asyncio-course" / LESSON / NOTEBOOK
        assert fetched.is_file() and (home / LESSON / NOTEBOOK).is_file()
        if name in answers:
            nb = nbformat.read(fetched, as_version=4)
            nbformat.write(build_submission(nb, answers[name]), fetched)
            nbgrader(env, home, "submit", LESSON)

    # The instructor collects, autogrades in the sandbox, generates and releases feedback.
    nbgrader(teacher, course, "collect", LESSON)
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ann", "bob"]
    out = run([*coursetools, "autograde", "--jobs", "2", LESSON], teacher, ROOT, timeout=240)
    assert "autograded" in out, out
    run([*coursetools, "feedback", LESSON], teacher, ROOT)
    nbgrader(teacher, course, "release_feedback", LESSON)

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {name: {g.name: g.score for g in gb.find_submission_notebook(Path(NOTEBOOK).stem, LESSON, name).grades}
                  for name in answers}
    for name, c in answers.items():
        assert {k: v for k, v in scores[name].items() if k in c.expect} == c.expect, (name, scores[name])
    assert sum(case["correct"].expect.values()) > sum(case[WRONG].expect.values())

    # Ann fetches her feedback: the page is in her home and shows her score.
    ann = hub.server_env("ann")
    nbgrader(ann, Path(ann["HOME"]), "fetch_feedback", LESSON)
    pages = list((Path(ann["HOME"]) / "asyncio-course" / LESSON / "feedback").glob("*/gather-and-wait.html"))
    assert len(pages) == 1, pages
    total = sum(case["correct"].expect.values())
    text = pages[0].read_text()
    assert f"{total:g}" in text and "fetch_all" in text
    # Bob did not fetch his; Cat submitted nothing and has no feedback to fetch.
    assert not (Path(hub.server_env("bob")["HOME"]) / "asyncio-course" / LESSON / "feedback").exists()
