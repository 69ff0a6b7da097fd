"""The retrospective pre-test (imheval.evaluation.retrospective) against R.

make_golden_retrospective.R scores the golden responses by hand from the raw answers (reverse
item, a scale label, a blank and an out-of-scale then answer) and runs ``t.test(paired =
TRUE)`` for then to now, the response shift (then against the real pre-test) and pre to now,
``wilcox.test(paired = TRUE)`` for then to now, d_z with its noncentral-t CI (uniroot, tol
1e-13) and Hedges' g_z. imheval reads the same files with retrospective_instrument.yaml and
evaluates them end to end. Tolerances as tests/golden/README.md: point values rtol 1e-9, the
exact noncentral-t CIs rtol 1e-7.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from imheval.evaluation.plan import evaluate_file
from imheval.evaluation.retrospective import RetrospectiveAnalysis
from imheval.instruments.loader import load_instrument
from imheval.stats.results import TestResult

HERE = Path(__file__).parent
R: dict[str, Any] = json.loads((HERE / "retrospective_r_results.json").read_text())
POINT = {"rel": 1e-9, "abs": 1e-12}
EXACT_CI = {"rel": 1e-7, "abs": 1e-10}
FILES = {"responses": "retrospective_responses.csv", "post_only": "retrospective_post_only.csv"}


def _analysis(case: str) -> RetrospectiveAnalysis:
    instrument = load_instrument(HERE / "retrospective_instrument.yaml")
    evaluation = evaluate_file(HERE / FILES[case], [instrument])
    extras = evaluation.domain("confidence").extras
    assert extras is not None and extras.retrospective is not None
    return extras.retrospective


def _compare(result: TestResult | None, expected: dict[str, Any]) -> None:
    assert result is not None and result.computed, result
    assert result.n == expected["n"]
    assert result.statistic == pytest.approx(expected["t"], **POINT)
    assert result.df == pytest.approx(expected["df"], **POINT)
    assert result.p == pytest.approx(expected["p"], **POINT)
    assert result.estimate == pytest.approx(expected["estimate"], **POINT)
    assert result.estimate_ci is not None
    ci = [result.estimate_ci.low, result.estimate_ci.high]
    assert ci == pytest.approx(expected["ci95"], **POINT)
    assert result.details["mean_pre"] == pytest.approx(expected["mean_before"], **POINT)
    assert result.details["mean_post"] == pytest.approx(expected["mean_after"], **POINT)
    for name, key in (("cohen_dz", "d_z"), ("hedges_gz", "hedges_gz")):
        effect = result.effect(name)
        assert effect is not None and effect.ci is not None
        assert effect.value == pytest.approx(expected[key], **POINT)
        assert [effect.ci.low, effect.ci.high] == pytest.approx(expected[f"{key}_ci95"], **EXACT_CI)


@pytest.mark.parametrize("case", sorted(FILES))
def test_then_to_now_matches_r(case: str) -> None:
    analysis, expected = _analysis(case), R[case]
    assert analysis.items == ("c1", "c2", "c3")
    assert (analysis.min_total, analysis.max_total) == (3.0, 15.0)
    assert analysis.n == expected["n"]
    _compare(analysis.then_to_now, expected["then_to_now"])
    assert analysis.mean_then == pytest.approx(expected["then_to_now"]["mean_before"], **POINT)
    assert analysis.mean_now == pytest.approx(expected["then_to_now"]["mean_after"], **POINT)
    wilcoxon = analysis.then_to_now_wilcoxon
    assert wilcoxon is not None and wilcoxon.computed
    assert wilcoxon.statistic == pytest.approx(expected["wilcoxon"]["V"], **POINT)
    assert wilcoxon.p == pytest.approx(expected["wilcoxon"]["p"], **POINT)


def test_response_shift_matches_r() -> None:
    analysis, expected = _analysis("responses"), R["responses"]
    assert analysis.n_with_pre == expected["n_with_pre"]
    _compare(analysis.response_shift, expected["response_shift"])
    _compare(analysis.pre_to_now, expected["pre_to_now"])
    assert analysis.mean_pre == pytest.approx(expected["response_shift"]["mean_before"], **POINT)
    assert analysis.mean_then_with_pre == pytest.approx(
        expected["response_shift"]["mean_after"], **POINT
    )


def test_no_real_pre_test_no_response_shift() -> None:
    analysis = _analysis("post_only")
    assert R["post_only"]["n_with_pre"] == 0
    assert analysis.n_with_pre is None and analysis.response_shift is None
    assert analysis.shift_reason is not None and "real pre-test" in analysis.shift_reason
