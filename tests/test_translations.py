"""The translated editions cannot drift from the English one (coursetools.translation).

For every lesson with a catalogue in i18n/<language>/: every markdown cell has a
translation of the English it has now (a stale one fails, naming the lesson, the cell and
the command that shows how the English changed), no extra ids, the fenced code, anchors
and links of the English kept; and the generated notebook's code cells and metadata are the
English ones. Fast (no kernel): part of make check. The rules themselves are tested on
small notebooks made here, so each can be seen to fail."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from coursetools import cli
from coursetools import translation as tr
from coursetools.course import lesson_folders

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks"
I18N = ROOT / "i18n"
LESSONS = lesson_folders(SOURCE)
LANGUAGES = sorted(p.name for p in I18N.iterdir() if p.is_dir()) if I18N.is_dir() else []
CATALOGUED = [(lang, lesson) for lang in LANGUAGES for lesson in LESSONS
              if tr.catalogue_path(I18N, lang, lesson).is_file()]
COMMAND = "python -m coursetools translations"


# ---- the real catalogues ------------------------------------------------------------------

def _english(lesson):
    path = tr.english_notebook(SOURCE, lesson)
    return path, nbformat.read(path, as_version=4)


def test_there_is_a_chinese_edition():
    assert "zh" in LANGUAGES


def test_every_lesson_has_a_chinese_catalogue():
    missing = [lesson for lesson in LESSONS if not tr.catalogue_path(I18N, "zh", lesson).is_file()]
    assert not missing, f"no i18n/zh/<lesson>.yml yet for: {', '.join(missing)}"


@pytest.mark.parametrize("language,lesson", CATALOGUED, ids=[f"{l}-{n}" for l, n in CATALOGUED])
def test_every_markdown_cell_is_translated_from_the_english_it_has_now(language, lesson):
    path, nb = _english(lesson)
    catalogue = tr.Catalogue.load(tr.catalogue_path(I18N, language, lesson))
    errors = [p for p in tr.check(nb, catalogue, lesson, path.name) if not p.warning]
    hints = [f"  {p}" + (f"\n    see what changed: {COMMAND} --language {language} --diff {p.lesson} {p.cell}"
                         if p.stale else "") for p in errors]
    assert not errors, (f"{len(errors)} problem(s) in i18n/{language}/{lesson}.yml (edit its {language} text "
                        f"and set en to the new hash):\n" + "\n".join(hints))


@pytest.mark.parametrize("language,lesson", CATALOGUED, ids=[f"{l}-{n}" for l, n in CATALOGUED])
def test_the_generated_notebook_has_the_english_code_cells_and_metadata(language, lesson, tmp_path):
    [built] = tr.build_sources(SOURCE, I18N, language, tmp_path, [lesson])
    path, english = _english(lesson)
    translated = nbformat.read(tmp_path / built / path.name, as_version=4)
    _assert_same_but_markdown(english, translated, language)


def _assert_same_but_markdown(english, translated, language):
    assert [(c.id, c.cell_type) for c in translated.cells] == [(c.id, c.cell_type) for c in english.cells]
    for en, zh in zip(english.cells, translated.cells):
        assert zh.metadata == en.metadata, f"cell {en.id}: metadata differ (nbgrader's grade_id is there)"
        if en.cell_type != "markdown":
            assert zh.source == en.source, f"cell {en.id}: code differs from the English"
    meta = dict(translated.metadata)
    assert meta.pop(tr.METADATA_KEY) == {"language": language}
    assert meta == dict(english.metadata)


# ---- the rules, each seen to fail -------------------------------------------------------

ENGLISH_MD = ('## 2. Tasks <a id="tasks"></a>\n\nSee [the docs](https://docs.python.org/3/library/asyncio.html) '
              'and [lesson 02](../02-tasks/tasks.ipynb#cancel) about `create_task`.\n\n```python\nawait x\n```')
CHINESE_MD = ('## 2. 任务 <a id="tasks"></a>\n\n见[文档](https://docs.python.org/zh-cn/3/library/asyncio.html)'
              '和[第 02 课](../02-tasks/tasks.ipynb#cancel)中的 `create_task`。\n\n```python\nawait x\n```')


def _notebook():
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "asyncio-course", "display_name": "asyncio"}})
    nb.cells = [nbformat.v4.new_markdown_cell("# 02 · Tasks\n\nWhat tasks are, and how to create them."),
                nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "ex1", "solution": True}}),
                nbformat.v4.new_markdown_cell(ENGLISH_MD)]
    for i, cell in enumerate(nb.cells):
        cell.id = f"c{i:03}"
    return nb


def _catalogue(nb, **texts):
    cells = {c.id: {"en": tr.source_hash(c.source), "zh": texts.get(c.id, "# 02 · 任务\n\n任务是什么，如何创建。")}
             for c in nb.cells if c.cell_type == "markdown"}
    return tr.Catalogue(Path("zh/02-tasks.yml"), "zh", "02-tasks", "tasks.ipynb", cells)


def _messages(nb, catalogue):
    return [p.message for p in tr.check(nb, catalogue, "02-tasks", "tasks.ipynb") if not p.warning]


def test_a_good_translation_passes():
    nb = _notebook()
    assert _messages(nb, _catalogue(nb, c002=CHINESE_MD)) == []


def test_an_english_cell_edited_alone_makes_its_translation_stale():
    nb = _notebook()
    catalogue = _catalogue(nb, c002=CHINESE_MD)
    nb.cells[2].source += "\n\nOne more sentence."
    [problem] = tr.check(nb, catalogue, "02-tasks", "tasks.ipynb")
    assert problem.stale and problem.cell == "c002" and problem.lesson == "02-tasks"
    assert "stale" in str(problem) and tr.source_hash(nb.cells[2].source) in str(problem)


def test_a_hash_yaml_reads_as_a_number_must_be_quoted():
    nb = _notebook()
    catalogue = _catalogue(nb, c002=CHINESE_MD)
    catalogue.cells["c002"]["en"] = int("0" + tr.source_hash(nb.cells[2].source)[1:], 16) % 10**11
    [message] = _messages(nb, catalogue)
    assert "must be a quoted string" in message and tr.source_hash(nb.cells[2].source) in message


def test_missing_extra_empty_and_newline_are_problems():
    nb = _notebook()
    catalogue = _catalogue(nb, c002=CHINESE_MD + "\n")
    del catalogue.cells["c000"]
    catalogue.cells["c009"] = {"en": "0" * 12, "zh": "多余"}
    messages = _messages(nb, catalogue)
    assert any("no translation" in m for m in messages)
    assert any("no markdown cell has this id" in m for m in messages)
    assert any("newline" in m for m in messages)
    catalogue.cells["c002"]["zh"] = "TODO"
    assert any("empty" in m for m in _messages(nb, catalogue))


def test_the_code_cell_id_is_not_a_translation():
    nb = _notebook()
    catalogue = _catalogue(nb, c002=CHINESE_MD)
    catalogue.cells["c001"] = {"en": tr.source_hash("x = 1"), "zh": "x = 2"}
    assert _messages(nb, catalogue) == ["no markdown cell has this id in the English notebook"]


@pytest.mark.parametrize("broken,expected", [
    (CHINESE_MD.replace("await x", "await y"), "fenced code blocks differ"),
    (CHINESE_MD.replace('<a id="tasks"></a>', ""), 'anchor <a id="tasks"> missing'),
    (CHINESE_MD.replace("#cancel", "#cancellation"), "link ../02-tasks/tasks.ipynb#cancel missing"),
    (CHINESE_MD.replace("zh-cn/3/", "3/"), "link https://docs.python.org/zh-cn/3/library/asyncio.html missing"),
])
def test_text_that_loses_what_the_english_keeps_is_a_problem(broken, expected):
    nb = _notebook()
    assert any(expected in m for m in _messages(nb, _catalogue(nb, c002=broken)))


def test_english_left_as_it_was_is_a_problem():
    nb = _notebook()
    assert _messages(nb, _catalogue(nb, c000=nb.cells[0].source, c002=CHINESE_MD)) == [
        "no Chinese in the translation"]


def test_a_code_span_dropped_is_only_a_warning():
    nb = _notebook()
    [problem] = tr.check(nb, _catalogue(nb, c002=CHINESE_MD.replace(" `create_task`", "")), "02-tasks")
    assert problem.warning and "`create_task`" in problem.message


def test_translate_replaces_markdown_only(tmp_path):
    nb = _notebook()
    translated = tr.translate(nb, _catalogue(nb, c002=CHINESE_MD))
    assert translated.cells[2].source == CHINESE_MD and nb.cells[2].source == ENGLISH_MD
    _assert_same_but_markdown(nb, translated, "zh")


def _lesson_tree(tmp_path, nb, catalogue_cells):
    (tmp_path / "notebooks" / "02-tasks").mkdir(parents=True)
    nbformat.write(nb, tmp_path / "notebooks" / "02-tasks" / "tasks.ipynb")
    (tmp_path / "i18n" / "zh").mkdir(parents=True)
    (tmp_path / "i18n" / "zh" / "02-tasks.yml").write_text(yaml.safe_dump(
        {"lesson": "02-tasks", "notebook": "tasks.ipynb", "cells": catalogue_cells}, allow_unicode=True))


def test_a_stale_translation_is_never_built(tmp_path):
    nb = _notebook()
    _lesson_tree(tmp_path, nb, _catalogue(nb, c002=CHINESE_MD).cells)
    assert tr.build_sources(tmp_path / "notebooks", tmp_path / "i18n", "zh", tmp_path / "out",
                            ["02-tasks"]) == ["02-tasks"]
    nb.cells[2].source = ENGLISH_MD.replace("Tasks", "Tasks, made")
    nbformat.write(nb, tmp_path / "notebooks" / "02-tasks" / "tasks.ipynb")
    with pytest.raises(tr.TranslationError, match="02-tasks c002: stale"):
        tr.build_sources(tmp_path / "notebooks", tmp_path / "i18n", "zh", tmp_path / "out2", ["02-tasks"])
    assert not (tmp_path / "out2" / "02-tasks").exists()


def test_the_command_names_stale_cells_and_shows_the_english_diff(tmp_path, capsys):
    """An author edits the English alone and commits: the command names the cell, exits 1,
    and --diff shows the edit, found in git's history."""
    nb = _notebook()
    _lesson_tree(tmp_path, nb, _catalogue(nb, c002=CHINESE_MD).cells)
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.source_directory = 'notebooks'\n")

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    def command(*args):
        status = cli.main(["--course", str(tmp_path), "translations", "--i18n", str(tmp_path / "i18n"), *args])
        out = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out.out, out.err)

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "lesson and its translation")
    ok = command()
    assert ok.returncode == 0 and "zh: 0 problem(s)" in ok.stdout, ok.stdout + ok.stderr
    nb.cells[2].source = ENGLISH_MD.replace("about `create_task`", "about `asyncio.create_task`")
    nbformat.write(nb, tmp_path / "notebooks" / "02-tasks" / "tasks.ipynb")
    git("commit", "-qam", "English edited alone")
    stale = command()
    assert stale.returncode == 1
    assert "02-tasks c002: stale" in stale.stdout
    assert "--diff 02-tasks c002" in stale.stdout
    diff = command("--diff", "02-tasks", "c002")
    removed = [l for l in diff.stdout.splitlines() if l.startswith("-") and not l.startswith("---")]
    added = [l for l in diff.stdout.splitlines() if l.startswith("+") and not l.startswith("+++")]
    assert len(removed) == len(added) == 1, diff.stdout
    assert removed[0].endswith("about `create_task`.") and added[0].endswith("about `asyncio.create_task`.")


