"""Editions in other languages: the English lessons with their markdown translated, by cell id.

A translation is a catalogue per lesson, ``i18n/<language>/<lesson>.yml``::

    lesson: 02-tasks
    notebook: tasks.ipynb
    cells:
      c001:
        en: 0123456789ab      # source_hash() of the English cell this text translates
        zh: |-
          ...

Only markdown cells are translated. :func:`translate` builds the translated instructor
notebook from the English one: the same cells in the same order with the same ids and
metadata (so nbgrader's ``grade_id``s, solutions and hidden tests are the English ones),
each markdown cell's source replaced by its translation, and the language noted in the
notebook's metadata (``METADATA_KEY``). The result is generated (under ``build/``), never
committed, so code cannot drift between the languages. Translated text can: each entry
keeps the hash of the English it translates, and :func:`check` reports a translation whose
English changed since (``stale``), a markdown cell without one, an id that is no markdown
cell, and text that lost a fenced code block, an ``<a id>`` anchor or a link target of the
English (links to docs.python.org/3/ become the language's own docs).

``python -m coursetools translations`` prints, for an author, what is stale or missing,
and ``--diff LESSON CELL`` how the English changed since it was translated (found in git).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

#: Where a translated notebook says which language it is in.
METADATA_KEY = "course_edition"
#: The languages the course has catalogues for, and each one's Python docs.
DOCS = {"zh": "https://docs.python.org/zh-cn/3/"}
ENGLISH_DOCS = "https://docs.python.org/3/"


def source_hash(source: str) -> str:
    """What a catalogue's ``en`` records: the first 12 hex digits of the source's sha256."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:12]


# ---- the rules a translation keeps (the translators' zh_check.py, as the project's code) ----

def fences(text: str) -> list[str]:
    return re.findall(r"```.*?```", text, re.S)


def anchors(text: str) -> list[str]:
    return re.findall(r'<a id="[^"]+">', text)


def links(text: str, language: str | None = None) -> list[str]:
    """Link targets; with a ``language``, the English docs' links as that language's."""
    found = re.findall(r"\]\(([^)\s]+)\)", text)
    if language in DOCS:
        found = [t.replace(ENGLISH_DOCS, DOCS[language]) for t in found]
    return found


def code_spans(text: str) -> list[str]:
    return re.findall(r"`[^`\n]+`", re.sub(r"```.*?```", "", text, flags=re.S))


