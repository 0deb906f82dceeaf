"""What aiolab and the grader say to a learner, in the learner's language (aiolab.messages):
the framing of every verdict (verdict and score lines, the grading failures, run_virtual's
errors, chart titles) is English unless the language in force is Chinese, and English is
byte for byte what it was. The grader's own process takes the language from the judged
notebook (``metadata.course_edition.language``) and gives it to the notebook's kernel."""

from __future__ import annotations

import asyncio
import re
import string
import time
from pathlib import Path

import nbformat
import pytest

from aiolab import Timeline, grading, messages, run_virtual
from aiolab.checks import Checks, Score
from aiolab.errors import BlockingCallError, VirtualTimeLimitError
from coursetools import catalogue, judge

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_language_from_the_environment(monkeypatch):
    monkeypatch.delenv(messages.VARIABLE, raising=False)


def _fields(template: str) -> list[tuple[str, str, str]]:
    return sorted((name, spec or "", conversion or "")
                  for _, name, spec, conversion in string.Formatter().parse(template) if name is not None)


# ---- the catalogue ---------------------------------------------------------------------

def test_every_message_the_code_looks_up_has_its_chinese():
    """A ``_("...")`` added to aiolab or coursetools without its Chinese would show English
    in the Chinese edition: every one in ``src/`` is in the catalogue."""
    found = catalogue.framing_messages(ROOT)
    assert len(found) >= 80, "the search for messages found too few: it is broken"
    missing = [m for m in found if m not in messages.CATALOGUE["zh"]]
    assert not missing, f"messages with no Chinese in aiolab.messages.CATALOGUE['zh']: {missing}"


def test_every_translation_keeps_every_field_of_its_english_template():
    for lang, table in messages.CATALOGUE.items():
        for english, text in table.items():
            assert _fields(text) == _fields(english), (lang, english, text)


def test_chinese_texts_follow_the_glossarys_style():
    """Full-width punctuation after Chinese, a space between Chinese and Latin or code."""
    cjk = "[\u4e00-\u9fff]"
    for english, text in messages.CATALOGUE["zh"].items():
        plain = "".join(literal
                        for literal, *_ in string.Formatter().parse(text))
        assert not re.search(cjk + r"[,.;:?!()]", plain), (english, text)
        assert not re.search(cjk + r"[A-Za-z0-9`]|[A-Za-z0-9`]" + cjk, plain), (english, text)


def test_the_language_is_chosen_for_a_block_or_by_the_environment(monkeypatch):
    assert messages.language() == "en"
    with messages.speaking("zh") as chosen:
        assert chosen == "zh" and messages._("Expected") == "预期"
        with messages.speaking(None):
            assert messages._("Expected") == "Expected"
    assert messages._("Expected") == "Expected"
    monkeypatch.setenv(messages.VARIABLE, "zh")
    assert messages._("Expected") == "预期"
    with messages.speaking("en"):
        assert messages._("Expected") == "Expected"      # the block wins over the environment


def test_a_notebooks_language_is_its_edition_english_when_absent():
    nb = nbformat.v4.new_notebook()
    assert messages.notebook_language(nb) == "en"
    nb.metadata["course_edition"] = {"language": "zh"}
    assert messages.notebook_language(nb) == "zh"
    nb.metadata["course_edition"] = {"language": "fr"}
    assert messages.notebook_language(nb) == "en"
    nb.metadata["course_edition"] = "zh"             # malformed: English
    assert messages.notebook_language(nb) == "en"


# ---- aiolab.checks: verdicts and scores ------------------------------------------------

def _checks() -> Checks:
    checks = Checks("add_later", heading="The grader's hidden checks:")

    @checks.scenario("returns the sum", points=1)
    def _passes():
        pass

    @checks.scenario("waits without blocking", points=2)
    def _not_written():
        raise NotImplementedError

    @checks.scenario("raises nothing", points=0.5)
    def _raises():
        raise ValueError("boom")

    @checks.scenario("awaits its coroutine", points=1)
    def _never_awaited():
        asyncio.sleep(0)

    return checks


