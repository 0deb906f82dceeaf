"""Every command README.md and autograder/README.md give, run as typed on a fresh copy of the
working tree: what a new learner, instructor or presenter meets on their first day.

Each test copies the working tree (tracked and new files, nothing ignored: what a clone of it
would hold) into a temporary folder and runs ``make ...`` there exactly as the docs write it,
with the placeholders (a zip's path, a free port) filled in. To keep the cost down the copy's
``.venv`` is a link to this checkout's, which the Makefile reuses because its pins match.

``test_every_documented_target_is_run`` keeps the docs and this module in step: a make target
named in either README must be run here, or by .ci/run.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import psutil
import pytest

from coursetools import corpus
from test_makefile import makefile_variables

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", ROOT / "README.zh.md", ROOT / "autograder" / "README.md"]
MAKE_IN_DOCS = re.compile(r"(?:^|`)\s*((?:[A-Z_]+=\S+\s+)*make\s+[^`\n#]*)", re.M)
TARGET = re.compile(r"\bmake\s+(?:[A-Z_]+=(?:\"[^\"]*\"|\S+)\s+)*([a-z][a-z-]*)")

pytestmark = pytest.mark.slow


def fresh_copy(dest: Path) -> Path:
    """The working tree as a clone of it would be, with .venv linked to this checkout's."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    # Bring the shared venv up to date from this checkout first (a no-op when it is): the
    # copy's `make` must find it current, or it would rebuild it and install aiolab from
    # the copy, leaving this checkout's venv pointing into a temporary folder.
    subprocess.run([sys.executable, "tools/ensure_venv.py", "--venv", sys.prefix], cwd=ROOT, check=True,
                   capture_output=True)
    (dest / ".venv").symlink_to(Path(sys.prefix))
    return dest


def base_python() -> str:
    """The interpreter the suite's venv was made from (its ``pyvenv.cfg`` ``home``)."""
    cfg = Path(sys.prefix, "pyvenv.cfg")
    if not cfg.is_file():
        return sys.executable
    home = next(line.partition("=")[2].strip() for line in cfg.read_text().splitlines()
                if line.partition("=")[0].strip() == "home")
    return str(Path(home) / f"python{sys.version_info.major}.{sys.version_info.minor}")


def env() -> dict[str, str]:
    """The user's environment: nothing inherited from an outer make or pytest run. The copy's
    `make` runs the suite's own interpreter (PYTHON) and finds its `.venv` (linked to the
    suite's) current: under `make test-all`, or pytest run from `.venv-3.13`, another
    interpreter would rebuild the shared venv through the link."""
    drop = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "FROM", "NB", *makefile_variables())
    clean = {k: v for k, v in os.environ.items() if k not in drop and not k.startswith("PYTEST_")}
    clean["BROWSER"] = "true"          # JupyterLab "opens" a browser with the `true` command
    clean["PYTHON"] = base_python()
    return clean