# ---- the Chinese learner's edition (make edition EDITION=zh, make lab EDITION=zh) ----------

@pytest.mark.parametrize("environ,told", [
    ({"LANG": "zh_CN.UTF-8"}, True), ({"LANG": "zh_TW.UTF-8"}, True), ({"LC_MESSAGES": "zh_CN.UTF-8"}, True),
    ({"LANG": "en_US.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, True), ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"}, False),
    ({"LANG": "en_GB.UTF-8"}, False), ({}, False)])
def test_a_learner_with_a_chinese_locale_is_told_of_the_chinese_edition(environ, told):
    hint = cli.locale_hint("en", environ)
    assert bool(hint) == told
    if told:
        assert "make lab EDITION=zh" in hint
    assert cli.locale_hint("zh", environ) is None


def _fake_chinese(source: str) -> str:
    """A stand-in translation that keeps what a translation must keep (for the build test)."""
    return "中文：" + source.replace(tr.ENGLISH_DOCS, tr.DOCS["zh"])


@pytest.mark.slow
def test_the_chinese_learners_edition_is_built_by_nbgrader_beside_the_english_one(tmp_path):
    """make edition EDITION=zh: the translated lesson through nbgrader into its own workspace,
    solutions stripped, the code cells and grade ids of the English learner's edition, the
    contents page in Chinese; the English workspace is not touched."""
    lesson = "00-start-here"
    path, nb = _english(lesson)
    (tmp_path / "i18n" / "zh").mkdir(parents=True)
    (tmp_path / "i18n" / "zh" / f"{lesson}.yml").write_text(yaml.safe_dump({
        "lesson": lesson, "notebook": path.name,
        "cells": {cid: {"en": tr.source_hash(src), "zh": _fake_chinese(src)} for cid, src in tr.markdown_cells(nb)}},
        allow_unicode=True), encoding="utf-8")

    def edition(language):
        status = cli.main(["--course", str(ROOT / "autograder"), "edition", "--edition", language,
                           "--i18n", str(tmp_path / "i18n"), "--build", str(tmp_path / f"build-{language}"),
                           "--workspace", str(tmp_path / f"ws-{language}"), lesson])
        assert status == 0
        return nbformat.read(tmp_path / f"ws-{language}" / lesson / path.name, as_version=4)

    english, chinese = edition("en"), edition("zh")
    text = nbformat.writes(chinese)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "raise NotImplementedError()" in text
    assert chinese.metadata[tr.METADATA_KEY] == {"language": "zh"}
    for en, zh in zip(english.cells, chinese.cells, strict=True):
        assert (zh.id, zh.cell_type, zh.metadata) == (en.id, en.cell_type, en.metadata)
        if en.cell_type == "markdown":
            assert zh.source == _fake_chinese(en.source)
        else:
            assert zh.source == en.source
    contents = nbformat.read(tmp_path / "ws-zh" / "contents.ipynb", as_version=4)
    assert contents.cells[0].source.startswith("# 目录") and f"]({lesson}/{path.name})" in contents.cells[0].source
    assert "## 你的进度" in contents.cells[1].source
    assert [c.source for c in english.cells if c.cell_type == "markdown"] == [src for _, src in tr.markdown_cells(nb)]


