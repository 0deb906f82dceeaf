"""Every lesson under notebooks/: committed clean, valid nbgrader metadata, runs without error,
and every exercise passes with its solution and fails in the learner's blank edition."""

from __future__ import annotations

import re
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
    assert not nbcheck.unrun(nb), f"cells Run All never reached: {nbcheck.unrun(nb)}"


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


ERRATA_LINK = re.compile(r"\.\./99-errata/errata\.ipynb#(e\d\d-\d+)\b")
ERRATA_ANCHOR = re.compile(r'<a id="(e\d\d-\d+)"></a>')
CALLOUT = "**In the notes**"


def _callouts(source: str) -> list[str]:
    """The blockquotes of a markdown cell that are 'In the notes' callouts, each as one string."""
    blocks, block = [], []
    for line in source.splitlines() + [""]:
        if line.startswith(">"):
            block.append(line)
        elif block:
            blocks.append("\n".join(block))
            block = []
    return [b for b in blocks if b.startswith(f"> {CALLOUT}")]


def _first_words(text: str, n: int = 9) -> str:
    """The first words of a callout, to name it in a message."""
    words = text[text.index(CALLOUT) + len(CALLOUT):].replace(">", " ").replace("·", " ").split()
    return "'" + " ".join(words[:n]) + " ...'"


def test_every_in_the_notes_callout_links_to_its_errata_row():
    """Every 'In the notes' callout of lessons 01 on links to its row(s) in lesson 99, by an
    anchor that exists there (`<a id="eNN-K"></a>` opens row K of lesson NN's table); and
    lesson 00, which explains the callouts, names the notes and links to the errata."""
    root = nbcheck.notebooks_root()
    errata_path = root / "99-errata" / "errata.ipynb"
    callouts = []  # (lesson, cell source)
    for path in NOTEBOOKS:
        if path.parent.name[:2] in ("00", "99"):
            continue
        callouts += [(path.parent.name, cell.source) for cell in nbcheck.read(path).cells
                     if cell.cell_type == "markdown" and CALLOUT in cell.source]
    if not callouts and not errata_path.exists():
        pytest.skip("no 'In the notes' callouts and no errata among these lessons")
    assert errata_path.exists(), f"the lessons have 'In the notes' callouts but there is no {errata_path}"

    problems = []
    errata = "\n".join(c.source for c in nbcheck.read(errata_path).cells if c.cell_type == "markdown")
    anchors = ERRATA_ANCHOR.findall(errata)
    duplicates = sorted({a for a in anchors if anchors.count(a) > 1})
    if duplicates:
        problems.append(f"99-errata: anchor ids used more than once: {duplicates}")
    for table in re.split(r"^(?=## )", errata, flags=re.M):
        lesson = re.match(r"## (\d\d) · ", table)
        if not lesson:
            continue
        nn = lesson.group(1)
        rows = [line for line in table.splitlines()
                if line.startswith("| ") and not line.startswith("| notes section")]
        wrong = [row[:50] for k, row in enumerate(rows, 1)
                 if not row.startswith(f'| <a id="e{nn}-{k}"></a>')]
        if wrong:
            problems.append(f"99-errata, table {nn}: row K must open with '<a id=\"e{nn}-K\"></a>' "
                            f"(K = 1, 2, ...): {wrong}")

    for lesson, source in callouts:
        blocks = _callouts(source) or [source]
        for block in blocks:
            links = ERRATA_LINK.findall(block)
            if not links:
                problems.append(f"{lesson}: callout {_first_words(block)} has no link to its errata "
                                "row (../99-errata/errata.ipynb#eNN-K)")
            missing = [a for a in links if a not in anchors]
            if missing:
                problems.append(f"{lesson}: callout {_first_words(block)} links to errata rows that "
                                f"do not exist: {missing}")

    start = root / "00-start-here" / "start-here.ipynb"
    if start.exists():
        text = "\n".join(c.source for c in nbcheck.read(start).cells if c.cell_type == "markdown")
        if "Python asyncio 异步协程百万并发" not in text:
            problems.append("00-start-here: does not name the notes ('Python asyncio 异步协程百万并发')")
        if "../99-errata/errata.ipynb" not in text:
            problems.append("00-start-here: does not link to the errata (../99-errata/errata.ipynb)")
    assert not problems, "\n".join(problems)