def test_verdicts_and_scores_in_english_are_unchanged():
    report = _checks().report()
    assert report.splitlines()[:3] == ["The grader's hidden checks:", "✓ add_later · returns the sum (1 point)",
                                       "✗ add_later · waits without blocking (2 points)"]
    assert "    Not written yet: the code still raises NotImplementedError." in report
    assert "✗ add_later · raises nothing (0.5 points)\n    Your code raised ValueError: boom" in report
    assert ": a coroutine was created but never awaited (call it with `await`, or wrap it in a task)." in report
    assert report.endswith("add_later: 1 of 4.5 points from these checks")
    assert Score(1, 4.5)._repr_markdown_() == "**Score: 1 of 4.5 points**"


def test_verdicts_and_scores_in_chinese():
    with messages.speaking("zh"):
        report = _checks().report()
        markdown = Score(1, 4.5)._repr_markdown_()
    assert report.splitlines()[:3] == ["评分程序的隐藏检查：", "✓ add_later · returns the sum（1 分）",
                                       "✗ add_later · waits without blocking（2 分）"]
    assert "    尚未完成：代码仍然抛出 NotImplementedError。" in report
    assert "✗ add_later · raises nothing（0.5 分）\n    你的代码抛出了 ValueError：boom" in report
    assert "：创建了一个协程，却从未 await 它（请用 `await` 调用它，或把它包装成任务）。" in report
    assert report.endswith("add_later：这些检查共得 1 分（满分 4.5 分）")
    assert markdown == "**得分：1 分（满分 4.5 分）**"
    assert repr(Score(1, 4.5)) == "1"                 # what nbgrader reads is never translated


# ---- aiolab.grading: the failures ------------------------------------------------------

async def _waits_forever():
    await asyncio.Event().wait()


async def _blocks():
    time.sleep(grading.BLOCKING_THRESHOLD + 0.2)


def _failure(fn, *args, **kwargs) -> str:
    with pytest.raises(grading.GradingFailure) as caught:
        grading.run(fn, *args, **kwargs)
    return str(caught.value)


def test_grading_failures_in_english_are_unchanged():
    assert _failure(_waits_forever, limit=5).startswith(
        "Your code did not finish within 5 s of virtual time, so it probably waits for something that never "
        "happens (an event nobody sets, a task nobody finishes) or loops forever.\nStill waiting at that moment:\n")
    assert _failure(lambda: 1) == "<lambda>() must be an `async def` function: calling it returned int, not a coroutine"
    assert _failure(_blocks).startswith("Your code blocked the event loop: Task ")
    assert grading.elapsed_failure(1, 2) == ("Expected this to take 1 s of virtual time; it took 2 s. Too slow: tasks "
                                             "that could overlap ran one after another?")
    assert grading.elapsed_failure(2, 1) == ("Expected this to take 2 s of virtual time; it took 1 s. Too fast: some "
                                             "work was skipped or not awaited?")
    timeline = grading.run(asyncio.sleep, 1).timeline
    assert grading.task_mismatch(timeline, "worker", started=0, ended=2, outcome="result", why="in order") == (
        "in order: the task 'worker' should start at 0 s and end with a value at 2 s, once; no task of that name ran.")
    assert grading.task_mismatch(timeline, "worker", ended=2) == (
        "the task 'worker' should end at 2 s, once; no task of that name ran.")


def test_grading_failures_in_chinese():
    with messages.speaking("zh"):
        assert _failure(_waits_forever, limit=5).startswith(
            "你的代码在 5 秒虚拟时间内没有结束：它很可能在等待一件永远不会发生的事")
        assert _failure(lambda: 1) == "<lambda>() 必须是 `async def` 函数：调用它返回的是 int，而不是协程"
        assert _failure(_blocks).startswith("你的代码阻塞了事件循环：任务 ")
        assert grading.elapsed_failure(1, 2) == ("预期耗时 1 秒虚拟时间，实际耗时 2 秒。"
                                                 "太慢：本可以同时进行的任务是不是一个接一个地运行了？")
        timeline = grading.run(asyncio.sleep, 1).timeline
        assert grading.task_mismatch(timeline, "worker", started=0, ended=2, outcome="result") == (
            "任务 'worker' 应当在 0 秒开始，在 2 秒结束（返回一个值），且只运行一次；实际上没有这个名字的任务运行过。")
        budget = grading.RealTimeBudget(total=0)
        budget.deadline = 0.0
        with pytest.raises(grading.GradingFailure, match="未运行：本单元格的检查已经用完了 0 秒真实时间。"):
            budget.limit()


