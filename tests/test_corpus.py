"""The sample submissions of autograder/corpus/ get exactly the scores their manifests expect,
from the real nbgrader commands: the proof that the autograder grades fairly."""

from __future__ import annotations

import nbformat
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
    hidden = corpus.hidden_lines(manifest.lesson, manifest.notebook)
    autograded = {line.strip() for text in graded.feedback.values()
                  for cell in nbformat.reads(text, as_version=4).cells for line in cell.source.splitlines()}
    assert hidden and hidden & autograded, \
        "the leak check must see the hidden tests in the autograded notebooks, or it proves nothing"
    wrong = []
    for case in manifest.cases:
        got = graded.scores[case.name]
        for grade_id, expected in case.expect.items():
            if got.get(grade_id) != expected:
                wrong.append(f"{case.name} ({case.about}): {grade_id} scored {got.get(grade_id)}, expected {expected}")
        if graded.totals[case.name] != sum(got.values()):
            wrong.append(f"{case.name}: CSV total {graded.totals[case.name]} != sum of cells {sum(got.values())}")
        page = graded.pages[case.name]
        own = "\n".join({**case.answers, **case.edit}.values())
        page_lines = {line.strip() for line in page.splitlines()}
        leaked = sorted(line for line in hidden & page_lines if line not in own)
        if leaked:
            wrong.append(f"{case.name}: the feedback page shows hidden test code: {leaked[:3]}")
        if "HIDDEN TESTS" in page:
            wrong.append(f"{case.name}: the feedback page shows a hidden-tests marker")
        for text in case.feedback:
            if text not in graded.feedback[case.name]:
                wrong.append(f"{case.name}: the graded notebook does not show {text!r}")
    assert not wrong, "\n".join(wrong)
