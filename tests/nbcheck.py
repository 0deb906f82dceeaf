"""The notebook checks behind tests/test_notebooks.py, as plain functions.

Kept apart from the tests so that the harness can be tested too: tests/test_harness.py
feeds these functions (and the whole test module) notebooks that must be rejected.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
KERNEL = "asyncio-course"
CELL_TIMEOUT = 120  # seconds of real time for one cell; lessons use virtual time for long waits

MARKERS = {
    "SOLUTION": re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$", re.M),
    "HIDDEN TESTS": re.compile(r"^\s*### (BEGIN|END) HIDDEN TESTS\s*$", re.M),
}


def notebooks_root() -> Path:
    """The folder of lessons under test; AIOLAB_NOTEBOOKS points the suite elsewhere."""
    return Path(os.environ.get("AIOLAB_NOTEBOOKS", ROOT / "notebooks")).resolve()


def find_notebooks(root: Path | None = None) -> list[Path]:
    root = root or notebooks_root()
    return sorted(p for p in root.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def output_problems(nb: nbformat.NotebookNode) -> list[str]:
    """Code cells that carry outputs or execution counts (notebooks are committed clean)."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if cell.get("outputs"):
            problems.append(f"cell {index} has {len(cell.outputs)} output(s)")
        if cell.get("execution_count") is not None:
            problems.append(f"cell {index} has execution_count {cell.execution_count}")
    return problems


def nbgrader_cells(nb: nbformat.NotebookNode) -> list[tuple[int, dict]]:
    return [(i, c.metadata["nbgrader"]) for i, c in enumerate(nb.cells) if "nbgrader" in c.metadata]


def metadata_problems(nb: nbformat.NotebookNode) -> list[str]:
    """nbgrader metadata mistakes that nbgrader itself would only report at release time."""
    from nbgrader.nbgraderformat import MetadataValidator, ValidationError

    problems = []
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != KERNEL:
        problems.append(f"kernelspec is {kernel!r}, lessons run in {KERNEL!r}")
    try:
        MetadataValidator().validate_nb(nb)
    except ValidationError as err:
        problems.append(f"nbgrader: {err}")
    seen: dict[str, int] = {}
    for index, meta in nbgrader_cells(nb):
        grade_id = meta.get("grade_id")
        if grade_id in seen:
            problems.append(f"cell {index}: grade_id {grade_id!r} already used by cell {seen[grade_id]}")
        seen[grade_id] = index
        if meta.get("grade") and not (meta.get("points") or 0) > 0:
            problems.append(f"cell {index} ({grade_id}): graded cell without points")
    for index, cell in enumerate(nb.cells):
        for what, pattern in MARKERS.items():
            found = [m.group(1) for m in pattern.finditer(cell.source)]
            if found and (found[::2] != ["BEGIN"] * len(found[::2])
                          or found[1::2] != ["END"] * len(found[1::2]) or len(found) % 2):
                problems.append(f"cell {index}: unbalanced ### BEGIN/END {what} markers {found}")
            meta = cell.metadata.get("nbgrader", {})
            if found and what == "SOLUTION" and not meta.get("solution"):
                problems.append(f"cell {index}: solution markers in a cell not marked as a solution")
            if found and what == "HIDDEN TESTS" and not meta.get("grade"):
                problems.append(f"cell {index}: hidden tests in a cell that is not a graded test cell")
    return problems


def shape_problems(nb: nbformat.NotebookNode) -> list[str]:
    """The lesson shape of docs/AUTHORING.md: a title, goals, exercises under their heading, a summary."""
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    problems = []
    if not nb.cells or not nb.cells[0].source.startswith("# "):
        problems.append("the first cell must be the lesson's '# NN · Title'")
    if not re.search(r"^## Summary", markdown, re.M):
        problems.append("no '## Summary' section")
    if graded_test_cells(nb):
        if "After this lesson you can" not in markdown:
            problems.append("no learning goals ('After this lesson you can')")
        heading = re.search(r"^##\s+(\d+\.\s*)?Exercises?\b", markdown, re.M)
        if not heading:
            problems.append("graded exercises but no '## Exercises' heading")
    return problems


def execute(path: Path, allow_errors: bool = False) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in the course kernel, from its own folder.

    Raises nbclient's CellExecutionError on the first failing cell unless allow_errors.
    """
    for attempt in (1, 2):
        nb = read(path)
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL, allow_errors=allow_errors,
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except RuntimeError as err:
            # A kernel that dies while starting (two kernels started side by side under
            # pytest -n can race for a port) is the machine's problem, not the lesson's:
            # one more try. Errors in cells are CellExecutionError, never retried.
            if attempt == 1 and "Kernel died before replying" in str(err):
                continue
            raise
        return nb
    raise AssertionError("unreachable")


def graded_test_cells(nb: nbformat.NotebookNode) -> list[tuple[str, nbformat.NotebookNode]]:
    return [(c.metadata["nbgrader"]["grade_id"], c) for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def unrun(nb: nbformat.NotebookNode) -> list[int]:
    """The indexes of the code cells with code that never ran (no execution count)."""
    return [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code" and cell.source.strip()
            and cell.get("execution_count") is None]


def failed(cell: nbformat.NotebookNode) -> bool:
    return any(o.get("output_type") == "error" for o in cell.get("outputs", []))


def learner_edition(lesson_dir: Path, out: Path) -> Path:
    """The learner's edition of one lesson folder, made as `make lab` makes it."""
    from coursetools.course import Course
    from coursetools.edition import generate

    generate(Course(ROOT / "autograder", source=lesson_dir.parent), out, [lesson_dir.name])
    return out / lesson_dir.name
