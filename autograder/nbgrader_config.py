"""nbgrader configuration for the asyncio course.

Run every nbgrader command from this folder (the make targets do): nbgrader reads this file
from the current directory. The instructor edition of the lessons lives in ../notebooks,
one folder per lesson, and each lesson is one nbgrader assignment named after its folder.
Everything nbgrader writes (release/, submitted/, autograded/, feedback/, the gradebook)
is generated here and gitignored.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.CourseDirectory.course_id = "asyncio-course"
c.CourseDirectory.root = str(HERE)
# nbgrader joins this to the root; the lessons stay in the repository's notebooks/ folder.
c.CourseDirectory.source_directory = "../notebooks"
c.CourseDirectory.db_url = f"sqlite:///{HERE / 'gradebook' / 'gradebook.db'}"

# One assignment per lesson folder, in lesson order.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".DS_Store"]

# A student's notebook must never hang grading: every cell gets a real-time limit, and
# aiolab's virtual-time runner stops runaway coroutines long before it (see docs).
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
# (nbgrader's Execute always goes on past a failing cell: its allow_errors is fixed, not a setting.)
# Output still arriving after a cell's reply (a flood, cut by SandboxedExecute) is waited for
# this long before nbclient gives up on the cell.
c.Execute.iopub_timeout = 30

# Grading runs students' code: each notebook in a sandbox (coursetools.sandbox), with a
# real-time limit on the whole notebook and its output capped as it streams
# (coursetools.preprocessors); `make autograde` grades several at once (coursetools.autograde).
# SANDBOX=off on make's command line is the explicit opt-out (see README.md).
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties, CheckCellMetadata, ClearOutput, DeduplicateIds, IgnorePattern, LimitOutput,
    OverwriteKernelspec, SaveAutoGrades)

from nbgrader.converters import GenerateAssignment  # noqa: E402

from coursetools.preprocessors import (  # noqa: E402
    REUSE_VARIABLE, OverwriteCellsQuietly, ReuseExecuted, RunAllGoesOn, SandboxedExecute, ScoreRequired,
    StripExecutionTags)

# The released notebooks (to students, and the learner's edition): Run All goes on past a
# blank or failing exercise.
c.GenerateAssignment.preprocessors = [*GenerateAssignment.class_traits()["preprocessors"].default(), RunAllGoesOn]

c.SandboxedExecute.notebook_timeout = float(os.environ.get("NOTEBOOK_TIMEOUT") or 300)
c.SandboxedExecute.max_output_bytes = 8 * 1024 * 1024
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCellsQuietly,
                                      StripExecutionTags, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [
    ReuseExecuted if os.environ.get(REUSE_VARIABLE) else SandboxedExecute, ScoreRequired,
    IgnorePattern, ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

# `make collect` (nbgrader zip_collect): a folder or zip holding <student>/<notebook>.ipynb.
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = r".*/(?P<student_id>[^/]+)/(?P<file_id>[^/]+\.ipynb)$"

# `make feedback` (nbgrader generate_feedback): the pages show each test's verdict and
# message, never the hidden tests' source or a traceback quoting it (coursetools.feedback).
# The pages are inert: nbconvert's own HTML sanitiser removes scripts, event handlers and
# iframes from markdown and outputs (a submission's markdown is the student's to write; the
# instructor opens the page in the browser of their Jupyter), and keeps the PNG charts.
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbconvert.preprocessors.sanitize import SanitizeHTML  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

from coursetools.feedback import HideHiddenTests, InertHTMLExporter  # noqa: E402

c.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, SanitizeHTML, CSSHTMLHeaderPreprocessor]
c.SanitizeHTML.enabled = True
# ... and what markdown renders to is sanitised too (a markdown javascript: link survives
# SanitizeHTML, which cleans the markdown source, not the link it becomes).
c.GenerateFeedback.exporter_class = InertHTMLExporter

# `make grades`: one CSV of every student's score per assignment.
c.ExportApp.plugin_class = "nbgrader.plugins.CsvExportPlugin"

# make grades: nbgrader's CSV export, with rows only for the lessons someone handed in
# (every released lesson is in the gradebook, submitted or not).
from coursetools.export import SubmittedLessonsCsv  # noqa: E402

c.ExportApp.plugin_class = SubmittedLessonsCsv
