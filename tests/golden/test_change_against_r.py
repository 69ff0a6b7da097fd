"""imheval.stats.change and .mixed against R: every number make_golden_change.R wrote.

Reliable change and retention are closed formulas: rtol 1e-12. Mixed models (lme4 1.1-31,
REML): fixed effects and their standard errors to rtol 1e-4, variance components to rtol 1e-3
(two optimisers stop at slightly different points of a flat likelihood), the REML
log-likelihood to 1e-6 absolute. Coefficients that are zero in theory (about 1e-14 in R) are
compared with an absolute tolerance. The Satterthwaite df and p this script's R run recorded
are compared in test_mixed_against_r.py, beside make_golden_mixed.R's cases. The shared
second-opinion vectors (second_opinion/golden_vectors.json, analyses 'rci' and 'lmm') are
checked here too; their p-values are Wald z (statsmodels), so only their estimates, SEs and
variance components are compared.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from imheval.stats import MixedModelResult, mixed_model, reliable_change, retention

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "change_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "change_r_results.json").read_text())
SHARED: dict[str, Any] = json.loads((HERE / "second_opinion" / "golden_vectors.json").read_text())

CLOSED = {"rel": 1e-12, "abs": 1e-12}
FIXED = {"rel": 1e-4, "abs": 1e-9}
VARIANCE = {"rel": 1e-3, "abs": 1e-9}


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _frame(dataset: str) -> pd.DataFrame:
    data = INPUTS["lmm"][dataset]
    return pd.DataFrame(data["rows"], columns=data["columns"])


@pytest.mark.parametrize("case", sorted(INPUTS["rci"]))
def test_reliable_change_matches_r(case: str) -> None:
    data, expected = INPUTS["rci"][case], R["rci"][case]
    result = reliable_change(data["pre"], data["post"], data["r_xx"], sd_pre=data["sd_pre"])
    assert result.computed
    assert result.n == expected["n"]
    for name in ("sd_pre", "se_measurement", "se_diff", "minimum_reliable_change"):
        assert getattr(result, name) == pytest.approx(expected[name], **CLOSED), name
    assert (result.n_improved, result.n_no_change, result.n_declined) == (
        expected["n_improved"],
        expected["n_no_change"],
        expected["n_declined"],
    )
    r_rci = expected["rci"]
    assert len(result.rci) == len(r_rci)
    for ours, theirs in zip(result.rci, r_rci, strict=True):
        if theirs is None:
            assert ours is None
        else:
            assert ours == pytest.approx(theirs, **CLOSED)


def test_retention_matches_r() -> None:
    data, expected = INPUTS["retention"]["lmm_long_wide"], R["retention"]["lmm_long_wide"]
    result = retention(data["pre"], data["post"], data["followup"])
    assert result.n == expected["n"]
    for name in (
        "mean_pre",
        "mean_post",
        "mean_followup",
        "gain_post",
        "gain_followup",
        "share_retained",
    ):
        assert getattr(result, name) == pytest.approx(expected[name], **CLOSED), name


def _check_model(result: MixedModelResult, expected: dict[str, Any]) -> None:
    assert result.computed, result.reason
    assert result.converged
    assert result.n_observations == expected["n_obs"]
    assert [e.term for e in result.fixed_effects] == list(expected["fixef"])
    for term, value in expected["fixef"].items():
        effect = result.fixed_effect(term)
        assert effect is not None
        assert effect.estimate == pytest.approx(value, **FIXED), term
        assert effect.se == pytest.approx(expected["se"][term], **FIXED), term
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


@pytest.mark.parametrize("dataset", sorted(INPUTS["lmm"]))
def test_nested_mixed_model_matches_lme4(dataset: str) -> None:
    result = mixed_model(_frame(dataset), cohort_effect="random")
    assert result.cohort_effect == "random"
    assert result.formula == "score ~ time + (1 | cohort) + (1 | cohort:participant)"
    expected = R["lmm"][dataset]
    assert (result.n_participants, result.n_cohorts) == (
        expected["n_participants"],
        expected["n_cohorts"],
    )
    _check_model(result, expected["nested"])


@pytest.mark.parametrize("dataset", sorted(INPUTS["lmm"]))
def test_fixed_cohort_mixed_model_matches_lme4(dataset: str) -> None:
    result = mixed_model(_frame(dataset), cohort_effect="fixed")
    assert result.cohort_effect == "fixed"
    assert result.formula == "score ~ time + cohort + (1 | participant)"
    _check_model(result, R["lmm"][dataset]["fixed"])


def test_auto_uses_fixed_cohort_for_the_four_cohort_golden_set() -> None:
    result = mixed_model(_frame("lmm_long"))
    assert result.cohort_effect == "fixed"
    assert result.cohort_effect_reason is not None
    assert "fewer than 5 cohorts" in result.cohort_effect_reason
    _check_model(result, R["lmm"]["lmm_long"]["fixed"])


def test_auto_uses_random_cohort_for_the_six_cohort_golden_set() -> None:
    result = mixed_model(_frame("six_cohorts"))
    assert result.cohort_effect == "random"
    assert result.cohort_effect_reason is None
    _check_model(result, R["lmm"]["six_cohorts"]["nested"])


# --- the shared second-opinion vectors ---------------------------------------------------------


def _shared_cases(analysis: str) -> list[dict[str, Any]]:
    return [c for c in SHARED["cases"] if c["analysis"] == analysis]


def _passes(actual: float, case: dict[str, Any]) -> bool:
    expected = float(case["expected"])
    return abs(actual - expected) <= case["atol"] + case["rtol"] * abs(expected)


def test_shared_rci_cases_pass() -> None:
    data = SHARED["datasets"]["individual_prepost"]
    r_xx = SHARED["datasets"]["rci"]["r_xx"]
    result = reliable_change(_floats(data["pre"]), _floats(data["post"]), r_xx)
    by_id = dict(zip(data["id"], result.rci, strict=True))
    cases = _shared_cases("rci")
    assert len(cases) == 16
    for case in cases:
        quantity = case["quantity"]
        if quantity == "se_diff":
            assert result.se_diff is not None and _passes(result.se_diff, case)
        elif quantity.startswith("rci[id="):
            value = by_id[int(quantity[len("rci[id=") : -1])]
            assert value is not None and _passes(value, case), quantity
        else:
            flags = [int((by_id[i] or 0.0) > 1.96) for i in case["ids"]]
            assert flags == case["expected"]
            assert result.n_improved == sum(case["expected"])


def test_shared_lmm_reml_cases_pass() -> None:
    rows = [
        [r[0], r[1], "followup" if r[2] == "follow" else r[2], r[3]]
        for r in SHARED["datasets"]["lmm_long"]["rows"]
    ]
    frame = pd.DataFrame(rows, columns=["participant", "cohort", "time", "score"])
    result = mixed_model(frame, cohort_effect="random")
    components = result.variance_components
    assert components is not None
    actual = {
        "fixef (Intercept)": result.fixed_effect("(Intercept)"),
        "fixef timepost": result.fixed_effect("timepost"),
        "fixef timefollow": result.fixed_effect("timefollowup"),
    }
    ses = {
        "se (Intercept)": "(Intercept)",
        "se timepost": "timepost",
        "se timefollow": "timefollowup",
    }
    variances = {
        "var_cohort": components.cohort,
        "var_id_in_cohort": components.participant,
        "var_resid": components.residual,
        "logLik": result.log_likelihood,
    }
    cases = [c for c in _shared_cases("lmm") if ".lmm_REML." in c["id"]]
    assert len(cases) == 10
    for case in cases:
        quantity = case["quantity"]
        value: float | None
        if quantity in actual:
            effect = actual[quantity]
            value = None if effect is None else effect.estimate
        elif quantity in ses:
            effect = result.fixed_effect(ses[quantity])
            value = None if effect is None else effect.se
        else:
            value = variances[quantity]
        assert value is not None and _passes(value, case), case["id"]


def test_shared_lmm_p_value_is_lmertests_not_wald_z() -> None:
    """The shared vectors record the one place R and statsmodels disagree by design: the p of
    timepost, 6.7e-13 from lmerTest's Satterthwaite t against 7.4e-27 from a Wald z. imheval's
    must be R's."""
    quirks = SHARED["library_quirks"]
    quirk = next(q for q in quirks if q["quantity"].startswith("QUIRK p timepost: lmerTest"))
    rows = [
        [r[0], r[1], "followup" if r[2] == "follow" else r[2], r[3]]
        for r in SHARED["datasets"]["lmm_long"]["rows"]
    ]
    frame = pd.DataFrame(rows, columns=["participant", "cohort", "time", "score"])
    effect = mixed_model(frame, cohort_effect="random").fixed_effect("timepost")
    assert effect is not None and effect.p is not None
    assert effect.p == pytest.approx(quirk["values"]["R"], rel=1e-3)
    assert effect.p > 1e6 * quirk["values"]["statsmodels"]
