"""Test-retest agreement statistics against R: every number make_golden_retest.R wrote.

Weighted kappa (unweighted, linear, quadratic) against psych::cohen.kappa with levels = the
scale; the SE of a weighted kappa against Fleiss, Cohen & Everitt (1969) written out in R (not
psych's var.weighted, which differs: see the R script). Option and right/wrong agreement of
keyed answers against psych::cohen.kappa; Wilson CIs against prop.test(correct = FALSE);
Bland-Altman limits, SEM and the smallest detectable change against the formulas and
anova(lm()) in R; Fieller's CI for the share retained against uniroot in R. All closed
formulas: rtol 1e-10 (the JSON carries 15 significant digits).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from imheval.stats.agreement import rating_agreement, weighted_kappa
from imheval.stats.change import retention
from imheval.stats.measurement_error import bland_altman, measurement_error
from imheval.stats.proportions import wilson_ci
from imheval.stats.reliability import cohen_kappa

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "retest_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "retest_r_results.json").read_text())

CLOSE = {"rel": 1e-10, "abs": 1e-12}


def _floats(values: list[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("case", sorted(INPUTS["weighted_kappa"]))
def test_weighted_kappas_match_psych_and_fleiss_cohen_everitt(case: str) -> None:
    data, expected = INPUTS["weighted_kappa"][case], R["weighted_kappa"][case]
    result = rating_agreement(_floats(data["a"]), _floats(data["b"]), data["levels"])
    assert result.n == expected["n"]
    assert result.exact.share == pytest.approx(expected["exact_agreement"], **CLOSE)
    assert result.within_one.share == pytest.approx(expected["within_one"], **CLOSE)
    assert result.unweighted.kappa == pytest.approx(expected["unweighted"]["kappa"], **CLOSE)
    assert result.unweighted.se is not None
    assert result.unweighted.se**2 == pytest.approx(expected["unweighted"]["var"], **CLOSE)
    for name in ("linear", "quadratic"):
        ours = getattr(result, name)
        assert ours.kappa == pytest.approx(expected[name]["kappa"], **CLOSE), name
        assert ours.se is not None
        assert ours.se**2 == pytest.approx(expected[name]["var"], **CLOSE), name


@pytest.mark.parametrize("case", sorted(INPUTS["weighted_kappa"]))
def test_unweighted_kappa_agrees_with_cohen_kappa(case: str) -> None:
    data = INPUTS["weighted_kappa"][case]
    a, b = _floats(data["a"]), _floats(data["b"])
    plain = cohen_kappa(a, b)
    ours = weighted_kappa(a, b, data["levels"], "unweighted")
    assert ours.kappa == pytest.approx(plain.kappa, **CLOSE)
    assert ours.se == pytest.approx(plain.se, **CLOSE)


def test_weighted_kappa_se_also_matches_statsmodels() -> None:
    """A third implementation of Fleiss, Cohen & Everitt (SAS's ASE), where installed."""
    inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")
    for case, data in INPUTS["weighted_kappa"].items():
        a, b = _floats(data["a"]), _floats(data["b"])
        keep = ~(np.isnan(a) | np.isnan(b))
        levels = [float(v) for v in data["levels"]]
        table = np.zeros((len(levels), len(levels)))
        for x, y in zip(a[keep], b[keep], strict=True):
            table[levels.index(x), levels.index(y)] += 1
        for weighting in ("linear", "quadratic"):
            theirs = inter_rater.cohens_kappa(table, wt=weighting)
            ours = weighted_kappa(a, b, data["levels"], weighting)
            assert ours.kappa == pytest.approx(theirs.kappa, **CLOSE), case
            assert ours.se == pytest.approx(theirs.std_kappa, **CLOSE), case


@pytest.mark.parametrize("case", sorted(INPUTS["option_kappa"]))
def test_option_and_score_agreement_match_psych(case: str) -> None:
    data, expected = INPUTS["option_kappa"][case], R["option_kappa"][case]
    a, b = _floats(data["a"]), _floats(data["b"])
    option = cohen_kappa(a, b)
    score = cohen_kappa((a == data["key"]).astype(float), (b == data["key"]).astype(float))
    for ours, theirs in ((option, expected["option"]), (score, expected["score"])):
        assert ours.percent_agreement == pytest.approx(theirs["agreement"], **CLOSE)
        assert ours.kappa == pytest.approx(theirs["kappa"], **CLOSE)
        assert ours.se is not None
        assert ours.se**2 == pytest.approx(theirs["var"], **CLOSE)
    # Two different wrong options agree on the score but not on the option.
    assert score.percent_agreement is not None and option.percent_agreement is not None
    assert score.percent_agreement >= option.percent_agreement


@pytest.mark.parametrize("index", range(len(INPUTS["wilson"])))
def test_wilson_ci_matches_prop_test(index: int) -> None:
    expected = R["wilson"][index]
    ci = wilson_ci(expected["x"], expected["n"])
    assert ci is not None
    assert [ci.low, ci.high] == pytest.approx([expected["low"], expected["high"]], **CLOSE)


@pytest.mark.parametrize("case", sorted(INPUTS["bland_altman"]))
def test_bland_altman_sem_and_sdc_match_r(case: str) -> None:
    data, expected = INPUTS["bland_altman"][case], R["agreement"][case]
    t1, t2 = _floats(data["t1"]), _floats(data["t2"])
    limits = bland_altman(t1, t2)
    theirs = expected["bland_altman"]
    assert limits.n == expected["n"]
    assert limits.bias == pytest.approx(theirs["bias"], **CLOSE)
    assert limits.sd_diff == pytest.approx(theirs["sd"], **CLOSE)
    assert limits.lower == pytest.approx(theirs["lower"], **CLOSE)
    assert limits.upper == pytest.approx(theirs["upper"], **CLOSE)
    for ours, name in (
        (limits.bias_ci, "bias_ci"),
        (limits.lower_ci, "lower_ci"),
        (limits.upper_ci, "upper_ci"),
    ):
        assert ours is not None
        assert [ours.low, ours.high] == pytest.approx(theirs[name], **CLOSE), name
    error = measurement_error(t1, t2)
    theirs = expected["sem"]
    assert error.variance_residual == pytest.approx(theirs["ms_residual"], **CLOSE)
    assert error.variance_administration == pytest.approx(theirs["var_administration"], **CLOSE)
    for name, key in (
        ("sem", "sem_agreement"),
        ("sem_consistency", "sem_consistency"),
        ("sdc_individual", "sdc_individual"),
        ("sdc_group", "sdc_group"),
    ):
        assert getattr(error, name) == pytest.approx(theirs[key], **CLOSE), name


@pytest.mark.parametrize("case", sorted(INPUTS["retention"]))
def test_fieller_ci_for_share_retained_matches_r(case: str) -> None:
    data, expected = INPUTS["retention"][case], R["retention"][case]
    result = retention(_floats(data["pre"]), _floats(data["post"]), _floats(data["followup"]))
    assert result.n == expected["n"]
    assert result.share_retained == pytest.approx(expected["share_retained"], **CLOSE)
    if expected["ci"] is None:
        assert result.share_ci is None and result.share_ci_reason is not None
    else:
        assert result.share_ci is not None
        # uniroot's tolerance (1e-14 on theta) bounds the agreement
        assert [result.share_ci.low, result.share_ci.high] == pytest.approx(
            expected["ci"], rel=1e-9, abs=1e-12
        )