def _chart_calls(source: str) -> list[tuple[str, str]] | None:
    """The charts a code cell draws, as ``(call, problem)`` pairs, ``problem`` empty when
    the call has its title: any call of a name or attribute ``plot`` needs ``title=``, and
    ``plot_side_by_side`` needs ``titles=``, neither None nor an empty string. None when the
    cell does not parse (e.g. a ``%`` magic that IPython's transformer cannot turn into
    Python either)."""
    import ast

    flags = ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    try:
        tree = compile(source, "<cell>", "exec", flags=flags)
    except SyntaxError:
        try:
            from IPython.core.inputtransformer2 import TransformerManager

            tree = compile(TransformerManager().transform_cell(source), "<cell>", "exec", flags=flags)
        except (ImportError, SyntaxError):
            return None

    def blank(value: ast.expr) -> bool:
        return isinstance(value, ast.Constant) and (value.value is None or
                                                    (isinstance(value.value, str) and not value.value.strip()))

    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        wanted = {"plot": "title", "plot_side_by_side": "titles"}.get(name)
        if wanted is None:
            continue
        text = ast.unparse(node)
        given = next((k.value for k in node.keywords if k.arg == wanted), None)
        if given is None:
            calls.append((text, f"no {wanted}="))
        elif blank(given):
            calls.append((text, f"an empty {wanted}="))
        elif isinstance(given, (ast.Tuple, ast.List)) and any(blank(e) for e in given.elts):
            calls.append((text, f"an empty title in {wanted}="))
        else:
            calls.append((text, ""))
    return calls


def test_every_chart_has_a_title():
    """Every chart a lesson draws says what it shows: each ``.plot(...)`` call has a
    ``title=`` and each ``plot_side_by_side(...)`` its ``titles=``, in every code cell,
    exercise and graded test cells included (a chart drawn there is for the learner too).
    And lesson 00 draws the learner's first chart."""
    problems = []
    charts_in_00 = 0
    for path in NOTEBOOKS:
        lesson = path.parent.name
        for index, cell in enumerate(nbcheck.read(path).cells):
            if cell.cell_type != "code":
                continue
            calls = _chart_calls(cell.source)
            if not calls:
                continue
            first_line = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
            for call, problem in calls:
                if problem:
                    problems.append(f"{lesson}: cell {index}, starting {first_line!r}, draws a chart with "
                                    f"{problem} (say what it shows): {call[:120]}")
                elif lesson.startswith("00"):
                    charts_in_00 += 1
    start = nbcheck.notebooks_root() / "00-start-here" / "start-here.ipynb"
    if start.exists() and not charts_in_00:
        problems.append("00-start-here: draws no Gantt chart; the learner's first one belongs there "
                        "(a .plot(title=...) or plot_side_by_side(..., titles=...) call)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_headings_are_in_order_for_a_screen_reader(path: Path):
    """One title (#), and no level skipped on the way down (## then ####), so a screen
    reader's list of headings is the lesson's outline."""
    levels = []
    for cell in nbcheck.read(path).cells:
        if cell.cell_type == "markdown":
            fenced = False
            for line in cell.source.splitlines():
                fenced ^= line.startswith("```")
                heading = re.match(r"(#{1,6})\s", line)
                if heading and not fenced:
                    levels.append((len(heading.group(1)), line[:60]))
    assert [line for level, line in levels if level == 1] == [levels[0][1]], "one # title, first"
    skipped = [line for (before, _), (level, line) in zip(levels, levels[1:]) if level > before + 1]
    assert not skipped, f"headings that skip a level: {skipped}"


LESSON_LINK = re.compile(r"\]\((\.\./\d\d-[^/)#\s]+/[^)#\s]+\.ipynb)(?:#([^)\s]+))?\)")


def _anchors(path: Path) -> set[str]:
    """The ids a link can jump to in a notebook: explicit ``<a id="...">`` anchors, and the
    ids JupyterLab gives headings (the heading text with spaces as hyphens)."""
    found = set()
    for cell in nbcheck.read(path).cells:
        if cell.cell_type == "markdown":
            found.update(re.findall(r'<a id="([^"]+)"', cell.source))
            found.update(m.strip().replace(" ", "-")
                         for m in re.findall(r"^#{1,6}\s+(.+)$", cell.source, flags=re.M))
    return found


def test_links_between_lessons_reach_a_notebook_and_an_anchor_that_exist():
    """A link such as ``../01-coroutines-and-the-loop/coroutines-and-the-loop.ipynb#x`` (a
    lesson pointing to the one place a fact is kept, e.g. lesson 01's version table) opens
    a lesson that exists, at an anchor that exists: a renamed anchor or file fails here,
    not in front of a learner."""
    links = [(path, target, anchor) for path in NOTEBOOKS
             for cell in nbcheck.read(path).cells if cell.cell_type == "markdown"
             for target, anchor in LESSON_LINK.findall(cell.source)]
    if not links:
        pytest.skip("no links between these lessons")
    broken = []
    for path, target, anchor in links:
        where = (path.parent / target).resolve()
        if not where.exists():
            broken.append(f"{path.parent.name}: {target} does not exist")
        elif anchor and anchor not in _anchors(where):
            broken.append(f"{path.parent.name}: {target}#{anchor}: no such anchor there")
    assert not broken, "\n".join(broken)
