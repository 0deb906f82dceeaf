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
"""

from __future__ import annotations

from nbgrader.preprocessors import ClearHiddenTests
from nbgrader.utils import is_grade, is_solution

NOTE = "# (hidden tests ran here; their verdicts are in the output below)"


class HideHiddenTests(ClearHiddenTests):
    """Remove hidden tests, and the tracebacks that would quote them, from feedback."""

    def preprocess_cell(self, cell, resources, cell_index):
        source = cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.cell_type != "code" or not is_grade(cell) or is_solution(cell):
            return cell, resources
        if cell.source != source:
            cell.source = cell.source.rstrip() + "\n\n" + NOTE
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"]
        return cell, resources
