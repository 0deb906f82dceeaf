"""Grade a lesson's submissions: each in its own sandbox, several at once, one gradebook writer.

Why not one ``nbgrader autograde <lesson>``: it grades students one after another in one
process, as the instructor, and a submission that crashes that process, or hangs it, stops
grading for everyone after it. Here grading has two stages, both nbgrader's own app:

1. **Execute, in parallel** (``jobs`` at once, a thread each driving a subprocess): every
   submission is autograded by ``nbgrader autograde --student=<id>`` in a scratch course of
   its own (a copy of the gradebook, a copy of that submission's files), its kernel in a
   sandbox (:class:`coursetools.preprocessors.SandboxedExecute`, a uid per slot), with a
   real-time limit on the whole process. What comes out is the executed notebook, or the
   reason there is none (a bad file, a crash, a time limit).
2. **Record, once** (the only process that writes the course's gradebook): ``nbgrader
   autograde <lesson>`` over the executed notebooks, with ``Execute`` replaced by
   :class:`coursetools.preprocessors.ReuseExecuted`: no student code runs, and a submission
   that could not be executed is recorded with 0 in every test cell and its reason. It never
   reads a student's raw file (stage one's output is nbgrader's own JSON; a failed
   submission is recorded from the released notebook), so no file can stop it.

The result is one :class:`Outcome` per submission, for the summary table of ``make autograde``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import io
import json
import os
import queue
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from . import preprocessors, sandbox
from .course import Course, NbgraderError

TIMESTAMP = "timestamp.txt"
#: Written by ``nbgrader submit`` (the exchange, e.g. on the hub) and needed again by
#: ``release_feedback``; carried from submitted/ to autograded/ as a small plain file (it is
#: never executed, so it does not go through the sandbox).
SECRET = "submission_secret.txt"
RESULT = "@@autograde-result "


class Worker:
    """A process that runs nbgrader's autograde app for one submission at a time.

    Why a long-lived process and not ``nbgrader autograde`` per submission: importing
    nbgrader costs several seconds, paid once per slot here instead of once per student.
    One submission still cannot harm the next: its kernel runs in a sandbox of its own, and
    a job that hangs or crashes the worker gets the worker killed (with its sandboxes, which
    die with their parent) and a fresh one started for the next job."""

    def __init__(self, course: Course, env: dict[str, str]) -> None:
        self.course, self.env = course, env
        self.proc: subprocess.Popen | None = None
        self.lines: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> None:
        bindir = str(Path(self.course.python).parent)
        env = {**os.environ, **self.env, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
        self.proc = subprocess.Popen([self.course.python, "-m", "coursetools.autograde", "--worker"],
                                     cwd=self.course.config_dir, env=env, text=True, start_new_session=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc, self.lines), daemon=True).start()

    @staticmethod
    def _read(proc: subprocess.Popen, lines: queue.Queue) -> None:
        for line in proc.stdout:
            if line.startswith(RESULT):
                lines.put(line[len(RESULT):])
        lines.put(None)                 # the worker is gone

    def run(self, argv: list[str], cwd: Path, timeout: float) -> tuple[int, str]:
        """nbgrader ``argv`` in ``cwd``; (exit status, what nbgrader logged). Raises
        :class:`subprocess.TimeoutExpired` (the worker is then killed) past ``timeout``."""
        if self.proc is None or self.proc.poll() is not None:
            self._start()
        self.proc.stdin.write(json.dumps({"argv": argv, "cwd": str(cwd)}) + "\n")
        self.proc.stdin.flush()
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise subprocess.TimeoutExpired(argv, timeout) from None
        if line is None:
            status = self.proc.wait()
            self.proc = None
            return 1, f"the grading process died (exit status {status}) while grading it"
        result = json.loads(line)
        return result["status"], result["output"]

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


def _worker_main() -> None:
    """The worker's side: one JSON job per line on stdin, one result line on stdout."""
    from nbgrader.apps import AutogradeApp

    results = sys.stdout
    for line in sys.stdin:
        job = json.loads(line)
        log = io.StringIO()
        status = 0
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            app = None
            try:
                os.chdir(job["cwd"])
                app = AutogradeApp()
                app.initialize(job["argv"])
                app.start()
            except SystemExit as exit_:
                status = exit_.code if isinstance(exit_.code, int) else 1
            except Exception:       # noqa: BLE001 - reported as this submission's failure
                status = 1
                log.write(traceback.format_exc())
            finally:
                if app is not None:
                    with contextlib.suppress(Exception):
                        app.reset()
                AutogradeApp.clear_instance()
        results.write(RESULT + json.dumps({"status": status, "output": log.getvalue()[-20000:]}) + "\n")
        results.flush()


@dataclass
class Outcome:
    """How one student's submission of one lesson went."""

    student: str
    lesson: str
    seconds: float = 0.0
    reason: str = ""                # why it could not be graded; "" when it was
    score: float | None = None
    max_score: float | None = None

    @property
    def graded(self) -> bool:
        return not self.reason


