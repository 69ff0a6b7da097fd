"""Parallel forms against R: every number make_golden_forms.R wrote from forms_responses.csv.

The R script works from the raw answers by hand formulas in base R (which form each row used,
its percent of maximum, the form difference with Welch's CI, mean-sigma equating kept within
0..100, the paired change on equated scores, KR-20 per form, reliable change per order), so
this checks imheval's whole path: reading the ``form`` column, inferring blank ones, scoring by
form, equating and the per-form deeper analyses. Closed formulas: rtol 1e-12.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from imheval.evaluation import Evaluation, evaluate_file
from imheval.instruments import load_instrument
from imheval.io.reader import read_responses
from imheval.scoring import score_items

HERE = Path(__file__).parent
R: dict[str, Any] = json.loads((HERE / "forms_r_results.json").read_text())
CLOSED = {"rel": 1e-12, "abs": 1e-12}


@pytest.fixture(scope="module")
def evaluation() -> Evaluation:
    instrument = load_instrument(HERE / "forms_instrument.yaml")
    return evaluate_file(HERE / "forms_responses.csv", [instrument])


def test_each_rows_form_and_percent_of_maximum_match_r() -> None:
    instrument = load_instrument(HERE / "forms_instrument.yaml")
    table = read_responses(
        HERE / "forms_responses.csv", item_columns=[i.id for i in instrument.items]
    )
    scored = score_items(table, [instrument])
    assert scored.frame["form"].tolist() == R["forms"]
    assert scored.frame["knowledge"].to_numpy() == pytest.approx(R["percent_of_maximum"], **CLOSED)
    assert scored.domain("knowledge").scale == "percent_of_maximum"


def test_form_difference_and_linear_equating_match_r(evaluation: Evaluation) -> None:
    (comparison,) = evaluation.forms
    expected = R["equating"]
    equating = comparison.equating
    assert equating is not None and equating.computed
    assert comparison.counterbalanced
    assert comparison.beyond_chance is expected["beyond_chance"] is True
    assert comparison.equated is expected["equated"] is True
    assert comparison.threshold == pytest.approx(expected["threshold"], **CLOSED)
    assert (equating.n_reference, equating.n_new) == (
        expected["n_reference"],
        expected["n_new"],
    )
    for name in ("mean_reference", "sd_reference", "mean_new", "sd_new", "difference"):
        assert getattr(equating, name) == pytest.approx(expected[name], **CLOSED), name
    assert equating.difference_ci is not None
    assert [equating.difference_ci.low, equating.difference_ci.high] == pytest.approx(
        expected["difference_ci"], **CLOSED
    )
    assert equating.slope == pytest.approx(expected["slope"], **CLOSED)
    assert equating.intercept == pytest.approx(expected["intercept"], **CLOSED)


def test_equated_scores_match_r(evaluation: Evaluation) -> None:
    scores = evaluation.scored.frame["knowledge"].to_numpy(dtype=float)
    assert scores == pytest.approx(R["equated_scores"], **CLOSED)
    assert np.nanmin(scores) >= 0.0 and np.nanmax(scores) <= 100.0


def test_paired_change_on_equated_scores_matches_r(evaluation: Evaluation) -> None:
    expected = R["paired"]
    (entry,) = [
        e
        for e in evaluation.domain("knowledge").tests
        if e.unit == "participant" and e.comparison == "pre_post" and e.result.test == "paired_t"
    ]
    result = entry.result
    assert result.n == expected["n"]
    assert result.statistic == pytest.approx(expected["t"], **CLOSED)
    assert result.df == pytest.approx(expected["df"], **CLOSED)
    assert result.estimate == pytest.approx(expected["mean_post"] - expected["mean_pre"], **CLOSED)
    assert result.estimate_ci is not None
    assert [result.estimate_ci.low, result.estimate_ci.high] == pytest.approx(
        expected["ci"], **CLOSED
    )


def test_kr20_per_form_before_training_matches_r(evaluation: Evaluation) -> None:
    extras = evaluation.domain("knowledge").extras
    assert extras is not None and extras.items is None
    by_form = {f.form: f for f in extras.forms}
    assert sorted(by_form) == ["A", "B"]
    for form, value in R["kr20_before"].items():
        before = by_form[form].before
        assert before is not None
        assert before.reliability_pre.kr20
        assert before.reliability_pre.alpha == pytest.approx(value, **CLOSED), form


def test_reliable_change_per_order_matches_r(evaluation: Evaluation) -> None:
    extras = evaluation.domain("knowledge").extras
    assert extras is not None
    orders = {o.before + o.after: o.reliable_change for o in extras.reliable_change_by_order}
    assert sorted(orders) == sorted(R["reliable_change"])
    for order, expected in R["reliable_change"].items():
        change = orders[order]
        assert change.n == expected["n"]
        assert change.reliability == pytest.approx(expected["reliability"], **CLOSED)
        assert change.sd_pre == pytest.approx(expected["sd_pre"], **CLOSED)
        assert change.minimum_reliable_change == pytest.approx(
            expected["minimum_reliable_change"], **CLOSED
        )
        assert (change.n_improved, change.n_declined) == (
            expected["n_improved"],
            expected["n_declined"],
        )
