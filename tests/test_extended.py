"""Analyses beyond the seed plan: item matrices paired by person, the zero rule side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imheval.evaluation import EvaluationOptions, evaluate_file
from imheval.extended import item_matrices
from imheval.instruments.model import Instrument

TINY = Instrument.model_validate(
    {
        "format": "imheval-instrument/1",
        "id": "tiny",
        "version": "1",
        "title": "Tiny",
        "levels": ["beginner"],
        "domains": [{"id": "knowledge", "label": "Knowledge"}],
        "items": [
            {
                "id": f"K{i}",
                "domain": "knowledge",
                "text": f"Q{i}",
                "options": {"a": "x", "b": "y"},
                "key": "a",
            }
            for i in (1, 2, 3)
        ],
    }
)


def test_item_rows_are_paired_by_person_not_by_file_order(tmp_path: Path) -> None:
    # post rows come first and in another order; P3 has no post-test; P4 no pre-test
    path = tmp_path / "items.csv"
    path.write_text(
        "participant,cohort,timepoint,K1,K2,K3\n"
        "P2,C1,post,a,a,b\n"
        "P1,C1,post,a,a,a\n"
        "P4,C1,post,a,b,b\n"
        "P1,C1,pre,b,a,b\n"
        "P2,C1,pre,b,b,b\n"
        "P3,C1,pre,a,a,a\n",
        encoding="utf-8",
    )
    evaluation = evaluate_file(path, [TINY], EvaluationOptions(min_group_size=1))
    matrices = item_matrices(evaluation.scored, evaluation.matched, [TINY], "knowledge")
    assert matrices is not None
    assert matrices.item_ids == ("K1", "K2", "K3")
    # people are in code order: P1 then P2
    np.testing.assert_array_equal(matrices.pre, [[0, 1, 0], [0, 0, 0]])
    np.testing.assert_array_equal(matrices.post, [[1, 1, 1], [1, 1, 0]])
    assert matrices.max_points == (1.0, 1.0, 1.0)


def test_no_item_matrices_for_bare_totals(tmp_path: Path) -> None:
    path = tmp_path / "totals.csv"
    path.write_text("participant,cohort,timepoint,knowledge\nP1,C1,pre,1\nP1,C1,post,2\n")
    evaluation = evaluate_file(path)
    assert item_matrices(evaluation.scored, evaluation.matched, [], "knowledge") is None
    assert evaluation.policy_comparison == ()
