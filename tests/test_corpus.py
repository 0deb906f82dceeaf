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
