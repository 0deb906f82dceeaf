"""The harness itself: prove that the suite fails on broken notebooks, not just passes on good ones."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

import nbcheck

HERE = Path(__file__).resolve().parent


def make_notebook(path: Path, *sources: str, meta: list[dict] | None = None,
                  shaped: bool = False) -> nbformat.NotebookNode:
    """A notebook of code cells; ``shaped`` wraps them in a title and a summary (a lesson's shape)."""
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    if shaped:
        nb.cells = [new_markdown_cell("# 01 · A test lesson"), *nb.cells, new_markdown_cell("## Summary")]
    nb.metadata.kernelspec = {"name": nbcheck.KERNEL, "display_name": "course", "language": "python"}
    for cell, extra in zip(nb.cells, meta or []):
        cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False,
                                     "locked": False, "task": False, **extra}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return nb


@pytest.mark.slow
def test_suite_fails_on_an_erroring_notebook_and_one_with_outputs(pytester, tmp_path, monkeypatch):
    lessons = tmp_path / "lessons"
    make_notebook(lessons / "01-broken" / "broken.ipynb", "x = 1", "1 / 0", shaped=True)
    dirty = make_notebook(lessons / "02-dirty" / "dirty.ipynb", "print('hi')", shaped=True)
    dirty.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="hi\n")]
    dirty.cells[1].execution_count = 1
    nbformat.write(dirty, lessons / "02-dirty" / "dirty.ipynb")
    monkeypatch.setenv("AIOLAB_NOTEBOOKS", str(lessons))

    result = pytester.runpytest_subprocess(str(HERE / "test_notebooks.py"), "-p", "no:cacheprovider")

    assert result.ret != 0
    result.stdout.fnmatch_lines([
        "*FAILED*test_committed_without_outputs*02-dirty/dirty.ipynb*",
        "*FAILED*test_instructor_edition_runs_and_passes*01-broken/broken.ipynb*",
    ])
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 2, outcomes


def test_output_check_flags_outputs_and_counts():
    nb = new_notebook(cells=[new_code_cell("1", execution_count=3), new_code_cell("2")])
    nb.cells[1].outputs = [nbformat.v4.new_output("execute_result", data={"text/plain": "2"})]
    problems = nbcheck.output_problems(nb)
    assert problems == ["cell 0 has execution_count 3", "cell 1 has 1 output(s)"]


def test_metadata_check_flags_duplicates_missing_points_and_markers(tmp_path):
    nb = make_notebook(
        tmp_path / "x.ipynb",
        "### BEGIN SOLUTION\nx = 1\n",                      # unbalanced solution markers
        "assert x == 1",                                    # graded, no points
        "assert x\n### BEGIN HIDDEN TESTS\n### END HIDDEN TESTS",
        meta=[{"solution": True, "grade_id": "ex"},
              {"grade": True, "grade_id": "tests", "locked": True, "points": 0},
              {"grade": True, "grade_id": "ex", "locked": True, "points": 1}],
    )
    problems = "\n".join(nbcheck.metadata_problems(nb))
    assert "grade_id 'ex' already used by cell 0" in problems
    assert "graded cell without points" in problems
    assert "unbalanced ### BEGIN/END SOLUTION" in problems


def test_metadata_check_accepts_a_well_formed_exercise(tmp_path):
    nb = make_notebook(
        tmp_path / "ok.ipynb",
        "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION",
        "assert f() == 1\n### BEGIN HIDDEN TESTS\nassert f() + 1 == 2\n### END HIDDEN TESTS",
        meta=[{"solution": True, "grade_id": "f"},
              {"grade": True, "grade_id": "f_tests", "locked": True, "points": 2}],
    )
    assert nbcheck.metadata_problems(nb) == []


def test_notebooks_root_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AIOLAB_NOTEBOOKS", str(tmp_path))
    assert nbcheck.notebooks_root() == tmp_path.resolve()
    monkeypatch.delenv("AIOLAB_NOTEBOOKS")
    assert nbcheck.notebooks_root() == (HERE.parent / "notebooks").resolve()
    assert os.path.isdir(nbcheck.notebooks_root())
