"""The learner's progress through the course, read from their own saved notebooks.

The contents page of the learner's edition (``contents.ipynb``, built by ``make lab``) calls
:func:`progress`. For every lesson it counts the graded exercises whose test cell passed the
last time the learner ran it, the way Validate judges a test cell: it ran, it ended
without an error, and it is the test cell the course gave (nbgrader's checksum of the cell,
stored when the edition was made, still matches; a test cell the learner edited counts as
edited, never as passed, as Validate reports it). Nothing is executed: a cell the learner has
not run (or not saved since) counts as not run yet, so what the table says is what the
learner's notebooks say.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["Lesson", "Progress", "progress"]

#: What a graded test cell's saved outputs say.
PASSED, FAILING, NOT_RUN, EDITED = "passed", "failing", "not run yet", "test cell edited"


@dataclass
class Lesson:
    """One lesson notebook: its title, and each graded test cell's state by grade id."""

    path: Path
    title: str
    exercises: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> int:
        return sum(state == PASSED for state in self.exercises.values())


def _edited(cell: dict[str, Any]) -> bool:
    """Whether a test cell differs from the one the course gave, by nbgrader's own checksum
    (imported here, when a notebook has a checksum to compare: nbgrader takes seconds to
    import and the kernel does not otherwise need it)."""
    stored = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("checksum")
    if not stored:
        return False
    import nbformat
    from nbgrader.utils import compute_checksum

    try:
        saved = nbformat.from_dict({**cell, "source": "".join(cell.get("source", ""))})
        return compute_checksum(saved) != stored
    except (KeyError, TypeError, ValueError):
        return True


def _test_cell_state(cell: dict[str, Any]) -> str:
    if _edited(cell):
        return EDITED
    outputs = cell.get("outputs") or []
    if cell.get("execution_count") is None and not outputs:
        return NOT_RUN
    if any(o.get("output_type") == "error" for o in outputs):
        return FAILING
    return PASSED


def read_lesson(path: Path) -> Lesson | None:
    """The lesson in ``path``, or None for a file that is not a readable notebook."""
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    title = Path(path).stem
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown" and source.startswith("# "):
            title = source.splitlines()[0][2:].strip()
            break
    exercises = {}
    for cell in cells:
        meta = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") == "code" and meta.get("grade") and not meta.get("solution"):
            exercises[str(meta.get("grade_id"))] = _test_cell_state(cell)
    return Lesson(Path(path), title, exercises)


@dataclass
class Progress:
    """Every lesson of a workspace; shown in Jupyter as a table with links."""

    folder: Path
    lessons: list[Lesson]

    def _repr_markdown_(self) -> str:
        edited = any(EDITED in lesson.exercises.values() for lesson in self.lessons)
        rows = ["| lesson | exercises passed | not run yet | failing |" + (" test cell edited |" if edited else ""),
                "|---|---|---|---|" + ("---|" if edited else "")]
        for lesson in self.lessons:
            link = lesson.path.relative_to(self.folder).as_posix()
            states = list(lesson.exercises.values())
            if not states:
                rows.append(f"| [{lesson.title}]({link}) | (no exercises) | | |")
                continue
            rows.append(f"| [{lesson.title}]({link}) | {lesson.passed} of {len(states)} "
                        f"| {states.count(NOT_RUN)} | {states.count(FAILING)} |"
                        + (f" {states.count(EDITED)} |" if edited else ""))
        done = sum(lesson.passed for lesson in self.lessons)
        total = sum(len(lesson.exercises) for lesson in self.lessons)
        note = ("\n\nA test cell you edited does not count: undo your change (or take the cell "
                "again from a fresh copy of the lesson) and run it." if edited else "")
        return "\n".join(rows) + f"\n\n**{done} of {total} exercises passed**, as your saved notebooks say." + note

    def __repr__(self) -> str:
        return "\n".join(f"{lesson.title}: {lesson.passed} of {len(lesson.exercises)} exercises passed"
                         for lesson in self.lessons)


def progress(folder: str | Path = ".") -> Progress:
    """The lessons under ``folder`` (``NN-name/notebook.ipynb``, in order) and how far the
    learner has got in each, from their saved notebooks."""
    folder = Path(folder).resolve()
    lessons = [read_lesson(p) for p in sorted(folder.glob("[0-9][0-9]-*/*.ipynb"))
               if ".ipynb_checkpoints" not in p.parts]
    return Progress(folder, [lesson for lesson in lessons if lesson is not None])
