"""The nbgrader preprocessors of this course: what ``nbgrader generate_assignment`` and
``nbgrader autograde`` run besides nbgrader's own.

``autograder/nbgrader_config.py`` puts them in nbgrader's own lists, so release, the
gradebook, formgrader and feedback work as nbgrader made them:

- :class:`RunAllGoesOn` (generating the student's and the learner's notebooks): tags every
  exercise cell and every graded test cell ``raises-exception``, so JupyterLab's Run All
  goes on past a blank or failing exercise; the error stays in the cell's output, where
  Validate sees it, and autograde strips the tag before it runs anything.

- :class:`OverwriteCellsQuietly` (sanitising, instead of nbgrader's ``OverwriteCells``):
  the same, warning only about test cells the student actually changed.
- :class:`StripExecutionTags` (sanitising, after ``OverwriteCellsQuietly``): removes the
  cell tags nbclient obeys while executing (``skip-execution`` would leave a test cell
  unexecuted, and an unexecuted test cell scores full marks).
- :class:`SandboxedExecute` (instead of nbgrader's ``Execute``): runs the notebook in a
  kernel inside :mod:`coursetools.sandbox`, under a wall-clock limit for the whole notebook
  and a cap on output that holds while it streams. A test cell whose exercise is judged
  outside the kernel (:mod:`coursetools.judge`) is not run there: its scenarios run in
  this process and ask the kernel for data.
- :class:`ScoreRequired` (after either): a test cell that did not report its score
  scores 0, whatever else the kernel said.
- :class:`ReuseExecuted` (instead of ``Execute``, in the second stage of
  :mod:`coursetools.autograde`): takes the outputs of a notebook executed earlier in its
  own sandbox, so the one process that writes the gradebook runs no student code; a
  submission that could not be executed gets, in every test cell, an error saying why
  (0 points there), and a note at the top of its feedback.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor, OverwriteCells
from nbgrader.utils import is_grade, is_solution
from jupyter_core.utils import run_sync
from traitlets import Float, Integer, Unicode

from aiolab import messages
from aiolab.grading import GradingFailure
from aiolab.messages import _

from . import judge, sandbox

#: Stage two reads executed notebooks from ``<this>/<student>/<lesson>/<notebook>.ipynb``.
REUSE_VARIABLE = "COURSE_EXECUTED_DIR"
REASON_FILE = "NOT-GRADED.txt"
NOT_GRADED = "NotGraded"

#: Tags nbclient acts on while executing; a submission must not choose how it is run.
EXECUTION_TAGS = {"skip-execution", "raises-exception"}


class RunAllGoesOn(NbGraderPreprocessor):
    """Tag the cells a learner's blank or wrong answer makes fail ``raises-exception``: the
    answer cells and the graded test cells. JupyterLab then sends those cells with
    ``stop_on_error`` off, so one failing exercise does not abort every later cell."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and (is_solution(cell) or is_grade(cell)):
            tags = cell.metadata.get("tags", [])
            if "raises-exception" not in tags:
                cell.metadata["tags"] = [*tags, "raises-exception"]
        return cell, resources


