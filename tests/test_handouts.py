"""make handouts: every lesson, both editions, HTML and PDF, self-contained."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest

import nbcheck
from coursetools import handouts
from coursetools.course import Course

ROOT = Path(__file__).resolve().parent.parent
REMOTE = re.compile(r"""<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)

def text_of(page: str) -> str:
    """The visible text of an HTML page (syntax highlighting splits code into many spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def page_fill(pdf: Path) -> list[float]:
    """How far down its printable area each page of a PDF is used, from 0 to 1: the page
    rendered by poppler's pdftoppm (grey, 20 dpi), its last row with any ink, against the
    template's 14 mm top and bottom margins."""
    import subprocess
    import tempfile

    fills = []
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "20", "-gray", str(pdf), f"{tmp}/p"], check=True)
        for image in sorted(Path(tmp).glob("p-*.pgm"), key=lambda p: int(p.stem.rsplit("-", 1)[1])):
            magic, size, _depth, pixels = image.read_bytes().split(b"\n", 3)
            assert magic == b"P5", image
            width, height = map(int, size.split())
            margin = round(14 / 297 * height)
            inked = [y for y in range(height) if min(pixels[y * width:(y + 1) * width]) < 200]
            fills.append(((max(inked) if inked else margin) - margin) / (height - 2 * margin))
    return fills


needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="Debian's chromium is not installed (make chromium)")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """What `make handouts` builds, into a scratch folder."""
    out = tmp_path_factory.mktemp("handouts")
    handouts.build(Course(ROOT / "autograder"), out)
    return out


@needs_chromium
@pytest.mark.slow
def test_every_lesson_has_both_editions_as_html_and_pdf(built: Path):
    lessons = sorted({p.parent.name for p in nbcheck.find_notebooks(ROOT / "notebooks")})
    for edition in ("learner", "solutions"):
        for lesson in lessons:
            html = built / edition / f"{lesson}.html"
            pdf = html.with_suffix(".pdf")
            assert html.is_file(), f"missing {html}"
            data = pdf.read_bytes()
            assert data.startswith(b"%PDF"), f"{pdf} is not a PDF"
            pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
            assert pages >= 1, f"{pdf} has no pages"
    index = (built / "index.html").read_text()
    for lesson in lessons:
        assert f"learner/{lesson}.html" in index and f"solutions/{lesson}.pdf" in index


@needs_chromium
@pytest.mark.slow
def test_handouts_fetch_nothing_from_the_network(built: Path):
    for page in built.rglob("*.html"):
        text = page.read_text()
        assert not REMOTE.findall(text), f"{page.name} loads something remote: {REMOTE.findall(text)[:3]}"
        sources = re.findall(r"<img\b[^>]*\bsrc\s*=\s*[\"']([^\"']*)", text, re.I)
        assert all(src.startswith("data:") for src in sources), f"{page.name}: images must be embedded"


@needs_chromium
@pytest.mark.slow
def test_learner_edition_has_blank_exercises_and_solutions_have_answers(built: Path):
    text = text_of((built / "learner" / "00-start-here.html").read_text())
    assert "raise NotImplementedError()" in text and "BEGIN SOLUTION" not in text
    raw = (built / "learner" / "00-start-here.html").read_text()
    assert "✓ add_later" not in raw                      # exercise outputs are cleared
    assert "Traceback" not in text                       # and no blank exercise's error is printed
    solved_raw = (built / "solutions" / "00-start-here.html").read_text()
    assert "await asyncio.sleep(delay)" in text_of(solved_raw) and "✓ add_later" in text_of(solved_raw)
    charts = (built / "solutions" / "02-tasks.html").read_text()
    assert charts.count("data:image/png;base64") >= 2, "the lessons' charts are embedded"


def test_learner_view_swaps_only_exercise_cells():
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("print('story')", outputs=[nbformat.v4.new_output("stream", text="story\n")]),
        nbformat.v4.new_code_cell("def f():\n    return 1", metadata={"nbgrader": {"grade_id": "f", "solution": True}},
                                  outputs=[nbformat.v4.new_output("stream", text="x\n")]),
    ])
    released = nbformat.from_dict(nb)
    released.cells[1].source = "def f():\n    raise NotImplementedError()"
    view = handouts._learner_view(nb, released)
    assert view.cells[0].outputs and view.cells[0].source == "print('story')"
    assert view.cells[1].source.endswith("NotImplementedError()") and view.cells[1].outputs == []
    assert nb.cells[1].source == "def f():\n    return 1", "the executed notebook itself is untouched"



def test_the_index_lists_every_lesson_the_folder_holds_not_only_those_just_built(tmp_path: Path):
    """`make handouts LESSON=05-...` after a full build: the index still links the others."""
    source = tmp_path / "source"
    for lesson, notebooks in {"01-one": ["lesson"], "02-two": ["part-a", "part-b"], "03-unbuilt": ["lesson"]}.items():
        (source / lesson).mkdir(parents=True)
        for stem in notebooks:
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# `{lesson}` {stem}\n\ntext")])
            nbformat.write(nb, source / lesson / f"{stem}.ipynb")
    out = tmp_path / "handouts"
    earlier = ["solutions/01-one.html", "learner/01-one.html", "solutions/02-two-part-b.html",
               "solutions/09-removed.html"]   # 09: a lesson no longer in the course
    for name in earlier:
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text("<html></html>")
    found = handouts.already_built(Course(tmp_path, source=source), out)
    assert sorted((h.lesson, h.edition, h.html.relative_to(out).as_posix(), h.title) for h in found) == [
        ("01-one", "learner", "learner/01-one.html", "01-one lesson"),
        ("01-one", "solutions", "solutions/01-one.html", "01-one lesson"),
        ("02-two", "solutions", "solutions/02-two-part-b.html", "02-two part-b"),
    ]
    (out / "learner/02-two-part-a.html").write_text("<html></html>")
    index = handouts.write_index(handouts.already_built(Course(tmp_path, source=source), out), out).read_text()
    for name in [*earlier[:3], "learner/02-two-part-a.html"]:
        assert f'href="{name}"' in index
    assert index.count("<tr>") == 3, "a row for each notebook: 01-one, 02-two's part-a and part-b"
    assert "09-removed" not in index and "03-unbuilt" not in index

