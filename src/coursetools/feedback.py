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


class InertHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter whose markdown, once rendered, is sanitised (see above)."""

    @pass_context
    def markdown2html(self, context, source):
        return inert_html(super().markdown2html(context, source))
