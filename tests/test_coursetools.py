"""coursetools: the one layer over nbgrader and the rules of the instructor commands.

Fast tests (part of make check): a small course folder with the course's own configuration
and two fake lessons; nbgrader itself runs only where a test says so.
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from coursetools import cli
from coursetools.autograde import Grader, Outcome
from coursetools.course import Course, FailedCell, NbgraderError, Validation, lesson_folders

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def course(tmp_path) -> Course:
    """autograder/'s nbgrader_config.py with two lessons of its own in ../notebooks."""
    config = tmp_path / "autograder"
    config.mkdir()
    shutil.copy(ROOT / "autograder" / "nbgrader_config.py", config)
    for lesson, notebook in (("01-first", "first.ipynb"), ("02-second", "second.ipynb")):
        (tmp_path / "notebooks" / lesson).mkdir(parents=True)
        (tmp_path / "notebooks" / lesson / notebook).write_text("{}")
    (tmp_path / "notebooks" / "_drafts").mkdir()
    (tmp_path / "notebooks" / "_drafts" / "x.ipynb").write_text("{}")
    return Course(config)


def submit(course: Course, step: str, student: str, lesson: str) -> None:
    (course.root / step / student / lesson).mkdir(parents=True)


def run(course: Course, *argv: str) -> int:
    return cli.main(["--course", str(course.config_dir), *argv])


def test_paths_come_from_the_configuration_and_are_absolute(course, tmp_path):
    assert course.source == (tmp_path / "notebooks").resolve()       # "../notebooks" in the config
    assert course.root == course.config_dir and course.root.is_absolute()
    assert course.lessons() == ["01-first", "02-second"]
    assert course.notebooks("02-second") == ["second.ipynb"]
    assert lesson_folders(ROOT / "notebooks")[0] == "00-start-here"


def test_a_folder_without_nbgrader_config_is_refused(tmp_path, capsys):
    assert cli.main(["--course", str(tmp_path), "release"]) == cli.USAGE
    assert "no nbgrader_config.py" in capsys.readouterr().err


def test_unknown_lesson_is_a_usage_error_naming_the_lessons(course, capsys):
    assert run(course, "autograde", "01-frist") == cli.USAGE
    err = capsys.readouterr().err
    assert "not a lesson: 01-frist" in err and "01-first, 02-second" in err


def fake_grade(graded):
    """Grader.grade without grading: records the lesson, every student graded."""
    def grade(self, lesson, students=None):
        graded.append(lesson)
        return [Outcome(s, lesson, 1.0, score=1, max_score=1) for s in self.course.students("submitted", lesson)]
    return grade


def test_a_named_lesson_with_nothing_to_grade_fails_and_says_so(course, monkeypatch, capsys):
    graded = []
    monkeypatch.setattr(Grader, "grade", fake_grade(graded))
    submit(course, "submitted", "alice", "01-first")
    assert run(course, "autograde", "01-first", "02-second") == 1
    assert graded == ["01-first"], "the lesson with submissions is still graded"
    assert "nothing to do for 02-second" in capsys.readouterr().err


def test_without_names_every_lesson_with_work_is_done_and_the_rest_listed(course, monkeypatch, capsys):
    graded = []
    monkeypatch.setattr(Grader, "grade", fake_grade(graded))
    submit(course, "submitted", "alice", "02-second")
    submit(course, "submitted", "bob", "02-second")
    assert run(course, "autograde") == 0
    assert graded == ["02-second"]
    assert "no submitted work yet for 01-first (skipped)" in capsys.readouterr().out


def test_nothing_to_do_at_all_is_an_error(course, capsys):
    assert run(course, "feedback") == 1
    assert "nothing to do" in capsys.readouterr().err


def test_one_failing_lesson_does_not_stop_the_others(course, monkeypatch, capsys):
    def grade(self, lesson, students=None):
        if lesson == "01-first":
            raise NbgraderError(["python", "-m", "nbgrader", "autograde", lesson], 1, "[AutogradeApp | ERROR] boom")
        return fake_grade(graded)(self, lesson, students)
    graded = []
    monkeypatch.setattr(Grader, "grade", grade)
    for lesson in ("01-first", "02-second"):
        submit(course, "submitted", "alice", lesson)
    assert run(course, "autograde") == 1
    assert graded == ["02-second"]
    err = capsys.readouterr().err
    assert "nbgrader autograde failed (exit status 1)" in err and "boom" in err
    assert "failed for: 01-first" in err


