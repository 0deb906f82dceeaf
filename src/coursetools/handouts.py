"""Build the workshop handouts: every lesson, executed, as HTML and A4 PDF, in two editions.

- ``solutions/``: the instructor edition, executed top to bottom.
- ``learner/``: the same executed lesson with the exercises as learners get them (nbgrader's
  student version of each exercise cell, outputs cleared), so the story and its charts are
  there and the exercises are blank.

Why the learner's edition is derived from the executed instructor edition instead of being
executed itself: the two differ only in exercise cells, so one execution per lesson is
enough, and a blank exercise's ``NotImplementedError`` never lands on paper.

HTML comes from nbconvert with the course's template (``templates/handout`` in this package: no remote scripts,
images embedded, print rules for A4); PDF from Debian's headless Chromium printing that HTML.
Run it with ``python -m coursetools handouts`` (``make handouts``).
"""

from __future__ import annotations

import html
import multiprocessing
import os
import re
import shutil
import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .course import Course
from .edition import generate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
KERNEL = "asyncio-course"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-pdf-header-footer"]


@dataclass(frozen=True)
class Handout:
    lesson: str          # folder name, e.g. "05-gather-and-wait"
    title: str           # the notebook's first heading
    edition: str         # "learner" or "solutions"
    html: Path
    pdf: Path
    language: str = "en"  # the lesson's (coursetools.translation.METADATA_KEY), "en" if none


#: The handout pages' own words, by the lesson's language, and the HTML ``lang`` that tells
#: Chromium which fonts and glyph forms to use: Chromium reads "zh" as Simplified Chinese
#: (Noto Sans CJK SC); a Chinese page marked "en" may be drawn with another region's forms.
#: nbconvert accepts only ISO 639-1 codes, so "zh", not "zh-CN".
WORDS = {
    "en": {"lang": "en", "course": "asyncio, hands on", "learner": "learner's edition",
           "solutions": "solutions edition", "handouts": "handouts", "pages": "pages",
           "intro": "Every lesson, executed, in the learner's edition (exercises blank) and with "
                    "solutions. Open the HTML in any browser (no network needed) or print the A4 PDF."},
    "zh": {"lang": "zh", "course": "asyncio 实战", "learner": "学员版", "solutions": "答案版",
           "handouts": "讲义", "pages": "页",
           "intro": "每一课都已执行，分为学员版（练习留空）和答案版。HTML 可在任何浏览器中打开（无需联网），"
                    "也可以打印 A4 PDF。"},
}


def language_of(nb) -> str:
    from .translation import METADATA_KEY

    chosen = (nb.metadata.get(METADATA_KEY) or {}).get("language", "en")
    return chosen if chosen in WORDS else "en"


def _title(nb) -> str:
    """The notebook's first heading, as plain text (no markdown backticks)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].replace("`", "").strip()
    return "untitled"


def _learner_view(executed, released):
    """The executed lesson with every nbgrader cell as the learner's edition has it."""
    import nbformat

    student = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in released.cells
               if "nbgrader" in c.metadata}
    nb = nbformat.from_dict(executed)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in student:
            cell.source = student[grade_id].source
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
    return nb


def _to_html(nb, banner: str, language: str = "en") -> str:
    from nbconvert import HTMLExporter

    from traitlets.config import Config

    config = Config()
    config.Highlight2HTML.extra_formatter_options = {"linespans": "line"}   # a span per line: see the template
    exporter = HTMLExporter(config=config, template_name="handout", extra_template_basedirs=[str(TEMPLATE_DIR)],
                            embed_images=True, exclude_anchor_links=True, language_code=WORDS[language]["lang"])
    body, _ = exporter.from_notebook_node(nb, resources={"handout_banner": banner})
    return body


