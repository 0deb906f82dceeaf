"""The learner's edition: built by nbgrader, and a learner's edited notebook is never overwritten."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

import nbcheck
from coursetools.course import lesson_folders
from coursetools.edition import MANIFEST, sync

ROOT = Path(__file__).resolve().parent.parent


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_sync_adds_updates_and_keeps_edits(tmp_path):
    release, workspace = tmp_path / "release", tmp_path / "ws"
    write(release / "01" / "a.ipynb", "a v1")
    write(release / "01" / "b.ipynb", "b v1")
    first = sync(release, workspace)
    assert first.added == ["01/a.ipynb", "01/b.ipynb"]
    assert (workspace / "01" / "a.ipynb").read_text() == "a v1"

    # The learner edits a.ipynb; the course then ships new versions of both and a new lesson.
    write(workspace / "01" / "a.ipynb", "a v1 + my answer")
    write(release / "01" / "a.ipynb", "a v2")
    write(release / "01" / "b.ipynb", "b v2")
    write(release / "02" / "c.ipynb", "c v1")
    second = sync(release, workspace)
    assert second.kept == ["01/a.ipynb"]
    assert second.updated == ["01/b.ipynb"]
    assert second.added == ["02/c.ipynb"]
    assert (workspace / "01" / "a.ipynb").read_text() == "a v1 + my answer"
    assert (workspace / "01" / "b.ipynb").read_text() == "b v2"
    assert any("kept" in line and "01/a.ipynb" in line for line in second.lines())

    third = sync(release, workspace)
    assert third.kept == ["01/a.ipynb"] and third.added == third.updated == []
    assert sorted(third.unchanged) == ["01/b.ipynb", "02/c.ipynb"]


def test_a_file_that_predates_the_manifest_is_kept(tmp_path):
    release, workspace = tmp_path / "release", tmp_path / "ws"
    write(release / "01" / "a.ipynb", "course version")
    write(workspace / "01" / "a.ipynb", "a learner's own file of that name")
    assert sync(release, workspace).kept == ["01/a.ipynb"]
    assert (workspace / "01" / "a.ipynb").read_text() == "a learner's own file of that name"
    assert "01/a.ipynb" not in json.loads((workspace / MANIFEST).read_text())


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(sources[0])] + [nbformat.v4.new_code_cell(s) for s in sources[1:]]
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    return nb


def ran(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What running every cell and saving in JupyterLab does: outputs, counts, metadata."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    for n, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        cell.execution_count = n + 1
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=f"out {n}\n")]
        cell.metadata["execution"] = {"iopub.status.busy": "2026-11-28T10:00:00Z"}
        cell.metadata["scrolled"] = True
    nb.metadata["widgets"] = {}
    return nb


def test_a_lesson_the_learner_only_ran_is_refreshed_and_an_edited_one_kept(tmp_path):
    release, workspace = tmp_path / "release", tmp_path / "ws"
    v1 = notebook("# Lesson", "x = 1", "print(x)")
    for name in ("ran", "ran-no-update", "edited", "added-a-cell", "removed-a-cell", "untouched"):
        write(release / f"{name}.ipynb", nbformat.writes(v1))
    sync(release, workspace)

    def learner(name, nb):
        (workspace / f"{name}.ipynb").write_text(json.dumps(nb, indent=2))      # not nbformat's layout

    learner("ran", ran(v1))
    learner("ran-no-update", ran(v1))
    edited = ran(v1)
    edited.cells[1].source = "x = 2  # mine"
    learner("edited", edited)
    added = ran(v1)
    added.cells.append(nbformat.v4.new_code_cell("my_own = True"))
    learner("added-a-cell", added)
    removed = ran(v1)
    del removed.cells[2]
    learner("removed-a-cell", removed)

    v2 = notebook("# Lesson, fixed", "x = 1", "print(x)")
    for name in ("ran", "edited", "added-a-cell", "removed-a-cell", "untouched"):
        write(release / f"{name}.ipynb", nbformat.writes(v2))
    report = sync(release, workspace)
    assert report.refreshed == ["ran.ipynb"]
    assert report.updated == ["untouched.ipynb"]
    assert report.unchanged == ["ran-no-update.ipynb"]
    assert report.kept == ["added-a-cell.ipynb", "edited.ipynb", "removed-a-cell.ipynb"]
    assert nbformat.read(workspace / "ran.ipynb", as_version=4).cells[0].source == "# Lesson, fixed"
    assert nbformat.read(workspace / "ran-no-update.ipynb", as_version=4).cells[1].outputs     # outputs stay
    assert "x = 2  # mine" in (workspace / "edited.ipynb").read_text()
    assert any(line.startswith("  refreshed  ran.ipynb") and "run it again" in line for line in report.lines())

    # Run again after the refresh, then no new version: nothing changes.
    learner("ran", ran(v2))
    again = sync(release, workspace)
    assert "ran.ipynb" in again.unchanged and again.refreshed == again.updated == []
    assert nbformat.read(workspace / "ran.ipynb", as_version=4).cells[1].outputs


def test_a_workspace_from_an_older_manifest_is_understood(tmp_path):
    """Before notebooks were hashed by their cells the manifest held each file's bytes' hash."""
    import hashlib

    release, workspace = tmp_path / "release", tmp_path / "ws"
    write(release / "a.ipynb", nbformat.writes(notebook("# v1", "pass")))
    write(release / "b.ipynb", nbformat.writes(notebook("# v1", "pass")))
    sync(release, workspace)
    old = {rel: hashlib.sha256((workspace / rel).read_bytes()).hexdigest() for rel in ("a.ipynb", "b.ipynb")}
    (workspace / MANIFEST).write_text(json.dumps(old))
    (workspace / "b.ipynb").write_text((workspace / "b.ipynb").read_text().replace("pass", "mine = 1"))
    write(release / "a.ipynb", nbformat.writes(notebook("# v2", "pass")))
    write(release / "b.ipynb", nbformat.writes(notebook("# v2", "pass")))
    report = sync(release, workspace)
    assert report.updated == ["a.ipynb"] and report.kept == ["b.ipynb"]


def test_lessons_are_the_notebook_folders_in_order():
    names = lesson_folders(ROOT / "notebooks")
    assert names == sorted(names) and names[0] == "00-start-here"


@pytest.mark.slow
def test_make_edition_end_to_end_strips_solutions_and_keeps_an_edit(tmp_path):
    """What `make lab` runs, again and again, with the learner running the lesson, then
    editing it, in between (for one lesson: every lesson's edition is generated by
    tests/test_notebooks.py)."""
    workspace = tmp_path / "workspace"
    cmd = [sys.executable, "-m", "coursetools", "edition", "--workspace", str(workspace),
           "--build", str(tmp_path / "build"), "00-start-here"]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    lesson = workspace / "00-start-here" / "start-here.ipynb"
    assert "added      00-start-here/start-here.ipynb" in out
    text = lesson.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "raise NotImplementedError()" in text

    # The learner runs the lesson (blank exercises fail) and it is saved; the course then has
    # a new version of it (the manifest says an older one was written): it is refreshed.
    from nbclient import NotebookClient

    nb = nbformat.read(lesson, as_version=4)
    NotebookClient(nb, timeout=120, allow_errors=True, resources={"metadata": {"path": str(lesson.parent)}}).execute()
    nbformat.write(nb, lesson)
    assert any(c.get("outputs") for c in nbformat.read(lesson, as_version=4).cells)
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert "2 file(s) already up to date" in out and "kept" not in out      # ran, same version: left alone
    records = json.loads((workspace / MANIFEST).read_text())
    records["00-start-here/start-here.ipynb"]["bytes"] = "an older version"
    (workspace / MANIFEST).write_text(json.dumps(records))
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert "refreshed  00-start-here/start-here.ipynb" in out, out
    assert not any(c.get("outputs") for c in nbformat.read(lesson, as_version=4).cells)

    nb = nbformat.read(lesson, as_version=4)
    nb.cells[0].source += "\n\nMy own note."
    nbformat.write(nb, lesson)
    records = json.loads((workspace / MANIFEST).read_text())
    records["00-start-here/start-here.ipynb"]["bytes"] = "an older version"
    (workspace / MANIFEST).write_text(json.dumps(records))
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert "kept       00-start-here/start-here.ipynb" in out
    assert "My own note." in lesson.read_text()
    assert nbcheck.graded_test_cells(nbformat.read(lesson, as_version=4))


def _lesson_notebook(states: dict[str, str]) -> nbformat.NotebookNode:
    """A lesson with one graded test cell per grade id, saved as after a run: 'passed'
    (outputs, no error), 'failing' (an error output), 'not run', or 'edited' (passed, but
    its source differs from the one nbgrader's checksum was taken of)."""
    from nbgrader.utils import compute_checksum

    nb = notebook("# 03 · A lesson\n\nText.")
    for grade_id, state in states.items():
        answer = nbformat.v4.new_code_cell("def f(): ...")
        answer.metadata["nbgrader"] = {"grade": False, "solution": True, "grade_id": grade_id.replace("_tests", ""),
                                       "locked": False, "schema_version": 3}
        test = nbformat.v4.new_code_cell("check()")
        test.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": grade_id, "points": 2,
                                     "locked": True, "schema_version": 3}
        test.metadata["nbgrader"]["checksum"] = compute_checksum(test)
        if state == "edited":
            test.source = "pass  # the learner's own 'test'"
        if state != "not run":
            answer.execution_count, test.execution_count = 1, 2
            test.outputs = [nbformat.v4.new_output("stream", name="stdout", text="✓ ...\n")]
            if state == "failing":
                test.outputs.append(nbformat.v4.new_output("error", ename="ChecksFailed", evalue="✗", traceback=[]))
        nb.cells += [answer, test]
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i}"
    return nb