@pytest.mark.slow
def test_make_release_edition_zh_releases_the_chinese_lesson_with_the_english_grade_ids(tmp_path, monkeypatch):
    """make release EDITION=zh: the instructor's release of the real Chinese catalogue, by
    nbgrader, with the cells, grade ids and checksums of the English release, so one
    gradebook and make autograde serve either."""
    lesson = "04-basic-template"
    path, _ = _english(lesson)
    monkeypatch.chdir(tmp_path)                # build/release-zh-source/ is made here
    (tmp_path / "en").mkdir(), (tmp_path / "zh").mkdir()

    def release(language):
        status = cli.main(["--course", str(ROOT / "autograder"), "--root", str(tmp_path / language),
                           "release", "--edition", language, "--i18n", str(I18N), lesson])
        assert status == 0
        return nbformat.read(tmp_path / language / "release" / lesson / path.name, as_version=4)

    english, chinese = release("en"), release("zh")
    assert chinese.metadata[tr.METADATA_KEY] == {"language": "zh"}
    assert "BEGIN SOLUTION" not in nbformat.writes(chinese)
    graded = 0
    for en, zh in zip(english.cells, chinese.cells, strict=True):
        assert (zh.id, zh.cell_type, zh.metadata) == (en.id, en.cell_type, en.metadata)
        graded += bool(en.metadata.get("nbgrader", {}).get("grade"))
        if en.cell_type == "code":
            assert zh.source == en.source
        else:
            assert tr._han(zh.source) and zh.source != en.source
    assert graded >= 2