#: The width A4 leaves for the content (the template's @page margins are 12 mm), in CSS px.
A4_CONTENT_PX = round((210 - 2 * 12) * 96 / 25.4)
OVERFLOW_JS = """(width) => {
  const cut = [];
  for (const el of document.querySelectorAll('table, pre, img, .jp-Cell')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const over = Math.max(r.right - width, el.scrollWidth - el.clientWidth);
    if (over > 1) cut.push(`${el.tagName} cut by ${Math.round(over)} px: ${(el.innerText || el.alt || '').slice(0, 60)}`);
  }
  return cut;
}"""


@needs_chromium
@pytest.mark.slow
def test_no_table_code_or_chart_is_cut_at_the_right_margin_in_print(built: Path):
    """Each page laid out by Chromium for print at A4's width: every table, code block,
    chart and cell fits (wide tables reflow, long lines wrap)."""
    from playwright.sync_api import sync_playwright

    cut = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": A4_CONTENT_PX, "height": 1100})
        page.emulate_media(media="print")
        for html_file in sorted(built.glob("*/*.html")):
            page.goto(html_file.resolve().as_uri())
            found = page.evaluate(OVERFLOW_JS, A4_CONTENT_PX)
            if found:
                cut[f"{html_file.parent.name}/{html_file.name}"] = found[:5]
        # The check itself: a table wider than the page is found.
        page.set_content("<table style='width:2000px'><tr><td>wide</td></tr></table>")
        assert page.evaluate(OVERFLOW_JS, A4_CONTENT_PX)
        browser.close()
    assert not cut, cut


@needs_chromium
@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils (make chromium)")
@pytest.mark.slow
def test_no_printed_page_is_left_a_third_empty(built: Path, tmp_path: Path):
    """Charts are capped and never split, headings stay with what follows; together they must
    not push so much to the next page that a page (other than a lesson's last) is a third empty."""
    empty = {}
    for pdf in sorted(built.glob("*/*.pdf")):
        fills = page_fill(pdf)
        short = [f"page {n} used {fill:.0%}" for n, fill in enumerate(fills[:-1], 1) if fill < 2 / 3]
        if short:
            empty[f"{pdf.parent.name}/{pdf.name}"] = short
    assert not empty, empty
    # The check itself: a page broken after one paragraph is found.
    html = tmp_path / "short.html"
    html.write_text("<p>one paragraph</p><p style='break-before: page'>the next page</p>")
    handouts.print_pdf(html, tmp_path / "short.pdf", handouts.chromium())
    assert page_fill(tmp_path / "short.pdf")[0] < 0.1


@needs_chromium
@pytest.mark.slow
def test_long_code_lines_wrap_under_themselves_and_charts_have_alt_text(built: Path):
    page = (built / "solutions" / "10-a-million-coroutines.html").read_text()
    assert re.search(r'<span id="line-\d+">', page), "each code line is its own span (hanging indent)"
    images = re.findall(r"<img\b[^>]*>", page)
    assert images
    for img in images:
        alt = re.search(r'\balt="([^"]*)"', img)
        assert alt and alt.group(1).strip() and not alt.group(1).startswith("&lt;Figure"), img[:80] + "..." + img[-120:]
    gantt = (built / "solutions" / "02-tasks.html").read_text()
    assert re.search(r'alt="Chart: [^"]*tasks, all done after', gantt)


@pytest.mark.slow
def test_a_handout_speaks_its_notebooks_language_whatever_the_shell_says(tmp_path, monkeypatch):
    """A presenter's terminal in the Chinese lab has AIOLAB_LANGUAGE=zh: the English
    handout's charts are still in English (on 3.14 they were not, through a pool worker
    forked from a forkserver started with a Chinese environment)."""
    from aiolab import messages
    from coursetools.edition import generate

    monkeypatch.setenv(messages.VARIABLE, "zh")
    course = Course(ROOT / "autograder")
    generate(course, tmp_path / "release", ["02-tasks"])
    handouts.build_lesson(course.source / "02-tasks", tmp_path / "release", tmp_path / "out")
    page = (tmp_path / "out" / "solutions" / "02-tasks.html").read_text()
    assert re.search(r'alt="Chart: [^"]*tasks, all done after', page)
    assert "全部在" not in page


@needs_chromium
@pytest.mark.slow
def test_the_index_gives_each_pdfs_page_count_and_titles_have_no_backticks(built: Path):
    index = (built / "index.html").read_text()
    counts = re.findall(r"PDF</a> \((\d+) pages\)", index)
    assert len(counts) == len(list(built.glob("*/*.pdf"))) and all(int(n) >= 1 for n in counts)
    assert "`" not in index
    for page in built.glob("*/*.html"):
        banner = re.search(r'<div class="handout-banner">(.*?)</div>', page.read_text())
        assert banner and "`" not in banner.group(1), page.name
