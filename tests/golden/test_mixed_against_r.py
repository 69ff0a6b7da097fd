"""imheval.stats.mixed's t-tests against R: every number make_golden_mixed.R wrote.

Five simulated tables (mixed_inputs.json): about 500 people in 3 cohorts (cohort fixed), 7
cohorts (cohort random), pre/post/follow-up in 6 cohorts (random) and in 4 (fixed), and a
singular fit (the cohort variance at zero); and one written out in full, ``edge_participant``,
on which imheval's search once stopped at a participant variance of zero that lme4 puts at
0.108 (tests/stats/test_mixed_edge.py). R: lme4 1.1-31 and lmerTest 3.1-3, REML, each
coefficient tested by ``contest1D(ddf = "Satterthwaite", confint = TRUE)``. The df and p that
make_golden_change.R recorded for its three tables (random and fixed cohort) are checked too.

Tolerances: estimates, standard errors, t and the CI bounds rtol 1e-4 (two optimisers stop
at slightly different points of a flat likelihood); Satterthwaite df and p rtol 1e-3 (both
sides differentiate numerically: lmerTest by Richardson extrapolation, imheval by central
differences; the agreement seen is about 1e-5); variance components rtol 1e-3; the REML
log-likelihood 1e-6 absolute.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from imheval.stats import mixed_model

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "mixed_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "mixed_r_results.json").read_text())
CHANGE_INPUTS: dict[str, Any] = json.loads((HERE / "change_inputs.json").read_text())
CHANGE_R: dict[str, Any] = json.loads((HERE / "change_r_results.json").read_text())

FIXED: dict[str, Any] = {"rel": 1e-4, "abs": 1e-9}
SATTERTHWAITE: dict[str, Any] = {"rel": 1e-3, "abs": 0.0}
VARIANCE: dict[str, Any] = {"rel": 1e-3, "abs": 1e-8}


def _frame(case: str) -> pd.DataFrame:
    return pd.DataFrame(INPUTS["cases"][case]["rows"], columns=INPUTS["columns"])


def test_the_golden_cases_cover_fixed_random_followup_and_singular() -> None:
    cases = R["cases"]
    assert {c["cohort_effect"] for c in cases.values()} == {"fixed", "random"}
    assert any("timefollowup" in c["fixed_effects"] for c in cases.values())
    assert any(c["singular"] for c in cases.values())
    assert max(c["n_participants"] for c in cases.values()) > 500
    assert all(c["warnings"] == [] for c in cases.values())


@pytest.mark.parametrize("case", sorted(INPUTS["cases"]))
def test_fixed_effect_t_tests_match_lmertest_satterthwaite(case: str) -> None:
    expected = R["cases"][case]
    result = mixed_model(_frame(case))  # the cohort rule picks the model R fitted
    assert result.computed, result.reason
    assert result.cohort_effect == expected["cohort_effect"]
    assert (result.n_observations, result.n_participants, result.n_cohorts) == (
        expected["n_obs"],
        expected["n_participants"],
        expected["n_cohorts"],
    )
    assert "Satterthwaite" in result.method
    assert [e.term for e in result.fixed_effects] == list(expected["fixed_effects"])
    for term, theirs in expected["fixed_effects"].items():
        ours = result.fixed_effect(term)
        assert ours is not None
        assert ours.estimate == pytest.approx(theirs["estimate"], **FIXED), term
        assert ours.se == pytest.approx(theirs["se"], **FIXED), term
        assert ours.statistic == pytest.approx(theirs["t"], **FIXED), term
        assert ours.df == pytest.approx(theirs["df"], **SATTERTHWAITE), term
        assert ours.p == pytest.approx(theirs["p"], **SATTERTHWAITE), term
        assert ours.ci.to_list() == pytest.approx(theirs["ci"], **FIXED), term
        assert ours.ci.level == 0.95


@pytest.mark.parametrize("case", sorted(INPUTS["cases"]))
def test_variance_components_and_likelihood_match_lme4(case: str) -> None:
    _assert_components_match(mixed_model(_frame(case)), R["cases"][case])


def _assert_components_match(result: Any, expected: dict[str, Any]) -> None:
    """Variance components, REML log-likelihood and the singular flag as lme4 gave them."""
    components = result.variance_components
    assert components is not None
    assert components.participant == pytest.approx(expected["var_participant"], **VARIANCE)
    assert components.residual == pytest.approx(expected["var_residual"], **VARIANCE)
    if expected["var_cohort"] is None:
        assert components.cohort is None
    else:
        assert components.cohort == pytest.approx(expected["var_cohort"], **VARIANCE)
    assert result.log_likelihood == pytest.approx(expected["loglik_reml"], rel=0, abs=1e-6)
    assert result.singular == expected["singular"]


@pytest.mark.parametrize("dataset", sorted(CHANGE_INPUTS["lmm"]))
@pytest.mark.parametrize(("effect", "fit"), [("random", "nested"), ("fixed", "fixed")])
def test_satterthwaite_df_and_p_match_the_change_golden_fits(
    dataset: str, effect: str, fit: str
) -> None:
    # make_golden_change.R recorded lmerTest's df and p for both structures of three more
    # tables (one with a singular fit); they are compared here.
    data = CHANGE_INPUTS["lmm"][dataset]
    frame = pd.DataFrame(data["rows"], columns=data["columns"])
    expected = CHANGE_R["lmm"][dataset][fit]
    result = mixed_model(frame, cohort_effect=effect)  # type: ignore[arg-type]
    assert result.computed, result.reason
    for term, df in expected["satterthwaite_df_reference_only"].items():
        ours = result.fixed_effect(term)
        assert ours is not None
        assert ours.df == pytest.approx(df, **SATTERTHWAITE), term
        p = expected["satterthwaite_p_reference_only"][term]
        assert ours.p == pytest.approx(p, **SATTERTHWAITE), term


def test_json_gives_each_coefficient_its_degrees_of_freedom() -> None:
    data = mixed_model(_frame("followup_six_cohorts")).to_dict()
    expected = R["cases"]["followup_six_cohorts"]["fixed_effects"]
    assert [e["term"] for e in data["fixed_effects"]] == list(expected)
    for entry in data["fixed_effects"]:
        assert set(entry) == {"term", "label", "estimate", "se", "statistic", "df", "p", "ci"}
        assert entry["df"] == pytest.approx(expected[entry["term"]]["df"], **SATTERTHWAITE)
    # Few cohorts: the intercept's df (about 5.5) is far below the time effects' (about 120).
    intercept, post = data["fixed_effects"][0]["df"], data["fixed_effects"][1]["df"]
    assert intercept < 10 < 100 < post


@pytest.mark.parametrize("case", sorted(INPUTS["cases"]))
def test_the_statsmodels_fallback_also_matches_lme4(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The profiled search is the default; should it fail, statsmodels' fit must still be R's."""
    from imheval.stats import mixed

    monkeypatch.setattr(mixed, "_profiled_reml_fit", lambda *args: None)
    expected = R["cases"][case]
    result = mixed_model(_frame(case))
    assert result.method == mixed.METHOD_FALLBACK
    _assert_components_match(result, expected)
    for term, theirs in expected["fixed_effects"].items():
        ours = result.fixed_effect(term)
        assert ours is not None
        assert ours.estimate == pytest.approx(theirs["estimate"], **FIXED), term
        assert ours.df == pytest.approx(theirs["df"], **SATTERTHWAITE), term