def test_a_stale_translation_stops_the_chinese_edition_and_says_how_to_see_it(tmp_path, capsys):
    lesson = "00-start-here"
    path, nb = _english(lesson)
    (tmp_path / "i18n" / "zh").mkdir(parents=True)
    cells = {cid: {"en": tr.source_hash(src), "zh": _fake_chinese(src)} for cid, src in tr.markdown_cells(nb)}
    first = next(iter(cells))
    cells[first]["en"] = "0123456789ab"
    (tmp_path / "i18n" / "zh" / f"{lesson}.yml").write_text(yaml.safe_dump(
        {"lesson": lesson, "notebook": path.name, "cells": cells}, allow_unicode=True), encoding="utf-8")
    status = cli.main(["--course", str(ROOT / "autograder"), "edition", "--edition", "zh",
                       "--i18n", str(tmp_path / "i18n"), "--build", str(tmp_path / "build"),
                       "--workspace", str(tmp_path / "ws"), lesson])
    err = capsys.readouterr().err
    assert status == 1 and f"{lesson} {first}: stale" in err and "coursetools translations" in err
    assert not (tmp_path / "ws").exists()


def test_the_chinese_lab_gives_its_kernels_the_chinese_charts_and_the_english_lab_does_not():
    """The zh lab's config sets aiolab.messages.VARIABLE for the kernels it starts."""
    from aiolab import messages

    probe = ("import os; from traitlets.config.loader import PyFileConfigLoader as L; "
             "L('jupyter_server_config.py', path='{}').load_config(); print(os.environ.get('{}', '-'))")
    for folder, expected in (("learner-zh", "zh"), ("learner", "-")):
        done = subprocess.run([sys.executable, "-c", probe.format(ROOT / "autograder" / folder, messages.VARIABLE)],
                              capture_output=True, text=True, env={k: v for k, v in os.environ.items()
                                                                   if k != messages.VARIABLE})
        assert done.stdout.split() == [expected], done.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed (make chromium)")
