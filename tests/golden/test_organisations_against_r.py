"""imheval.stats.organisations against R: every number make_golden_organisations.R wrote.

Six simulated tables of people's gains (organisations_inputs.json): 2, 3, 5, 6 and 12
organisations, cohorts of 1 to 40 people, singular fits (the organisation variance at zero, and
both variances at zero). R fitted the people's own gains with lme4 1.1-31 and lmerTest 3.1-3:
``lmer(gain ~ 1 + (1 | organisation) + (1 | organisation:cohort), REML = TRUE)``, the intercept
tested by ``contest1D(ddf = "Satterthwaite", confint = TRUE)``, organisations by
``ranova()``. imheval sees only each cohort's n, mean and SD, computed here from the same rows.

Tolerances, as tests/golden/test_mixed_against_r.py: the mean gain, its SE, t and CI rtol 1e-4;
Satterthwaite df and the t-test's p rtol 1e-3; variance components rtol 1e-3 (a variance R puts
at zero must be below 1e-6 of the residual variance); REML log-likelihoods 1e-6 absolute; the
likelihood-ratio statistic 1e-5 absolute and its p rtol 1e-4.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from imheval.stats.organisations import CohortSummary, compare_organisations

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "organisations_inputs.json").read_text())
R: dict[str, Any] = json.loads((HERE / "organisations_r_results.json").read_text())

FIXED: dict[str, Any] = {"rel": 1e-4, "abs": 1e-9}
SATTERTHWAITE: dict[str, Any] = {"rel": 1e-3, "abs": 0.0}
VARIANCE: dict[str, Any] = {"rel": 1e-3, "abs": 1e-8}
LIKELIHOOD: dict[str, Any] = {"rel": 0.0, "abs": 1e-6}


def summaries(case: str) -> list[CohortSummary]:
    """The cohort summaries a region would see: n, mean and SD (None for one person)."""
    frame = pd.DataFrame(INPUTS["cases"][case]["rows"], columns=INPUTS["columns"])
    grouped = frame.groupby(["organisation", "cohort"], sort=True)["gain"]
    table = grouped.agg(["size", "mean", "std"]).reset_index()
    return [
        CohortSummary(
            organisation=str(row.organisation),
            cohort=str(row.cohort),
            n=int(row.size),
            mean=float(row.mean),
            sd=None if row.size == 1 else float(row.std),
        )
        for row in table.itertuples(index=False)
    ]


def test_the_golden_cases_cover_what_the_brief_asks() -> None:
    cases = R["cases"]
    assert sorted(c["n_organisations"] for c in cases.values()) == [2, 3, 5, 6, 6, 12]
    assert any(c["singular"] and c["var_organisation"] == 0 for c in cases.values())
    assert any(not c["singular"] for c in cases.values())
    assert any(c["ranova"]["p"] < 0.05 for c in cases.values())
    assert any(c["ranova"]["p"] > 0.05 for c in cases.values())
    assert any(s.n == 1 for s in summaries("unequal_with_singletons"))
    assert all(c["warnings"] == [] for c in cases.values())


@pytest.mark.parametrize("case", sorted(INPUTS["cases"]))
def test_mean_gain_matches_lmertest_contest1d(case: str) -> None:
    expected = R["cases"][case]
    result = compare_organisations(summaries(case))
    assert result.computed, result.reason
    assert (result.people, result.cohorts, result.organisations) == (
        expected["n_obs"],
        expected["n_cohorts"],
        expected["n_organisations"],
    )
    theirs = expected["intercept"]
    assert result.mean_gain == pytest.approx(theirs["estimate"], **FIXED)
    assert result.se == pytest.approx(theirs["se"], **FIXED)
    assert result.t == pytest.approx(theirs["t"], **FIXED)
    assert result.df == pytest.approx(theirs["df"], **SATTERTHWAITE)
    assert result.p_mean == pytest.approx(theirs["p"], **SATTERTHWAITE)
    assert result.ci is not None
    assert result.ci.to_list() == pytest.approx(theirs["ci"], **SATTERTHWAITE)
    assert result.ci.level == 0.95


@pytest.mark.parametrize("case", sorted(INPUTS["cases"]))
def test_variance_components_and_likelihoods_match_lme4(case: str) -> None:
    expected = R["cases"][case]
    result = compare_organisations(summaries(case))
    residual = expected["var_residual"]
    assert result.variance_residual == pytest.approx(residual, **VARIANCE)
    for ours, theirs in (
        (result.variance_organisation, expected["var_organisation"]),
        (result.variance_cohort, expected["var_cohort"]),
    ):
        assert ours is not None
        if theirs == 0:
            assert 0 <= ours < 1e-6 * residual
        else:
            assert ours == pytest.approx(theirs, **VARIANCE)
    assert result.log_likelihood == pytest.approx(expected["loglik_reml"], **LIKELIHOOD)
    assert result.log_likelihood_without_organisation == pytest.approx(
        expected["loglik_reml_without_organisation"], **LIKELIHOOD
    )
    assert result.singular == (expected["var_organisation"] == 0)


@pytest.mark.parametrize("case", sorted(INPUTS["cases"]))
def test_organisation_test_matches_lmertest_ranova(case: str) -> None:
    expected = R["cases"][case]["ranova"]
    result = compare_organisations(summaries(case))
    assert expected["df"] == 1
    # R's statistic can be a rounding-sized negative number when the variance is at zero;
    # imheval's is never below zero (the models are nested), and p is then 1 on both sides.
    assert result.lrt_statistic == pytest.approx(max(0.0, expected["lrt"]), rel=0, abs=1e-5)
    assert result.p_value == pytest.approx(expected["p"], rel=1e-4, abs=1e-6)
    assert result.p_value_boundary == pytest.approx(expected["p"] / 2, rel=1e-4, abs=1e-6)
    assert result.differ == (expected["p"] < 0.05)


def test_the_share_between_organisations_is_their_variance_over_all_three() -> None:
    expected = R["cases"]["twelve_organisations"]
    result = compare_organisations(summaries("twelve_organisations"))
    total = expected["var_organisation"] + expected["var_cohort"] + expected["var_residual"]
    assert result.icc_organisation == pytest.approx(expected["var_organisation"] / total, rel=1e-3)
    assert result.icc_organisation is not None and 0.2 < result.icc_organisation < 0.3
    sentence = result.plain_sentence()
    assert sentence.startswith("The change differed between organisations more than chance")
    assert "(p < 0.001)" in sentence
    assert f"{round(100 * result.icc_organisation)}% of the variation" in sentence


def test_organisation_means_are_the_raw_means_of_their_people() -> None:
    frame = pd.DataFrame(
        INPUTS["cases"]["unequal_with_singletons"]["rows"], columns=INPUTS["columns"]
    )
    result = compare_organisations(summaries("unequal_with_singletons"))
    by_organisation = frame.groupby("organisation")["gain"]
    assert [m.organisation for m in result.organisation_means] == sorted(by_organisation.groups)
    for row in result.organisation_means:
        gains = by_organisation.get_group(row.organisation)
        assert row.n == gains.size
        assert row.cohorts == frame[frame.organisation == row.organisation].cohort.nunique()
        assert row.mean == pytest.approx(float(gains.mean()), rel=1e-12)
        assert row.sd is not None
        assert row.sd == pytest.approx(float(gains.std()), rel=1e-10)
        assert math.isfinite(row.sd)
