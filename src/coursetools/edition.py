"""Build the learner's edition of the course and lay it into a workspace, keeping learners' edits.

The instructor edition of every lesson lives in ``notebooks/<lesson>/``. nbgrader's own
``generate_assignment`` turns it into the student version (solutions and hidden tests
removed); this module runs it into ``build/learner-edition/`` and then copies the result
into the learner's workspace folder, which is where ``make lab`` opens JupyterLab.

Why a manifest: a learner edits and saves notebooks in the workspace, and rebuilding must
never overwrite that work. ``.edition.json`` in the workspace records, for every file as we
last wrote it, the hash of its bytes (is there a new version?) and the hash of what a
learner could have written in it (did they edit it?): for a notebook, its
cells' types and sources (so cells added, removed or edited), not its outputs, execution
counts or metadata, which merely running and saving a lesson changes; for any other file,
its bytes. A file whose hash still matches was not edited, so it may be refreshed (a
notebook the learner only ran loses its outputs, which re-running gives back, and the
console says so); any other file is the learner's and is kept. A manifest written before
notebooks were hashed this way (its hashes are of the bytes) is still understood.

Run it with ``python -m coursetools edition`` (``make edition``, ``make lab``).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .course import Course

MANIFEST = ".edition.json"


@dataclass
class SyncReport:
    """What a sync did to each file of the workspace, by relative path."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    #: Updated too, though the learner had run (not edited) them: their outputs are gone.
    refreshed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        for path in self.added:
            out.append(f"  added      {path}")
        for path in self.updated:
            out.append(f"  updated    {path}")
        for path in self.refreshed:
            out.append(f"  refreshed  {path}  (you had run it but not edited it: this is the new version; "
                       "run it again for its outputs.)")
        for path in self.kept:
            out.append(f"  kept       {path}  (you edited it; your version stays. To get the "
                       "new one, rename yours and run make lab again.)")
        out.append(f"  {len(self.unchanged)} file(s) already up to date")
        return out