def test_make_handouts_edition_zh_prints_lesson_00_in_chinese_with_a_cjk_font(tmp_path):
    """make handouts EDITION=zh LESSON=00-start-here: both editions as HTML and PDF, the text
    and the chart's alt text in Chinese. Chromium embeds the CJK font as Type 3 (unnamed), so
    what stands for "no tofu" here is: fontconfig gives Chromium Noto Sans CJK SC for Chinese,
    and the PDF's text is the Chinese (a rendered page was looked at: no boxes)."""
    from aiolab import messages

    chosen = subprocess.run(["fc-match", "sans-serif:lang=zh-cn"], capture_output=True, text=True).stdout
    assert "Noto Sans CJK SC" in chosen, f"no CJK font for Chromium (make chromium installs fonts-noto-cjk): {chosen}"

    out = tmp_path / "handouts-zh"
    try:
        status = cli.main(["--course", str(ROOT / "autograder"), "handouts", "--edition", "zh", "--i18n", str(I18N),
                           "--out", str(out), "--jobs", "1", "00-start-here"])
    finally:
        os.environ.pop(messages.VARIABLE, None)
    assert status == 0
    for edition in ("learner", "solutions"):
        html = (out / edition / "00-start-here.html").read_text(encoding="utf-8")
        assert "从这里开始" in html and "学完本课，你将能够" in html
        assert 'alt="图表：' in html
        assert '<html lang="zh">' in html and "asyncio 实战 · " in html   # Simplified forms; banner
        pdf = out / edition / "00-start-here.pdf"
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
        assert "从这里开始" in text and "协程" in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in index and "讲义" in index and re.search(r"PDF</a> \(\d+ 页\)", index)