# ---- aiolab.errors: what run_virtual raises (lessons too) ------------------------------

def test_run_virtuals_errors_in_english_are_unchanged():
    with pytest.raises(VirtualTimeLimitError) as caught:
        run_virtual(_waits_forever, limit=5)
    assert str(caught.value).startswith("The coroutine was still running at t = 5 s of virtual time (the limit). ")
    assert "\nPending tasks:\n" in str(caught.value)
    assert str(BlockingCallError("t", 1.5, "x.py:3", 0.1)).startswith(
        "Task 't' blocked the event loop for 1.500 s of real time in one step (the threshold is 0.1 s)")


def test_run_virtuals_errors_in_chinese_also_from_its_thread(monkeypatch):
    with messages.speaking("zh"), pytest.raises(VirtualTimeLimitError) as caught:
        run_virtual(_waits_forever, limit=5)     # raised in run_virtual's thread
    assert str(caught.value).startswith("到虚拟时间 t = 5 秒（时间上限）时，协程仍在运行")
    assert "\n未完成的任务：\n" in str(caught.value)
    monkeypatch.setenv(messages.VARIABLE, "zh")      # a lesson's kernel in the Chinese lab
    assert str(BlockingCallError("t", 1.5, "x.py:3", 0.1)).startswith(
        "任务 't' 在一步之内阻塞了事件循环 1.500 秒真实时间（阈值为 0.1 秒）")


# ---- coursetools.judge: the language of the judged notebook ----------------------------

def _lesson00(language: str | None):
    nb = nbformat.read(next((ROOT / "notebooks" / "00-start-here").glob("*.ipynb")), as_version=4)
    if language:
        nb.metadata["course_edition"] = {"language": language}
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add_later_tests")
    return nb, judge.outside_target(cell)


async def _blank(a, b, delay):
    raise NotImplementedError


@pytest.mark.parametrize("language", [None, "en", "zh"])
def test_the_judge_speaks_the_judged_notebooks_language(language):
    nb, target = _lesson00(language)
    outputs = judge.judge_cell(target, judge.LocalKernel({"add_later": _blank}), messages.notebook_language(nb))
    report, score = outputs[0]["text"], outputs[-1]["data"]
    assert score["text/plain"] == "0"
    if language == "zh":
        assert "评分程序的隐藏检查：" in report and "尚未完成：代码仍然抛出 NotImplementedError。" in report
        assert score["text/markdown"] == "**得分：0 分（满分 2 分）**"
    else:
        assert "The grader's hidden checks:" in report and "Not written yet" in report
        assert score["text/markdown"] == "**Score: 0 of 2 points**"
    assert messages.language() == "en"                # only for that cell


@pytest.mark.parametrize("sandboxed", [pytest.param(True, marks=pytest.mark.slow), False],
                         ids=["sandbox", "no-sandbox"])
def test_the_kernel_of_a_chinese_submission_gets_its_language(sandboxed, monkeypatch):
    """SandboxedExecute starts the notebook's kernel with AIOLAB_LANGUAGE of its edition
    (the sandboxed kernel through bwrap's --setenv, the kernel of SANDBOX=off through its
    environment), so what aiolab says in the kernel is in the learner's language too."""
    from coursetools import sandbox
    from coursetools.preprocessors import SandboxedExecute

    if sandboxed and sandbox.why_unavailable():
        pytest.skip(sandbox.why_unavailable())
    if not sandboxed:
        monkeypatch.setenv(sandbox.OFF_VARIABLE, "off")
    monkeypatch.setenv(messages.VARIABLE, "zh")        # the grader's own shell says nothing
    for language, said in [("zh", "zh\n"), (None, "en\n")]:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
            "import os\nprint(os.environ.get('AIOLAB_LANGUAGE'))")])
        if language:
            nb.metadata["course_edition"] = {"language": language}
        executed, _ = SandboxedExecute(timeout=60).preprocess(nb, {})
        assert executed.cells[0].outputs[0]["text"] == said