def _han(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def _prose(text: str) -> bool:
    """Whether English text has words to translate (not only code, links or names)."""
    bare = re.sub(r"`[^`]*`|```.*?```|\(.*?\)", "", text, flags=re.S)
    return bool(re.search(r"[A-Za-z]{4,} [A-Za-z]{4,}", bare))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a lesson's translation. ``stale``: the English changed since."""

    lesson: str
    cell: str
    message: str
    warning: bool = False
    stale: bool = False

    def __str__(self) -> str:
        return f"{self.lesson} {self.cell}: {'(warning) ' if self.warning else ''}{self.message}"


@dataclass
class Catalogue:
    """A lesson's translations: ``cells[id] = {"en": hash, <language>: text}``."""

    path: Path
    language: str
    lesson: str
    notebook: str
    cells: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "Catalogue":
        path = Path(path)
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(path, path.parent.name, data.get("lesson", path.stem), data.get("notebook", ""),
                   dict(data.get("cells") or {}))

    def text(self, cell_id: str) -> str:
        return str((self.cells.get(cell_id) or {}).get(self.language) or "")


def english_notebook(source: Path, lesson: str) -> Path:
    [path] = sorted((Path(source) / lesson).glob("*.ipynb"))
    return path


def catalogue_path(i18n: Path, language: str, lesson: str) -> Path:
    return Path(i18n) / language / f"{lesson}.yml"


def markdown_cells(nb) -> list[tuple[str, str]]:
    return [(c["id"], "".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "markdown"]


def check(nb, catalogue: Catalogue, lesson: str, notebook_name: str = "") -> list[Problem]:
    """Everything wrong with ``catalogue`` as the translation of ``nb`` (see the module)."""
    lang, problems = catalogue.language, []

    def problem(cell, message, **kw):
        problems.append(Problem(lesson, cell, message, **kw))

    if catalogue.lesson != lesson:
        problem("-", f"the catalogue says lesson {catalogue.lesson!r}, not {lesson!r}")
    if notebook_name and catalogue.notebook != notebook_name:
        problem("-", f"the catalogue says notebook {catalogue.notebook!r}, not {notebook_name!r}")
    english = markdown_cells(nb)
    ids = {cid for cid, _ in english}
    for extra in sorted(set(catalogue.cells) - ids):
        problem(extra, "no markdown cell has this id in the English notebook")
    for cid, src in english:
        entry = catalogue.cells.get(cid)
        if not isinstance(entry, dict):
            problem(cid, f"no translation (English {source_hash(src)})")
            continue
        text = catalogue.text(cid)
        if not isinstance(entry.get("en"), str):
            # A hash of digits only reads as a number in YAML (and may lose leading zeros).
            problem(cid, f"the en: hash must be a quoted string: en: '{source_hash(src)}'")
        elif entry["en"] != source_hash(src):
            problem(cid, f"stale: translated from English {entry.get('en')}, the English is now "
                         f"{source_hash(src)}", stale=True)
        if not text.strip() or text.strip() == "TODO":
            problem(cid, "empty translation")
            continue
        if lang == "zh" and not _han(text) and _prose(src):
            problem(cid, "no Chinese in the translation")
        if fences(text) != fences(src):
            problem(cid, "fenced code blocks differ from the English")
        for what, want, have in (("anchor", anchors(src), anchors(text)),
                                 ("link", links(src, lang), links(text))):
            for target in want:
                if target not in have:
                    problem(cid, f"{what} {target} missing")
        for span in dict.fromkeys(code_spans(src)):
            if span not in text:
                problem(cid, f"code span {span} not kept", warning=True)
        if text.endswith("\n"):
            problem(cid, "ends with a newline: use a |- block scalar")
    return problems


class TranslationError(ValueError):
    """A translation that cannot be used: its problems, each naming the lesson and cell."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def translate(nb, catalogue: Catalogue):
    """The translated notebook: ``nb`` with every markdown cell's source replaced by its
    translation and the language in the metadata; everything else is ``nb``'s own."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "markdown":
            cell.source = catalogue.text(cell.id)
    out.metadata[METADATA_KEY] = {"language": catalogue.language}
    return out


@dataclass
class Status:
    """How a language's catalogues stand against the English lessons."""

    language: str
    missing: list[str] = field(default_factory=list)        # lessons without a catalogue
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def status(source: Path, i18n: Path, language: str, lessons: list[str]) -> Status:
    result = Status(language)
    for lesson in lessons:
        path = catalogue_path(i18n, language, lesson)
        if not path.is_file():
            result.missing.append(lesson)
            continue
        english = english_notebook(source, lesson)
        nb = nbformat.read(english, as_version=4)
        try:
            catalogue = Catalogue.load(path)
        except yaml.YAMLError as err:
            result.problems.append(Problem(lesson, "-", f"{path} is not valid YAML: {err}"))
            continue
        result.problems += check(nb, catalogue, lesson, english.name)
    return result


def build_sources(source: Path, i18n: Path, language: str, out: Path, lessons: list[str]) -> list[str]:
    """Write the translated instructor edition of every lesson that has a catalogue into
    ``out/<lesson>/``; returns those lessons. Raises :class:`TranslationError` if any
    catalogue has a problem (a stale or missing translation is never built)."""
    built, problems = [], []
    for lesson in lessons:
        path = catalogue_path(i18n, language, lesson)
        if not path.is_file():
            continue
        english = english_notebook(source, lesson)
        nb = nbformat.read(english, as_version=4)
        catalogue = Catalogue.load(path)
        found = [p for p in check(nb, catalogue, lesson, english.name) if not p.warning]
        if found:
            problems += found
            continue
        target = Path(out) / lesson / english.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(translate(nb, catalogue), target)
        built.append(lesson)
    if problems:
        raise TranslationError(problems)
    return built


# ---- for an author: what changed in the English since a cell was translated --------------

def english_then(notebook: Path, cell_id: str, en_hash: str, max_commits: int = 200) -> tuple[str, str] | None:
    """(commit, source) of the English cell as it was when its hash was ``en_hash``, found
    in the git history of ``notebook``; None if no commit had it."""
    notebook = Path(notebook).resolve()
    cwd = notebook.parent

    def git(*args):
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)

    rel = git("ls-files", "--full-name", notebook.name).stdout.strip() or notebook.name
    commits = git("log", f"-{max_commits}", "--format=%h", "--", notebook.name).stdout.split()
    for commit in commits:
        shown = git("show", f"{commit}:{rel}")
        if shown.returncode:
            continue
        try:
            cells = json.loads(shown.stdout)["cells"]
        except (ValueError, KeyError):
            continue
        for cell in cells:
            if cell.get("id") == cell_id and source_hash("".join(cell["source"])) == en_hash:
                return commit, "".join(cell["source"])
    return None


def english_diff(source: Path, i18n: Path, language: str, lesson: str, cell_id: str) -> str:
    """A unified diff from the English a cell was translated from to the English now."""
    english = english_notebook(source, lesson)
    nb = nbformat.read(english, as_version=4)
    now = dict(markdown_cells(nb)).get(cell_id)
    if now is None:
        return f"{lesson}: no markdown cell {cell_id} in {english}"
    entry = Catalogue.load(catalogue_path(i18n, language, lesson)).cells.get(cell_id) or {}
    en = str(entry.get("en", ""))
    if en == source_hash(now):
        return f"{lesson} {cell_id}: the translation is up to date (English {en})"
    found = english_then(english, cell_id, en)
    if found is None:
        return (f"{lesson} {cell_id}: no commit of {english.name} has this cell with hash {en}; "
                f"the English now:\n{now}")
    commit, then = found
    return "".join(difflib.unified_diff(then.splitlines(True), now.splitlines(True),
                                        f"{cell_id} as translated ({commit})", f"{cell_id} now"))


def report(result: Status, command: str) -> str:
    """What ``python -m coursetools translations`` prints."""
    lines = []
    for problem in result.problems:
        line = str(problem)
        if problem.stale:
            line += f"\n    see what changed: {command} --diff {problem.lesson} {problem.cell}"
        lines.append(line)
    if result.missing:
        lines.append(f"not translated into {result.language} yet: {', '.join(result.missing)}")
    errors = len(result.errors)
    lines.append(f"{result.language}: {errors} problem(s), "
                 f"{len(result.problems) - errors} warning(s), {len(result.missing)} lesson(s) without a catalogue")
    return "\n".join(lines)