def test_progress_reads_each_test_cell_as_validate_judges_it_without_running_anything(tmp_path):
    from aiolab.progress import progress

    write(tmp_path / "03-a" / "a.ipynb", nbformat.writes(_lesson_notebook(
        {"one_tests": "passed", "two_tests": "failing", "three_tests": "not run"})))
    write(tmp_path / "04-b" / "b.ipynb", nbformat.writes(_lesson_notebook({"four_tests": "passed", "five_tests": "edited"})))
    write(tmp_path / "05-c" / "c.ipynb", "{ not a notebook")
    write(tmp_path / "05-c" / ".ipynb_checkpoints" / "c-checkpoint.ipynb", "{}")
    shown = progress(tmp_path)
    assert [(l.path.parent.name, l.title, l.exercises) for l in shown.lessons] == [
        ("03-a", "03 · A lesson", {"one_tests": "passed", "two_tests": "failing", "three_tests": "not run yet"}),
        ("04-b", "03 · A lesson", {"four_tests": "passed", "five_tests": "test cell edited"})]
    table = shown._repr_markdown_()
    assert "| [03 · A lesson](03-a/a.ipynb) | 1 of 3 | 1 | 1 | 0 |" in table
    assert "| [03 · A lesson](04-b/b.ipynb) | 1 of 2 | 0 | 0 | 1 |" in table
    assert "**2 of 5 exercises passed**" in table and "A test cell you edited does not count" in table


