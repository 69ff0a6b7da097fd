"""imheval.stats.organisations: the fit from summaries is the fit on people's gains; properties;
edge cases and the plain sentence. (The comparison with R is tests/golden.)"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imheval.errors import AnalysisError
from imheval.stats.organisations import (
    CohortSummary,
    OrganisationComparison,
    compare_organisations,
)

# A table of people's gains: organisation -> cohort -> gains.
Table = dict[str, dict[str, list[float]]]


def summarise(table: Table) -> list[CohortSummary]:
    return [
        CohortSummary(
            organisation,
            cohort,
            len(gains),
            float(np.mean(gains)),
            float(np.std(gains, ddof=1)) if len(gains) > 1 else None,
        )
        for organisation, cohorts in table.items()
        for cohort, gains in cohorts.items()
    ]


def dense_reml_log_likelihood(
    table: Table, organisation: float, cohort: float, residual: float
) -> tuple[float, float]:
    """The REML log-likelihood and GLS mean of the people's gains, by dense matrices.

    V = s2_r I + s2_c Z_c Z_c' + s2_o Z_o Z_o'; logLik = -(log|V| + log(1'V^-1 1) + r'V^-1 r
    + (N - 1) log 2 pi) / 2. Independent of imheval's grouped algebra.
    """
    gains, org_of, cohort_of = [], [], []
    for k, cohorts in enumerate(table.values()):
        for cohort_gains in cohorts.values():
            j = len(set(cohort_of))
            for gain in cohort_gains:
                gains.append(gain)
                org_of.append(k)
                cohort_of.append(j)
    y = np.asarray(gains)
    org = np.asarray(org_of)
    coh = np.asarray(cohort_of)
    v = (
        residual * np.eye(y.size)
        + cohort * (coh[:, None] == coh[None, :])
        + organisation * (org[:, None] == org[None, :])
    )
    ones = np.ones(y.size)
    v_inv = np.linalg.inv(v)
    xvx = ones @ v_inv @ ones
    mu = (ones @ v_inv @ y) / xvx
    r = y - mu
    log_det = np.linalg.slogdet(v)[1]
    value = -0.5 * (log_det + math.log(xvx) + r @ v_inv @ r + (y.size - 1) * math.log(2 * math.pi))
    return float(value), float(mu)


# Gains in percent points with one decimal, as the region's data are.
gain = st.integers(-500, 1000).map(lambda tenths: tenths / 10)
cohort_gains = st.lists(gain, min_size=1, max_size=7)
organisation_cohorts = st.lists(cohort_gains, min_size=1, max_size=4)
tables = st.lists(organisation_cohorts, min_size=2, max_size=6).map(
    lambda orgs: {
        f"Org {k}": {f"C{j}": gains for j, gains in enumerate(cohorts)}
        for k, cohorts in enumerate(orgs)
    }
)
PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


def fitted(table: Table) -> OrganisationComparison:
    result = compare_organisations(summarise(table))
    return result


def _computable(table: Table) -> bool:
    """Whether the data can answer the question (checked without fitting, to keep tests fast);
    a fit that still fails on such data fails the test."""
    from imheval.stats.organisations import _prepare, _why_not

    return _why_not(_prepare(summarise(table))[0]) is None


def _close(ours: float | None, theirs: float | None, scale: float, rel: float = 1e-4) -> None:
    assert ours is not None and theirs is not None
    assert ours == pytest.approx(theirs, rel=rel, abs=rel * scale)


@PROPERTY
@given(tables.filter(_computable))
def test_fit_from_summaries_is_the_reml_fit_of_the_peoples_gains(table: Table) -> None:
    result = fitted(table)
    assert result.variance_organisation is not None and result.variance_cohort is not None
    assert result.variance_residual is not None and result.log_likelihood is not None
    found = (result.variance_organisation, result.variance_cohort, result.variance_residual)
    # The likelihood imheval reports is the dense likelihood of the people's gains there...
    at_estimate, mu = dense_reml_log_likelihood(table, *found)
    assert result.log_likelihood == pytest.approx(at_estimate, rel=0, abs=1e-7)
    assert result.mean_gain == pytest.approx(mu, rel=1e-9, abs=1e-9)
    # ... and no nearby variances (inside the parameter space) give the gains a higher one.
    total = sum(found)
    for index in range(3):
        for factor in (0.97, 1.03):
            moved = list(found)
            moved[index] = max(0.0, moved[index] * factor) if moved[index] > 0 else 0.01 * total
            if index == 2 and moved[index] == 0:
                continue
            assert dense_reml_log_likelihood(table, *moved)[0] <= result.log_likelihood + 1e-7


@PROPERTY
@given(tables.filter(_computable), st.randoms(use_true_random=False))
def test_the_order_of_cohorts_does_not_matter(table: Table, random: object) -> None:
    summaries = summarise(table)
    shuffled = list(summaries)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    first, second = compare_organisations(summaries), compare_organisations(shuffled)
    assert first.variance_residual is not None
    scale = first.variance_residual
    for name in ("variance_organisation", "variance_cohort", "variance_residual"):
        _close(getattr(second, name), getattr(first, name), scale)
    _close(second.mean_gain, first.mean_gain, math.sqrt(scale))
    _close(second.lrt_statistic, first.lrt_statistic, 1.0)
    if first.df is None:
        assert second.df is None
    else:
        _close(second.df, first.df, 1.0, rel=1e-3)
    assert {m.organisation: m.n for m in second.organisation_means} == {
        m.organisation: m.n for m in first.organisation_means
    }


@PROPERTY
@given(
    tables.filter(_computable),
    st.sampled_from([-3.0, 0.1, 2.5, 10.0]),
    st.sampled_from([0.0, -20.0, 55.5]),
)
def test_scaling_gains_scales_the_mean_and_variances_and_shifting_moves_only_the_mean(
    table: Table, factor: float, shift: float
) -> None:
    moved = {
        org: {cohort: [factor * g + shift for g in gains] for cohort, gains in cohorts.items()}
        for org, cohorts in table.items()
    }
    before, after = fitted(table), fitted(moved)
    assert before.variance_residual is not None and before.mean_gain is not None
    scale = before.variance_residual * factor**2
    assert after.mean_gain == pytest.approx(
        factor * before.mean_gain + shift, rel=1e-6, abs=1e-6 * math.sqrt(scale) + 1e-9
    )
    for name in ("variance_organisation", "variance_cohort", "variance_residual"):
        _close(getattr(after, name), factor**2 * getattr(before, name), scale)
    _close(after.icc_organisation, before.icc_organisation, 1.0)
    _close(after.lrt_statistic, before.lrt_statistic, 1.0)
    assert after.se is not None and before.se is not None
    _close(after.se, abs(factor) * before.se, math.sqrt(scale))


# Edge cases and messages -------------------------------------------------------------------


def cohorts(*rows: tuple[str, str, int, float, float | None]) -> list[CohortSummary]:
    return [CohortSummary(*row) for row in rows]


FOUR_ORGANISATIONS = cohorts(
    ("North", "A", 12, 14.0, 10.0),
    ("North", "B", 9, 18.5, 12.0),
    ("South", "A", 15, 11.0, 9.0),
    ("South", "B", 1, 20.0, None),
    ("East", "A", 10, 22.0, 11.0),
    ("East", "B", 8, 25.0, 10.0),
    ("West", "A", 20, 12.5, 9.5),
)


def assert_not_computed(result: OrganisationComparison) -> None:
    assert not result.computed
    assert result.reason
    numbers = (
        result.mean_gain,
        result.se,
        result.df,
        result.ci,
        result.variance_organisation,
        result.variance_cohort,
        result.variance_residual,
        result.icc_organisation,
        result.lrt_statistic,
        result.p_value,
        result.p_value_boundary,
    )
    assert all(value is None for value in numbers)
    assert result.differ is None
    assert result.plain_sentence() == (
        f"Whether organisations differ could not be tested: {result.reason}."
    )
    json.dumps(result.to_dict(), allow_nan=False)


def test_one_organisation_is_not_compared() -> None:
    result = compare_organisations(
        cohorts(("North", "A", 12, 14.0, 10.0), ("North", "B", 9, 18.5, 12.0))
    )
    assert_not_computed(result)
    assert result.reason == (
        "organisations can only be compared when at least 2 have people with gains (here 1)"
    )
    assert (result.organisations, result.cohorts, result.people) == (1, 2, 21)
    assert [(m.organisation, m.n) for m in result.organisation_means] == [("North", 21)]


def test_nothing_at_all_is_not_compared() -> None:
    result = compare_organisations([])
    assert_not_computed(result)
    assert (result.organisations, result.people, result.organisation_means) == (0, 0, ())


def test_an_organisation_whose_cohorts_are_all_empty_does_not_count() -> None:
    result = compare_organisations(
        cohorts(
            ("North", "A", 12, 14.0, 10.0),
            ("North", "B", 9, 18.5, 12.0),
            ("South", "A", 0, math.nan, None),
        )
    )
    assert_not_computed(result)
    assert result.organisations == 1
    assert "1 cohort with no matched people was left out" in result.notes[0]


def test_cohorts_of_one_person_only_are_not_compared() -> None:
    result = compare_organisations(
        cohorts(("N", "A", 1, 4.0, None), ("N", "B", 1, 9.0, None), ("S", "A", 1, 2.0, None))
    )
    assert_not_computed(result)
    assert result.reason is not None and "every cohort has one person" in result.reason


def test_one_cohort_per_organisation_is_not_compared() -> None:
    result = compare_organisations(
        cohorts(("N", "A", 10, 4.0, 3.0), ("S", "A", 12, 9.0, 4.0), ("E", "A", 8, 6.0, 2.0))
    )
    assert_not_computed(result)
    assert result.reason == (
        "each organisation ran one cohort, so differences between organisations cannot be "
        "told apart from differences between cohorts"
    )


def test_no_spread_within_any_cohort_is_not_compared() -> None:
    result = compare_organisations(
        cohorts(("N", "A", 5, 4.0, 0.0), ("N", "B", 3, 9.0, 0.0), ("S", "A", 4, 2.0, 0.0))
    )
    assert_not_computed(result)
    assert result.reason is not None and "every SD is 0" in result.reason


def test_empty_cohorts_are_left_out_with_a_note_and_change_nothing() -> None:
    with_empty = [
        *FOUR_ORGANISATIONS,
        CohortSummary("West", "B", 0, 0.0, None),
        CohortSummary("West", "C", 0, math.nan, math.nan),
    ]
    ours, plain = compare_organisations(with_empty), compare_organisations(FOUR_ORGANISATIONS)
    assert ours.cohorts == plain.cohorts == 6 + 1
    assert ours.mean_gain == plain.mean_gain
    assert ours.variance_organisation == plain.variance_organisation
    assert ours.notes[0] == (
        "2 cohorts with no matched people were left out (a cohort with nobody in it adds "
        "nothing to the model)"
    )
    assert ours.notes[1:] == plain.notes


def test_a_cohort_of_one_carries_its_mean_and_any_sd_given_is_not_read() -> None:
    given_sd = [
        s if s.n != 1 else CohortSummary(s.organisation, s.cohort, 1, s.mean, 99.0)
        for s in FOUR_ORGANISATIONS
    ]
    assert compare_organisations(given_sd) == compare_organisations(FOUR_ORGANISATIONS)
    without = [s for s in FOUR_ORGANISATIONS if s.n != 1]
    assert (
        compare_organisations(without).mean_gain
        != compare_organisations(FOUR_ORGANISATIONS).mean_gain
    )
    assert (
        "1 cohort of one person carries a mean but no spread"
        in compare_organisations(FOUR_ORGANISATIONS).notes
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (CohortSummary("North", "A", -1, 3.0, 1.0), "n must be a whole number of people"),
        (CohortSummary("North", "A", 2.5, 3.0, 1.0), "n must be a whole number"),  # type: ignore[arg-type]
        (CohortSummary("North", "A", True, 3.0, 1.0), "n must be a whole number"),
        (CohortSummary("North", "A", 4, math.nan, 1.0), "the mean gain must be a number"),
        (CohortSummary("North", "A", 4, 3.0, None), "a cohort of 4 people needs the SD"),
        (CohortSummary("North", "A", 4, 3.0, -1.0), "a cohort of 4 people needs the SD"),
        (CohortSummary("North", "A", 4, 3.0, math.inf), "a cohort of 4 people needs the SD"),
    ],
)
def test_a_callers_mistake_raises_naming_the_cohort(bad: CohortSummary, message: str) -> None:
    with pytest.raises(AnalysisError, match=message) as raised:
        compare_organisations([bad, *FOUR_ORGANISATIONS[1:]])
    assert "cohort 'A' of 'North'" in str(raised.value)


def test_the_same_cohort_twice_is_refused() -> None:
    with pytest.raises(AnalysisError, match="cohort 'A' of 'North' is listed twice"):
        compare_organisations([*FOUR_ORGANISATIONS, FOUR_ORGANISATIONS[0]])


def test_the_same_cohort_name_in_two_organisations_is_two_cohorts() -> None:
    result = compare_organisations(FOUR_ORGANISATIONS)
    assert result.cohorts == 7 and result.organisations == 4


@pytest.mark.parametrize("confidence", [0.0, 1.0, 1.5])
def test_a_confidence_outside_0_and_1_is_refused(confidence: float) -> None:
    with pytest.raises(AnalysisError, match="confidence must be between 0 and 1"):
        compare_organisations(FOUR_ORGANISATIONS, confidence=confidence)


def test_confidence_sets_the_interval_and_the_threshold() -> None:
    wide, narrow = (
        compare_organisations(FOUR_ORGANISATIONS),
        compare_organisations(FOUR_ORGANISATIONS, confidence=0.9),
    )
    assert wide.ci is not None and narrow.ci is not None and narrow.ci.level == 0.9
    assert wide.ci.low < narrow.ci.low < narrow.ci.high < wide.ci.high
    assert narrow.p_value == wide.p_value


def test_few_organisations_give_a_note_and_a_cautious_sentence() -> None:
    result = compare_organisations(FOUR_ORGANISATIONS)
    assert result.computed and result.organisations == 4
    assert result.p_value is not None and result.icc_organisation is not None
    assert result.p_value >= 0.05 and result.differ is False
    assert result.notes[1].startswith(
        "with only 4 organisations, the variance between organisations is estimated very "
        "imprecisely"
    )
    share = round(100 * result.icc_organisation)
    p = f"{result.p_value:.2f}" if result.p_value >= 0.1 else f"{result.p_value:.3f}"
    assert result.plain_sentence() == (
        f"The 4 organisations' results did not differ more than chance could explain "
        f"(p = {p}), but with only 4 organisations a real difference could easily go "
        f"unnoticed: the model puts {share}% of the variation in gains between organisations."
    )


def test_the_boundary_corrected_p_is_half_and_in_the_notes() -> None:
    result = compare_organisations(FOUR_ORGANISATIONS)
    assert result.p_value is not None and result.p_value_boundary is not None
    assert result.p_value_boundary == result.p_value / 2
    boundary = next(note for note in result.notes if "boundary" in note)
    assert "halving the p-value" in boundary and "lmerTest::ranova" in boundary


def _five_organisations(spread: float) -> list[CohortSummary]:
    """Five organisations of three cohorts (10, 12 and 14 people, SD 10): organisation k's
    cohorts' means are 10 + spread * k, plus a fixed wobble between its cohorts."""
    wobble = (-1.5, 0.5, 1.0)
    return [
        CohortSummary(f"Org {k}", f"C{j}", 10 + 2 * j, 10 + spread * k + wobble[j], 10.0)
        for k in range(5)
        for j in range(3)
    ]


def test_similar_organisations_get_the_similar_sentence() -> None:
    result = compare_organisations(_five_organisations(1.5))
    assert result.computed and result.differ is False and not result.singular
    assert result.icc_organisation == pytest.approx(0.0302, abs=1e-4)
    assert result.p_value == pytest.approx(0.2326, abs=1e-4)
    assert result.plain_sentence() == (
        "The change was similar across the 5 organisations: differences between organisations "
        "account for 3% of the variation in people's gains, no more than chance would give "
        "(p = 0.23)."
    )


def test_different_organisations_get_the_differ_sentence() -> None:
    result = compare_organisations(_five_organisations(6.0))
    assert result.computed and result.differ is True and not result.singular
    assert result.p_value is not None and result.p_value < 0.001
    assert result.icc_organisation is not None
    assert result.plain_sentence() == (
        "The change differed between organisations more than chance would explain "
        f"(p < 0.001): {round(100 * result.icc_organisation)}% of the variation in gains "
        "lies between organisations."
    )


def test_a_singular_fit_is_fitted_with_p_1_a_note_and_none_between() -> None:
    # Every organisation's cohorts have the same means: nothing lies between organisations.
    same = [
        CohortSummary(f"Org {k}", f"C{j}", 10, (12.0, 18.0)[j], 10.0)
        for k in range(5)
        for j in range(2)
    ]
    result = compare_organisations(same)
    assert result.computed and result.singular
    assert result.variance_organisation == pytest.approx(0.0, abs=1e-9)
    assert result.lrt_statistic == pytest.approx(0.0, abs=1e-9)
    assert result.p_value == pytest.approx(1.0, abs=1e-6)
    assert any("estimated at zero" in note for note in result.notes)
    assert "account for none of the variation" in result.plain_sentence()
    assert "(p > 0.99)" in result.plain_sentence()


def test_organisation_means_are_people_weighted_with_the_pooled_sd() -> None:
    north = compare_organisations(FOUR_ORGANISATIONS).organisation_means[0]
    # 12 people with mean 14 and SD 10, 9 with mean 18.5 and SD 12, as North's cohorts say.
    gains_a = 14.0 + 10.0 * math.sqrt(11 / 12) * np.tile([1.0, -1.0], 6)
    gains_b = np.append(18.5 + 12.0 * np.tile([1.0, -1.0], 4), 18.5)
    assert float(np.std(gains_a, ddof=1)) == pytest.approx(10.0)
    assert float(np.std(gains_b, ddof=1)) == pytest.approx(12.0)
    people = np.concatenate([gains_a, gains_b])
    assert (north.organisation, north.cohorts, north.n) == ("North", 2, 21)
    assert north.mean == pytest.approx(float(people.mean()), rel=1e-12)
    assert north.sd == pytest.approx(float(np.std(people, ddof=1)), rel=1e-12)
    assert north.mean == pytest.approx((12 * 14.0 + 9 * 18.5) / 21)


def test_json_never_holds_nan_and_says_what_was_done() -> None:
    data = compare_organisations(FOUR_ORGANISATIONS).to_dict()
    json.dumps(data, allow_nan=False)
    assert data["formula"] == "gain ~ 1 + (1 | organisation) + (1 | organisation:cohort)"
    assert data["computed"] is True and data["reason"] is None
    assert data["sentence"].startswith("The 4 organisations' results")
    assert [m["organisation"] for m in data["organisation_means"]] == [
        "North",
        "South",
        "East",
        "West",
    ]


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.41, "p = 0.41"),
        (0.0021, "p = 0.002"),
        (0.0004, "p < 0.001"),
        (0.04996, "p = 0.04996"),
        (0.0609, "p = 0.061"),
        (0.995, "p > 0.99"),
    ],
)
def test_p_is_written_for_a_lay_reader(p: float, text: str) -> None:
    from imheval.stats.organisations import _plain_p

    assert _plain_p(p) == text