def sh(where: Path, command: str, expect: int = 0, timeout: float = 900) -> str:
    """Run a documented command in ``where``; its exit status must be ``expect`` (0, or
    non-zero for any failure when ``expect`` is None)."""
    done = subprocess.run(shlex.split(command), cwd=where, env=env(), text=True, timeout=timeout,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    ok = done.returncode != 0 if expect is None else done.returncode == expect
    assert ok, f"`{command}` exited {done.returncode}, expected {'a failure' if expect is None else expect}:\n{done.stdout[-6000:]}"
    return done.stdout


@pytest.fixture
def copy(tmp_path) -> Path:
    return fresh_copy(tmp_path / "course")


# ---- instructors: autograder/README.md, step by step ------------------------------------

def submissions_zip(copy: Path, dest: Path) -> Path:
    """Three students over two lessons, as a learning platform exports them."""
    built = {}
    for manifest in corpus.manifests():
        if manifest.lesson in ("00-start-here", "05-gather-and-wait"):
            released = nbformat.read(copy / "autograder" / "release" / manifest.lesson / manifest.notebook, as_version=4)
            cases = {c.name: c for c in manifest.cases}
            built[manifest.lesson] = (manifest.notebook, {name: corpus.build_submission(released, cases[name])
                                                          for name in ("correct", "blank")})
    plan = {"alice": {"00-start-here": "correct", "05-gather-and-wait": "correct"},
            "bob": {"00-start-here": "blank", "05-gather-and-wait": "blank"},
            "carol": {"00-start-here": "correct"}}
    with zipfile.ZipFile(dest, "w") as zf:
        for student, lessons in plan.items():
            for lesson, case in lessons.items():
                notebook, versions = built[lesson]
                zf.writestr(f"submissions/{student}/{notebook}", nbformat.writes(versions[case]))
    return dest


def test_the_instructors_walkthrough(copy, tmp_path):
    out = sh(copy, "make release")
    lessons = sorted(p.parent.name for p in (copy / "notebooks").glob("*/*.ipynb"))
    assert sorted(p.name for p in (copy / "autograder" / "release").iterdir()) == lessons
    assert "BEGIN SOLUTION" not in (copy / "autograder/release/05-gather-and-wait/gather-and-wait.ipynb").read_text()
    assert all(f"released {lesson}" in out for lesson in lessons)

    archive = submissions_zip(copy, tmp_path / "submissions.zip")
    sh(copy, f"make collect FROM={archive}")
    submitted = sorted(str(p.relative_to(copy / "autograder" / "submitted"))
                       for p in (copy / "autograder" / "submitted").glob("*/*/*.ipynb"))
    assert submitted == ["alice/00-start-here/start-here.ipynb", "alice/05-gather-and-wait/gather-and-wait.ipynb",
                         "bob/00-start-here/start-here.ipynb", "bob/05-gather-and-wait/gather-and-wait.ipynb",
                         "carol/00-start-here/start-here.ipynb"]

    out = sh(copy, "make autograde")
    assert "autograded 00-start-here: alice, bob, carol" in out
    assert "autograded 05-gather-and-wait: alice, bob" in out
    sh(copy, "make autograde LESSON=05-gather-and-wait")            # again, one lesson
    out = sh(copy, "make autograde LESSON=03-results-and-callbacks", expect=None)
    assert "nothing to do for 03-results-and-callbacks" in out

    sh(copy, "make feedback")
    pages = sorted(str(p.relative_to(copy / "autograder" / "feedback"))
                   for p in (copy / "autograder" / "feedback").glob("*/*/*.html"))
    assert pages == [s.replace(".ipynb", ".html") for s in submitted]
    sh(copy, "make feedback LESSON=05-gather-and-wait")

    sh(copy, "make grades")
    with open(copy / "build" / "grades.csv") as fh:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}
    for student in ("alice", "bob", "carol"):
        for lesson in ("00-start-here", "05-gather-and-wait"):
            assert (student, lesson) in rows, f"no grade for {student} x {lesson}"
    full = float(rows[("alice", "00-start-here")]["max_score"])
    assert full > 0 and float(rows[("alice", "00-start-here")]["raw_score"]) == full
    assert float(rows[("alice", "05-gather-and-wait")]["raw_score"]) == float(rows[("alice", "05-gather-and-wait")]["max_score"])
    assert float(rows[("bob", "00-start-here")]["raw_score"]) == 0
    assert float(rows[("carol", "05-gather-and-wait")]["raw_score"]) == 0     # handed nothing in
    assert {lesson for _, lesson in rows} == {"00-start-here", "05-gather-and-wait"}     # nobody handed in the rest


#: Code a hostile student puts at the top of a solution cell: it forges what a kernel
#: could say about a verdict (the drive's answers, the checks' score, a score printed after
#: every cell). Judged outside the kernel, none of it counts.
HOSTILE = """import json as _json, aiolab.drive as _drive, aiolab.checks as _checks
_drive.call = _drive.probe = lambda *a, **k: _json.dumps({"defined": True, "coroutine_function": True, "results": [{"literal": "0"}], "elapsed": 0, "records": [], "end": 0})
_checks.Checks.score = lambda self, *more: _checks.Score(99, 99)
get_ipython().events.register("post_run_cell", lambda result: print(99))
"""


