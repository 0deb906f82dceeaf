"""Scenarios (aiolab.checks) and the hidden checks (coursetools.checks): verdicts, messages,
partial credit; every exercise's model answer passes its hidden checks and the points add up
to the cell's. Fast: part of make check."""

from __future__ import annotations

import asyncio
import linecache
import re
import time
from pathlib import Path

import nbformat
import pytest

from aiolab.checks import Checks, ChecksFailed
from coursetools import checks as hidden

ROOT = Path(__file__).resolve().parent.parent


def test_every_scenario_runs_and_the_score_is_the_sum_of_passed_points():
    checks = Checks("demo")

    @checks.scenario("passes", points=0.5)
    def _():
        pass

    @checks.scenario("fails with a message", points=1)
    def _():
        raise AssertionError("expected 3, got 4")

    @checks.scenario("async, in virtual time", points=0.25)
    async def _():
        await asyncio.sleep(100)

    verdicts = checks.run()
    assert [v.passed for v in verdicts] == [True, False, True]
    assert verdicts[1].lines()[0] == "✗ demo · fails with a message (1 point)"
    assert "expected 3, got 4" in verdicts[1].message
    score = checks.score()
    assert score == 0.75 and repr(score) == "0.75" and float(repr(score)) == 0.75
    assert score._repr_markdown_() == "**Score: 0.75 of 1.75 points**"


def test_done_raises_for_the_learner_but_only_reports_under_autograde(monkeypatch, capsys):
    checks = Checks("demo")

    @checks.scenario("needs 42")
    def _():
        raise AssertionError("got 41")

    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    with pytest.raises(ChecksFailed) as failed:
        checks.done()
    assert str(failed.value).splitlines() == ["✗ demo · needs 42 (1 point)", "    got 41",
                                              "demo: 0 of 1 points from these checks"]
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    checks.done()                         # the hidden part scores it
    assert "✗ demo · needs 42" in capsys.readouterr().out


def test_a_line_in_a_notebook_cell_is_named_as_ipython_names_it(monkeypatch):
    """In a kernel, 'cell In[5], line 4', as IPython's tracebacks say; never the temporary
    file IPython compiled the cell from."""
    import types

    import IPython

    from aiolab._stacks import place

    cell = "/tmp/ipykernel_1/abc.py"
    assert place(cell, 4) == "line 4 of your cell"
    assert place("/home/me/lesson.py", 14) == "lesson.py:14"
    names = {cell: ("Cell", "In[5]")}
    shell = types.SimpleNamespace(compile=types.SimpleNamespace(format_code_name=names.get))
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert place(cell, 4) == "cell In[5], line 4"
    assert place("/home/me/lesson.py", 14) == "lesson.py:14"


def test_messages_name_the_cause_in_the_learners_terms():
    checks = Checks("ex")
    # A function as if defined in a notebook cell: IPython names cells ipykernel_<pid>/<hash>.py.
    cell = "/tmp/ipykernel_1/abc.py"
    source = ("def answer(x):\n    return x['missing']\n\n\n"
              "async def slow():\n    time.sleep(0.6)\n    await asyncio.sleep(1)\n")
    linecache.cache[cell] = (len(source), None, source.splitlines(True), cell)
    scope: dict = {"time": time, "asyncio": asyncio}
    exec(compile(source, cell, "exec"), scope)

    @checks.scenario("blank")
    def _():
        raise NotImplementedError()

    @checks.scenario("raises in the learner's cell")
    def _():
        scope["answer"]({})

    @checks.scenario("exception group")
    def _():
        raise ExceptionGroup("two", [ValueError("a"), TypeError("b")])

    @checks.scenario("escaping cancellation")
    def _():
        raise asyncio.CancelledError()

    @checks.scenario("never awaited")
    def _():
        async def job():
            pass
        job()

    @checks.scenario("blocking")
    async def _():
        await scope["slow"]()

    blank, raised, group, cancelled, unawaited, blocking = (v.message for v in checks.run())
    assert blank == "Not written yet: the code still raises NotImplementedError."
    assert raised == "Your code raised KeyError: 'missing', at line 2 of your cell (answer): return x['missing']"
    assert "line 7 of your cell in slow()" in blocking and "abc.py" not in blocking, blocking
    assert "ExceptionGroup (ValueError: a; TypeError: b)" in group
    assert cancelled.startswith("Your code raised CancelledError") and "escaped" in cancelled
    assert "never awaited" in unawaited
    assert "blocked the event loop" in blocking
    for message in (blank, raised, group, cancelled, unawaited, blocking):
        assert "aiolab" not in message and "Traceback" not in message