def test_a_submission_not_graded_is_in_the_table_and_fails_the_run(course, monkeypatch, capsys):
    def grade(self, lesson, students=None):
        return [Outcome("alice", lesson, 3.0, score=2, max_score=4),
                Outcome("bob", lesson, 61.0, reason="it took longer than 60 s of real time", score=0, max_score=4)]
    monkeypatch.setattr(Grader, "grade", grade)
    submit(course, "submitted", "alice", "01-first")
    assert run(course, "autograde") == 1
    out = capsys.readouterr().out
    table = out[out.index("student"):].splitlines()
    assert table[0].split() == ["student", "lesson", "time", "score", "result"]
    assert table[1].split()[:6] == ["alice", "01-first", "3s", "2", "/", "4"] and table[1].endswith("graded")
    assert "NOT GRADED: it took longer than 60 s of real time" in table[2]
    assert table[-1].startswith("1 submission(s) graded, 1 not graded")


def test_autograde_refuses_without_a_sandbox_unless_told(course, monkeypatch, capsys):
    from coursetools import sandbox

    graded = []
    monkeypatch.setattr(Grader, "grade", fake_grade(graded))
    monkeypatch.setattr(sandbox, "why_unavailable", lambda: "bubblewrap is not installed")
    submit(course, "submitted", "alice", "01-first")
    assert run(course, "autograde") == 1 and graded == []
    assert "refusing to grade without a sandbox: bubblewrap is not installed" in capsys.readouterr().err
    monkeypatch.setenv("COURSE_SANDBOX", "off")
    assert run(course, "autograde") == 0 and graded == ["01-first"]
    assert "SANDBOX=off" in capsys.readouterr().err


def test_collect_finds_the_lessons_by_notebook_name(course, monkeypatch, tmp_path, capsys):
    archive = tmp_path / "subs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("export/alice/second.ipynb", "{}")
        zf.writestr("export/bob/second.ipynb", "{}")
        zf.writestr("export/bob/notes.txt", "hi")
    calls = []
    monkeypatch.setattr(Course, "collect", lambda self, lesson, source: calls.append((lesson, source)) or ["alice", "bob"])
    assert run(course, "collect", "--from", str(archive)) == 0
    assert calls == [("02-second", archive.resolve())]
    assert "collected 02-second: 2 student(s)" in capsys.readouterr().out

    assert run(course, "collect", "--from", str(archive), "01-first") == 1
    assert "no notebook of 01-first (first.ipynb)" in capsys.readouterr().err


def test_collect_refuses_missing_or_odd_input(course, tmp_path, capsys):
    assert run(course, "collect") == cli.USAGE
    assert "make collect FROM=" in capsys.readouterr().err
    assert run(course, "collect", "--from", str(tmp_path / "nope.zip")) == cli.USAGE
    (tmp_path / "x.txt").write_text("x")
    assert run(course, "collect", "--from", str(tmp_path / "x.txt")) == cli.USAGE
    assert "neither a folder nor a .zip" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert run(course, "collect", "--from", str(tmp_path / "empty")) == 1


def test_grades_without_a_gradebook_says_what_to_do_first(course, capsys):
    assert run(course, "grades", "--to", str(course.root / "g.csv")) == 1
    assert "no gradebook yet" in capsys.readouterr().err


@pytest.mark.slow
def test_nbgrader_failures_carry_nbgraders_own_words(course):
    with pytest.raises(NbgraderError) as err:
        course.run("autograde", "01-first")      # nothing was released or submitted
    assert err.value.returncode != 0
    assert "nbgrader autograde failed" in str(err.value)
    assert err.value.output.strip() and err.value.output.strip() in str(err.value)


def test_commands_run_in_the_course_folder_with_the_venv_first_on_path(course, monkeypatch):
    seen = {}

    def fake_run(argv, cwd, env, **kw):
        seen.update(argv=argv, cwd=cwd, path=env["PATH"])
        return type("Done", (), {"returncode": 0, "stdout": "ok"})()
    monkeypatch.setattr("subprocess.run", fake_run)
    monkeypatch.chdir("/")
    Course(course.config_dir, db=Path("rel/gb.db")).run("export")
    assert seen["cwd"] == course.config_dir
    assert seen["path"].startswith(str(Path(sys.executable).parent))
    assert f"--CourseDirectory.root={course.config_dir}" in seen["argv"]
    assert "--CourseDirectory.db_url=sqlite:////rel/gb.db" in seen["argv"], "relative paths made absolute"