def mixed_class(copy: Path, dest: Path) -> dict[tuple[str, str], float | None]:
    """Every lesson handed in by an honest student (alice: the corpus's correct answers) and
    a wrong one (bob: the first sample case that is neither correct nor blank); carol forges
    her verdicts in three lessons; dave's file for one lesson is not a notebook. Returns the
    score each (student, lesson) deserves (None: not gradable)."""
    deserved: dict[tuple[str, str], float | None] = {}
    with zipfile.ZipFile(dest, "w") as zf:
        for manifest in corpus.manifests():
            released = nbformat.read(copy / "autograder/release" / manifest.lesson / manifest.notebook, as_version=4)
            released = corpus.exercises_only(released)
            cases = {c.name: c for c in manifest.cases}
            wrong = next(c for c in manifest.cases if c.name not in ("correct", "blank"))
            for student, case in (("alice", cases["correct"]), ("bob", wrong)):
                zf.writestr(f"submissions/{student}/{manifest.notebook}",
                            nbformat.writes(corpus.build_submission(released, case)))
                deserved[(student, manifest.lesson)] = sum(case.expect.values())
            if manifest.lesson in ("00-start-here", "05-gather-and-wait", "09-async-http"):
                forged = corpus.build_submission(released, cases["blank"])
                first = next(c for c in forged.cells if c.metadata.get("nbgrader", {}).get("solution"))
                first.source = HOSTILE + first.source
                zf.writestr(f"submissions/carol/{manifest.notebook}", nbformat.writes(forged))
                deserved[("carol", manifest.lesson)] = 0.0
            if manifest.lesson == "02-tasks":
                zf.writestr(f"submissions/dave/{manifest.notebook}", "{ this is not a notebook")
                deserved[("dave", manifest.lesson)] = None
    return deserved


def test_make_autograde_grades_every_lesson_of_a_mixed_class(copy, tmp_path):
    """autograder/README.md's steps with no LESSON=: every lesson, honest, wrong, forged and
    broken submissions side by side; every grade the corpus says, every failure reported."""
    sh(copy, "make release")
    deserved = mixed_class(copy, tmp_path / "class.zip")
    sh(copy, f"make collect FROM={tmp_path / 'class.zip'}")
    out = sh(copy, "make autograde", expect=None, timeout=2400)       # dave's file fails: non-zero
    table = {tuple(line.split()[:2]): line for line in out.splitlines()
             if line.split()[:1] in (["alice"], ["bob"], ["carol"], ["dave"])}
    for (student, lesson), score in deserved.items():
        row = table.get((student, lesson))
        assert row is not None, f"{student} x {lesson} is missing from the summary:\n{out[-4000:]}"
        if score is None:
            assert "NOT GRADED: " in row and len(row.split("NOT GRADED: ")[1]) > 5, row
        else:
            assert row.endswith("graded") and "NOT GRADED" not in row, row
    assert f"{len(deserved) - 1} submission(s) graded, 1 not graded" in out
    sh(copy, "make grades")
    with open(copy / "build" / "grades.csv") as fh:
        rows = {(r["student_id"], r["assignment"]): r for r in csv.DictReader(fh)}
    graded = {key: float(rows[key]["raw_score"]) if key in rows else 0.0 for key in deserved}
    wrong = {key: (graded[key], score) for key, score in deserved.items() if graded[key] != (score or 0.0)}
    assert not wrong, f"(student, lesson): (graded, deserved): {wrong}"


# ---- learners: the workspace, Validate, JupyterLab ---------------------------------------

def test_the_corpus_of_one_lesson(copy):
    out = sh(copy, "make corpus LESSON=00-start-here")
    assert "scores that changed between runs: 0; scores other than the manifest's: 0" in out
    sh(copy, "make corpus LESSON=00-no-such-lesson", expect=2)


