"""The sample submissions of autograder/corpus/ get exactly the scores their manifests expect,
from the real nbgrader commands: the proof that the autograder grades fairly."""

from __future__ import annotations

import pytest

from coursetools import corpus

MANIFESTS = corpus.manifests()


def test_every_graded_lesson_has_a_corpus():
    import nbcheck

    graded = {p.parent.name for p in nbcheck.find_notebooks(corpus.ROOT / "notebooks")
              if nbcheck.graded_test_cells(nbcheck.read(p))}
    missing = graded - {m.lesson for m in MANIFESTS}
    assert not missing, f"graded lessons without sample submissions in autograder/corpus/: {sorted(missing)}"


@pytest.mark.slow
@pytest.mark.parametrize("manifest", MANIFESTS, ids=[m.lesson for m in MANIFESTS])
def test_corpus_scores(manifest: corpus.Manifest, tmp_path):
    wrong = corpus.problems(manifest, corpus.grade(manifest, tmp_path))
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
def test_grades_are_the_same_graded_one_at_a_time_or_in_parallel(tmp_path):
    """make autograde grades JOBS submissions at once; no score may depend on it."""
    manifest = next(m for m in MANIFESTS if m.lesson == "00-start-here")
    serial = corpus.grade(manifest, tmp_path / "serial", jobs=1)
    parallel = corpus.grade(manifest, tmp_path / "parallel", jobs=2)
    assert serial.scores == parallel.scores
    assert serial.totals == parallel.totals
    assert not corpus.problems(manifest, serial)
