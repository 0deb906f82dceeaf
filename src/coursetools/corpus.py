"""Grade the sample submissions of autograder/corpus/ with real nbgrader, in a scratch course.

For each lesson with a ``manifest.yml``: nbgrader generate_assignment releases the lesson,
every case of the manifest becomes a student's submission (built from the released
notebook), nbgrader autograde grades them all, nbgrader export writes the CSV, and the
gradebook gives the score of every graded cell. :func:`problems` compares that with the
manifest (scores, leaks of hidden tests into feedback pages, texts the learner must see).

Used by ``tests/test_corpus.py`` (every ``make test``) and by ``make corpus`` (instructors
adding cases; ``RUNS=20 BUSY=2`` grades again and again while other processes keep every
core busy, to prove no grade depends on the machine's load).
"""

from __future__ import annotations

import contextlib
import csv
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from .course import Course

ROOT = Path(__file__).resolve().parents[2]
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
    #: Scores that differ on some Python versions, because Python itself behaves differently
    #: there (``{"3.11": {"later_tests": 0.75}}``): the grade follows what the learner's code
    #: really does on the interpreter that grades it.
    expect_on: dict[str, dict[str, float]] = field(default_factory=dict)

    def expected(self, python: tuple[int, int] | None = None) -> dict[str, float]:
        """The score of every graded cell when graded on ``python`` (default: this
        interpreter, which the course's kernel also runs)."""
        major, minor = python or sys.version_info[:2]
        return {**self.expect, **self.expect_on.get(f"{major}.{minor}", {})}


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
    #: The nbgrader course folder the corpus belongs to (its nbgrader_config.py and source).
    course_dir: Path = ROOT / "autograder"


# The heading in the English lessons and in the Chinese edition (docs/glossary.zh.md).
EXERCISES = re.compile(r"^##\s+(\d+\.\s*)?(Exercises?\b|练习)", re.M)


def exercises_only(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    start = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "markdown" and EXERCISES.search(c.source)), None)
    if start is None:
        raise ValueError("no '## Exercises' heading: the lesson does not follow docs/AUTHORING.md")
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    trimmed = nbformat.from_dict(nb)
    trimmed.cells = nb.cells[:first_code + 1] + nb.cells[start:] if first_code < start else nb.cells[start:]
    return trimmed


def manifests(folder: Path = CORPUS) -> list[Manifest]:
    found = []
    for path in sorted(folder.glob("*/manifest.yml")):
        data = yaml.safe_load(path.read_text())
        cases = [Case(name=name, **spec) for name, spec in data["cases"].items()]
        found.append(Manifest(path.parent.name, data["notebook"], cases,
                              exercises_only=data.get("exercises_only", True),
                              course_dir=folder.resolve().parent))
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


def scratch_course(folder: Path, course_dir: Path = ROOT / "autograder", source: Path | None = None) -> Course:
    """The course's real nbgrader configuration, working (and keeping its gradebook) in ``folder``;
    ``source``: other instructor notebooks than the configured ones (a translated edition's)."""
    folder.mkdir(parents=True, exist_ok=True)
    return Course(course_dir, root=folder, source=source or Course(course_dir).source, db=folder / "gradebook.db")


@dataclass
class Graded:
    scores: dict[str, dict[str, float]]      # student (case) -> grade_id -> score
    totals: dict[str, float]                 # student -> total from nbgrader export's CSV
    feedback: dict[str, str]                 # student -> autograded notebook text (outputs included)
    pages: dict[str, str]                    # student -> visible text of their feedback page


def grade(manifest: Manifest, folder: Path, jobs: int = 1, source: Path | None = None) -> Graded:
    """Grade the manifest's cases released from the course's lessons (or from ``source``)."""
    from nbgrader.api import Gradebook

    from .autograde import Grader

    course = scratch_course(folder, manifest.course_dir, source)
    released_dir = course.release(manifest.lesson)
    released = nbformat.read(released_dir / manifest.notebook, as_version=4)
    if manifest.exercises_only:
        released = exercises_only(released)
    for case in manifest.cases:
        target = folder / "submitted" / case.name / manifest.lesson / manifest.notebook
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(build_submission(released, case), target)
    # One at a time by default: the suite already grades two lessons at once (pytest -n),
    # and the cores are the machine a grade's real-time budgets were set for.
    outcomes = Grader(course, jobs, progress=False).grade(manifest.lesson)
    failed = [f"{o.student}: {o.reason}" for o in outcomes if not o.graded]
    if failed:
        raise RuntimeError(f"{manifest.lesson}: sample submissions not graded: {failed}")
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


def hidden_lines(lesson: str, notebook: str, course_dir: Path = ROOT / "autograder") -> set[str]:
    """The substantial lines of the instructor edition's hidden tests: what no feedback may show."""
    nb = nbformat.read(Course(course_dir).source / lesson / notebook, as_version=4)
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


