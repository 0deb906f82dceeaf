"""The sample submissions of autograder/corpus/ get exactly the scores their manifests expect,
from the real nbgrader commands: the proof that the autograder grades fairly."""

from __future__ import annotations

import pytest

import corpus

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
    graded = corpus.grade(manifest, tmp_path)
    wrong = []
    for case in manifest.cases:
        got = graded.scores[case.name]
        for grade_id, expected in case.expect.items():
            if got.get(grade_id) != expected:
                wrong.append(f"{case.name} ({case.about}): {grade_id} scored {got.get(grade_id)}, expected {expected}")
        if graded.totals[case.name] != sum(got.values()):
            wrong.append(f"{case.name}: CSV total {graded.totals[case.name]} != sum of cells {sum(got.values())}")
        for text in case.feedback:
            if text not in graded.feedback[case.name]:
                wrong.append(f"{case.name}: the graded notebook does not show {text!r}")
    assert not wrong, "\n".join(wrong)
