"""Planning a study (imheval.stats.power): the plan contract, design power, bad input.

The numbers against R are in tests/golden/test_power_against_r.py; these tests pin behaviour:
the order of the plan arithmetic, the rounding, the words, the JSON and the refusals.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator

import pytest
from scipy import stats

from imheval.reports.plan_words import design_sentences, percent, power_figure
from imheval.stats.power import (
    MAX_PAIRS,
    AnalysisPower,
    DesignPower,
    StudyPlan,
    design_effect,
    design_power,
    paired_power,
    pairs_needed,
    plan_study,
    smallest_detectable_effect,
    type_one_error_ignoring_clustering,
)


def test_paired_power_of_34_pairs_at_half_an_sd_is_about_81_percent() -> None:
    # pwr.t.test(n = 34, d = 0.5, type = "paired")$power = 0.80777750127944
    assert paired_power(34, 0.5) == pytest.approx(0.80777750127944, rel=1e-9)


def test_paired_power_with_no_effect_is_alpha_and_ignores_the_sign() -> None:
    assert paired_power(20, 0.0, alpha=0.05) == 0.05
    assert paired_power(20, -0.4) == paired_power(20, 0.4)


def test_paired_power_does_not_collapse_at_large_noncentrality() -> None:
    # scipy's nct.cdf(-t, 199, 11.3) is NaN; the power must still be 1, not 0.
    assert paired_power(200, 0.8, alpha=0.01) == pytest.approx(1.0)
    assert paired_power(1_000_000, 0.05) == pytest.approx(1.0)


@pytest.mark.parametrize("pairs", [1.99, 1, 0, -3, math.nan, math.inf])
def test_paired_power_refuses_fewer_than_two_pairs(pairs: float) -> None:
    with pytest.raises(ValueError, match="at least 2 analysed pairs"):
        paired_power(pairs, 0.5)


def test_pairs_needed_is_the_smallest_whole_number_reaching_the_target() -> None:
    n = pairs_needed(0.5, power=0.8)
    assert n == 34
    assert paired_power(n, 0.5) >= 0.8 > paired_power(n - 1, 0.5)


def test_pairs_needed_for_a_huge_effect_is_two() -> None:
    assert pairs_needed(20.0, power=0.8) == 2


def test_pairs_needed_refuses_an_effect_too_small_to_plan_for() -> None:
    with pytest.raises(ValueError, match=f"more than {MAX_PAIRS:,} analysed pairs"):
        pairs_needed(0.001, power=0.9)


def test_plan_without_clustering_or_attrition_is_the_paired_t_answer() -> None:
    plan = plan_study(0.5, power=0.8)
    assert (plan.pairs, plan.design_effect, plan.people_analysed, plan.people_needed) == (
        34,
        1.0,
        34,
        34,
    )
    assert plan.cohorts_needed is None
    assert plan.power == pytest.approx(paired_power(34, 0.5))
    assert plan.mode == "power"


def test_plan_follows_the_contract_order_design_effect_then_attrition_then_cohorts() -> None:
    plan = plan_study(0.5, power=0.8, cohort_size=20, icc=0.05, attrition=0.2)
    assert plan.design_effect == pytest.approx(1.95)
    assert plan.people_analysed == math.ceil(34 * 1.95) == 67
    assert plan.people_needed == math.ceil(67 / 0.8) == 84
    assert plan.cohorts_needed == math.ceil(84 / 20) == 5
    # the power achieved by 67 analysed people worth 67 / 1.95 independent pairs
    assert plan.power == pytest.approx(paired_power(67 / 1.95, 0.5))
    assert plan.power >= 0.8


def test_plan_rounds_whole_products_without_floating_point_noise() -> None:
    # 10 * 1.1 is 11.000000000000002 in floating point; the plan must need 11 people, not 12.
    plan = plan_study(1.2, power=0.8, cohort_size=3, icc=0.05)
    assert plan.pairs == 8
    assert plan.design_effect == pytest.approx(1.1)
    assert plan.people_analysed == 9  # ceil(8 * 1.1 = 8.8)
    ten = plan_study(1.05, power=0.8, cohort_size=3, icc=0.05)
    assert ten.pairs == 10 and ten.people_analysed == 11


def test_a_cohort_size_without_an_icc_plans_cohorts_with_no_design_effect() -> None:
    plan = plan_study(0.5, power=0.8, cohort_size=12, attrition=0.1)
    assert plan.design_effect == 1.0
    assert (plan.people_analysed, plan.people_needed, plan.cohorts_needed) == (34, 38, 4)


def test_plan_for_given_people_gives_the_power_of_the_effective_pairs() -> None:
    plan = plan_study(0.5, people=84, cohort_size=20, icc=0.05, attrition=0.2)
    assert plan.mode == "people"
    assert plan.people_given == plan.people_needed == 84
    assert plan.people_analysed == 67  # floor(84 * 0.8 = 67.2)
    assert plan.pairs == pytest.approx(67 / 1.95)
    assert plan.cohorts_needed == 5
    assert plan.target_power is None
    assert plan.power == pytest.approx(paired_power(67 / 1.95, 0.5))


def test_plan_for_given_people_floors_without_floating_point_noise() -> None:
    # 100 * (1 - 0.3) is 70.00000000000001 or 69.99999999999999 depending on the order
    assert plan_study(0.5, people=100, attrition=0.3).people_analysed == 70
    assert plan_study(0.5, people=10, attrition=0.1).people_analysed == 9


def test_plan_to_dict_is_the_json_contract() -> None:
    data = plan_study(0.5, power=0.9, cohort_size=15, icc=0.1, attrition=0.25).to_dict()
    json.dumps(data, allow_nan=False)
    for key in ("people_needed", "people_analysed", "design_effect", "cohorts_needed", "power"):
        assert key in data
    assert data["effect_type"] == "cohen_dz"
    assert data["analysis"] == "participant-level paired t-test, two-sided"
    assert isinstance(data["people_needed"], int) and isinstance(data["cohorts_needed"], int)
    assert set(data) >= {field for field in StudyPlan.__dataclass_fields__}


def test_too_few_people_to_test_at_all_says_so() -> None:
    with pytest.raises(ValueError, match="too few to test at all"):
        plan_study(0.5, people=3, attrition=0.5)
    with pytest.raises(ValueError, match=r"design effect of 1\.95"):
        plan_study(0.5, people=3, cohort_size=20, icc=0.05)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"effect": 0.0, "power": 0.8}, "above 0"),
        ({"effect": -0.5, "power": 0.8}, "above 0"),
        ({"effect": math.nan, "power": 0.8}, "above 0"),
        ({"effect": 0.5}, "exactly one"),
        ({"effect": 0.5, "power": 0.8, "people": 50}, "exactly one"),
        ({"effect": 0.5, "power": 1.0}, "between 0 and 1"),
        ({"effect": 0.5, "power": 0.04}, "must be above alpha"),
        ({"effect": 0.5, "power": 0.8, "alpha": 0.0}, "alpha must be between"),
        ({"effect": 0.5, "power": 0.8, "alpha": 1.5}, "alpha must be between"),
        ({"effect": 0.5, "power": 0.8, "attrition": 1.0}, "attrition"),
        ({"effect": 0.5, "power": 0.8, "attrition": -0.1}, "attrition"),
        ({"effect": 0.5, "power": 0.8, "icc": 0.05}, "an ICC needs a cohort size"),
        ({"effect": 0.5, "power": 0.8, "cohort_size": 10, "icc": 1.2}, "ICC must be between"),
        ({"effect": 0.5, "power": 0.8, "cohort_size": 0, "icc": 0.1}, "cohort size"),
        ({"effect": 0.5, "power": 0.8, "cohort_size": 2.5}, "cohort size"),
        ({"effect": 0.5, "people": 0}, "whole number above 0"),
        ({"effect": 0.5, "people": 12.5}, "whole number above 0"),
    ],
)
def test_impossible_plans_are_refused_in_plain_words(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_study(**kwargs)


def test_smallest_detectable_effect_is_the_effect_with_exactly_the_power() -> None:
    effect = smallest_detectable_effect(34, power=0.8)
    assert paired_power(34, effect) == pytest.approx(0.8, abs=1e-10)
    assert smallest_detectable_effect(34, power=0.9) > effect
    assert smallest_detectable_effect(2, power=0.8) > 5  # two pairs detect only huge effects


def test_smallest_detectable_effect_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        smallest_detectable_effect(1.5)
    with pytest.raises(ValueError, match="above alpha"):
        smallest_detectable_effect(30, power=0.01)


def test_design_effect_is_one_plus_m_minus_one_times_r() -> None:
    assert design_effect(20, 0.05) == pytest.approx(1.95)
    assert design_effect(1, 0.5) == 1.0


def test_design_power_closed_forms_and_the_mixed_row_needs_simulation() -> None:
    design = design_power(5, 20, 0.5, icc=0.05, attrition=0.2)
    assert [row.analysis for row in design.analyses] == ["participant", "cohort", "mixed"]
    participant, cohort, mixed = design.analyses
    assert design.analysed_per_cohort == pytest.approx(16.0)
    assert design.design_effect == pytest.approx(1.75)
    assert participant.method == cohort.method == "noncentral t"
    assert participant.power == pytest.approx(paired_power(80 / 1.75, 0.5))
    assert participant.df == pytest.approx(80 / 1.75 - 1)
    d_cohort = 0.5 / math.sqrt(0.05 + 0.95 / 16)
    assert cohort.power == pytest.approx(paired_power(5, d_cohort))
    assert cohort.df == 4
    assert mixed.power is None and mixed.method == "simulation"
    assert mixed.reason is not None and mixed.reason.startswith("by simulation only")
    assert dict(design.smallest_detectable)["mixed"] is None
    # 2 * t.sf(t.ppf(.975, 79) / sqrt(1.75), 79) = 0.1364
    assert "14% of the time, not 5%" in design.clustering_note


def test_the_type_one_error_ignoring_clustering_compares_t_with_t() -> None:
    # A naive paired t on n people refers t to t_crit(n - 1); clustering makes its t sqrt(deff)
    # too large, so it rejects a true null with P(|T_{n-1}| > t_crit / sqrt(deff)).
    for deff, people in [(1.1, 6.0), (1.75, 80.0), (3.0, 12.0)]:
        t_crit = stats.t.ppf(0.975, people - 1)
        expected = 2 * stats.t.sf(t_crit / math.sqrt(deff), people - 1)
        assert type_one_error_ignoring_clustering(deff, people, 0.05) == pytest.approx(expected)
    assert type_one_error_ignoring_clustering(1.0, 6.0, 0.05) == pytest.approx(0.05)
    # the review's small design: 2 cohorts of 3, ICC .05 said "about 1%" (a normal tail)
    assert type_one_error_ignoring_clustering(1.1, 6.0, 0.05) > 0.05


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((3, 4, 0.5), {"icc": 0.0}),
        ((5, 12, 0.5), {"icc": 0.05, "attrition": 0.95}),
        ((4, 1, 0.5), {"icc": 0.3}),
    ],
)
def test_no_clustering_note_when_the_design_effect_is_one(
    args: tuple[int, int, float], kwargs: dict
) -> None:
    design = design_power(*args, **kwargs)
    assert design.design_effect <= 1.0
    assert design.clustering_note == ""
    assert design.to_dict()["clustering_note"] == ""


def test_a_small_clustered_design_says_the_naive_test_rejects_more_than_alpha() -> None:
    design = design_power(2, 3, 0.5, icc=0.05)
    assert "about 6% of the time, not 5%" in design.clustering_note
    barely = design_power(2, 3, 0.5, icc=0.05, attrition=0.5)
    assert "a little more than 5% of the time" in barely.clustering_note


def test_design_power_with_one_cohort_cannot_test_cohort_means() -> None:
    design = design_power(1, 30, 0.5)
    cohort = design.analysis("cohort")
    assert cohort.power is None and cohort.reason is not None and "2 cohorts" in cohort.reason
    assert dict(design.smallest_detectable)["cohort"] is None
    assert design.analysis("participant").power == pytest.approx(paired_power(30, 0.5))


def test_design_power_too_small_for_the_participant_test_says_why() -> None:
    design = design_power(1, 2, 0.5, attrition=0.5)
    participant = design.analysis("participant")
    assert participant.power is None
    assert participant.reason is not None and "at least 2" in participant.reason


def test_design_power_with_no_effect_gives_alpha() -> None:
    design = design_power(6, 10, 0.0, icc=0.1)
    assert design.analysis("participant").power == 0.05
    assert design.analysis("cohort").power == 0.05


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((0, 10, 0.5), {}, "number of cohorts"),
        ((3, 0, 0.5), {}, "cohort size"),
        ((3, 10, -0.1), {}, "0 or more"),
        ((3, 10, 0.5), {"icc": -0.1}, "ICC"),
        ((3, 10, 0.5), {"simulate": -1}, "simulated studies"),
        ((3, 10, 0.5), {"simulate": 10**6}, "at most"),
    ],
)
def test_design_power_refuses_impossible_designs(
    args: tuple[int, int, float], kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        design_power(*args, **kwargs)


def test_simulation_is_seeded_reports_progress_and_fills_every_row() -> None:
    calls: list[tuple[int, int]] = []
    first = design_power(
        3, 6, 0.8, icc=0.1, attrition=0.1, simulate=8, seed=42,
        progress=lambda done, total: calls.append((done, total)),
    )  # fmt: skip
    again = design_power(3, 6, 0.8, icc=0.1, attrition=0.1, simulate=8, seed=42)
    assert calls == [(i, 8) for i in range(1, 9)]
    assert first == again
    assert first.simulations == 8 and first.seed == 42
    for row in first.analyses:
        assert row.simulated_power is not None and 0 <= row.simulated_power <= 1
        p = row.simulated_power
        assert row.standard_error == pytest.approx(math.sqrt(p * (1 - p) / 8))
        assert row.failed_simulations is not None
    mixed = first.analysis("mixed")
    assert mixed.power == mixed.simulated_power and mixed.reason is None
    for row in first.analyses:
        assert row.false_positive_rate is not None and 0 <= row.false_positive_rate <= 1
    # closed-form rows keep the closed form as their power
    participant = first.analysis("participant")
    assert participant.method == "noncentral t"
    assert participant.power == design_power(3, 6, 0.8, icc=0.1, attrition=0.1).analyses[0].power


def test_design_power_to_dict_is_json_without_nan() -> None:
    design = design_power(1, 2, 0.5, attrition=0.5)
    data = design.to_dict()
    text = json.dumps(data, allow_nan=False)
    assert '"effect_type": "cohen_dz"' in text
    assert [row["analysis"] for row in data["analyses"]] == ["participant", "cohort", "mixed"]
    assert data["smallest_detectable"][0] == {
        "analysis": "participant",
        "effect": None,
        "power": 0.8,
    }
    assert isinstance(design, DesignPower) and isinstance(design.analyses[0], AnalysisPower)
    assert set(AnalysisPower("mixed", None, "simulation").to_dict()) >= {
        "analysis",
        "power",
        "method",
        "df",
        "standard_error",
        "reason",
    }
    with pytest.raises(KeyError):
        design.analysis("bayesian")


def test_cohorts_left_with_less_than_one_person_on_average_are_not_tested() -> None:
    design = design_power(10, 1, 0.5, attrition=0.5)
    cohort = design.analysis("cohort")
    assert cohort.power is None and cohort.reason is not None and "fewer than one" in cohort.reason
    assert design.design_effect == 1.0
    assert design.analysis("participant").power == pytest.approx(paired_power(5, 0.5))


def test_the_simulation_limits_blas_to_one_thread_when_threadpoolctl_is_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import contextlib
    import sys
    import types

    entered: list[dict[str, object]] = []

    @contextlib.contextmanager
    def threadpool_limits(**kwargs: object) -> Iterator[None]:
        entered.append(kwargs)
        yield

    fake = types.ModuleType("threadpoolctl")
    fake.threadpool_limits = threadpool_limits  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "threadpoolctl", fake)
    design_power(2, 4, 0.5, simulate=2, seed=3)
    assert entered == [{"limits": 1, "user_api": "blas"}]


def test_the_docstring_examples_hold() -> None:
    import doctest

    import imheval.stats.power as power_module

    failed, attempted = doctest.testmod(power_module)
    assert attempted >= 5 and failed == 0


def test_the_mixed_model_power_comes_with_its_false_positive_rate() -> None:
    # 5 cohorts of 12, ICC .15: R's lme4 simulation found a type I error of 0.238 for this
    # model (docs/methods.md); the same simulation at d = 0 must show it beside the power.
    design = design_power(5, 12, 0.5, icc=0.15, simulate=60, seed=3)
    mixed = design.analysis("mixed")
    assert mixed.false_positive_rate is not None and mixed.false_positive_rate > 0.12
    # simulated with no true change: well below the power with d = 0.5
    assert mixed.power is not None and mixed.false_positive_rate < mixed.power - 0.3
    for honest in ("participant", "cohort"):
        rate = design.analysis(honest).false_positive_rate
        assert rate is not None and rate < 0.2
    assert design.to_dict()["analyses"][2]["false_positive_rate"] == mixed.false_positive_rate
    sentence = design_sentences(design)[2]
    assert "With no true change, the same 60 simulated studies found one" in sentence
    assert "is not an honest power" in sentence
    # the rows of honest tests: their rate is near alpha (within Monte Carlo error)
    assert design.analysis("cohort").false_positive_rate is not None
    assert "not an honest power" not in design_sentences(design)[1]


def test_the_false_positive_rate_at_no_effect_is_the_simulated_power() -> None:
    design = design_power(3, 5, 0.0, icc=0.1, simulate=5, seed=1)
    for row in design.analyses:
        assert row.false_positive_rate == row.simulated_power


def test_a_simulated_power_of_one_reads_more_than_99_percent() -> None:
    assert percent(1.0) == "more than 99%"
    assert percent(0.999) == "more than 99%"
    assert percent(0.8) == "80%"
    assert power_figure(1.0) == "> .999"
    design = design_power(4, 10, 3.0, simulate=4, seed=1)
    assert design.analysis("mixed").power == 1.0
    assert "a chance of more than 99%" in design_sentences(design)[2]
    assert "100%" not in " ".join(design_sentences(design))