def test_the_kernels_answers_to_the_grader_speak_the_kernels_language(monkeypatch):
    from aiolab import drive

    async def broken(a, b, delay):
        raise ValueError("not today")

    def failures() -> list[str]:
        return [judge.Answer.parse(drive.call("add_later", [(1, 2, 0)], namespace=space), "add_later").failure
                for space in ({}, {"add_later": broken})]

    assert failures() == ["`add_later` is not defined: run the cell that defines it (and check its name).",
                          "Your code raised ValueError: not today"]
    monkeypatch.setenv(messages.VARIABLE, "zh")      # the kernel of a Chinese submission
    assert failures() == ["`add_later` 尚未定义：请运行定义它的单元格（并检查名字是否写对）。",
                          "你的代码抛出了 ValueError：not today"]


@pytest.mark.parametrize("language,note", [(None, "# (hidden tests ran here; their verdicts are in the output below)"),
                                           ("zh", "# （隐藏测试在这里运行过；它们的结论在下面的输出中）")])
def test_the_feedback_pages_note_on_hidden_tests_speaks_the_notebooks_language(language, note):
    from coursetools.feedback import HideHiddenTests

    cell = nbformat.v4.new_code_cell("checks.done()\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\n")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t", "points": 1,
                                 "schema_version": 3}
    nb = nbformat.v4.new_notebook(cells=[cell])
    if language:
        nb.metadata["course_edition"] = {"language": language}
    done, _ = HideHiddenTests().preprocess(nb, {})
    assert done.cells[0].source.endswith(note) and "secret" not in done.cells[0].source


# ---- scenario titles ---------------------------------------------------------------------

def scenario_titles() -> list[str]:
    return catalogue.scenario_titles(ROOT)


def test_every_scenario_title_has_its_chinese_keeping_code_and_numbers():
    from aiolab._titles_zh import TITLES

    titles = scenario_titles()
    assert len(set(titles)) >= 150, "the search for titles found too few: it is broken"
    missing = sorted(set(titles) - set(TITLES))
    assert not missing, (f"scenario titles with no Chinese (src/aiolab/_titles_zh.py; a title is a plain "
                         f"string, never an f-string): {missing[:5]}")
    for english in set(titles):
        chinese = TITLES[english]
        assert re.search("[\u4e00-\u9fff]", chinese), english
        for kept in re.findall(r"`[^`]+`|\d+(?:\.\d+)?", english):
            assert kept in chinese, (english, chinese, kept)


def test_a_verdict_shows_its_title_in_the_language_in_force():
    from aiolab._titles_zh import TITLES

    english = next(iter(TITLES))
    checks = Checks("ex1")

    @checks.scenario(english)
    def passes():
        pass

    [verdict] = checks.run()
    assert verdict.lines()[0] == f"✓ ex1 · {english} (1 point)"
    with messages.speaking("zh"):
        assert verdict.lines()[0] == f"✓ ex1 · {TITLES[english]}（1 分）"
    assert messages.title("a title nobody translated") == "a title nobody translated"


# ---- failure details ---------------------------------------------------------------------

def test_a_template_splits_into_literals_and_placeholders_as_an_f_string_reads():
    parts = messages.template_parts("got {got!r} of {first['delay']:g} s, {{literal}} {', '.join(late)}.")
    assert parts == [("got ", False), ("{got!r}", True), (" of ", False), ("{first['delay']:g}", True),
                     (" s, {literal} ", False), ("{', '.join(late)}", True), (".", False)]
    assert messages.template_parts("plain") == [("plain", False)]


@pytest.fixture
def details(monkeypatch):
    """A small detail table of our own in place of the course's, for the language 'zh'."""
    import sys
    import types

    table = types.ModuleType("fake_details")
    table.DETAILS = {
        "expected {expected!r}, got {got!r}": "预期 {expected!r}，实际得到 {got!r}",
        "{what}: attempt {n} started at {t:g} s": "{what}：第 {n} 次尝试在 {t:g} 秒时开始",
        "retry({outcomes}) failed": "retry({outcomes}) 失败了",
        "{a} and {a} again": "{a} 以及又一次的 {a}",
    }
    monkeypatch.setitem(sys.modules, "fake_details", table)
    monkeypatch.setitem(messages.DETAILS, "zh", "fake_details")
    monkeypatch.setattr(messages, "_COMPILED", {})
    return table.DETAILS


