"""The Makefile, dry-run (make -n): every target parses, and the instructor and build targets
hand every lesson they are given to coursetools. Fast: part of make check. The commands run
for real, as the README types them, in tests/test_readme_commands.py."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PHONY = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()


def makefile_variables() -> set[str]:
    """The variables a user may set for the Makefile (``NAME ?= default``). An outer `make`
    exports those given on its command line (test-all passes PYTHON, VENV and PYTHONS), so a
    make run by a test must not inherit them."""
    return set(re.findall(r"^([A-Z_]+)\s*\?=", (ROOT / "Makefile").read_text(), re.M))


def dry_run(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE") and k != "MFLAGS"
           and k not in makefile_variables()}
    done = subprocess.run(["make", "-n", "--no-print-directory", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"make -n {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def coursetools_call(output: str, command: str) -> list[str]:
    """The arguments make passes to `python -m coursetools ... <command>`."""
    for line in output.splitlines():
        if "-m coursetools" in line:
            words = shlex.split(line)
            if command in words:
                return words[words.index(command) + 1:]
    raise AssertionError(f"no coursetools {command} call in:\n{output}")


@pytest.mark.parametrize("target", [t for t in PHONY if t not in ("test-all",)])
def test_every_target_dry_runs(target):
    dry_run(target, "NB=x.ipynb", "FROM=x.zip")


def test_test_all_tries_every_supported_python():
    out = dry_run("test-all")
    for version in ("3.11", "3.12", "3.13", "3.14", "3.15"):
        assert f"python{version}" in out


def test_pythons_limits_test_all_to_the_versions_named():
    out = dry_run("test-all", "PYTHONS=3.14 3.15")
    assert "python3.14" in out and "python3.15" in out
    assert "python3.11" not in out and "python3.13" not in out


@pytest.mark.parametrize("target,command", [("release", "release"), ("autograde", "autograde"),
                                            ("feedback", "feedback"), ("handouts", "handouts"),
                                            ("edition", "edition")])
def test_several_lessons_all_reach_coursetools(target, command):
    args = coursetools_call(dry_run(target, "LESSON=05-gather-and-wait 06-blocking"), command)
    assert args[-2:] == ["05-gather-and-wait", "06-blocking"]
    assert coursetools_call(dry_run(target), command)[-1:] != ["06-blocking"]


def test_collect_passes_the_archive_and_lessons():
    args = coursetools_call(dry_run("collect", "FROM=~/subs.zip", "LESSON=05-gather-and-wait"), "collect")
    assert args == ["--from", "~/subs.zip", "05-gather-and-wait"]


def test_no_recipe_changes_folder_before_an_nbgrader_call():
    """nbgrader is reached only through coursetools, which runs it in the course folder."""
    text = (ROOT / "Makefile").read_text()
    assert "nbgrader " not in re.sub(r"#.*", "", text).replace("nbgrader's", "")
    assert "-m coursetools --course autograder" in text


def test_validate_and_grades_use_coursetools():
    assert coursetools_call(dry_run("validate", "NB=my notebook.ipynb"), "validate") == ["my notebook.ipynb"]
    assert coursetools_call(dry_run("grades"), "grades") == ["--to", "build/grades.csv"]


def test_corpus_passes_runs_load_and_lessons():
    args = coursetools_call(dry_run("corpus", "RUNS=20", "BUSY=2", "LESSON=00-start-here"), "corpus")
    assert args == ["--runs", "20", "--busy", "2", "00-start-here"]
    assert coursetools_call(dry_run("corpus"), "corpus") == ["--runs", "1", "--busy", "0"]


def test_the_edition_is_a_course_variable_with_a_workspace_each():
    """EDITION (not LANG) picks the language; each edition builds and syncs into its own
    folders, so the English workspace is never touched by the Chinese edition."""
    assert "LANG" not in re.sub(r"#.*", "", (ROOT / "Makefile").read_text()).replace("EDITION", "")
    en = coursetools_call(dry_run("edition"), "edition")
    assert en == ["--edition", "en", "--build", "build/learner-edition", "--workspace", "workspace"]
    zh = coursetools_call(dry_run("edition", "EDITION=zh", "LANG=en_US.UTF-8"), "edition")
    assert zh == ["--edition", "zh", "--build", "build/learner-edition-zh", "--workspace", "workspace-zh"]
    assert coursetools_call(dry_run("edition", "LANG=zh_CN.UTF-8"), "edition")[1] == "en"


def test_make_lab_edition_zh_opens_the_chinese_workspace_with_the_chinese_lab_settings_first():
    lab = [l for l in dry_run("lab", "EDITION=zh").splitlines() if "jupyter lab" in l][0]
    assert lab.startswith("cd workspace-zh && ")
    assert f"JUPYTER_CONFIG_PATH={ROOT}/autograder/learner-zh:{ROOT}/autograder/learner " in lab
    lab = [l for l in dry_run("lab").splitlines() if "jupyter lab" in l][0]
    assert lab.startswith("cd workspace && ") and f"JUPYTER_CONFIG_PATH={ROOT}/autograder/learner " in lab


def test_an_unknown_edition_is_refused():
    done = subprocess.run(["make", "-n", "lab", "EDITION=fr"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "EDITION=fr: the editions are en and zh" in done.stderr


def test_make_handouts_edition_zh_prints_the_chinese_handouts_apart():
    assert coursetools_call(dry_run("handouts"), "handouts") == ["--edition", "en", "--out", "build/handouts"]
    assert coursetools_call(dry_run("handouts", "EDITION=zh", "LESSON=00-start-here"), "handouts") == [
        "--edition", "zh", "--out", "build/handouts-zh", "00-start-here"]


def test_make_hub_listens_on_localhost_by_default_with_the_projects_config_and_proxy():
    out = dry_run("hub")
    assert "HUB_IP=127.0.0.1 HUB_PORT=8000" in out
    assert "jupyterhub -f autograder/hub/jupyterhub_config.py" in out
    assert f"HUB_PROXY={ROOT}/build/hub-proxy/node_modules/.bin/configurable-http-proxy" in out
    assert "npm ci --prefix build/hub-proxy" in out
    args = coursetools_call(out, "edition")
    assert args[:4] == ["--edition", "en", "--build", "build/learner-edition"]


def test_make_hub_passes_where_to_listen_who_teaches_and_the_edition():
    out = dry_run("hub", "HUB_IP=0.0.0.0", "HUB_PORT=9000", "HUB_INSTRUCTORS=ada,bo", "EDITION=zh")
    assert "HUB_IP=0.0.0.0 HUB_PORT=9000" in out and "HUB_INSTRUCTORS=ada,bo" in out and "HUB_EDITION=zh" in out
    assert coursetools_call(out, "edition")[:4] == ["--edition", "zh", "--build", "build/learner-edition-zh"]


def test_the_hubs_proxy_is_pinned_exactly_by_a_committed_lockfile():
    import json
    folder = ROOT / "autograder" / "hub" / "proxy"
    wanted = json.loads((folder / "package.json").read_text())["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", wanted), f"not an exact version: {wanted}"
    lock = json.loads((folder / "package-lock.json").read_text())["packages"]
    assert lock["node_modules/configurable-http-proxy"]["version"] == wanted
    assert all("version" in entry and "integrity" in entry for name, entry in lock.items() if name)


@pytest.mark.parametrize("target", ["test", "check"])
def test_a_marker_expression_in_pytest_args_replaces_the_targets_own(target):
    """pytest keeps the last -m: the README's `make test PYTEST_ARGS="-n 2 -m notebook"` runs
    the lessons only, so the target's own -m must come before PYTEST_ARGS."""
    line = next(line for line in dry_run(target, 'PYTEST_ARGS=-n 2 -m notebook').splitlines()
                if "-m pytest" in line and "attacks tests/" not in line)
    words = shlex.split(line)
    markers = [words[i + 1] for i, word in enumerate(words[:-1]) if word == "-m" and words[i + 1] != "pytest"]
    assert markers[-1] == "notebook", line