def test_validation_report_names_every_problem():
    ok = Validation(Path("/x/lesson.ipynb"))
    assert ok.ok and "Success" in ok.report()
    bad = Validation(Path("/x/lesson.ipynb"), failed=[FailedCell("check(f)", "AssertionError: wrong")],
                     changed=["assert f() == 1"])
    text = bad.report()
    assert not bad.ok
    assert "check(f)" in text and "AssertionError: wrong" in text and "assert f() == 1" in text
    assert "2 problem(s)" in text
    bad.language = "zh"                     # a notebook of the Chinese edition: its report in Chinese
    text = bad.report()
    assert "这个单元格未通过：" in text and "2 个问题" in text and "AssertionError: wrong" in text
    assert "problem" not in text and "Success" not in Validation(Path("/x/l.ipynb"), language="zh").report()


def test_aiolab_is_only_what_a_kernel_imports():
    """Importing every aiolab module loads none of the build tools, and aiolab never works
    out where the repository is (an installed aiolab behaves the same)."""
    import subprocess

    src = ROOT / "src" / "aiolab"
    modules = sorted("aiolab." + ".".join(p.relative_to(src).with_suffix("").parts)
                     for p in src.rglob("*.py") if p.name != "__init__.py")
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'coursetools', 'nbgrader', 'nbconvert', 'nbclient'}))")
    loaded = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
    assert loaded.strip() == "[]", f"aiolab pulls in build tools: {loaded}"
    for path in src.rglob("*.py"):
        text = path.read_text()
        assert "coursetools" not in text, f"{path.name} refers to coursetools"
        assert ".parents[" not in text and "parent.parent" not in text, f"{path.name} looks for the repository"
    assert (src / "aiolab.mplstyle").is_file(), "the chart style ships with the package"


@pytest.mark.slow
def test_an_installed_package_carries_its_data(tmp_path):
    """The wheel holds the chart style, the Go benchmark's sources and the handout template:
    a non-editable install draws, benchmarks and prints as a checkout does."""
    import subprocess

    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, text=True)
    (wheel,) = tmp_path.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("aiolab/aiolab.mplstyle", "aiolab/py.typed", "aiolab/bench/go/main.go",
                   "coursetools/templates/handout/index.html.j2", "coursetools/templates/handout/conf.json"):
        assert needed in names, f"{needed} missing from {wheel.name}"


def test_feedback_hides_hidden_tests_and_their_tracebacks():
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from coursetools.feedback import NOTE, HideHiddenTests

    meta = {"nbgrader": {"grade": True, "solution": False, "locked": True, "points": 2,
                         "grade_id": "t", "schema_version": 3}}
    test = new_code_cell("assert visible()\n### BEGIN HIDDEN TESTS\nassert model_answer() == secret\n"
                         "### END HIDDEN TESTS", metadata=meta)
    test.outputs = [new_output("error", ename="AssertionError", evalue="expected 3, got 4",
                               traceback=["Traceback", "----> 3 assert model_answer() == secret", "AssertionError"])]
    answer = new_code_cell("def f():\n    1/0", metadata={"nbgrader": {"grade": False, "solution": True,
                                                                       "grade_id": "a", "schema_version": 3}})
    answer.outputs = [new_output("error", ename="ZeroDivisionError", evalue="division by zero",
                                 traceback=["----> 2 1/0"])]
    nb, _ = HideHiddenTests().preprocess(new_notebook(cells=[answer, test]), {})
    text = nbformat.writes(nb)
    assert "model_answer" not in text and "HIDDEN TESTS" not in text
    assert nb.cells[1].source == "assert visible()\n\n" + NOTE
    assert nb.cells[1].outputs[0].traceback == ["AssertionError: expected 3, got 4"]
    assert nb.cells[0].outputs[0].traceback == ["----> 2 1/0"], "the learner's own traceback stays"


def test_the_course_uses_the_feedback_preprocessor():
    from coursetools.course import _load_config
    from coursetools.feedback import HideHiddenTests, InertHTMLExporter

    config = _load_config(ROOT / "autograder")
    assert config.GenerateFeedback.preprocessors[0] is HideHiddenTests
    assert config.GenerateFeedback.exporter_class is InertHTMLExporter