def test_a_detail_is_translated_with_the_values_of_the_english_message(details):
    english = "expected ('a', 'result', 'A'), got None"
    assert messages.detail(english) == english                  # English: as written
    with messages.speaking("zh"):
        assert messages.detail(english) == "预期 ('a', 'result', 'A')，实际得到 None"
        # a value that is itself a detail is translated too
        assert messages.detail("retry([503]) failed: attempt 2 started at 1.5 s") == \
            "retry([503]) 失败了：第 2 次尝试在 1.5 秒时开始"
        # a placeholder written twice must hold the same value twice
        assert messages.detail("x and x again") == "x 以及又一次的 x"
        assert messages.detail("x and y again") == "x and y again"
        # a message no template made stays English
        assert messages.detail("something else went wrong") == "something else went wrong"


def test_a_failing_assert_in_a_check_shows_its_detail_in_the_language_in_force(details):
    def verdict():
        checks = Checks("ex1")

        @checks.scenario("a title")
        def fails():
            got = None
            if got != "A":      # (an assert here would gain pytest's own explanation)
                raise AssertionError(f"expected {'A'!r}, got {got!r}")

        return checks.run()[0]

    assert verdict().lines()[1:] == ["    expected 'A', got None"]
    with messages.speaking("zh"):
        assert verdict().lines()[1:] == ["    预期 'A'，实际得到 None"]


def test_a_timing_hint_is_translated_inside_the_framing(details):
    details["Before retry {k} wait {s:g} s."] = "第 {k} 次重试之前等待 {s:g} 秒。"
    messages._COMPILED.clear()
    with messages.speaking("zh"):
        text = grading.elapsed_failure(3, 4, "Before retry 2 wait 1.5 s.")
        assert "第 2 次重试之前等待 1.5 秒。" in text and "虚拟时间" in text, text
        text = grading.task_mismatch(Timeline(), "a", started=1,
                                     why="Before retry 2 wait 1.5 s.")
        assert text.startswith("第 2 次重试之前等待 1.5 秒。"), text


def test_a_series_of_parts_reads_as_one_phrase_in_each_language(details):
    details["called at {t:g} s"] = "在 {t:g} 秒时被调用"
    messages._COMPILED.clear()
    calls = ["called at 1 s", "called at 2.5 s", "called at 4 s"]
    assert messages.series(["'a'"]) == "'a'"
    assert messages.series(["'a'", "'b'"]) == "'a' and 'b'"
    assert messages.series(["'a'", "'b'", "'c'"]) == "'a', 'b' and 'c'"
    assert messages.series(["'a'", "'b'", "'c'"], "comma") == "'a', 'b', 'c'"
    assert messages.series(calls, "then") == "called at 1 s, then called at 2.5 s, then called at 4 s"
    assert messages.series(calls[:2], "semicolon") == "called at 1 s; called at 2.5 s"
    assert messages.series([]) == ""
    with pytest.raises(ValueError, match="'or'"):
        messages.series(calls, "or")
    with messages.speaking("zh"):
        assert messages.series(["'a'", "'b'", "'c'"]) == "'a'、'b' 和 'c'"
        assert messages.series(["'a'", "'b'", "'c'"], "comma") == "'a'、'b'、'c'"
        # each part is translated before the joining, which a joined phrase would not be
        assert messages.series(calls, "then") == "在 1 秒时被调用，然后在 2.5 秒时被调用，然后在 4 秒时被调用"
        assert messages.series(calls[:2], "semicolon") == "在 1 秒时被调用；在 2.5 秒时被调用"
        # the phrase inside a message of its own: no English left
        said = messages.series(calls[:2], "then")
        assert messages.detail(f"expected {'A'!r}, got {said}") == \
            "预期 'A'，实际得到 在 1 秒时被调用，然后在 2.5 秒时被调用"


