"""imheval.stats.mixed.interaction: the model chosen and why, reasons instead of errors, JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from imheval.errors import AnalysisError
from imheval.stats.mixed.general import Problem, cholesky_factor, fit, lower_bounds
from imheval.stats.mixed.interaction import FORMULAS, cohort_icc, programme_time_model

sys.path.insert(0, str(Path(__file__).parents[1] / "golden"))
from make_programme_inputs import simulate


def test_two_programmes_with_enough_cohorts_fit_random_slopes() -> None:
    result = programme_time_model(simulate(8, ["A", "B"], seed=1))
    assert result.computed
    assert result.structure == "slopes"
    assert result.formula == FORMULAS["slopes"]
    assert "8 cohorts" in result.structure_reason
    assert result.cohort_terms == ("(Intercept)", "timepost")
    assert len(result.cohort_covariance) == 2
    assert result.interaction is not None and result.interaction.numerator_df == 1
    # with one interaction coefficient the F test is its t-test squared
    term = next(e for e in result.fixed_effects if e.term == "timepost:programmeB")
    assert result.interaction.f == pytest.approx(term.statistic**2, rel=1e-9)
    assert result.interaction.denominator_df == pytest.approx(term.df, rel=1e-9)
    assert [(c.programme, c.time) for c in result.changes] == [("A", "post"), ("B", "post")]
    # programme B's change is the reference change plus the interaction
    post = next(e for e in result.fixed_effects if e.term == "timepost")
    assert result.changes[1].estimate == pytest.approx(post.estimate + term.estimate)


def test_three_programmes_are_tested_together_by_f() -> None:
    result = programme_time_model(simulate(9, ["A", "B", "C"], per=9, seed=2))
    assert result.interaction is not None
    assert result.interaction.numerator_df == 2
    assert "F(2, " in result.interaction.apa()


def test_singular_slopes_fall_back_to_intercepts_and_say_so() -> None:
    result = programme_time_model(simulate(7, ["A", "B"], slope_sd=0.0, seed=10))
    assert result.structure == "intercepts"
    assert result.formula == FORMULAS["intercepts"]
    assert "singular" in result.structure_reason


def test_fewer_than_five_cohorts_use_people_only_and_say_cohorts_are_not_allowed_for() -> None:
    result = programme_time_model(simulate(4, ["A", "B"], per=12, seed=6))
    assert result.structure == "participant"
    assert "not for differences between cohorts" in result.structure_reason
    assert result.cohort_covariance == ()


def test_one_programme_is_a_reason_not_an_error() -> None:
    result = programme_time_model(simulate(6, ["A"], seed=3))
    assert not result.computed
    assert "two programmes" in (result.reason or "")


def test_no_pre_scores_is_a_reason() -> None:
    frame = simulate(6, ["A", "B"], seed=3)
    result = programme_time_model(frame[frame["time"] != "pre"])
    assert not result.computed and "pre-test" in (result.reason or "")


def test_unknown_structure_is_a_callers_mistake() -> None:
    with pytest.raises(AnalysisError, match="structure"):
        programme_time_model(simulate(6, ["A", "B"]), structure="nested")


def test_json_has_no_nan_and_every_key() -> None:
    result = programme_time_model(simulate(8, ["A", "B"], followup=True, seed=1))
    text = json.dumps(result.to_dict(), allow_nan=False)
    data = json.loads(text)
    for key in (
        "formula",
        "structure",
        "structure_reason",
        "fixed_effects",
        "interaction",
        "changes",
        "cohort_covariance",
        "participant_variance",
        "residual_variance",
    ):
        assert key in data
    assert {c["time"] for c in data["changes"]} == {"post", "followup"}


def test_icc_and_design_effect() -> None:
    rng = np.random.default_rng(4)
    cohort = np.repeat([f"c{i}" for i in range(10)], 12)
    gain = np.repeat(rng.normal(0, 2, 10), 12) + rng.normal(0, 2, 120)
    result = cohort_icc(pd.DataFrame({"cohort": cohort, "gain": gain}))
    assert result.computed
    assert result.mean_cohort_size == 12
    assert result.icc is not None and 0 < result.icc < 1
    assert result.design_effect == pytest.approx(1 + 11 * result.icc)
    assert result.effective_n == pytest.approx(120 / result.design_effect)
    json.dumps(result.to_dict(), allow_nan=False)


def test_icc_reasons() -> None:
    one = cohort_icc(pd.DataFrame({"cohort": ["a"] * 5, "gain": [1.0, 2, 3, 4, 5]}))
    assert not one.computed and "2 or more cohorts" in (one.reason or "")
    same = cohort_icc(pd.DataFrame({"cohort": ["a", "a", "b", "b"], "gain": [1.0] * 4}))
    assert not same.computed and "same" in (same.reason or "")


def test_general_fitter_bounds_and_factor() -> None:
    problem = Problem(
        np.zeros(4),
        np.ones((4, 1)),
        np.ones((4, 2)),
        np.zeros(4, dtype=np.int64),
        np.arange(4),
        True,
    )
    assert lower_bounds(problem) == [0.0, 0.0, None, 0.0]
    assert cholesky_factor(np.array([1.0, 2.0, 3.0]), 2).tolist() == [[1.0, 0.0], [2.0, 3.0]]
    assert fit(problem) is None  # no variation: no finite criterion
