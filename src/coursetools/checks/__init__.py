"""The hidden checks of the graded exercises: instructor-side, never in a learner's edition.

Each lesson's module (``lesson00`` ...) has, per exercise, a function that takes the
learner's answer and returns an :class:`aiolab.checks.Checks` of named scenarios, and a
table in its docstring mapping every requirement of the exercise text to the scenario that
checks it. The hidden part of a test cell is one call::

    ### BEGIN HIDDEN TESTS
    from coursetools.checks.lesson00 import check
    check(checks, add_later)
    ### END HIDDEN TESTS

``checks`` is the cell's visible scenarios; ``check`` adds the hidden ones of the exercise
``checks.exercise`` (the grade_id of its solution cell, unique within the lesson) and
evaluates to the cell's score (partial credit). Why not in ``aiolab``: learners have aiolab; the hidden
checks stay with the instructor, and nbgrader's release and the learner's edition never
contain them (they only hold the two lines above, which feedback pages hide as well).

A lesson module whose exercise's answer is not one object named like the solution cell's
grade_id lists the names the checks take in ``ANSWERS = {"grade_id": ("name", ...)}``.

A lesson judged outside the kernel (:mod:`coursetools.judge`) lists its exercises in
``OUTSIDE`` (factories taking a ``judge.Kernel``); its ``EXERCISES`` are the same scenarios
run in a kernel (``judge.in_kernel``), so the hidden region above works unchanged in the
instructor's notebook, while at grading time the test cell never runs in the learner's kernel.

Model answers exist once, in the instructor edition's solution cells; :func:`model` reads
one from there when a check needs it (for the expected chart beside the learner's).
"""

from __future__ import annotations

import ast
import functools
import importlib
import os
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aiolab.checks import Checks, Score

__all__ = ["checker", "model", "exercises", "judged_outside_modules"]


def exercises() -> dict[tuple[str, str], Callable[..., Checks]]:
    """Every exercise with hidden checks, by (lesson module, grade_id of its solution cell)."""
    found: dict[tuple[str, str], Callable[..., Checks]] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("lesson"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            for name, factory in module.EXERCISES.items():
                found[(info.name, name)] = factory
    return found


@functools.cache
def judged_outside_modules() -> tuple[Any, ...]:
    """Lesson modules whose every exercise is judged outside the kernel (``OUTSIDE``)."""
    modules = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("lesson"):
            module = importlib.import_module(f"{__name__}.{info.name}")
            if set(module.EXERCISES) <= set(getattr(module, "OUTSIDE", {})):
                modules.append(module)
    return tuple(modules)


def checker(exercises: dict[str, Callable[..., Checks]]) -> Callable[..., Score]:
    """A lesson's ``check(checks, *answer)``: run the hidden scenarios of ``checks.exercise``
    on the learner's answer and return the cell's score, the points of every scenario,
    visible or hidden, that passed."""
    def check(visible: Checks, *answer: Any) -> Score:
        hidden = exercises[visible.exercise](*answer)
        hidden.heading = "The grader's hidden checks:"
        hidden.budget = visible.budget          # one cell, one real-time budget
        return visible.score(hidden)
    return check


def notebooks_folder() -> Path:
    """The instructor edition (``COURSE_NOTEBOOKS``, or ``notebooks/`` of this checkout)."""
    return Path(os.environ.get("COURSE_NOTEBOOKS") or Path(__file__).resolve().parents[3] / "notebooks")


def _imports(source: str) -> list[ast.stmt]:
    """The top-level import statements of a cell (cells may use top-level await)."""
    try:
        tree = compile(source, "<cell>", "exec", flags=ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except SyntaxError:
        return []
    return [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]


def model(lesson: str, name: str, grade_id: str | None = None, namespace: dict[str, Any] | None = None) -> Any:
    """The model answer ``name`` from the solution cell ``grade_id`` (default: ``name``) of
    the instructor edition of ``lesson``. It runs in a namespace of its own holding every
    module the lesson imports, plus ``namespace`` (helpers the answer uses).

    None where the instructor edition cannot be seen: in a grading sandbox, whose student
    code must not read the model answers (:mod:`coursetools.sandbox`). Model answers only
    draw the expected chart beside a failure, so a missing one costs a chart, not a point."""
    import nbformat

    grade_id = grade_id or name
    if not (notebooks_folder() / lesson).is_dir():
        return None
    (path,) = sorted((notebooks_folder() / lesson).glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cell = next((c for c in code if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id), None)
    if cell is None:
        raise LookupError(f"no solution cell {grade_id!r} in {path.name}")
    scope: dict[str, Any] = {"__name__": f"model_{lesson.replace('-', '_')}", **(namespace or {})}
    imports = ast.Module(body=[node for c in code for node in _imports(c.source)], type_ignores=[])
    exec(compile(imports, f"<{lesson} imports>", "exec"), scope)
    exec(compile(cell.source, f"<{lesson} model {grade_id}>", "exec"), scope)
    return scope[name]