def test_feedback_markdown_renders_but_its_links_cannot_run():
    """A markdown cell and a Markdown output whose links use javascript:, vbscript: and
    data:text/html lose those links; the lessons' own markdown (headings, tables, code,
    emphasis, an image) renders as before; a data: PNG image stays."""
    import html
    import re

    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    from coursetools.feedback import InertHTMLExporter

    hostile = ("[a](javascript:alert('md-js')) [b]( JaVaScRiPt:alert('md-case')) [c](vbscript:msgbox) "
               "[d](data:text/html;base64,PHNjcmlwdD4=) <a href=\"javascript:alert('md-raw')\">e</a> "
               "![f](data:image/png;base64,iVBORw0KGgo=) [ok](https://docs.python.org/3/) [here](#top)")
    cell = new_code_cell("display(Markdown(...))")
    cell.outputs = [new_output("display_data", data={"text/markdown": hostile, "text/plain": "md"})]
    lesson = nbformat.read(next((ROOT / "notebooks" / "05-gather-and-wait").glob("*.ipynb")), as_version=4)
    prose = [c for c in lesson.cells if c.cell_type == "markdown"]
    nb = new_notebook(cells=[new_markdown_cell(hostile), cell, *prose])
    page, _ = InertHTMLExporter().from_notebook_node(nb)
    hrefs = [html.unescape(h).strip().lower() for h in re.findall(r'(?:href|src)="([^"]*)"', page)]
    assert not [h for h in hrefs if h.startswith(("javascript:", "vbscript:", "data:text"))], hrefs
    assert "https://docs.python.org/3/" in hrefs and "#top" in hrefs
    assert any(h.startswith("data:image/png;base64,") for h in hrefs)
    reference, _ = nbconvert_html(new_notebook(cells=prose))
    for tag in ("<h1", "<h2", "<table", "<code", "<strong", "<em", "<li"):
        assert page.count(tag) >= reference.count(tag) > 0 or tag not in reference, tag
    assert "&lt;h2" not in page and "&lt;table" not in page and "&lt;pre" not in page


def nbconvert_html(nb):
    from nbconvert.exporters import HTMLExporter

    return HTMLExporter().from_notebook_node(nb)


def test_corpus_command_refuses_unknown_lessons_and_bad_counts(capsys):
    argv = ["--course", str(ROOT / "autograder"), "corpus"]
    assert cli.main([*argv, "00-strat-here"]) == cli.USAGE
    assert "no corpus for: 00-strat-here" in capsys.readouterr().err
    assert cli.main([*argv, "--runs", "0", "00-start-here"]) == cli.USAGE


def test_a_corpus_case_can_expect_other_scores_where_python_behaves_otherwise():
    """A score that follows a difference of Python itself (3.11's gather drives the coroutine
    an ``async def __await__`` returns; 3.12 refuses it) is written once, with the versions
    where it differs, and the corpus on every interpreter expects what really happens."""
    from coursetools import corpus

    case = corpus.Case("raises", "async __await__", expect={"a_tests": 2.0, "b_tests": 0.25},
                       expect_on={"3.11": {"b_tests": 0.75}})
    assert case.expected((3, 11)) == {"a_tests": 2.0, "b_tests": 0.75}
    assert case.expected((3, 12)) == case.expected((3, 15)) == {"a_tests": 2.0, "b_tests": 0.25}
    assert case.expected() == case.expected(sys.version_info[:2])
    [lesson01] = [m for m in corpus.manifests() if m.lesson == "01-coroutines-and-the-loop"]
    raises = next(c for c in lesson01.cases if c.name == "raises")
    assert raises.expected((3, 11))["later_tests"] == 0.75 and raises.expected((3, 13))["later_tests"] == 0.25


def test_corpus_stability_reports_every_score_that_moved(monkeypatch):
    """Graded three times, one cell scores differently once: reported as changed and wrong;
    the busy processes run meanwhile and are gone afterwards."""
    import multiprocessing

    from coursetools import corpus

    manifest = corpus.Manifest("00-x", "x.ipynb", [corpus.Case("ok", "fine", expect={"a_tests": 1.0}),
                                                   corpus.Case("flaky", "moves", expect={"a_tests": 0.5})])
    runs = iter([0.5, 0.5, 0.25])
    alive = []

    def grade(m, folder):
        alive.append(len(multiprocessing.active_children()))
        return corpus.Graded({"ok": {"a_tests": 1.0}, "flaky": {"a_tests": next(runs)}}, {}, {}, {})

    monkeypatch.setattr(corpus, "grade", grade)
    monkeypatch.setattr(corpus, "problems", lambda m, g: [])
    result = corpus.stability([manifest], 3, load=2, log=lambda line: None)
    assert alive == [2, 2, 2] and not multiprocessing.active_children()
    assert list(result.unstable()) == list(result.wrong()) == [("00-x", "flaky", "a_tests")]
    report = result.report()
    assert "00-x flaky a_tests: expected 0.5, got 0.5 (2x), 0.25 (1x)" in report
    assert "scores that changed between runs: 1; scores other than the manifest's: 1" in report


