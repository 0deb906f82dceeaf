"""Verdicts made outside the kernel (coursetools.judge, aiolab.drive): what the kernel
answers is data, what the grader concludes depends only on that data and on inputs the
kernel could not foresee.

The whole path through nbgrader with a sandboxed kernel is in tests/test_sandbox.py
(test_a_test_cell_judged_outside_never_runs_in_the_kernel) and the attacks
(tests/test_attacks.py, forge-*)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nbformat
import pytest

from aiolab import drive
from aiolab.timeline import Timeline
from coursetools import judge
from coursetools.checks import lesson00, model

ROOT = Path(__file__).resolve().parent.parent


def lesson00_test_cell():
    nb = nbformat.read(next((ROOT / "notebooks" / "00-start-here").glob("*.ipynb")), as_version=4)
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add_later_tests")


def judged(namespace) -> tuple[float, str, list]:
    outputs = judge.judge_cell(judge.outside_target(lesson00_test_cell()), judge.LocalKernel(namespace))
    score = float(outputs[-1]["data"]["text/plain"])
    return score, outputs[0]["text"], outputs


# ---- the kernel's side: plain data ------------------------------------------------------

class Sneaky(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__

    def __repr__(self):
        return "42"


def test_results_travel_as_literals_of_the_exact_builtin_types():
    import ast

    value = {"a": [1, 2.5, (3,), None, True], "b": {1, 2}, "c": set(), "d": b"x", "e": (), "f": -3j}
    assert ast.literal_eval(drive.literal(value)) == value
    with pytest.raises(ValueError):     # a subclass is the learner's own type: not plain
        drive.literal(Sneaky(7))
    with pytest.raises(ValueError):
        drive.literal(object())
    with pytest.raises(ValueError):
        drive.literal(asyncio.Future)


def test_a_learners_object_is_equal_to_nothing():
    class Anything:
        def __eq__(self, other):
            return True

    answer = judge.Answer.parse(drive.call("f", [()], namespace={"f": _returning(Anything())}), "f")
    (got,) = answer.values(1)
    assert isinstance(got, judge.Opaque) and got != got and "Anything" in repr(got)
    code = judge.Answer.parse(json.dumps({"results": [{"literal": "__import__('os')"}], "end": 0}), "f")
    assert isinstance(code.values(1)[0], judge.Opaque), "a literal is parsed, never evaluated"


def _returning(value):
    async def f():
        return value
    return f


def test_the_timeline_is_rebuilt_from_its_records():
    async def job(delay):
        await asyncio.sleep(delay)
        return delay

    async def main():
        return await asyncio.gather(job(1), job(3))

    data = json.loads(drive.call("main", [()], namespace={"main": main}))
    rebuilt = Timeline.from_records(data["records"], stopped_at=data["end"])
    assert rebuilt.elapsed == data["elapsed"] == 3.0
    assert [r.as_dict() for r in rebuilt] == data["records"]
    assert rebuilt.plot() is not None


def test_failures_come_back_in_the_learners_terms():
    async def broken(a, b, delay):
        raise ValueError("not today")

    answer = judge.Answer.parse(drive.call("add_later", [(1, 2, 0)], namespace={"add_later": broken}), "add_later")
    with pytest.raises(AssertionError, match="Your code raised ValueError: not today"):
        answer.values(1)
    missing = judge.Answer.parse(drive.call("add_later", [(1, 2, 0)], namespace={}), "add_later")
    assert not missing.defined
    with pytest.raises(AssertionError, match="`add_later` is not defined"):
        missing.values(1)


# ---- the grader's side: only data decides -----------------------------------------------

@pytest.mark.parametrize("said", [None, "2", "'not json'", repr(json.dumps({"results": "x"})),
                                  repr(json.dumps([1, 2])), "'" + "[" * 5000 + "'"])
def test_a_kernel_that_answers_anything_but_data_fails_the_scenario(said):
    kernel = judge.Kernel(lambda code: said)
    with pytest.raises(AssertionError):
        kernel.call("add_later", (1, 2, 0)).values(1)


def test_a_forged_score_scores_nothing():
    """The forge of the attack corpus: the kernel answers every request with the number 2."""
    outputs = judge.judge_cell(judge.outside_target(lesson00_test_cell()), judge.Kernel(lambda code: "2"))
    assert outputs[-1]["data"]["text/plain"] == "0"
    assert "did not answer the grader with data" in outputs[0]["text"]


def test_answers_learned_by_heart_fail_on_inputs_picked_at_random():
    """A kernel that knows the right answers for every example of the titles (and waits
    the right time) but cannot compute the others loses every scenario with a random input."""
    correct = {"add_later": model("00-start-here", "add_later")}
    examples = {}

    def by_heart(code):
        request = code.split("drive.call(", 1)[1]
        examples.setdefault(request, None)
        if any(marker in request for marker in ("(1, 2, 0.01)", "('a', 'b', 0)", "([1], [2], 0)", "(20, 22, 5)")):
            function, calls, together = eval("(" + request.replace("together=", ""))    # the grader's own literal
            data = drive.call(function, [calls[0]] * len(calls), together=together, namespace=correct)
            return repr(data)
        return repr(json.dumps({"failure": "unknown input"}))

    outputs = judge.judge_cell(judge.outside_target(lesson00_test_cell()), judge.Kernel(by_heart))
    assert float(outputs[-1]["data"]["text/plain"]) == 0.0, outputs[0]["text"]
    assert examples, "the scenarios asked the kernel"
    assert judge.LocalKernel(correct).call("add_later", (1, 2, 0)).values(1) == [3]


# ---- lesson 00 judged outside: each requirement on its own ------------------------------

def test_the_model_answer_gets_full_marks_with_every_scenario_reported():
    score, report, outputs = judged({"add_later": model("00-start-here", "add_later")})
    assert score == 2.0
    assert report.count("✓") == 5 and "The grader's hidden checks:" in report
    assert outputs[-1]["output_type"] == "execute_result"


@pytest.mark.slow
def test_each_wrong_answer_loses_only_its_requirement():
    async def not_async_helper(a, b, delay):
        return await asyncio.sleep(delay, a + b)

    def plain_def(a, b, delay):
        return not_async_helper(a, b, delay)

    async def numbers_only(a, b, delay):
        await asyncio.sleep(delay)
        return int(a) + int(b)

    async def lists_fail(a, b, delay):
        await asyncio.sleep(delay)
        if isinstance(a, (list, tuple)):
            return list(a)
        return a + b

    async def waits_twice(a, b, delay):
        await asyncio.sleep(delay)
        await asyncio.sleep(delay)
        return a + b

    async def one_at_a_time(a, b, delay, _lock=asyncio.Lock()):
        async with _lock:
            await asyncio.sleep(delay)
        return a + b

    cases = {plain_def: (1.5, "define add_later with `async def`"),
             numbers_only: (1.25, "Your code raised ValueError"),
             lists_fail: (1.75, "returned [1], expected [1, 2]"),
             waits_twice: (1.5, "Expected this to take 5 s of virtual time; it took 10 s"),
             one_at_a_time: (1.75, "two calls started together took")}
    for answer, (expected, said) in cases.items():
        score, report, outputs = judged({"add_later": answer})
        assert score == expected and said in report, (answer.__name__, score, report)
    _, _, outputs = judged({"add_later": waits_twice})
    assert any("image/png" in o.get("data", {}) for o in outputs), "the two charts are drawn here"


def test_only_cells_of_exercises_judged_outside_are_taken_over():
    cell = lesson00_test_cell()
    target = judge.outside_target(cell)
    assert target == judge.Target("coursetools.checks.lesson00", "add_later", ("add_later",))
    unknown = nbformat.from_dict({**cell, "source": cell.source.replace('Checks("add_later")', 'Checks("other")')})
    assert judge.outside_target(unknown) is None, "an exercise its lesson does not list in OUTSIDE"
    solution = nbformat.from_dict({**cell, "metadata": {"nbgrader": {"grade": False, "solution": True}}})
    assert judge.outside_target(solution) is None
    assert set(lesson00.OUTSIDE) == set(lesson00.EXERCISES)


def test_a_stuck_answer_spends_the_cells_budget_then_the_rest_is_not_run():
    """Each request is bounded in the kernel; together they are bounded by the cell's budget
    on the grader's side, so a stuck answer cannot hold the notebook's whole time."""
    clock = [0.0]
    asked = []

    def slow(code):
        asked.append(code)
        clock[0] += 2.0
        return None

    kernel = judge.Kernel(slow, budget=5.0, clock=lambda: clock[0])     # requests of 2 s, exactly
    failures = []
    for _ in range(6):
        with pytest.raises(AssertionError) as err:
            kernel.call("add_later", (1, 2, 0)).values(1)
        failures.append(str(err.value))
    assert len(asked) == 3 and kernel.spent == 6.0
    assert "did not answer the grader with data" in failures[0]
    assert failures[-1].startswith("Not run: the grader's requests for this cell used up their 5 s")


# ---- real-time probes (lesson 09: a crawl of a local server) ----------------------------------

async def _waits_for_real(fn, seconds):
    """A probe: sleeps ``seconds`` on the loop, then reports the real time that took."""
    import time

    started = time.monotonic()
    await asyncio.sleep(seconds)
    return {"real": time.monotonic() - started, "value": await fn()}


def test_a_real_time_probe_runs_on_a_real_loop_and_answers_with_the_same_data(monkeypatch):
    from aiolab import probes

    monkeypatch.setitem(probes.PROBES, "waits_for_real", _waits_for_real)
    kernel = judge.LocalKernel({"f": _returning(7)})
    virtual = kernel.probe("waits_for_real", "f", 0.2)
    (got,) = virtual.values(1)
    assert got["value"] == 7 and got["real"] < 0.2 and virtual.elapsed == 0.2     # virtual time: instant
    monkeypatch.setattr(probes, "REAL_TIME", {"waits_for_real"})
    real = kernel.probe("waits_for_real", "f", 0.2)
    (got,) = real.values(1)
    assert got["value"] == 7 and got["real"] >= 0.2 and real.elapsed >= 0.2         # real time
    assert real.timeline is not None and len(real.timeline.tasks) == 1, "its timeline comes back, as records"


def test_a_real_time_probe_that_never_finishes_is_stopped_at_its_limit(monkeypatch):
    from aiolab import probes

    async def never(fn):
        await asyncio.Event().wait()

    monkeypatch.setitem(probes.PROBES, "never", never)
    monkeypatch.setattr(probes, "REAL_TIME", {"never"})
    monkeypatch.setattr(drive, "REAL_TIME_LIMIT", 0.3)
    answer = judge.LocalKernel({"f": _returning(7)}).probe("never", "f")
    with pytest.raises(AssertionError, match="did not finish within 0.3 s of real time"):
        answer.values(1)


def test_an_answer_stopped_once_at_its_real_time_limit_gets_less_time_in_its_later_requests():
    """As in a test cell run in the kernel: once a request of an answer was stopped, that
    answer's later requests get AFTER_STUCK seconds (another answer is not concerned)."""
    import time

    async def stuck(how):
        if how == "blocks":
            time.sleep(0.6)                 # above the blocking threshold: stopped, and noted
        while True:
            await asyncio.sleep(0)          # virtual time never moves: stopped at the real limit

    kernel = judge.LocalKernel({"stuck": stuck})
    with pytest.raises(AssertionError, match="blocked the event loop"):
        kernel.call("stuck", ("blocks",)).values(1)
    with pytest.raises(AssertionError, match="still running after 0.5 s of real time"):
        kernel.call("stuck", ("spins",)).values(1)