def problems(manifest: Manifest, graded: Graded) -> list[str]:
    """Everything wrong with a graded corpus: a score that is not the manifest's, a CSV total
    that is not the sum of its cells, a feedback page showing a hidden test, a text the
    graded notebook should show but does not. Empty when the corpus proves its grades."""
    hidden = hidden_lines(manifest.lesson, manifest.notebook, manifest.course_dir)
    autograded = {line.strip() for text in graded.feedback.values()
                  for cell in nbformat.reads(text, as_version=4).cells for line in cell.source.splitlines()}
    if not (hidden and hidden & autograded):
        return ["the leak check must see the hidden tests in the autograded notebooks, or it proves nothing"]
    wrong = []
    for case in manifest.cases:
        got = graded.scores[case.name]
        for grade_id, expected in case.expected().items():
            if got.get(grade_id) != expected:
                wrong.append(f"{case.name} ({case.about}): {grade_id} scored {got.get(grade_id)}, expected {expected}")
        if graded.totals[case.name] != sum(got.values()):
            wrong.append(f"{case.name}: CSV total {graded.totals[case.name]} != sum of cells {sum(got.values())}")
        page = graded.pages[case.name]
        own = "\n".join({**case.answers, **case.edit}.values())
        page_lines = {line.strip() for line in page.splitlines()}
        leaked = sorted(line for line in hidden & page_lines if line not in own)
        if leaked:
            wrong.append(f"{case.name}: the feedback page shows hidden test code: {leaked[:3]}")
        if "HIDDEN TESTS" in page:
            wrong.append(f"{case.name}: the feedback page shows a hidden-tests marker")
        for text in case.feedback:
            if text not in graded.feedback[case.name]:
                wrong.append(f"{case.name}: the graded notebook does not show {text!r}")
    return wrong


def _spin(parent: int) -> None:
    """Burn CPU until told to stop, or until the process that started it is gone (killed
    without the chance to stop its workers: they must not outlive it)."""
    while os.getppid() == parent:
        for _ in range(1_000_000):
            pass


@contextlib.contextmanager
def busy(processes: int) -> Iterator[None]:
    """Keep ``processes`` CPU-bound processes running meanwhile (the load a shared grading
    machine may be under); they are killed on the way out."""
    workers = [multiprocessing.get_context("spawn").Process(target=_spin, args=(os.getpid(),), daemon=True)
               for _ in range(processes)]
    for w in workers:
        w.start()
    try:
        yield
    finally:
        for w in workers:
            w.kill()
            w.join()


@dataclass
class Stability:
    """Every score each graded cell of each case got, over several gradings of the corpus."""

    runs: int
    seconds: list[float] = field(default_factory=list)
    #: (lesson, case, grade_id) -> Counter of scores
    seen: dict[tuple[str, str, str], Counter] = field(default_factory=dict)
    #: (lesson, case, grade_id) -> the manifest's score
    expected: dict[tuple[str, str, str], float] = field(default_factory=dict)
    other: list[str] = field(default_factory=list)          # problems other than scores

    def unstable(self) -> dict[tuple[str, str, str], Counter]:
        return {k: c for k, c in self.seen.items() if len(c) > 1}

    def wrong(self) -> dict[tuple[str, str, str], Counter]:
        return {k: c for k, c in self.seen.items() if set(c) != {self.expected[k]}}

    def report(self) -> str:
        cells = len(self.seen)
        lines = [f"graded the corpus {self.runs} time(s): {cells} graded cells of "
                 f"{len({k[:2] for k in self.seen})} cases, "
                 f"{sum(self.seconds):.0f} s ({', '.join(f'{s:.0f}' for s in self.seconds)} s per run)"]
        for (lesson, case, grade_id), counts in sorted(self.wrong().items()):
            got = ", ".join(f"{score:g} ({n}x)" for score, n in counts.most_common())
            lines.append(f"  {lesson} {case} {grade_id}: expected {self.expected[(lesson, case, grade_id)]:g}, got {got}")
        lines += [f"  {line}" for line in sorted(set(self.other))]
        lines.append(f"scores that changed between runs: {len(self.unstable())}; "
                     f"scores other than the manifest's: {len(self.wrong())}")
        return "\n".join(lines)


def stability(chosen: list[Manifest], runs: int, *, load: int = 0, log=print) -> Stability:
    """Grade the ``chosen`` corpora ``runs`` times (with ``load`` busy processes running
    alongside) and record every score."""
    result = Stability(runs)
    with busy(load):
        for run in range(1, runs + 1):
            started = time.monotonic()
            for manifest in chosen:
                with tempfile.TemporaryDirectory(prefix="corpus-") as folder:
                    graded = grade(manifest, Path(folder))
                result.other += [f"{manifest.lesson}: {p}" for p in problems(manifest, graded)
                                 if " scored " not in p]
                for case in manifest.cases:
                    for grade_id, expected in case.expected().items():
                        key = (manifest.lesson, case.name, grade_id)
                        result.expected[key] = expected
                        result.seen.setdefault(key, Counter())[graded.scores[case.name].get(grade_id)] += 1
            result.seconds.append(time.monotonic() - started)
            log(f"run {run}/{runs}: {result.seconds[-1]:.0f} s; wrong so far: {len(result.wrong())}")
    return result