@pytest.mark.notebook
@pytest.mark.slow
@pytest.mark.parametrize("language,lesson", CATALOGUED, ids=[f"{l}-{n}" for l, n in CATALOGUED])
def test_the_translated_lesson_runs_and_its_blank_exercises_fail(language, lesson, tmp_path, monkeypatch):
    """Like tests/test_notebooks.py for the English: the translated instructor edition runs
    top to bottom with the kernel drawing in that language, and in its learner's edition
    (nbgrader's) every graded test cell fails and Run All reaches every cell."""
    import nbcheck
    from aiolab import messages

    monkeypatch.setenv(messages.VARIABLE, language)
    tr.build_sources(SOURCE, I18N, language, tmp_path / "source", [lesson])
    path = tmp_path / "source" / lesson / tr.english_notebook(SOURCE, lesson).name
    nbcheck.execute(path)
    if not nbcheck.graded_test_cells(nbcheck.read(path)):
        return
    nb = nbcheck.execute(nbcheck.learner_edition(path.parent, tmp_path / "learner") / path.name)
    passing = [grade_id for grade_id, cell in nbcheck.graded_test_cells(nb) if not nbcheck.failed(cell)]
    assert not passing, f"graded test cells that pass in the blank {language} learner's edition: {passing}"
    assert not nbcheck.unrun(nb), f"cells Run All never reached: {nbcheck.unrun(nb)}"


#: The lesson whose corpus is graded against the Chinese release too. One lesson, not all:
#: grading the corpus is most of make test's hour, and CI has 90 minutes; the translated
#: notebooks' code and metadata are the English ones (tested above for every lesson), so
#: what this proves (nbgrader releases and grades a translated notebook alike) holds for all.
CORPUS_PROOF = [("zh", "00-start-here")]


@pytest.mark.slow
@pytest.mark.parametrize("language,lesson", CORPUS_PROOF, ids=[f"{l}-{n}" for l, n in CORPUS_PROOF])
def test_the_corpus_grades_the_same_against_the_translated_release(language, lesson, tmp_path):
    """autograder/corpus/'s sample submissions, released and graded from the translated
    lesson by real nbgrader and the sandboxed grader: every score is the manifest's, as in
    English (tests/test_corpus.py), and the released notebook is the translated one."""
    from coursetools import corpus

    [manifest] = [m for m in corpus.manifests() if m.lesson == lesson]
    tr.build_sources(SOURCE, I18N, language, tmp_path / "source", [lesson])
    # What the graded notebooks must show, in the learner's language (aiolab.messages): the
    # framing is translated; the per-exercise details of coursetools/checks stay English.
    manifest = dataclasses.replace(manifest, cases=[
        dataclasses.replace(case, feedback=[FEEDBACK_IN[language].get(text, text) for text in case.feedback])
        for case in manifest.cases])
    graded = corpus.grade(manifest, tmp_path / "course", source=tmp_path / "source")
    released = nbformat.read(tmp_path / "course" / "release" / lesson / manifest.notebook, as_version=4)
    assert released.metadata[tr.METADATA_KEY] == {"language": language}
    assert corpus.problems(manifest, graded) == []
    blank = [case for case in manifest.cases if case.name == "blank"]
    if language == "zh" and blank:
        # the exercise's full points: what the model answers score
        total = sum(next(case for case in manifest.cases if case.name == "correct").expected().values())
        shown = nbformat.reads(graded.feedback["blank"], as_version=4)
        outputs = [o for cell in shown.cells if cell.cell_type == "code" for o in cell.get("outputs", [])]
        assert any(o.get("data", {}).get("text/markdown") == f"**得分：0 分（满分 {total:g} 分）**" for o in outputs)
        assert any("这些检查共得 0 分" in o.get("text", "") for o in outputs)
        # (nbgrader's own feedback template still heads the page "Score: x / y", in English)
        page = graded.pages["blank"]
        assert "评分程序的隐藏检查：" in page and "The grader's hidden checks:" not in page


#: The corpus' texts that the graded notebooks show in the learner's language.
FEEDBACK_IN = {"zh": {
    "blocked the event loop": "阻塞了事件循环",
    "Expected this to take 5 s of virtual time; it took 10 s": "预期耗时 5 秒虚拟时间，实际耗时 10 秒",
    "real time": "真实时间",
    "virtual time": "虚拟时间",
    "Your code raised ValueError": "你的代码抛出了 ValueError",
}}