class OverwriteCellsQuietly(OverwriteCells):
    """nbgrader's ``OverwriteCells``, without a warning for test cells the student did not
    change. nbgrader compares a locked cell with the instructor's version, hidden tests
    included, so every test cell with hidden tests of every submission was reported as
    "changed". Here a cell is compared with what the student was given (the instructor's
    version with the hidden tests cleared, by nbgrader's own ``ClearHiddenTests``); the cell
    is overwritten with the instructor's version either way, as nbgrader does."""

    def preprocess_cell(self, cell, resources, index):
        self._as_given = False
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None:
            try:
                source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source = None
            if source is not None and source.locked:
                given = nbformat.from_dict(cell)
                given.source = source.source
                given, _ = ClearHiddenTests().preprocess_cell(given, {}, index)
                self._as_given = given.source.rstrip() == cell.source.rstrip()
        return super().preprocess_cell(cell, resources, index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._as_given:
            return
        super().report_change(name, attr, old, new)


class StripExecutionTags(NbGraderPreprocessor):
    """Remove the cell tags that change how nbclient executes a cell."""

    def preprocess_cell(self, cell, resources, index):
        tags = cell.metadata.get("tags")
        if tags is not None:
            kept = [t for t in tags if t not in EXECUTION_TAGS] if isinstance(tags, list) else []
            if kept:
                cell.metadata["tags"] = kept
            else:
                del cell.metadata["tags"]
        cell.metadata.pop("execution", None)
        return cell, resources


def _error(name: str, message: str) -> NotebookNode:
    return nbformat.v4.new_output("error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


class SandboxedExecute(Execute):
    """nbgrader's Execute with the kernel in a sandbox, a limit on the whole notebook's real
    time, and output capped as it arrives (the grader's memory stays flat)."""

    notebook_timeout = Float(300.0, help="Real seconds the whole notebook may take; cells after run out of time are "
                             "not run and score 0.").tag(config=True)
    max_output_bytes = Integer(8 * 1024 * 1024, help="Output kept per notebook; the rest is dropped as it "
                               "arrives.").tag(config=True)
    startup_attempts = Integer(3, help="Kernels started for a notebook whose kernel dies as it starts, "
                               "before any cell has run.").tag(config=True)

    def __init__(self, *args, **kwargs):
        if not sandbox.disabled():
            reason = sandbox.why_unavailable()
            if reason:
                raise sandbox.SandboxUnavailable(
                    f"{reason}. Grading without a sandbox runs students' code as you, with your files: "
                    "pass SANDBOX=off to make autograde only if you trust every submission.")
            kwargs.setdefault("kernel_manager_class", sandbox.SandboxedKernelManager)
        super().__init__(*args, **kwargs)

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._output_bytes = 0
        self._output_cut = False
        # The learner's language (the notebook's edition): what the grader writes here
        # (the verdicts judged outside) and what the kernel says (AIOLAB_LANGUAGE)
        self._language = messages.notebook_language(nb)
        with messages.speaking(self._language):
            return super().preprocess(nb, resources, km)

    async def async_start_new_kernel(self, **kwargs):
        env = dict(kwargs.pop("env", None) or os.environ)
        env[messages.VARIABLE] = getattr(self, "_language", "en")
        self._start_kwargs = {"env": env, **kwargs}
        return await super().async_start_new_kernel(env=env, **kwargs)

    start_new_kernel = run_sync(async_start_new_kernel)     # nbclient's is bound to its own

    async def async_start_new_kernel_client(self):
        """nbclient's, with a kernel that dies as it starts started again (up to
        ``startup_attempts`` in all). Why: no cell has run then, so the death cannot be the
        submission's doing (the kernel starts in an empty home), and a machine under load
        can lose one now and then; grading the submission 0 for it would be wrong. When
        every attempt dies, the error says so and quotes what the kernel wrote as it died."""
        for attempt in range(1, self.startup_attempts + 1):
            km = self.km
            try:
                return await super().async_start_new_kernel_client()
            except RuntimeError as err:
                if "died before replying to kernel_info" not in str(err):
                    raise
                said = getattr(km, "startup_errors", "") or "nothing"
                if attempt == self.startup_attempts:
                    raise RuntimeError(
                        f"the sandboxed kernel died as it started, {attempt} times, before running any cell "
                        f"(a problem of the grading machine, not of this notebook); it wrote: {said[-600:]}") from None
                self.log.warning("The kernel died as it started (attempt %d of %d), before running any cell; "
                                 "starting another. It wrote: %s", attempt, self.startup_attempts, said[-600:])
            # nbclient shut that kernel down and dropped its manager: a fresh one, as before
            self.km = self.create_kernel_manager()
            await self.async_start_new_kernel(**self._start_kwargs)

    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def _remaining(self) -> float:
        return self._deadline - time.monotonic()

    def _get_timeout(self, cell):
        per_cell = super()._get_timeout(cell)
        remaining = max(1, int(self._remaining() + 0.999))
        return remaining if per_cell is None else min(per_cell, remaining)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and self._remaining() <= 0:
            cell.outputs = [_error("NotebookTimeout", _(
                "not run: the notebook used up its {limit:g} s of real time before this cell (an endless "
                "loop or a very slow cell earlier on?)", limit=self.notebook_timeout))]
            return cell, resources
        target = judge.outside_target(cell)
        if target is not None:
            return self._judge_outside(cell, target, index), resources
        limit = self._get_timeout(cell)
        cell, resources = super().preprocess_cell(cell, resources, index)
        for output in cell.get("outputs", []):
            # nbgrader's own text for a cell stopped by its timeout is "No reply from kernel"
            if output.get("ename") == "CellTimeoutError":
                if self._remaining() <= 0:
                    output.ename = "NotebookTimeout"
                    output.evalue = _("the notebook used up its {limit:g} s of real time in this cell",
                                      limit=self.notebook_timeout)
                else:
                    output.evalue = _("this cell was stopped after {limit:g} s of real time (an endless loop, "
                                      "or a call that blocks?)", limit=limit)
                output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources

    def _judge_outside(self, cell, target, index):
        """A test cell judged in this process (:mod:`coursetools.judge`): the kernel only
        runs the learner's functions on request; the cell's source never runs there."""
        def execute(code: str) -> str | None:
            if self._remaining() <= 0:
                raise GradingFailure(_("Not run: the notebook used up its {limit:g} s of real time.",
                                       limit=self.notebook_timeout))
            request = nbformat.v4.new_code_cell(code)
            try:
                self.execute_cell(request, index, store_history=False)
            except Exception as err:        # noqa: BLE001 - a dead or stuck kernel fails the scenario
                raise GradingFailure(_("The kernel stopped answering the grader ({name}).",
                                       name=type(err).__name__)) from None
            for output in request.outputs:
                if output.get("output_type") == "execute_result":
                    return output.get("data", {}).get("text/plain")
            errors = [o for o in request.outputs if o.get("output_type") == "error"]
            if errors and errors[0].get("ename") == "CellTimeoutError":
                raise GradingFailure(_("The kernel did not answer the grader in time (the learner's code "
                                       "kept it busy)."))
            return None

        cell.outputs = judge.judge_cell(target, judge.Kernel(execute), messages.notebook_language(self.nb))
        cell.execution_count = None
        self.nb.cells[index] = cell     # nbclient put each request's cell in its place
        return cell

    def output(self, outs, msg, display_id, cell_index):
        size = len(json.dumps(msg.get("content", {})))
        if self._output_bytes + size > self.max_output_bytes:
            if not self._output_cut:
                self._output_cut = True
                outs.append(nbformat.v4.new_output(
                    "stream", name="stdout",
                    text=_("\n[output cut: the notebook printed more than {kb} kB]\n", kb=self.max_output_bytes // 1024)))
            return None
        self._output_bytes += size
        return super().output(outs, msg, display_id, cell_index)


class ScoreRequired(NbGraderPreprocessor):
    """A test cell scores only by reporting its score: every test cell of this course ends
    with the checks' score (``check(...)`` in its hidden region). nbgrader gives full marks
    to a test cell that ran without an error and printed no number, so a submission that
    silences the test cells after it (IPython's input transformers, custom exception
    handlers, ...) would otherwise get full marks for nothing. Here such a cell gets an
    error instead: 0 points."""

    def preprocess(self, nb, resources):
        with messages.speaking(messages.notebook_language(nb)):     # the learner's language
            return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not is_grade(cell) or is_solution(cell):
            return cell, resources
        outputs = cell.get("outputs", [])
        if any(o.get("output_type") == "error" for o in outputs):
            return cell, resources
        if not any(_is_score(o) for o in outputs):
            cell.outputs = [*outputs, _error("NoScore", _(
                "this test cell did not report its score: it did not run to its end (did code earlier "
                "in the notebook change how cells run?)"))]
        return cell, resources


def _is_score(output) -> bool:
    if output.get("output_type") != "execute_result":
        return False
    try:
        float(output.get("data", {}).get("text/plain", ""))
    except (TypeError, ValueError):
        return False
    return True


class ReuseExecuted(NbGraderPreprocessor):
    """Fill a notebook's outputs from the copy executed by the first grading stage."""

    executed_dir = Unicode("", help="Folder of <student>/<lesson>/<notebook>.ipynb executed by stage one "
                           f"(default: ${REUSE_VARIABLE})").tag(config=True)

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        folder = Path(self.executed_dir or os.environ[REUSE_VARIABLE]) / info["student"] / info["assignment"]
        reason_file = folder / REASON_FILE
        executed = folder / f"{info['notebook']}.ipynb"
        reason = reason_file.read_text().strip() if reason_file.is_file() else ""
        if not reason:
            if not executed.is_file():
                reason = "its executed copy is missing (grading stopped before it)"
            else:
                reason = self._copy_outputs(nb, nbformat.read(executed, as_version=4))
        if reason:
            with messages.speaking(messages.notebook_language(nb)):     # the learner's language
                self._not_graded(nb, messages.detail(reason))
        return nb, resources

    @staticmethod
    def _copy_outputs(nb, executed) -> str:
        code = [c for c in nb.cells if c.cell_type == "code"]
        done = [c for c in executed.cells if c.cell_type == "code"]
        if [c.source for c in code] != [c.source for c in done]:
            return "its executed copy does not match the submission"
        for cell, ran in zip(code, done):
            cell.outputs = ran.get("outputs", [])
            cell.execution_count = ran.get("execution_count")
        return ""

    @staticmethod
    def _not_graded(nb, reason: str) -> None:
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            cell.outputs = []
            if is_grade(cell) and not is_solution(cell):
                cell.outputs = [_error(NOT_GRADED, _("this submission could not be graded: {reason}", reason=reason))]
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(_(
            "**This submission could not be graded automatically:** {reason}. Its tests score 0; ask your "
            "instructor.", reason=reason)))
