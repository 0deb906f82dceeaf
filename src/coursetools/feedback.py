"""Feedback pages that never show the hidden tests: an nbgrader preprocessor.

nbgrader's ``generate_feedback`` renders the autograded notebook, whose test cells hold the
hidden tests again (autograde restores them to run them). So by default every feedback page
prints the hidden tests' source, and with it any model answer they use; a student who gets
feedback can hand the next cohort the answers (nbgrader issues #917 and #1363).

:class:`HideHiddenTests` runs first in ``GenerateFeedback.preprocessors``
(``autograder/nbgrader_config.py``):

- the hidden region of every test cell is removed from its source, with nbgrader's own
  :class:`~nbgrader.preprocessors.ClearHiddenTests`, and a one-line note says it was there;
- an error raised by a test cell keeps its type and message (what the learner needs) but
  loses its traceback, whose frames quote the lines of code around the failure, hidden ones
  included.

Outputs that the checks print themselves (verdicts, messages, charts) are kept: they are
written for the learner.

:class:`InertHTMLExporter` (``GenerateFeedback.exporter_class``) makes the page inert where
nbconvert's ``SanitizeHTML`` cannot: that preprocessor cleans a markdown cell's *source*
as HTML, before the exporter renders it, so markdown syntax such as a link to a
``javascript:`` URL passes as text and becomes a live link in the page. The exporter
sanitises what markdown *renders to* (cells and ``text/markdown`` outputs), with bleach,
the sanitiser nbconvert itself uses, allowing what markdown makes (headings, tables,
highlighted code, images) and links to http, https, mailto and the page itself only.
(nbconvert's own ``HTMLExporter.sanitize_html`` cleans rendered markdown too, but escapes
headings, paragraphs and images: the page would show their tags as text.)
"""

from __future__ import annotations

import re

from jinja2 import pass_context
from nbconvert.exporters import HTMLExporter
from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade, is_solution

from aiolab import messages
from aiolab.messages import _

NOTE = "# (hidden tests ran here; their verdicts are in the output below)"


class HideHiddenTests(ClearHiddenTests):
    """Remove hidden tests, and the tracebacks that would quote them, from feedback (the
    note that they were there in the notebook's language)."""

    def preprocess(self, nb, resources):
        with messages.speaking(messages.notebook_language(nb)):
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        source = cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type != "code" or not is_grade(cell) or is_solution(cell):
            return cell, resources
        if cell.source != source:
            cell.source = cell.source.rstrip() + "\n\n" + _(NOTE)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources


#: What nbconvert's markdown renderer makes, and nothing that runs.
MARKDOWN_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"})
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif);base64,", re.IGNORECASE)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name in ("class", "title") or (name == "id" and tag[:1] == "h"):
        return True
    if tag == "a":
        # bleach drops unknown schemes (javascript:, vbscript:); data: is allowed for images only
        return name == "href" and not value.strip().lower().startswith("data:")
    if tag == "img":
        return name in ("alt", "width", "height") or (
            name == "src" and (not value.strip().lower().startswith("data:") or bool(_IMAGE_DATA.match(value.strip()))))
    if tag in ("th", "td"):
        return name == "style"           # table alignment; the CSS sanitiser keeps text-align only
    return False


def inert_html(fragment: str) -> str:
    """``fragment`` (HTML rendered from markdown) with anything that could run removed."""
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    return bleach.clean(fragment, tags=MARKDOWN_TAGS, attributes=_allowed_attribute,
                        protocols=["http", "https", "mailto", "data"], strip=False, strip_comments=True,
                        css_sanitizer=CSSSanitizer(allowed_css_properties=["text-align"]))


#: nbgrader's feedback template (nbgrader 0.9.6's ``feedback/index.html.j2``) writes its labels
#: in English. For a notebook of a translated edition they are replaced in the rendered page,
#: each by its markup in that template (the tags around a label are part of the pattern, so
#: the same words in a learner's cell are left alone). A test renders a page of each kind of
#: graded cell and checks that no label is left in English.
LABELS = {
    "zh": [
        (r" ?\(Score: (-?[\d.]+) / ([\d.]+)\)", r"（得分：\1 / \2）"),
        (r" ?\(Score: -([\d.]+)\)", r"（扣分：\1）"),
        (r"(<span class=\"pull-right\">\s*)Score: ([\d.]+) / ([\d.]+) ", r"\1得分：\2 / \3 "),
        (r'<a href="#top">\(Top\)</a>', '<a href="#top">（回到顶部）</a>'),
        (r'(<a href="#[^"]*">)Test cell</a>', r"\1测试单元格</a>"),
        (r'(<a href="#[^"]*">)Coding free-response</a>', r"\1编程题</a>"),
        (r'(<a href="#[^"]*">)Written response</a>', r"\1书面回答</a>"),
        (r'(<a href="#[^"]*">)Task</a>', r"\1任务题</a>"),
        (r'(<a href="#comment-[^"]*">)Comment</a>', r"\1评语</a>"),
        (r'(<li class="late-penalty">)Late submission penalty', r"\1迟交扣分"),
        # the apostrophe as the template wrote it, or as an HTML sanitiser escaped it
        (r'(<span class="nbgrader-label">)Student(?:\'|&#39;)s answer</span>', r"\1你的答案</span>"),
        (r'(<span class="nbgrader-label">)Student(?:\'|&#39;)s task</span>', r"\1你的任务</span>"),
        (r'(<span class="nbgrader-label">)Grade cell: <code>', r"\1评分单元格：<code>"),
        (r'(<span class="nbgrader-label">)Task: <code>', r"\1任务题：<code>"),
        (r"<b>Comments:</b>", "<b>评语：</b>"),
    ],
}


def translate_labels(html: str, language: str) -> str:
    """The feedback page ``html`` with nbgrader's labels in ``language`` (English: as it is)."""
    for pattern, replacement in LABELS.get(language, []):
        html = re.sub(pattern, replacement, html)
    return html


class InertHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter whose markdown, once rendered, is sanitised (see above), and
    whose page speaks the notebook's language (nbgrader's labels, :data:`LABELS`)."""

    @pass_context
    def markdown2html(self, context, source):
        return inert_html(super().markdown2html(context, source))

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        language = messages.notebook_language(nb)
        if language != "en":
            html = translate_labels(html, language).replace('<html>', f'<html lang="{language}">', 1)
        return html, resources