@pytest.mark.slow
def test_busy_processes_never_outlive_a_killed_grader(tmp_path):
    """make corpus BUSY=2 interrupted (its process killed outright): the busy workers stop too."""
    import os
    import signal
    import subprocess
    import time

    script = ("from coursetools import corpus; import os, time\n"
              "with corpus.busy(2):\n"
              "    import multiprocessing\n"
              "    print(*[p.pid for p in multiprocessing.active_children() if p.name != 'resource_tracker'], flush=True)\n"
              "    time.sleep(60)\n")
    grader = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in grader.stdout.readline().split()]
    assert len(workers) == 2
    grader.send_signal(signal.SIGKILL)
    grader.wait()

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as fh:      # a zombie waiting for init counts as gone
            return fh.read().split(") ")[1][0] != "Z"

    for _ in range(100):
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    leftover = [pid for pid in workers if alive(pid)]
    for pid in leftover:
        os.kill(pid, signal.SIGKILL)
    assert not leftover, "busy workers outlived the grader"


@pytest.mark.slow          # a new gradebook runs nbgrader's migrations: seconds
def test_grades_has_rows_only_for_the_lessons_someone_handed_in(tmp_path, monkeypatch):
    """Every released lesson is in the gradebook; make grades shows the ones with a
    submission, with a row (0) for each student who did not hand that one in."""
    import csv
    import os
    import sys

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")     # alembic

    from nbgrader.api import Gradebook

    from coursetools.export import SubmittedLessonsCsv

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db) as gb:
        for lesson in ("00-start-here", "01-coroutines", "05-gather"):
            gb.add_assignment(lesson)
        for student in ("alice", "bob"):
            gb.add_student(student)
        gb.add_submission("00-start-here", "alice")
        gb.add_submission("05-gather", "bob")
        SubmittedLessonsCsv(to=str(tmp_path / "grades.csv")).export(gb)
    with open(tmp_path / "grades.csv") as fh:
        rows = sorted((r["assignment"], r["student_id"], r["timestamp"] != "") for r in csv.DictReader(fh))
    assert [(a, s) for a, s, _ in rows] == [("00-start-here", "alice"), ("00-start-here", "bob"),
                                            ("05-gather", "alice"), ("05-gather", "bob")]


@pytest.mark.slow          # a new gradebook runs nbgrader's migrations: seconds
def test_autograde_warns_only_about_test_cells_the_student_changed(tmp_path, monkeypatch):
    """nbgrader compares a locked test cell with the instructor's version, hidden tests and
    all, so it reported every such cell of every submission as changed."""
    import os

    import nbformat
    from nbgrader.api import Gradebook
    from nbgrader.preprocessors import OverwriteCells
    from nbgrader.utils import compute_checksum

    from coursetools.preprocessors import OverwriteCellsQuietly

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")     # alembic
    hidden = "### BEGIN HIDDEN TESTS\ncheck(answer)\n### END HIDDEN TESTS"
    full = nbformat.v4.new_code_cell(f"assert answer() == 1\n{hidden}")
    full.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t1", "points": 1.0,
                                 "schema_version": 3}
    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(db) as gb:
        gb.add_assignment("lesson")
        gb.add_notebook("nb", "lesson")
        gb.add_grade_cell("t1", "nb", "lesson", max_score=1.0, cell_type="code")
        gb.add_source_cell("t1", "nb", "lesson", cell_type="code", locked=True, source=full.source,
                           checksum=compute_checksum(full))
    reported = []
    monkeypatch.setattr(OverwriteCells, "report_change", lambda self, *change: reported.append(change))
    resources = {"nbgrader": {"notebook": "nb", "assignment": "lesson", "db_url": db}}
    for submitted, warned in (("assert answer() == 1\n", False), ("pass  # tests? what tests\n", True)):
        cell = nbformat.from_dict(full)
        cell.source = submitted
        nb = nbformat.v4.new_notebook(cells=[cell])
        reported.clear()
        out, _ = OverwriteCellsQuietly().preprocess(nb, resources)
        assert out.cells[0].source == full.source                  # overwritten either way
        assert [c[1] for c in reported] == (["checksum"] if warned else []), (submitted, reported)