def _bytes(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _digest(path: Path) -> str:
    """The hash of what a learner could have written in ``path`` (see the module's docstring):
    equal before and after the learner merely ran and saved a notebook."""
    if path.suffix == ".ipynb":
        try:
            cells = json.loads(path.read_bytes())["cells"]
            written = [[cell["cell_type"], "".join(cell["source"])] for cell in cells]
        except (ValueError, KeyError, TypeError):
            pass                        # not a notebook we can read: its bytes are what it holds
        else:
            return "cells:" + hashlib.sha256(json.dumps(written).encode()).hexdigest()
    return _bytes(path)


def _ran(path: Path) -> bool:
    """Whether ``path`` is a notebook with outputs (the learner ran it)."""
    if path.suffix != ".ipynb":
        return False
    try:
        cells = json.loads(path.read_bytes())["cells"]
        return any(cell.get("outputs") or cell.get("execution_count") for cell in cells)
    except (ValueError, KeyError, TypeError, AttributeError):
        return False


def _record(entry: str | dict[str, str] | None) -> dict[str, str] | None:
    """A manifest entry: ``{"bytes": hash of the file we wrote, "written": its _digest}``
    (a manifest from before notebooks were hashed by their cells holds the bytes' hash)."""
    if isinstance(entry, str):
        return {"bytes": entry, "written": entry}
    return entry


def generate(course: Course, out: Path, names: list[str] | None = None) -> list[str]:
    """The student version of every lesson (or ``names``) into ``out``; the gradebook is
    left alone, since this is a build, not a release to students."""
    names = names or course.lessons()
    for name in names:
        course.release(name, out=out, db=False)
    return names


def sync(release: Path, workspace: Path) -> SyncReport:
    """Copy the generated edition into the workspace without touching the learner's edits."""
    workspace.mkdir(parents=True, exist_ok=True)
    manifest_path = workspace / MANIFEST
    records: dict[str, str | dict[str, str]] = {}
    if manifest_path.exists():
        records = json.loads(manifest_path.read_text())
    report = SyncReport()
    for src in sorted(p for p in release.rglob("*") if p.is_file()):
        rel = src.relative_to(release).as_posix()
        dest = workspace / rel
        record = _record(records.get(rel))
        if not dest.exists():
            report.added.append(rel)
        elif record is None or (_digest(dest) != record["written"] and _bytes(dest) != record["bytes"]):
            report.kept.append(rel)             # the learner's: edited, or there before us
            continue
        elif _bytes(src) == record["bytes"]:
            report.unchanged.append(rel)        # no new version: a lesson the learner ran keeps its outputs
            continue
        else:
            (report.refreshed if _ran(dest) else report.updated).append(rel)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
        records[rel] = {"bytes": _bytes(src), "written": _digest(src)}
    manifest_path.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n")
    return report


CONTENTS = "contents.ipynb"

#: The contents page's own words in each edition; ``goals`` is how a lesson's first cell
#: introduces its goals (docs/AUTHORING.md; the glossary's fixed heading in Chinese).
CONTENTS_WORDS = {
    "en": {"intro": "# Contents\n\nThe course, one lesson per notebook, in order. Each says what you will be "
                    "able to do after it; the table at the end shows how far you have got.",
           "goals": "**After this lesson you can**",
           "after": "After it you can:",
           "progress": "## Your progress\n\nRun the cell below. It reads your lessons as last saved "
                       "(<kbd>Ctrl</kbd>+<kbd>S</kbd> saves one) and counts, in each, the exercises whose test "
                       "cell passed when you last ran it, as Validate would judge it. It runs nothing of yours."},
    "zh": {"intro": "# 目录\n\n整门课程按顺序排列，每课一个笔记本。每课都写明学完后你能做什么；"
                    "最后的表格显示你的进度。",
           "goals": "**学完本课，你将能够**",
           "after": "学完后你将能够：",
           "progress": "## 你的进度\n\n运行下面的单元格。它读取你最后保存的各课（<kbd>Ctrl</kbd>+<kbd>S</kbd> "
                       "保存一课），统计每课中测试单元格在你上次运行时通过的练习，判断方式与 **Validate**（验证）"
                       "按钮相同。它不会运行你的任何代码。"},
}


def contents(source: Path, names: list[str], language: str = "en") -> nbformat.NotebookNode:
    """The contents page: every lesson (linked) with its goals, then a cell that shows the
    learner's progress (:func:`aiolab.progress.progress`) from their saved notebooks;
    in the words of the edition's ``language`` (``source`` holds that edition's lessons)."""
    words = CONTENTS_WORDS[language]
    parts = [words["intro"]]
    for name in names:
        for path in sorted((source / name).glob("*.ipynb")):
            first = nbformat.read(path, as_version=4).cells[0].source
            title = first.splitlines()[0].lstrip("# ").strip()
            goals = first.split(words["goals"], 1)
            text = f"## [{title}]({name}/{path.name})"
            if len(goals) == 2:         # the goals: the list that follows, up to a blank line
                text += f"\n\n{words['after']}\n\n" + goals[1].strip().split("\n\n")[0]
            parts.append(text.rstrip())
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "asyncio-course", "display_name": "Python 3 (asyncio course)",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_markdown_cell("\n\n".join(parts)),
                nbformat.v4.new_markdown_cell(words["progress"]),
                nbformat.v4.new_code_cell("from aiolab.progress import progress\n\nprogress()")]
    for i, cell in enumerate(nb.cells):
        cell.id = f"contents-{i}"
    return nb


def translated(course: Course, language: str, i18n: Path, out: Path,
               names: list[str] | None = None) -> Course:
    """The course with its lessons in ``language``: the instructor notebooks generated into
    ``out`` from the English ones and ``i18n/<language>/`` (:mod:`coursetools.translation`),
    for the lessons (of ``names``) that have a catalogue; same config, same lesson names."""
    from .translation import build_sources

    out = Path(out).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    build_sources(course.source, Path(i18n), language, out, names or course.lessons())
    return Course(course.config_dir, root=course.root, source=out, db=course.db, python=course.python)


def build(course: Course, build_dir: Path, workspace: Path,
          names: list[str] | None = None, language: str = "en") -> tuple[list[str], SyncReport]:
    """Generate the edition afresh into ``build_dir`` (with its contents page) and sync it
    into ``workspace``. For another ``language``, ``course`` is :func:`translated`'s."""
    build_dir = Path(build_dir).resolve()
    if build_dir.exists():
        shutil.rmtree(build_dir)
    names = generate(course, build_dir, names)
    nbformat.write(contents(course.source, course.lessons(), language), build_dir / CONTENTS)
    return names, sync(build_dir, Path(workspace).resolve())