def build_lesson(lesson_dir: Path, release_dir: Path, out: Path) -> list[Handout]:
    """Execute one lesson and write its two HTML handouts (PDFs are printed afterwards)."""
    import nbformat
    from nbclient import NotebookClient

    from aiolab import messages

    handouts = []
    for path in sorted(lesson_dir.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        title, language = _title(nb), language_of(nb)
        # The kernel speaks the notebook's language (its charts' words), whatever this
        # process's environment says: a presenter's shell in the Chinese lab has
        # AIOLAB_LANGUAGE=zh, and the English edition must not inherit it.
        env = {**os.environ, messages.VARIABLE: language}
        NotebookClient(nb, timeout=300, kernel_name=KERNEL,
                       resources={"metadata": {"path": str(lesson_dir)}}).execute(env=env)
        released = nbformat.read(release_dir / lesson_dir.name / path.name, as_version=4)
        words = WORDS[language]
        for edition, view in (("solutions", nb), ("learner", _learner_view(nb, released))):
            target = _html_path(lesson_dir, path, edition, out)
            target.parent.mkdir(parents=True, exist_ok=True)
            banner = f"{words['course']} · {title} · {words[edition]}"
            target.write_text(_to_html(view, banner, language), encoding="utf-8")
            handouts.append(Handout(lesson_dir.name, title, edition, target, target.with_suffix(".pdf"), language))
    return handouts


def _html_path(lesson_dir: Path, notebook: Path, edition: str, out: Path) -> Path:
    """Where a notebook's handout goes: named after its lesson, and after the notebook too
    when the lesson has more than one."""
    single = len(list(lesson_dir.glob("*.ipynb"))) == 1
    return out / edition / (f"{lesson_dir.name}.html" if single else f"{lesson_dir.name}-{notebook.stem}.html")


def already_built(course: Course, out: Path) -> list[Handout]:
    """The handouts of ``course`` that ``out`` holds, from this build or an earlier one.

    Why: ``make handouts LESSON=05-...`` rebuilds one lesson into a folder that has the
    others from the last full build; its index must still link them all. A lesson no longer
    in the course is not listed, even if its old files remain."""
    import nbformat

    found = []
    for lesson in course.lessons():
        lesson_dir = course.source / lesson
        for path in sorted(lesson_dir.glob("*.ipynb")):
            nb = None
            for edition in ("solutions", "learner"):
                target = _html_path(lesson_dir, path, edition, out)
                if target.is_file():
                    nb = nb or nbformat.read(path, as_version=4)
                    found.append(Handout(lesson, _title(nb), edition, target, target.with_suffix(".pdf"),
                                         language_of(nb)))
    return found


def chromium() -> str:
    """Debian's Chromium; the course never downloads a browser of its own."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise SystemExit("make handouts needs Debian's chromium to print PDFs: "
                     "sudo apt-get install chromium")


def print_pdf(html_path: Path, pdf_path: Path, browser: str) -> None:
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                        f"--print-to-pdf={pdf_path}", html_path.resolve().as_uri()],
                       check=True, capture_output=True, timeout=180)
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        raise RuntimeError(f"Chromium wrote no PDF for {html_path}")


def pages(pdf: Path) -> int:
    """How many pages a PDF has (Chromium writes each page as a ``/Type /Page`` object)."""
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes()))


def write_index(handouts: list[Handout], out: Path) -> Path:
    words = WORDS[handouts[0].language if handouts else "en"]
    rows = []
    for page in sorted({h.html.name for h in handouts}):    # a row per notebook: a lesson may have several
        mine = {h.edition: h for h in handouts if h.html.name == page}
        title = html.escape(next(iter(mine.values())).title)
        links = "<br>".join(
            f'<a href="{h.html.relative_to(out).as_posix()}">{words[edition]} (HTML)</a> · '
            f'<a href="{h.pdf.relative_to(out).as_posix()}">PDF</a>'
            + (f" ({pages(h.pdf)} {words['pages']})" if h.pdf.is_file() else "")
            for edition, h in sorted(mine.items()))
        rows.append(f"<tr><td>{title}</td><td>{links}</td></tr>")
    index = out / "index.html"
    index.write_text(
        f"<!DOCTYPE html>\n<html lang=\"{words['lang']}\"><head><meta charset=\"utf-8\">"
        f"<title>{words['course']}: {words['handouts']}</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto}"
        "td{padding:.3rem .8rem;border-bottom:1px solid #ddd}</style></head><body>"
        f"<h1>{words['course']}: {words['handouts']}</h1><p>{words['intro']}</p>"
        "<table>" + "".join(rows) + "</table></body></html>\n", encoding="utf-8")
    return index


def build(course: Course, out: Path, lessons: list[str] | None = None, jobs: int = 2) -> list[Handout]:
    """Every lesson of ``course`` (or ``lessons``) as handouts in ``out``, with an index of
    every lesson whose handouts ``out`` holds."""
    out = Path(out).resolve()
    names = lessons or course.lessons()
    out.mkdir(parents=True, exist_ok=True)
    release = out / "_release"
    if release.exists():
        shutil.rmtree(release)
    generate(course, release, names)
    # Workers are spawned, on every version: forking this process, which has threads by now,
    # may deadlock the child (3.12 warns of it), and 3.14's default, forkserver, would give
    # them the environment of whenever its server started.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
        results = list(pool.map(build_lesson, [course.source / n for n in names],
                                [release] * len(names), [out] * len(names)))
    shutil.rmtree(release)
    handouts = [h for lesson in results for h in lesson]
    browser = chromium()
    with ProcessPoolExecutor(max_workers=jobs, mp_context=spawn) as pool:
        list(pool.map(print_pdf, [h.html for h in handouts], [h.pdf for h in handouts],
                      [browser] * len(handouts)))
    write_index(already_built(course, out), out)
    return handouts
