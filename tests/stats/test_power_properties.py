"""Properties of the planning API for any sensible input (hypothesis).

Power grows with the number of pairs and with the effect; the pairs needed are minimal (one
fewer falls short); a plan for the people it says are needed reaches the target; the smallest
detectable effect has exactly the power asked for; nothing returns NaN.
"""

from __future__ import annotations

import json
import math

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from imheval.stats.power import (
    design_power,
    paired_power,
    pairs_needed,
    plan_study,
    smallest_detectable_effect,
    type_one_error_ignoring_clustering,
)

effects = st.floats(min_value=0.1, max_value=2.5)
pair_counts = st.floats(min_value=2.0, max_value=5000.0)
alphas = st.sampled_from([0.05, 0.01, 0.1, 0.001])
powers = st.floats(min_value=0.5, max_value=0.99)
iccs = st.floats(min_value=0.0, max_value=0.5)
attritions = st.floats(min_value=0.0, max_value=0.6)
cohort_sizes = st.integers(min_value=1, max_value=40)


@given(
    pairs=pair_counts, extra=st.floats(min_value=0.5, max_value=500), effect=effects, alpha=alphas
)
def test_power_grows_with_the_number_of_pairs(
    pairs: float, extra: float, effect: float, alpha: float
) -> None:
    smaller, larger = paired_power(pairs, effect, alpha), paired_power(pairs + extra, effect, alpha)
    assert alpha <= smaller <= 1.0
    assert larger >= smaller - 1e-12


@given(
    pairs=pair_counts, effect=effects, bigger=st.floats(min_value=0.01, max_value=2), alpha=alphas
)
def test_power_grows_with_the_effect(
    pairs: float, effect: float, bigger: float, alpha: float
) -> None:
    assert paired_power(pairs, effect + bigger, alpha) >= paired_power(pairs, effect, alpha) - 1e-12


@given(effect=effects, power=powers, alpha=alphas)
@settings(max_examples=60)
def test_pairs_needed_is_minimal(effect: float, power: float, alpha: float) -> None:
    assume(power > alpha)
    n = pairs_needed(effect, power, alpha)
    assert paired_power(n, effect, alpha) >= power
    if n > 2:
        assert paired_power(n - 1, effect, alpha) < power


@given(
    effect=effects,
    power=powers,
    alpha=alphas,
    cohort_size=cohort_sizes,
    icc=iccs,
    attrition=attritions,
)
@settings(max_examples=60)
def test_a_plan_enrolling_the_people_it_needs_reaches_the_target(
    effect: float, power: float, alpha: float, cohort_size: int, icc: float, attrition: float
) -> None:
    assume(power > alpha)
    plan = plan_study(
        effect, power=power, alpha=alpha, cohort_size=cohort_size, icc=icc, attrition=attrition
    )
    json.dumps(plan.to_dict(), allow_nan=False)
    assert plan.power >= power
    assert plan.people_analysed >= plan.pairs * plan.design_effect - 1e-6
    # up to the relative 1e-9 within which power.py takes a result as whole (floating-point
    # noise: 85 / 0.85 is 100.00000000000001): with an attrition of 1e-9 the exact ceiling is
    # one more person than the noise allowance gives
    assert plan.people_needed * (1 - attrition) >= plan.people_analysed * (1 - 2e-9) - 1e-6
    assert plan.cohorts_needed is not None
    assert plan.cohorts_needed * cohort_size >= plan.people_needed
    # enrolling that many people, the people mode agrees that the target is reached
    check = plan_study(
        effect,
        people=plan.people_needed,
        alpha=alpha,
        cohort_size=cohort_size,
        icc=icc,
        attrition=attrition,
    )
    assert check.people_analysed >= plan.people_analysed
    assert check.power >= power - 1e-9


@given(pairs=pair_counts, power=powers, alpha=alphas)
@settings(max_examples=60)
def test_the_smallest_detectable_effect_has_the_power_asked_for(
    pairs: float, power: float, alpha: float
) -> None:
    assume(power > alpha)
    effect = smallest_detectable_effect(pairs, power=power, alpha=alpha)
    assert effect > 0 and math.isfinite(effect)
    assert math.isclose(paired_power(pairs, effect, alpha), power, abs_tol=1e-9)


@given(
    cohorts=st.integers(min_value=1, max_value=40),
    cohort_size=cohort_sizes,
    effect=st.floats(min_value=0.0, max_value=2.5),
    icc=iccs,
    attrition=attritions,
    alpha=alphas,
)
@settings(max_examples=60)
def test_design_power_never_gives_nan_and_the_cohort_test_never_beats_knowing_the_icc(
    cohorts: int, cohort_size: int, effect: float, icc: float, attrition: float, alpha: float
) -> None:
    design = design_power(cohorts, cohort_size, effect, icc=icc, attrition=attrition, alpha=alpha)
    json.dumps(design.to_dict(), allow_nan=False)
    for row in design.analyses:
        assert (row.power is None) != (row.reason is None)
        if row.power is not None:
            assert 0.0 <= row.power <= 1.0
    participant, cohort = design.analysis("participant"), design.analysis("cohort")
    if participant.power is not None and cohort.power is not None:
        # the same information, but the cohort test has only K - 1 df
        assert cohort.power <= participant.power + 1e-9


@given(
    deff=st.floats(min_value=1.0, max_value=20.0),
    extra=st.floats(min_value=0.01, max_value=5.0),
    people=st.floats(min_value=2.0, max_value=2000.0),
    alpha=alphas,
)
def test_ignoring_clustering_never_rejects_less_often_than_alpha(
    deff: float, extra: float, people: float, alpha: float
) -> None:
    rate = type_one_error_ignoring_clustering(deff, people, alpha)
    assert alpha * (1 - 1e-9) <= rate <= 1.0
    assert type_one_error_ignoring_clustering(deff + extra, people, alpha) >= rate


@given(
    cohorts=st.integers(min_value=1, max_value=12),
    size=cohort_sizes,
    icc=iccs,
    attrition=attritions,
    alpha=alphas,
)
@settings(max_examples=60)
def test_the_clustering_note_never_says_less_than_alpha(
    cohorts: int, size: int, icc: float, attrition: float, alpha: float
) -> None:
    design = design_power(cohorts, size, 0.5, icc=icc, attrition=attrition, alpha=alpha)
    if design.design_effect <= 1.0:
        assert design.clustering_note == ""
    elif design.clustering_note:
        assert "less than 1%" not in design.clustering_note
        assert f"not {alpha * 100:g}%" in design.clustering_note or "a little more" in (
            design.clustering_note
        )