def _last_words(output: str, limit: int = 300) -> str:
    """The line of nbgrader's output that says what went wrong (the exception, not its
    "see the above traceback"), shortened."""
    lines = [l.strip() for l in output.splitlines() if l.strip()]
    raised = [l for l in lines if re.match(r"^[\w.]*(Error|Exception|Exit)\b.*:", l)]
    errors = [l for l in lines if ("Error" in l or "error" in l.lower()) and "above traceback" not in l]
    line = (raised or errors or lines or ["(nbgrader printed nothing)"])[-1]
    return line if len(line) <= limit else line[:limit] + "..."


def _copy_submission(course: Course, student: str, lesson: str, target: Path) -> str:
    """Copy what nbgrader needs of a submission (the lesson's notebooks, its timestamp) as
    plain files; returns a reason if the folder holds something that is not a plain file
    where a notebook should be."""
    source = course.root / "submitted" / student / lesson
    target.mkdir(parents=True, exist_ok=True)
    found = 0
    for name in [*course.notebooks(lesson), TIMESTAMP]:
        path = source / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            return f"{name} is not a plain file"
        if path.is_file():
            if path.stat().st_size > 64 * 1024 * 1024:
                return f"{name} is larger than 64 MB"
            shutil.copyfile(path, target / name)
            found += name != TIMESTAMP
    return "" if found else f"no notebook of {lesson} in the submission"


