"""imheval.stats.mixed.interaction against R: every number make_golden_programme.R wrote.

lme4 1.1-31 and lmerTest 3.1-3, REML. Tolerances as the main mixed model's golden tests
(test_mixed_against_r.py): fixed effects, standard errors, t and CI bounds rtol 1e-4; variance
components rtol 1e-3 (two optimisers stop at slightly different points of a flat likelihood);
Satterthwaite df, F and p rtol 1e-3; the REML log-likelihood 1e-6 absolute. The automatic
choice of model (random slopes unless singular; fewer than 5 cohorts: participant only) must
be the one R's isSingular() supports.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from imheval.stats.mixed.interaction import ProgrammeTimeModel, cohort_icc, programme_time_model

HERE = Path(__file__).parent
INPUTS: dict[str, Any] = json.loads((HERE / "programme_inputs.json").read_text())["cases"]
R: dict[str, Any] = json.loads((HERE / "programme_r_results.json").read_text())["cases"]

FIXED = {"rel": 1e-4, "abs": 1e-8}
VARIANCE = {"rel": 1e-3, "abs": 1e-6}
TESTS = {"rel": 1e-3, "abs": 1e-9}

FITS = [
    (case, structure)
    for case in sorted(R)
    for structure in ("slopes", "intercepts", "participant")
    if structure in R[case]
]


def _frame(case: str) -> pd.DataFrame:
    data = INPUTS[case]
    return pd.DataFrame(data["rows"], columns=data["columns"])


def _expected_structure(case: str) -> str:
    expected = R[case]
    if "participant" in expected:
        return "participant"
    return "intercepts" if expected["slopes"]["singular"] else "slopes"


@pytest.mark.parametrize("case", sorted(R))
def test_the_automatic_choice_is_the_one_r_supports(case: str) -> None:
    result = programme_time_model(_frame(case))
    assert result.computed, result.reason
    assert result.structure == _expected_structure(case)
    assert result.structure_reason


@pytest.mark.parametrize(("case", "structure"), FITS)
def test_model_matches_r(case: str, structure: str) -> None:
    expected = R[case][structure]
    result: ProgrammeTimeModel = programme_time_model(_frame(case), structure=structure)
    assert result.computed, result.reason
    assert [e.term for e in result.fixed_effects] == expected["terms"]
    ours = result.fixed_effects
    assert [e.estimate for e in ours] == pytest.approx(expected["estimate"], **FIXED)
    assert [e.se for e in ours] == pytest.approx(expected["se"], **FIXED)
    assert [e.statistic for e in ours] == pytest.approx(expected["t"], **FIXED)
    if not expected["singular"]:  # at a boundary the df depend on the optimiser's end point
        assert [e.df for e in ours] == pytest.approx(expected["df"], **TESTS)
        assert [e.p for e in ours] == pytest.approx(expected["p"], **TESTS)
    assert result.residual_variance == pytest.approx(expected["residual_variance"], **VARIANCE)
    assert result.participant_variance == pytest.approx(
        expected["participant_variance"], **VARIANCE
    )
    if expected["cohort_covariance"]:
        assert np.array(result.cohort_covariance) == pytest.approx(
            np.atleast_2d(np.array(expected["cohort_covariance"], dtype=float)),
            rel=1e-3,
            abs=1e-3 if expected["singular"] else 1e-4,
        )
    assert result.log_likelihood == pytest.approx(expected["log_likelihood"], abs=1e-6)
    assert result.singular == expected["singular"]
    interaction = result.interaction
    assert interaction is not None
    r_test = expected["interaction"]
    assert interaction.numerator_df == r_test["numdf"]
    assert interaction.f == pytest.approx(r_test["f"], **TESTS)
    if not expected["singular"]:
        assert interaction.denominator_df == pytest.approx(r_test["dendf"], **TESTS)
        assert interaction.p == pytest.approx(r_test["p"], **TESTS)
    assert len(result.changes) == len(expected["changes"])
    for change, theirs in zip(result.changes, expected["changes"], strict=True):
        assert (change.programme, change.time) == (theirs["programme"], theirs["time"])
        assert change.estimate == pytest.approx(theirs["estimate"], **FIXED)
        assert change.se == pytest.approx(theirs["se"], **FIXED)
        if not expected["singular"]:
            assert change.df == pytest.approx(theirs["df"], **TESTS)
            assert change.p == pytest.approx(theirs["p"], **TESTS)
            assert change.ci.low == pytest.approx(theirs["lower"], **FIXED)
            assert change.ci.high == pytest.approx(theirs["upper"], **FIXED)


@pytest.mark.parametrize("case", sorted(R))
def test_cohort_icc_matches_r(case: str) -> None:
    frame = _frame(case)
    wide = frame.pivot_table(
        index=["cohort", "participant"], columns="time", values="score", aggfunc="first"
    ).dropna(subset=["pre", "post"])
    gains = pd.DataFrame(
        {"cohort": wide.index.get_level_values("cohort"), "gain": wide["post"] - wide["pre"]}
    )
    expected = R[case]["icc"]
    result = cohort_icc(gains)
    assert result.computed, result.reason
    assert result.n_participants == expected["n"]
    assert result.n_cohorts == expected["n_cohorts"]
    assert result.cohort_variance == pytest.approx(expected["cohort_variance"], rel=1e-3, abs=1e-6)
    assert result.residual_variance == pytest.approx(expected["residual_variance"], **VARIANCE)
    assert result.singular == expected["singular"]
    between, within = expected["cohort_variance"], expected["residual_variance"]
    icc = between / (between + within)
    assert result.icc == pytest.approx(icc, rel=1e-3, abs=1e-6)
    size = expected["n"] / expected["n_cohorts"]
    assert result.design_effect == pytest.approx(1 + (size - 1) * icc, rel=1e-3, abs=1e-6)