def test_the_contents_page_lists_every_lesson_with_its_goals_and_shows_progress(tmp_path):
    from coursetools.edition import contents

    source = ROOT / "notebooks"
    names = lesson_folders(source)
    nb = contents(source, names)
    text = nb.cells[0].source
    links = re.findall(r"^## \[(.+?)\]\((.+?)\)", text, re.M)
    assert [link.split("/")[0] for _, link in links] == names
    assert all((source / link).is_file() for _, link in links)
    assert text.count("After it you can:") == len(names) - 1          # the errata has no goals
    assert "`asyncio.run()`" in text                                  # a goal of lesson 00
    assert nb.cells[-1].source.endswith("progress()")
    assert nb.metadata.kernelspec.name == "asyncio-course"


def test_each_lesson_ends_with_working_previous_next_and_contents_links():
    """In the learner's workspace, where contents.ipynb sits beside the lesson folders."""
    from coursetools.edition import CONTENTS

    source = ROOT / "notebooks"
    lessons = [next((source / name).glob("*.ipynb")) for name in lesson_folders(source)]
    for i, path in enumerate(lessons):
        last = nbformat.read(path, as_version=4).cells[-1].source
        found = re.findall(r"(Previous|Next): \[[^\]]*\]\(([^)]+)\)|\[(Contents)\]\(([^)]+)\)", last)
        links = {m[0] or m[2]: m[1] or m[3] for m in found}
        expected = {"Previous": lessons[i - 1] if i else None, "Next": lessons[i + 1] if i + 1 < len(lessons) else None}
        for label, want in expected.items():
            if want is None:
                continue
            assert (path.parent / links.get(label, "missing")).resolve() == want.resolve(), (path.name, label, last[-300:])
        contents = links.get("Contents") or (links.get("Previous") if i == 0 else None)
        assert contents == f"../{CONTENTS}", (path.name, last[-300:])
