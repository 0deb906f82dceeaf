"""Every lesson under notebooks/: committed clean, valid nbgrader metadata, runs without error,
and every exercise passes with its solution and fails in the learner's blank edition."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

import nbcheck

NOTEBOOKS = nbcheck.find_notebooks()
ids = [str(p.relative_to(nbcheck.notebooks_root())) for p in NOTEBOOKS]


def test_there_are_lessons():
    assert NOTEBOOKS, f"no notebooks found under {nbcheck.notebooks_root()}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_committed_without_outputs(path: Path):
    problems = nbcheck.output_problems(nbcheck.read(path))
    assert not problems, f"{path.name} must be committed without outputs (clear them): {problems}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_nbgrader_metadata_is_valid(path: Path):
    problems = nbcheck.metadata_problems(nbcheck.read(path))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_lesson_shape(path: Path):
    problems = nbcheck.shape_problems(nbcheck.read(path))
    assert not problems, f"{path.name} does not follow docs/AUTHORING.md: {problems}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_instructor_edition_runs_and_passes(path: Path):
    """The instructor edition (with solutions) runs top to bottom; any error fails it."""
    nbcheck.execute(path)


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_learner_edition_exercises_fail_when_blank(path: Path, tmp_path: Path):
    """With the solutions stripped, every graded test cell must fail: no free points. And
    Run All goes on past them (nbclient, like JupyterLab, goes on past a failing cell
    tagged ``raises-exception`` and stops at any other): every cell runs."""
    graded = nbcheck.graded_test_cells(nbcheck.read(path))
    if not graded:
        pytest.skip("no graded exercises in this notebook")
    edition = nbcheck.learner_edition(path.parent, tmp_path)
    nb = nbcheck.execute(edition / path.name)
    passing = [grade_id for grade_id, cell in nbcheck.graded_test_cells(nb) if not nbcheck.failed(cell)]
    assert not passing, f"graded test cells that pass in the blank learner's edition: {passing}"
    unrun = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()
             and cell.get("execution_count") is None]
    assert not unrun, f"cells Run All never reached: {unrun}"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_the_exercise_section_runs_alone_after_a_restart(path: Path, tmp_path: Path):
    """A learner who restarts the kernel and goes straight to the exercises: the section
    from '## Exercises' on runs by itself (it starts with the imports it needs)."""
    from coursetools.corpus import EXERCISES

    nb = nbcheck.read(path)
    start = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and EXERCISES.search(c.source)),
                 None)
    if start is None:
        pytest.skip("no exercises in this notebook")
    nb.cells = nb.cells[start:]
    alone = tmp_path / path.name
    nbformat.write(nb, alone)
    nbcheck.execute(alone)
