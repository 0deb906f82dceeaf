"""The course's instructor and build tools: everything that is not imported by a lesson's kernel.

``aiolab`` is what a learner's kernel imports (timelines, charts, virtual time, grading
helpers, the demo server). This package is what instructors, presenters and the Makefile
run around the lessons:

- ``course``: the one layer over nbgrader's commands (every nbgrader call goes through it);
- ``edition``: the learner's edition, synced into a workspace without losing edits;
- ``handouts``: every lesson executed, as HTML and A4 PDF;
- ``translation``: the editions in other languages (markdown by cell id from ``i18n/``), checked for drift;
- ``cli``: ``python -m coursetools <command>``, what the Makefile's targets call.

Paths are always given (the Makefile passes them, relative to the repository it runs in);
nothing here guesses where the repository is.
"""