def test_a_virtual_deadlock_message_gives_no_advice_the_learner_cannot_follow():
    checks = Checks("ex")

    @checks.scenario("waits forever")
    async def _():
        await asyncio.Event().wait()

    (verdict,) = checks.run()
    assert "did not finish" in verdict.message and "limit=" not in verdict.message


# ---- the hidden checks of every lesson ----------------------------------------------------

def graded_cells():
    """(lesson, exercise grade_id, test cell) for every exercise with hidden checks."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "coursetools.checks" in cell.source and cell.metadata.get("nbgrader", {}).get("grade"):
                exercise = re.search(r'Checks\("([^"]+)"\)', cell.source).group(1)
                module = re.search(r"coursetools\.checks\.(lesson\d\d) import check", cell.source).group(1)
                assert module == "lesson" + path.parent.name[:2], f"{path.name} imports another lesson's checks"
                found.append((path.parent.name, (module, exercise), cell))
    return found


CELLS = graded_cells()


def model_answer(lesson: str, exercise: tuple[str, str]) -> list:
    """The model answer's objects, in the order the exercise's hidden checks take them
    (a lesson module's ANSWERS names them when they are not just the grade_id)."""
    import importlib

    module = importlib.import_module(f"coursetools.checks.{exercise[0]}")
    names = getattr(module, "ANSWERS", {}).get(exercise[1], (exercise[1],))
    return [hidden.model(lesson, name, exercise[1]) for name in names]


def test_every_exercise_with_hidden_checks_has_them():
    assert CELLS, "no test cell uses coursetools.checks yet"
    assert {exercise for _, exercise, _ in CELLS} == set(hidden.exercises())


@pytest.mark.parametrize("lesson,exercise,cell", CELLS, ids=["/".join(e) for _, e, _ in CELLS])
def test_points_add_up_to_the_cells(lesson, exercise, cell):
    visible_part = cell.source.split("### BEGIN HIDDEN TESTS")[0]
    visible = sum(float(p) for p in re.findall(r"points=([\d.]+)", visible_part))
    hidden_total = hidden.exercises()[exercise](*model_answer(lesson, exercise)).total
    assert visible + hidden_total == pytest.approx(cell.metadata["nbgrader"]["points"])


# Lesson 09's checks talk to a real local server, lesson 07's drive a class from threads: real
# time, seconds, so not in make check.
REAL_TIME = {"lesson07", "lesson09"}
MODEL_CASES = [pytest.param(lesson, exercise, cell, id="/".join(exercise),
                            marks=[pytest.mark.slow] if exercise[0] in REAL_TIME else [])
               for lesson, exercise, cell in CELLS]


@pytest.mark.parametrize("lesson,exercise,cell", MODEL_CASES)
def test_the_model_answer_passes_every_hidden_scenario(lesson, exercise, cell):
    checks = hidden.exercises()[exercise](*model_answer(lesson, exercise))
    failed = [line for v in checks.run() if not v.passed for line in v.lines()]
    assert not failed, "\n".join(failed)



def test_a_slow_garbage_collection_is_not_blamed_on_the_learner(monkeypatch):
    """Lesson 02's hidden checks call gc.collect() in a thread of their own; in a big process
    (a pytest worker, a kernel that made a lot) it holds the GIL for most of a second, and
    the kernel's loop cannot run meanwhile. The model answer must still pass: the probes
    that collect garbage are not judged by the clock."""
    import gc
    import sys
    import types

    from aiolab import probes

    collect = gc.collect
    start = time.perf_counter()
    sum(range(1_000_000))
    n = int(1_000_000 * 0.8 / max(time.perf_counter() - start, 1e-4))

    def holds_the_gil(*args):
        sum(range(n))               # one C call of about 0.8 s: no other thread runs meanwhile
        return collect(*args)

    monkeypatch.setattr(probes, "gc", types.SimpleNamespace(collect=holds_the_gil))
    (lesson, exercise, cell), = [(l, e, c) for l, e, c in CELLS if e == ("lesson02", "background_jobs")]
    checks = hidden.exercises()[exercise](*model_answer(lesson, exercise))
    # Under load a thread just started keeps the GIL long enough to reach gc.collect() before
    # the loop's thread ends the step that started it; a long switch interval makes it so.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1.0)
    try:
        verdicts = {v.scenario.title: v for v in checks.run()}
    finally:
        sys.setswitchinterval(interval)
    collected = [t for t in verdicts if "gc.collect()" in t or "released at once" in t]
    assert len(collected) == 2
    for title in collected:
        assert verdicts[title].passed, "\n".join(verdicts[title].lines())

def _visible_in_notebook(cell) -> list[tuple[str, float]]:
    """(title, points) of the visible scenarios a test cell declares, in order."""
    import ast

    found = []
    for node in ast.walk(ast.parse(cell.source.split("### BEGIN HIDDEN TESTS")[0])):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and getattr(deco.func, "attr", "") == "scenario":
                    points = next((k.value for k in deco.keywords if k.arg == "points"), ast.Constant(1.0))
                    found.append((ast.literal_eval(deco.args[0]), float(ast.literal_eval(points))))
    return found


def _judged_outside(exercise) -> bool:
    import importlib

    return exercise[1] in getattr(importlib.import_module(f"coursetools.checks.{exercise[0]}"), "OUTSIDE", {})


# Slow (seconds each: every request collects garbage in this big process): in make test only.
OUTSIDE_CASES = [pytest.param(lesson, exercise, cell, id="/".join(exercise), marks=[pytest.mark.slow])
                 for lesson, exercise, cell in CELLS if _judged_outside(exercise)]


@pytest.mark.parametrize("lesson,exercise,cell", OUTSIDE_CASES)
def test_the_grader_remakes_the_notebooks_visible_scenarios_and_the_model_gets_full_marks(lesson, exercise, cell):
    """At grading time a test cell judged outside never runs: the grader makes its visible
    scenarios again from data. They must be the notebook's, title for title and point for
    point, and the model answer must earn the cell's every point through them."""
    from coursetools import judge

    target = judge.outside_target(cell)
    assert target is not None and target.exercise == exercise[1]
    visible, _ = judge.importlib.import_module(target.module).OUTSIDE[exercise[1]](judge.LocalKernel({}))
    assert [(s.title, s.points) for s in visible.scenarios] == _visible_in_notebook(cell)
    namespace = dict(zip(target.answers, model_answer(lesson, exercise)))
    outputs = judge.judge_cell(target, judge.LocalKernel(namespace))
    assert float(outputs[-1]["data"]["text/plain"]) == cell.metadata["nbgrader"]["points"], outputs[0]["text"]


def test_a_broken_check_is_caught():
    """If a hidden scenario wrongly failed the model answer, the test above would say so: a
    scenario that always fails does."""
    checks = hidden.exercises()[("lesson00", "add_later")](hidden.model("00-start-here", "add_later"))

    @checks.scenario("a broken check")
    def _():
        raise AssertionError("always")
    assert [v.scenario.title for v in checks.run() if not v.passed] == ["a broken check"]


@pytest.mark.slow
def test_lesson00_scenarios_each_catch_their_own_mistake():
    """One wrong answer per hidden requirement loses exactly that scenario."""
    def failed_titles(answer):
        return [v.scenario.title.split(":")[0] for v in hidden.exercises()[("lesson00", "add_later")](answer).run() if not v.passed]

    async def numbers_only(a, b, delay):
        await asyncio.sleep(delay)
        return int(a) + int(b)

    async def waits_twice(a, b, delay):
        await asyncio.sleep(delay)
        await asyncio.sleep(delay)
        return a + b

    async def blocks(a, b, delay):
        time.sleep(delay * 0.3)          # 0.6 s in the two-calls scenario: above the threshold
        await asyncio.sleep(delay)
        return a + b

    assert failed_titles(numbers_only) == ["returns a + b for operands of any type"]
    assert failed_titles(waits_twice) == ["waits exactly `delay` seconds"]
    assert "lets other tasks run while it waits" in failed_titles(blocks)


def test_warnings_and_asyncio_logs_never_reach_stderr(capsys):
    """nbgrader scores a test cell that writes to stderr as 0: what a scenario makes Python
    say becomes a note on its verdict instead."""
    import warnings

    checks = Checks("ex")

    @checks.scenario("warns")
    def _():
        warnings.warn("old API", DeprecationWarning)

    @checks.scenario("a task's exception is never retrieved")
    def _():
        async def main():
            async def boom():
                raise ValueError("lost")
            asyncio.get_running_loop().create_task(boom())
            await asyncio.sleep(0.1)
        loop = asyncio.new_event_loop()
        loop.run_until_complete(main())
        loop.close()

    @checks.scenario("fails while its frame holds a coroutine never awaited")
    def _():
        async def answer():
            return 1
        made = answer()             # noqa: F841 - alive in this frame until the failure is dropped
        try:
            raise AssertionError("answer() was not awaited")
        except AssertionError as err:
            kept = err                  # noqa: F841 - a cycle: frame -> error -> traceback -> frame
            raise

    import gc
    with warnings.catch_warnings(record=True) as escaped:     # what the checks let through
        warnings.simplefilter("always")
        warned, lost, held = checks.run()
        gc.collect()
    assert not [str(w.message) for w in escaped]
    assert warned.passed and "DeprecationWarning: old API" in warned.message
    assert lost.passed and "Task exception was never retrieved" in lost.message
    assert not held.passed and held.message == "answer() was not awaited"
    assert capsys.readouterr().err == ""


async def _spins():
    while True:                     # never lets virtual time move: stopped at the real limit
        await asyncio.sleep(0)


def test_one_real_time_budget_bounds_a_whole_cell_visible_and_hidden():
    """A stuck answer uses up its run's limit once; later runs get less, and once the cell's
    budget is spent they are not run at all, so the cell ends well inside nbgrader's timeout
    with the verdicts of every scenario."""
    from aiolab import grading

    visible = Checks("spin")
    visible.budget = grading.RealTimeBudget(total=60, per_run=0.5, after_stuck=0.2)

    @visible.scenario("first run", points=1)
    def _():
        grading.run(_spins)

    @visible.scenario("second run", points=1)
    def _():
        grading.run(_spins)

    @visible.scenario("a quick scenario without the learner's code still passes", points=1)
    def _():
        assert True

    made = []

    def hidden_checks(answer):
        checks = Checks("spin")
        made.append(checks)

        @checks.scenario("hidden run", points=1)
        async def _():
            await answer()

        @checks.scenario("once the budget is spent, nothing runs", points=1)
        def _():
            grading.budget().deadline = time.monotonic()      # as if the 60 s had gone by
            grading.run(answer)

        return checks

    first, second, quick = visible.run()            # what checks.done() does, first in the cell
    score = hidden.checker({"spin": hidden_checks})(visible, _spins)
    assert "still running after 0.5 s" in first.message
    assert "still running after 0.2 s" in second.message   # shrunk once an earlier run was stuck
    assert quick.passed
    (hidden_checks_made,) = made
    assert hidden_checks_made.budget is visible.budget     # one cell, one budget
    hidden_run, until_spent = hidden_checks_made.run()
    assert "still running after 0.2 s" in hidden_run.message
    assert until_spent.message == ("Not run: the checks of this cell already took their 60 s of real time "
                                   "(an earlier run was stopped after 0.5 s of real time).")
    assert float(score) == 1.0                              # only the quick scenario


def test_a_budget_that_is_spent_runs_nothing():
    from aiolab import grading

    spent = grading.RealTimeBudget(total=0.2, per_run=1.0)
    with spent.active():
        with pytest.raises(grading.GradingFailure, match="still running after 0.2 s"):
            grading.run(_spins)
        with pytest.raises(grading.GradingFailure, match="^Not run: the checks of this cell already took "
                                                         "their 0.2 s of real time \\(an earlier run was stopped"):
            grading.run(_spins)
    fresh = grading.budget()                       # outside a cell: a fresh budget per run
    assert fresh is not spent and fresh.remaining() == grading.CELL_BUDGET