class Grader:
    """Grades lessons of ``course`` with ``jobs`` sandboxes at once."""

    def __init__(self, course: Course, jobs: int = 0, *, timeout: float | None = None,
                 progress: bool = True, log=print) -> None:
        self.course = course
        self.jobs = jobs or os.cpu_count() or 1
        self.timeout = timeout      # real seconds one submission may take (default: from the config)
        self.progress = progress
        self.log = log

    # ---- stage one --------------------------------------------------------------------

    def _submission_timeout(self, lesson: str) -> float:
        if self.timeout:
            return self.timeout
        per_notebook = self.course.config.SandboxedExecute.get("notebook_timeout", 300.0)
        return per_notebook * len(self.course.notebooks(lesson)) + 90      # + nbgrader's own start and finish

    def _execute(self, lesson: str, student: str, snapshot: Path, work: Path, worker: Worker) -> Outcome:
        started = time.monotonic()
        outcome = Outcome(student, lesson)
        scratch = work / "scratch" / student
        outcome.reason = _copy_submission(self.course, student, lesson, scratch / "submitted" / student / lesson)
        if not outcome.reason:
            shutil.copyfile(snapshot, scratch / "gradebook.db")
            argv = [lesson, "--force", f"--student={student}", f"--CourseDirectory.root={scratch}",
                    f"--CourseDirectory.source_directory={self.course.source}",
                    f"--CourseDirectory.db_url=sqlite:///{scratch / 'gradebook.db'}",
                    f"--log-level={self.course.log_level}"]
            try:
                status, said = worker.run(argv, self.course.config_dir, self._submission_timeout(lesson))
                if status:
                    outcome.reason = f"grading it failed: {_last_words(said)}"
            except subprocess.TimeoutExpired:
                outcome.reason = f"it took longer than {self._submission_timeout(lesson):g} s of real time"
        done = scratch / "autograded" / student / lesson
        target = work / "executed" / student / lesson
        target.mkdir(parents=True, exist_ok=True)
        if not outcome.reason:
            for name in self.course.notebooks(lesson):
                if (done / name).is_file():
                    shutil.copyfile(done / name, target / name)
            if (scratch / "submitted" / student / lesson / TIMESTAMP).is_file():
                shutil.copyfile(scratch / "submitted" / student / lesson / TIMESTAMP, target / TIMESTAMP)
        else:
            (target / preprocessors.REASON_FILE).write_text(outcome.reason + "\n")
        shutil.rmtree(scratch, ignore_errors=True)
        outcome.seconds = time.monotonic() - started
        return outcome

    def _execute_all(self, lesson: str, students: list[str], snapshot: Path, work: Path) -> list[Outcome]:
        claims = [sandbox.UidClaim() for _ in range(self.jobs)]
        # The kernels' folders go in a folder of this run, removed when grading ends with
        # whatever a kernel that died left there; under /tmp, for short socket paths.
        kernels = tempfile.mkdtemp(prefix="autograde-kernels-", dir="/tmp")
        workers = [Worker(self.course, {sandbox.UID_VARIABLE: str(claim.uid), sandbox.KERNELS_VARIABLE: kernels})
                   for claim in claims]
        free = list(workers)
        lock = threading.Lock()

        def one(student: str) -> Outcome:
            with lock:
                worker = free.pop()
            try:
                return self._execute(lesson, student, snapshot, work, worker)
            finally:
                with lock:
                    free.append(worker)

        bar = None
        if self.progress:
            from tqdm import tqdm
            bar = tqdm(total=len(students), desc=f"autograde {lesson}", unit="submission",
                       file=sys.stderr, dynamic_ncols=True)
        outcomes = []
        try:
            with concurrent.futures.ThreadPoolExecutor(self.jobs) as pool:
                for future in concurrent.futures.as_completed([pool.submit(one, s) for s in students]):
                    outcome = future.result()
                    outcomes.append(outcome)
                    if bar is not None:
                        bar.set_postfix_str(f"{outcome.student} {outcome.seconds:.0f} s"
                                            + ("" if outcome.graded else " (not graded)"))
                        bar.update()
        finally:
            for worker in workers:
                worker.close()
            for claim in claims:
                claim.release()
            shutil.rmtree(kernels, ignore_errors=True)
            if bar is not None:
                bar.close()
        return sorted(outcomes, key=lambda o: o.student)

    # ---- stage two --------------------------------------------------------------------

    def _record(self, lesson: str, outcomes: list[Outcome], work: Path) -> None:
        """Write every grade with nbgrader, from the executed notebooks (one process)."""
        inputs = work / "record"
        release = None
        for outcome in outcomes:
            target = inputs / outcome.student / lesson
            target.mkdir(parents=True)
            executed = work / "executed" / outcome.student / lesson
            for name in self.course.notebooks(lesson):
                if (executed / name).is_file():
                    shutil.copyfile(executed / name, target / name)
                else:
                    if release is None:
                        release = self.course.release(lesson, out=work / "release", db=False)
                    shutil.copyfile(release / name, target / name)
            if (executed / TIMESTAMP).is_file():
                shutil.copyfile(executed / TIMESTAMP, target / TIMESTAMP)
            secret = self.course.root / "submitted" / outcome.student / lesson / SECRET
            if secret.is_file() and not secret.is_symlink() and secret.stat().st_size <= 4096:
                shutil.copyfile(secret, target / SECRET)
        try:
            self.course.run("autograde", lesson, "--force", f"--CourseDirectory.submitted_directory={inputs}",
                            env={preprocessors.REUSE_VARIABLE: str(work / "executed")})
        except NbgraderError as err:
            said = _last_words(err.output)
            for outcome in outcomes:
                if not (self.course.root / "autograded" / outcome.student / lesson).is_dir():
                    outcome.reason = outcome.reason or f"recording the grade failed: {said}"

    def _scores(self, lesson: str, outcomes: list[Outcome]) -> None:
        from nbgrader.api import Gradebook, MissingEntry

        url = self.course.db_url()
        with Gradebook(url) as gb:
            for outcome in outcomes:
                try:
                    submission = gb.find_submission(lesson, outcome.student)
                except MissingEntry:
                    outcome.reason = outcome.reason or "no grade was recorded"
                    continue
                outcome.score, outcome.max_score = submission.score, submission.max_score

    # ---- a lesson ---------------------------------------------------------------------

    def grade(self, lesson: str, students: list[str] | None = None) -> list[Outcome]:
        """Grade every submitted student of ``lesson`` (or those named); never raises for
        one submission: its :class:`Outcome` says what went wrong."""
        students = students if students is not None else self.course.students("submitted", lesson)
        if not students:
            return []
        db = self.course.db_path()
        if db is None or not db.is_file():
            raise NbgraderError(["nbgrader", "", "autograde", lesson], 1,
                                f"no gradebook at {db}: release the lesson first (make release)")
        with tempfile.TemporaryDirectory(prefix=f"autograde-{lesson}-") as folder:
            work = Path(folder)
            snapshot = work / "gradebook.db"
            with sqlite3.connect(db) as live, sqlite3.connect(snapshot) as copy:
                live.backup(copy)       # a consistent copy, even if someone writes meanwhile
            outcomes = self._execute_all(lesson, students, snapshot, work)
            self._record(lesson, outcomes, work)
        self._scores(lesson, outcomes)
        return outcomes


def summary(outcomes: list[Outcome]) -> str:
    """The table ``make autograde`` ends with: every submission, its score or why it has none."""
    if not outcomes:
        return "nothing was graded"
    width = max(len(o.student) for o in outcomes)
    lesson_width = max(len(o.lesson) for o in outcomes)
    lines = [f"{'student':{width}}  {'lesson':{lesson_width}}  {'time':>6}  {'score':>11}  result"]
    for o in outcomes:
        score = f"{o.score:g} / {o.max_score:g}" if o.score is not None else "-"
        result = "graded" if o.graded else f"NOT GRADED: {o.reason}"
        lines.append(f"{o.student:{width}}  {o.lesson:{lesson_width}}  {o.seconds:5.0f}s  {score:>11}  {result}")
    failed = [o for o in outcomes if not o.graded]
    lines.append(f"{len(outcomes) - len(failed)} submission(s) graded, {len(failed)} not graded"
                 + (" (their test cells score 0 with the reason; fix and grade them again)" if failed else ""))
    return "\n".join(lines)


if __name__ == "__main__" and sys.argv[1:] == ["--worker"]:
    _worker_main()