def test_the_grader_s_joined_phrases_have_no_english_left_in_chinese():
    """The checks that join parts (lesson 07's callbacks, lesson 08's attempts, lesson 02's
    names, lesson 05's failed jobs) give a Chinese message without English words."""
    from coursetools.checks import lesson02, lesson07, lesson08

    with messages.speaking("zh"):
        where = messages.detail(lesson07._where([(2, 1), (3, 2)], 5.0, at_once=(0,)))
        attempts = messages.detail(lesson08._attempts([[0, 2, "cancelled"], [2, None, "raised"]]))
        names = lesson02._listed(["quick", "slow", "slower"])
    for text in (where, attempts, names):
        assert not re.search(r"\b(then|and|calls|attempt|from)\b", text), text
    assert "，然后" in where and "'quick'、'slow' 和 'slower'" == names and "；" in attempts


def test_every_failure_detail_of_the_checks_has_its_chinese():
    """Every message an exercise's checks can fail with (found in the source: the lessons'
    test cells and the grader's checks) has a Chinese translation that keeps its placeholders,
    its code and the glossary's style; and no translation is left over from a message that
    no longer exists."""
    from aiolab._details_zh import DETAILS

    templates = catalogue.failure_templates(ROOT)
    assert len(templates) >= 350, "the search for failure details found too few: it is broken"
    missing = [t for t in templates if t not in DETAILS]
    assert not missing, f"{len(missing)} failure details with no Chinese (src/aiolab/_details_zh.py): {missing[:3]}"
    stale = sorted(set(DETAILS) - set(templates))
    assert not stale, f"translations of messages the checks no longer make: {stale[:3]}"
    cjk = "[\u4e00-\u9fff]"
    for english, chinese in DETAILS.items():
        fields = sorted(p for p, is_field in messages.template_parts(english) if is_field)
        assert sorted(p for p, is_field in messages.template_parts(chinese) if is_field) == fields, (english, chinese)
        plain = "".join(p for p, is_field in messages.template_parts(chinese) if not is_field)
        assert re.search(cjk, plain), english
        assert not re.search(cjk + r"[,.;:?!()]", plain), (english, chinese)
        assert not re.search(cjk + r"[A-Za-z0-9`]|[A-Za-z0-9`]" + cjk, plain), (english, chinese)
        english_plain = "".join(p for p, is_field in messages.template_parts(english) if not is_field)
        for code in re.findall(r"`[^`]+`", english_plain):
            assert code in plain, (english, chinese, code)


def test_what_grading_writes_into_a_chinese_submission_is_chinese(tmp_path, monkeypatch):
    """A test cell that reported no score, and a submission that could not be graded (the
    reason recorded by ``make autograde``, in English, shown to the learner in theirs)."""
    from nbformat.v4 import new_code_cell, new_notebook

    from coursetools import preprocessors

    def graded():
        cell = new_code_cell("checks()")
        cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "grade_id": "t",
                                     "points": 1, "schema_version": 3}
        return cell

    nb = new_notebook(cells=[graded()], metadata={"course_edition": {"language": "zh"}})
    nb, _ = preprocessors.ScoreRequired().preprocess(nb, {})
    assert nb.cells[0].outputs[0]["evalue"].startswith("这个测试单元格没有报告得分")

    folder = tmp_path / "ada" / "05-lesson"
    folder.mkdir(parents=True)
    (folder / preprocessors.REASON_FILE).write_text("it took longer than 60 s of real time\n")
    monkeypatch.setenv(preprocessors.REUSE_VARIABLE, str(tmp_path))
    resources = {"nbgrader": {"student": "ada", "assignment": "05-lesson", "notebook": "lesson"}}
    for language, heading, reason in (("zh", "**这份提交无法自动评分：**", "它用时超过了 60 秒真实时间"),
                                      (None, "**This submission could not be graded automatically:**",
                                       "it took longer than 60 s of real time")):
        nb = new_notebook(cells=[graded()], metadata={"course_edition": {"language": language}} if language else {})
        nb, _ = preprocessors.ReuseExecuted().preprocess(nb, resources)
        assert nb.cells[0].source.startswith(heading) and reason in nb.cells[0].source, nb.cells[0].source
        assert reason in nb.cells[1].outputs[0]["evalue"]


