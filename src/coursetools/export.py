"""``make grades``: nbgrader's CSV export, with only the lessons someone handed in.

nbgrader writes a row for every student and every lesson in the gradebook, and a lesson is
in the gradebook once released, even if nobody has submitted it yet: a class that has done
two lessons got a table of eleven, nine of them zeros. :class:`SubmittedLessonsCsv` is
nbgrader's own ``CsvExportPlugin`` shown only the lessons with at least one submission; a
student who did not hand in such a lesson keeps their row, with 0.
"""

from __future__ import annotations

from typing import Any

from nbgrader.plugins import CsvExportPlugin


class _SubmittedLessons:
    """A gradebook whose ``assignments`` are the ones with a submission; the rest as is."""

    def __init__(self, gradebook: Any) -> None:
        self._gradebook = gradebook

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gradebook, name)

    @property
    def assignments(self) -> list[Any]:
        return [a for a in self._gradebook.assignments if a.submissions]


class SubmittedLessonsCsv(CsvExportPlugin):
    """nbgrader's CSV export, with the rows of the lessons someone submitted."""

    def export(self, gradebook: Any) -> None:
        super().export(_SubmittedLessons(gradebook))
