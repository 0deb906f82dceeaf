"""Grade the sample submissions of autograder/corpus/ with real nbgrader, in a scratch course.

For each lesson with a ``manifest.yml``: nbgrader generate_assignment releases the lesson,
every case of the manifest becomes a student's submission (built from the released
notebook), nbgrader autograde grades them all, nbgrader export writes the CSV, and the
gradebook gives the score of every graded cell.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from coursetools.course import Course

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "autograder" / "corpus"


@dataclass
class Case:
    name: str
    about: str
    answers: dict[str, str] = field(default_factory=dict)
    edit: dict[str, str] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    expect: dict[str, float] = field(default_factory=dict)
    feedback: list[str] = field(default_factory=list)


@dataclass
class Manifest:
    lesson: str
    notebook: str
    cases: list[Case]
    #: Grade only the exercises: drop the lesson's story before "## Exercises" (keeping its
    #: first code cell, the imports). Every case then costs a kernel start and the exercise
    #: cells instead of the whole lesson. Sound because the "correct" case must still score
    #: full marks (so the exercises do not depend on what was dropped), and the lesson
    #: itself is executed whole, with solutions and blank, by tests/test_notebooks.py.
    exercises_only: bool = True


EXERCISES = re.compile(r"^##\s+(\d+\.\s*)?Exercises?\b", re.M)


def exercises_only(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    start = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "markdown" and EXERCISES.search(c.source)), None)
    if start is None:
        raise ValueError("no '## Exercises' heading: the lesson does not follow docs/AUTHORING.md")
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    trimmed = nbformat.from_dict(nb)
    trimmed.cells = nb.cells[:first_code + 1] + nb.cells[start:] if first_code < start else nb.cells[start:]
    return trimmed


def manifests() -> list[Manifest]:
    found = []
    for path in sorted(CORPUS.glob("*/manifest.yml")):
        data = yaml.safe_load(path.read_text())
        cases = [Case(name=name, **spec) for name, spec in data["cases"].items()]
        found.append(Manifest(path.parent.name, data["notebook"], cases,
                              exercises_only=data.get("exercises_only", True)))
    return found


def build_submission(released: nbformat.NotebookNode, case: Case) -> nbformat.NotebookNode:
    """The released notebook as this case's student would hand it in."""
    nb = nbformat.from_dict(released)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for grade_id, source in {**case.answers, **case.edit}.items():
        if grade_id not in by_id:
            raise KeyError(f"case {case.name}: no cell with grade_id {grade_id!r}")
        by_id[grade_id].source = source.rstrip("\n")
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in case.delete]
    return nb


def scratch_course(folder: Path) -> Course:
    """The course's real nbgrader configuration, working (and keeping its gradebook) in ``folder``."""
    return Course(ROOT / "autograder", root=folder, source=ROOT / "notebooks", db=folder / "gradebook.db")


@dataclass
class Graded:
    scores: dict[str, dict[str, float]]      # student (case) -> grade_id -> score
    totals: dict[str, float]                 # student -> total from nbgrader export's CSV
    feedback: dict[str, str]                 # student -> autograded notebook text (outputs included)
    pages: dict[str, str]                    # student -> visible text of their feedback page


def grade(manifest: Manifest, folder: Path) -> Graded:
    from nbgrader.api import Gradebook

    course = scratch_course(folder)
    released_dir = course.release(manifest.lesson)
    released = nbformat.read(released_dir / manifest.notebook, as_version=4)
    if manifest.exercises_only:
        released = exercises_only(released)
    for case in manifest.cases:
        target = folder / "submitted" / case.name / manifest.lesson / manifest.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(build_submission(released, case), target)
    course.autograde(manifest.lesson)
    course.export(folder / "grades.csv")
    course.feedback(manifest.lesson)

    notebook_id = Path(manifest.notebook).stem
    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gb:
        for case in manifest.cases:
            submission = gb.find_submission_notebook(notebook_id, manifest.lesson, case.name)
            scores[case.name] = {g.name: g.score for g in submission.grades}
    with open(folder / "grades.csv") as fh:
        totals = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(fh)
                  if row["assignment"] == manifest.lesson}
    feedback = {case.name: (folder / "autograded" / case.name / manifest.lesson / manifest.notebook).read_text()
                for case in manifest.cases}
    notebook_html = Path(manifest.notebook).with_suffix(".html").name
    pages = {case.name: page_text((folder / "feedback" / case.name / manifest.lesson / notebook_html).read_text())
             for case in manifest.cases}
    return Graded(scores, totals, feedback, pages)


def page_text(page: str) -> str:
    """The visible text of an HTML page (syntax highlighting splits code into many spans)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", page))


def hidden_lines(lesson: str, notebook: str) -> set[str]:
    """The substantial lines of the instructor edition's hidden tests: what no feedback may show."""
    nb = nbformat.read(ROOT / "notebooks" / lesson / notebook, as_version=4)
    hidden, shown, inside, answer = set(), set(), False, False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if "BEGIN HIDDEN TESTS" in line:
                inside = True
            elif "END HIDDEN TESTS" in line:
                inside = False
            elif "BEGIN SOLUTION" in line:
                answer = True
            elif "END SOLUTION" in line:
                answer = False
            elif inside:
                hidden.add(line.strip())
            elif not answer:
                shown.add(line.strip())     # the release shows this line anyway (story, skeletons)
    return {line for line in hidden - shown if len(line) >= 16 and not line.startswith("#")}