def test_the_feedback_pages_labels_speak_the_notebooks_language():
    """nbgrader's feedback template, rendered as generate_feedback renders it (its template
    folder, our exporter): every label of the page in Chinese for a Chinese notebook, the
    English page unchanged."""
    import os

    import nbgrader.converters
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from coursetools.feedback import InertHTMLExporter

    def graded(cell, grade_id, **nbgrader):
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "points": 2, "score": 1.5, "schema_version": 3,
                                     "grade": False, "solution": False, "locked": False, "task": False,
                                     "comment": "Look at the order.", **nbgrader}
        return cell

    cells = [graded(new_code_cell("def f(): ..."), "answer", solution=True, grade=True),
             graded(new_code_cell("checks.done()"), "tests", grade=True),
             graded(new_markdown_cell("Because..."), "essay", solution=True, grade=True),
             graded(new_markdown_cell("Do it"), "task", task=True)]
    formgrader = os.path.join(os.path.dirname(nbgrader.converters.__file__), "..", "server_extensions", "formgrader")
    templates = os.path.join(formgrader, "templates")
    css = os.path.join(formgrader, "static", "node_modules", "bootstrap", "dist", "css")
    resources = {"nbgrader": {"notebook": "lesson", "score": 6, "max_score": 8, "late_penalty": 1}}
    labels = ["Score:", "(Top)", "Test cell", "Coding free-response", "Written response", ">Task<", ">Comment<",
              "Late submission penalty", "Student&#39;s answer", "Student&#39;s task", "Grade cell:", "Comments:"]
    pages = {}
    for language in ("en", "zh"):
        nb = new_notebook(cells=cells, metadata={"course_edition": {"language": language}})
        exporter = InertHTMLExporter(template_name="feedback", extra_template_basedirs=[templates],
                                     extra_template_paths=[css])
        pages[language], _ = exporter.from_notebook_node(nb, resources={**resources})
    english = [label for label in labels if label not in pages["en"].replace("Student's", "Student&#39;s")]
    assert not english, f"nbgrader's template no longer has these labels (update coursetools.feedback.LABELS): {english}"
    assert not [label for label in labels if label in pages["zh"].replace("Student's", "Student&#39;s")]
    for chinese in ("lesson（得分：6.0 / 8.0）", "迟交扣分（扣分：1.0）", "测试单元格", "编程题", "书面回答", "任务题", "评语", "迟交扣分",
                    "你的答案", "你的任务", "评分单元格：", "（回到顶部）", '<html lang="zh">'):
        assert chinese in pages["zh"], chinese


# ---- the lessons' chart titles ---------------------------------------------------------------

def test_every_chart_title_of_the_lessons_has_its_chinese():
    """A lesson's code (the same in both editions) titles its charts in English; the Chinese
    edition draws them with the Chinese title, which its text uses to name them."""
    from aiolab._charts_zh import CHARTS

    titles = catalogue.chart_titles(ROOT)
    assert len(titles) >= 40, "the search for chart titles found too few: it is broken"
    missing = [t for t in titles if t not in CHARTS]
    assert not missing, f"chart titles with no Chinese (src/aiolab/_charts_zh.py): {missing[:5]}"
    assert not set(CHARTS) - set(titles), "translations of chart titles no lesson uses any more"
    for english, chinese in CHARTS.items():
        assert re.search("[\u4e00-\u9fff]", chinese), english
        for kept in re.findall(r"\d+(?:\.\d+)?", english):
            assert kept in chinese, (english, chinese, kept)


def test_a_chart_is_drawn_with_its_title_in_the_language_in_force():
    from aiolab._charts_zh import CHARTS
    from aiolab.gantt import plot

    english = next(iter(CHARTS))

    async def one_task():
        await asyncio.create_task(asyncio.sleep(1), name="a")

    _, timeline = run_virtual(one_task)
    for language, expected in ((None, english), ("zh", CHARTS[english])):
        with messages.speaking(language):
            fig = plot(timeline, title=english)
        assert fig.axes[0].get_title(loc="left").splitlines()[0] == expected
