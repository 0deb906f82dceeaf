"""The learner's edition: built by nbgrader, and a learner's edited notebook is never overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat

import nbcheck
from aiolab.edition import MANIFEST, lessons, sync

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


def test_lessons_are_the_notebook_folders_in_order():
    names = lessons(ROOT / "notebooks")
    assert names == sorted(names) and names[0] == "00-start-here"


def test_make_edition_end_to_end_strips_solutions_and_keeps_an_edit(tmp_path):
    """What `make lab` runs, twice, with a learner's edit in between."""
    workspace = tmp_path / "workspace"
    cmd = [sys.executable, "-m", "aiolab.edition", "--workspace", str(workspace),
           "--build", str(tmp_path / "build")]
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    lesson = workspace / "00-start-here" / "start-here.ipynb"
    assert "added      00-start-here/start-here.ipynb" in out
    text = lesson.read_text()
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    assert "raise NotImplementedError()" in text

    nb = nbformat.read(lesson, as_version=4)
    nb.cells[0].source += "\n\nMy own note."
    nbformat.write(nb, lesson)
    out = subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    assert "kept       00-start-here/start-here.ipynb" in out
    assert "My own note." in lesson.read_text()
    assert nbcheck.graded_test_cells(nbformat.read(lesson, as_version=4))
