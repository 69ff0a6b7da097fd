"""The checks and the power curve shared by ``imheval plan`` and the web planning page."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from imheval.stats.planning import (
    PlanInputs,
    cohorts_needed,
    plan_input_problems,
    power_by_cohorts,
)


def paired_power_by_hand(pairs: float, effect: float, alpha: float = 0.05) -> float:
    df = pairs - 1
    critical = stats.t.ppf(1 - alpha / 2, df)
    ncp = effect * math.sqrt(pairs)
    return float(stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp))


def test_a_complete_question_has_no_problems() -> None:
    inputs = PlanInputs(effect=0.5, cohorts=5, cohort_size=12, icc=0.05, attrition=0.1)
    assert plan_input_problems(inputs) == {}
    assert plan_input_problems(PlanInputs(effect=0.5, power=0.9)) == {}
    assert plan_input_problems(PlanInputs(effect=0.5, people=40, cohort_size=10)) == {}


def test_each_problem_is_named_by_its_input() -> None:
    problems = plan_input_problems(
        PlanInputs(effect=None, power=0.8, people=40, icc=1.5, attrition=15, alpha=0)
    )
    assert set(problems) == {"effect", "people", "icc", "attrition", "alpha"}
    assert "not both" in problems["people"]
    assert "0.15 for 15%" in problems["attrition"]


def test_a_design_needs_its_cohort_size_and_no_target_power() -> None:
    problems = plan_input_problems(PlanInputs(effect=0.5, power=0.8, cohorts=1))
    assert "at least 2 cohorts" in problems["cohorts"]
    assert "Give the cohort size" in problems["cohort_size"]
    assert "leave out the target power" in problems["power"]


def test_simulation_is_for_a_design_and_capped() -> None:
    assert "for a design" in plan_input_problems(PlanInputs(effect=0.5, simulate=10))["simulate"]
    capped = PlanInputs(effect=0.5, cohorts=3, cohort_size=5, simulate=30)
    assert "at most 25" in plan_input_problems(capped, max_simulations=25)["simulate"]
    assert plan_input_problems(capped) == {}


@pytest.mark.parametrize("effect", [0.0, -0.5, math.nan, math.inf, 11.0])
def test_an_effect_must_be_a_plausible_positive_number(effect: float) -> None:
    assert "effect" in plan_input_problems(PlanInputs(effect=effect))


def test_power_by_cohorts_follows_the_closed_forms() -> None:
    curve = power_by_cohorts(12, 0.5, icc=0.05, most_cohorts=6)
    assert curve.cohorts == (2, 3, 4, 5, 6)
    design_effect = 1 + 11 * 0.05
    cohort_scale = math.sqrt(0.05 + 0.95 / 12)
    for count, participant, cohort in zip(
        curve.cohorts, curve.participant, curve.cohort, strict=True
    ):
        assert participant == pytest.approx(
            paired_power_by_hand(count * 12 / design_effect, 0.5), abs=1e-9
        )
        assert cohort == pytest.approx(paired_power_by_hand(count, 0.5 / cohort_scale), abs=1e-9)
    assert list(curve.participant) == sorted(curve.participant)  # type: ignore[type-var]
    assert curve.to_dict()["cohorts"] == [2, 3, 4, 5, 6]


def test_cohorts_needed_is_the_first_design_reaching_the_power() -> None:
    curve = power_by_cohorts(12, 0.5, icc=0.05, most_cohorts=40)
    for analysis, powers in (("participant", curve.participant), ("cohort", curve.cohort)):
        expected = next(
            count
            for count, value in zip(curve.cohorts, powers, strict=True)
            if value is not None and value >= 0.8
        )
        assert cohorts_needed(analysis, 12, 0.5, icc=0.05) == expected
    assert cohorts_needed("cohort", 12, 0.5, icc=0.05) == 7
    assert cohorts_needed("cohort", 12, 0.5, icc=0.05, power=0.9) == 8
    assert cohorts_needed("cohort", 1, 0.0001) is None