def test_the_learners_edition_and_validate(copy):
    out = sh(copy, "make edition")
    assert "added      00-start-here/start-here.ipynb" in out
    blank = "workspace/00-start-here/start-here.ipynb"
    out = sh(copy, f"make validate NB={blank}", expect=None)       # exercises left blank: fails
    assert "Not written yet" in out and "problem(s)" in out
    out = sh(copy, "make validate NB=notebooks/00-start-here/start-here.ipynb")   # solved: passes
    assert "Success!" in out
    out = sh(copy, "make validate", expect=None)
    assert "usage: make validate NB=" in out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(where: Path, command: str, log: Path, extra_env: dict[str, str] | None = None,
          ready: str | None = None) -> tuple[subprocess.Popen, str]:
    """Start a documented server command; wait for the URL (with its token) it prints, or
    for the URL in the line matching ``ready`` (its first group)."""
    fh = log.open("w")
    proc = subprocess.Popen(shlex.split(command), cwd=where, env={**env(), **(extra_env or {})}, stdout=fh,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if ready and (found := re.search(ready, log.read_text())):
            return proc, found.group(1)
        found = re.search(r"(http://(?:127\.0\.0\.1|localhost):\d+/)\S*\?token=(\w+)", log.read_text())
        if found and not ready:
            return proc, f"{found.group(1)}api/contents?token={found.group(2)}"
        if proc.poll() is not None:
            break
        time.sleep(1)
    stop(proc)
    raise AssertionError(f"`{command}` did not start serving:\n{log.read_text()[-4000:]}")


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def listing(url: str) -> list[str]:
    import json

    with urllib.request.urlopen(url, timeout=30) as response:
        return [item["name"] for item in json.load(response)["content"]]


def lab_default(url: str, plugin: str, setting: str):
    """A JupyterLab setting's default as the running lab serves it (overrides applied)."""
    with urllib.request.urlopen(url.replace("api/contents", f"lab/api/settings/{plugin}"), timeout=30) as r:
        return json.load(r)["schema"]["properties"][setting]["default"]


def test_make_lab_serves_the_workspace_then_stops(copy, tmp_path):
    port = free_port()
    proc, url = serve(copy, f'make lab LAB_ARGS="--no-browser --port {port}"', tmp_path / "lab.log")
    try:
        assert f":{port}/" in url
        assert "00-start-here" in listing(url) and "notebooks" not in listing(url)
        assert lab_default(url, "@jupyterlab/translation-extension:plugin", "locale") == "default"
    finally:
        stop(proc)
    assert (copy / "workspace" / "05-gather-and-wait" / "gather-and-wait.ipynb").is_file()


def test_make_lab_edition_zh_serves_the_chinese_workspace_in_a_chinese_jupyterlab(copy, tmp_path):
    """README.zh.md's first command: the Chinese learner's edition in workspace-zh/, and
    JupyterLab's language zh_CN (the language pack installed and chosen), with the learner's
    lab settings still there (only the course's kernel); the English workspace is not made."""
    port = free_port()
    proc, url = serve(copy, f'make lab EDITION=zh LAB_ARGS="--no-browser --port {port}"', tmp_path / "lab.log")
    try:
        assert "00-start-here" in listing(url) and "contents.ipynb" in listing(url)
        assert lab_default(url, "@jupyterlab/translation-extension:plugin", "locale") == "zh_CN"
        with urllib.request.urlopen(url.replace("api/contents", "api/kernelspecs"), timeout=30) as r:
            assert list(json.load(r)["kernelspecs"]) == ["asyncio-course"]     # the learner's settings apply too
        with urllib.request.urlopen(url.replace("api/contents", "lab/api/translations/zh_CN"), timeout=30) as r:
            pack = json.load(r)
        assert pack["message"] == "" and pack["data"]["jupyterlab"], "the zh_CN language pack is not installed"
    finally:
        stop(proc)
    contents = nbformat.read(copy / "workspace-zh" / "contents.ipynb", as_version=4)
    assert contents.cells[0].source.startswith("# 目录")
    assert not (copy / "workspace").exists()


def test_make_formgrader_serves_the_course(copy, tmp_path):
    proc, url = serve(copy, "make formgrader", tmp_path / "formgrader.log")
    try:
        assert "nbgrader_config.py" in listing(url)
    finally:
        stop(proc)


# ---- presenters ------------------------------------------------------------------------

def test_handouts_for_two_lessons(copy):
    sh(copy, 'make handouts LESSON="00-start-here 05-gather-and-wait"')
    out = copy / "build" / "handouts"
    for edition in ("learner", "solutions"):
        for lesson in ("00-start-here", "05-gather-and-wait"):
            assert (out / edition / f"{lesson}.html").is_file()
            assert (out / edition / f"{lesson}.pdf").read_bytes().startswith(b"%PDF")
    assert "05-gather-and-wait" in (out / "index.html").read_text()
    assert not (copy / "autograder" / "build").exists(), "nothing is written relative to another folder"
    sh(copy, "make handouts LESSON=05-gather-and-wait")                # one lesson again
    index = (out / "index.html").read_text()
    assert "learner/00-start-here.pdf" in index and "learner/05-gather-and-wait.pdf" in index, \
        "the index still links the lesson built before"


def test_benchmarks_and_help(copy):
    sh(copy, 'make bench BENCH_ARGS="--n 20000 --threads 500"')
    assert (copy / "build" / "bench" / "million.json").is_file()
    sh(copy, "make bench-timeline")
    assert (copy / "build" / "bench-timeline.json").is_file()
    assert "make check" in sh(copy, "make help")


def test_bench_autograde_grades_a_small_class_every_way_alike(copy):
    """The grading benchmark on a class of three (the README's run is a hundred)."""
    sh(copy, "make sandbox")
    out = sh(copy, "make bench-autograde SUBMISSIONS=3 JOBS=2 LESSON=00-start-here", timeout=1200)
    figures = json.loads((copy / "build" / "bench" / "autograde.json").read_text())
    assert figures["submissions"] == 3 and figures["jobs"] == 2 and figures["lesson"] == "00-start-here"
    assert figures["same_scores"] is True, out[-3000:]
    assert figures["serial_s"] > 0 and figures["parallel_s"] > 0 and "parallel speed-up" in out


def test_bench_hub_measures_a_small_class_on_the_hub(copy):
    """The hub's load benchmark with two learners (the README's runs are 10, 20 and 30); the
    checkout's proxy is linked, so nothing is downloaded."""
    (copy / "build").mkdir(exist_ok=True)
    (copy / "build" / "hub-proxy").symlink_to(ROOT / "build" / "hub-proxy")
    out = sh(copy, 'make bench-hub HUB_N="2"', timeout=600)
    figures = json.loads((copy / "build" / "bench" / "hub.json").read_text())
    assert [r["n"] for r in figures] == [2], out[-3000:]
    assert figures[0]["spawn_s"]["max"] > 0 and figures[0]["lesson02_s"]["max"] > 0
    # A learner's server and kernel are real processes: tens of MiB at least.
    assert figures[0]["uss_mib_per_user"]["median"] > 30


# ---- developers ------------------------------------------------------------------------

def test_make_check_and_the_pins(copy):
    out = sh(copy, "make check")
    assert re.search(r"\d+ passed", out) and not re.search(r"\b\d+ (failed|errors?)\b", out.splitlines()[-1])
    before = (copy / "constraints.txt").read_text()
    sh(copy, "make lock")
    after = (copy / "constraints.txt").read_text()
    pins = {l.split("==")[0].lower() for l in after.splitlines() if "==" in l}
    required = {l.split("==")[0].lower() for l in (copy / "requirements.txt").read_text().splitlines()
                if "==" in l and not l.startswith("#")}
    assert required <= pins and after.splitlines()[:3] == before.splitlines()[:3]


VERSIONS = ("3.11", "3.12", "3.13", "3.14", "3.15")


def interpreter_found(version: str) -> bool:
    """The Makefile's rule (find_python): `pythonX.Y` runs from PATH, or pyenv has X.Y.*."""
    on_path = shutil.which(f"python{version}")
    if on_path and subprocess.run([on_path, "-c", ""], capture_output=True).returncode == 0:
        return True
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    return any(pyenv.glob(f"{version}.*/bin/python{version}"))


def test_make_test_all_on_every_python():
    """One venv per interpreter. They install aiolab editable from the copy, so the copy
    lives at a fixed place (build/test-all/course, made afresh each run) and the venvs
    beside it survive from run to run: only the first run pays for creating them."""
    base = ROOT / "build" / "test-all"
    shutil.rmtree(base / "course", ignore_errors=True)
    (base / "course").mkdir(parents=True)
    copy = fresh_copy(base / "course")
    for version in VERSIONS:
        (copy / f".venv-{version}").symlink_to(base / f"venv-{version}")
    out = sh(copy, 'make test-all PYTEST_ARGS="-q tests/test_environment.py"', timeout=1800)
    found = re.findall(r"python(3\.1[1-5]): (passed|not found)", out)
    expected = [(v, "passed" if interpreter_found(v) else "not found") for v in VERSIONS]
    assert found == expected, out[-3000:]
    assert "FAILED" not in out
    # the ladder on each of those venvs, at a tiny N: one folder of results per interpreter
    out = sh(copy, 'make bench-all BENCH_ARGS="--n 2000 --delay 0.05 --threads 100 '
                   '--thread-delay 0.5 --trace-n 500"', timeout=1200)
    assert "FAILED" not in out and "Python's best:" in out
    for version, result in found:
        if result == "passed":
            assert (copy / "build" / "bench" / version / "million.json").is_file(), version


def test_every_documented_target_is_run():
    documented = {}
    for doc in DOCS:
        for command in MAKE_IN_DOCS.findall(doc.read_text()):
            target = TARGET.search(command)
            if target:
                documented.setdefault(target.group(1), doc.name)
    source = Path(__file__).read_text()
    run_here = {m.group(1) for m in TARGET.finditer(" ".join(re.findall(r"sh\(copy, f?'?\"?([^\n]*)", source) +
                                                              re.findall(r"serve\(copy, f?'?\"?([^\n]*)", source)))}
    run_by_ci = {m.group(1) for m in TARGET.finditer((ROOT / ".ci" / "run").read_text())}
    missing = {t: doc for t, doc in documented.items() if t not in run_here | run_by_ci}
    assert not missing, f"documented make targets that no test runs: {missing}"
    assert {"release", "collect", "autograde", "feedback", "grades", "validate", "lab", "handouts"} <= set(documented)


def test_make_hub_serves_each_learner_their_lab_after_the_shared_password(copy, tmp_path):
    """README "A class on JupyterHub": make hub on a fresh clone, on 127.0.0.1; a learner
    signs in with the workshop's password and gets their own lab with the learner's
    edition; a wrong password, or an instructor's name with the learners' password, does not
    get in. The proxy is the checkout's (make hub-proxy), so nothing is downloaded here."""
    import httpx

    (copy / "build").mkdir(exist_ok=True)
    (copy / "build" / "hub-proxy").symlink_to(ROOT / "build" / "hub-proxy")
    port = free_port()
    secrets = {"HUB_PASSWORD": "workshop-2026", "HUB_ADMIN_PASSWORD": "i" * 32,
               "HUB_API_PORT": str(free_port()), "HUB_PROXY_API_PORT": str(free_port())}
    proc, url = serve(copy, f"make hub HUB_PORT={port}", tmp_path / "hub.log", secrets,
                      ready=r"JupyterHub is now running at (http://127\.0\.0\.1:\d+/)")
    try:
        assert url == f"http://127.0.0.1:{port}/"

        def sign_in(name, password):
            client = httpx.Client(base_url=url, follow_redirects=True, timeout=60)
            client.get("hub/login")
            r = client.post("hub/login", data={"username": name, "password": password,
                                               "_xsrf": client.cookies.get("_xsrf")})
            return client, r

        for name, password in [("ann", "wrong-password"), ("instructor", secrets["HUB_PASSWORD"])]:
            client, r = sign_in(name, password)
            assert r.status_code == 403 and "/hub/login" in str(r.url), (name, r.status_code, r.url)
        client, r = sign_in("ann", secrets["HUB_PASSWORD"])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:      # her lab, once her server is up (and signed in by OAuth)
            r = client.get("user/ann/lab")
            if r.status_code == 200 and str(r.url).startswith(f"{url}user/ann/lab"):
                break
            time.sleep(1)
        assert str(r.url).startswith(f"{url}user/ann/lab"), (r.status_code, r.url)
        r = client.get("user/ann/api/contents", headers={"X-XSRFToken": next(
            (c.value for c in client.cookies.jar if c.name == "_xsrf" and c.path.startswith("/user/ann")), "")})
        assert r.status_code == 200, (r.status_code, r.text[:300])
        names = [item["name"] for item in r.json()["content"]]
        assert "contents.ipynb" in names and "00-start-here" in names
        assert (copy / "build" / "hub" / "homes" / "ann" / "05-gather-and-wait" / "gather-and-wait.ipynb").is_file()
    finally:
        stop(proc)
    # The hub stops its learners' servers and its proxy as it shuts down; give it 30 s.
    marker = str(copy)
    mine = [p for p in psutil.process_iter(["cmdline"]) if any(marker in a for a in p.info["cmdline"] or [])]
    _, left = psutil.wait_procs(mine, timeout=30)
    left = [p for p in left if not exited(p)]
    for p in left:
        p.kill()
    assert not left, f"make hub left processes running 30 s after it was stopped: {left}"


def exited(p: psutil.Process) -> bool:
    """Gone, or a zombie: it has exited and waits only to be reaped. The hub outlives
    `make` by its shutdown, so its new parent is the machine's init, which in a CI
    container may never reap it."""
    try:
        return p.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
