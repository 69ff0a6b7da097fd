"""Test-retest reliability: ICC(A,1), Cohen's kappa, percent agreement, the convenience wrapper.

Expected values are worked out by hand in the comments; psych's answers are in tests/golden.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import AnalysisError
from imheval.stats import (
    cohen_kappa,
    icc_a1,
    icc_interpretation,
    kappa_words,
    koo_li_band,
    percent_agreement,
    test_retest,
)
from imheval.stats.results import TestResult

NAN = float("nan")

# Rows (1, 1), (2, 3), (3, 3), (4, 5); grand mean 2.75.
# Person means 1, 2.5, 3, 4.5: SS_people = 2 * 6.25 = 12.5, MS_people = 12.5 / 3.
# Administration means 2.5, 3: SS_admin = 4 * (.0625 + .0625) = .5, MS_admin = .5.
# SS_total = 13.5, so SS_error = .5 and MS_error = .5 / 3.
# ICC(A,1) = (25/6 - 1/6) / (25/6 + 1/6 + 2 (1/2 - 1/6) / 4) = 4 / 4.5 = 8/9
# ICC(C,1) = 4 / (26/6) = 12/13; F = (25/6) / (1/6) = 25 on (3, 3) df.
FIRST = [1, 2, 3, 4]
SECOND = [1, 3, 3, 5]


def test_icc_a1_by_hand() -> None:
    result = icc_a1(FIRST, SECOND)
    assert result.computed
    assert result.test == "icc_a1"
    assert result.estimate == pytest.approx(8 / 9)
    assert result.statistic == pytest.approx(25.0)
    assert result.df == (3.0, 3.0)
    assert result.details["icc_c1"] == pytest.approx(12 / 13)
    assert result.details["ms_error"] == pytest.approx(1 / 6)
    assert result.details["mean_first"] == pytest.approx(2.5)
    assert result.details["mean_second"] == pytest.approx(3.0)
    assert result.estimate_ci is not None
    assert result.estimate_ci.low < 8 / 9 < result.estimate_ci.high


def test_icc_a1_counts_a_shift_as_disagreement_but_icc_c1_does_not() -> None:
    shifted = [v + 2 for v in SECOND]
    result = icc_a1(FIRST, shifted)
    assert result.details["icc_c1"] == pytest.approx(12 / 13)
    assert result.estimate is not None and result.estimate < 8 / 9


def test_icc_drops_incomplete_pairs() -> None:
    result = icc_a1([*FIRST, 7, NAN], [*SECOND, None, 2])
    assert result.n == 4
    assert result.estimate == pytest.approx(8 / 9)


def test_icc_can_be_negative() -> None:
    result = icc_a1([1, 2, 3, 4], [4, 2, 3, 1])
    assert result.computed
    assert result.estimate is not None and result.estimate < 0


def test_icc_ci_is_empty_when_it_would_miss_a_strongly_negative_estimate() -> None:
    # psych::ICC gives ICC2 = -.632 with the CI [NaN, -.660], which excludes the estimate.
    result = icc_a1([0, 0, 0, 2], [3, 3, 3, 0])
    assert result.estimate == pytest.approx(-0.631578947368421, rel=1e-12)
    assert result.estimate_ci is None


def test_icc_ci_is_empty_when_satterthwaite_df_is_zero() -> None:
    # Reversed scores: every person's mean is 2.5 (MS_people = 0) and the administrations'
    # means are equal, so ICC(A,1) = -MSE / (MSE / 2) = -2 and the df of the CI is 0.
    result = icc_a1([1, 2, 3, 4], [4, 3, 2, 1])
    assert result.computed
    assert result.estimate == pytest.approx(-2.0)
    assert result.estimate_ci is None
    json.dumps(result.to_dict(), allow_nan=False)


def test_icc_needs_three_people() -> None:
    result = icc_a1([1, 2, NAN], [1, 3, 4])
    assert not result.computed
    assert result.estimate is None
    assert result.reason == "fewer than 3 people have both scores (only 2)"


def test_icc_of_identical_scores_says_agreement_is_perfect() -> None:
    result = icc_a1([3, 5, 8], [3, 5, 8])
    assert not result.computed
    assert result.reason is not None
    assert "agreement is perfect (ICC = 1)" in result.reason


def test_icc_of_a_constant_shift_has_no_random_error() -> None:
    result = icc_a1([3, 5, 8], [4, 6, 9])
    assert not result.computed
    assert result.reason is not None
    assert "exactly the same amount" in result.reason


def test_icc_when_everyone_has_the_same_score() -> None:
    result = icc_a1([5, 5, 5], [5, 5, 5])
    assert result.reason is not None
    assert "everyone had the same score" in result.reason


def test_icc_rejects_unpaired_lengths() -> None:
    with pytest.raises(AnalysisError, match="same length"):
        icc_a1([1, 2, 3], [1, 2])


def test_icc_apa_and_json() -> None:
    result = icc_a1(FIRST, SECOND)
    assert result.apa().startswith("F(3, 3) = 25.00, p = ")
    json.dumps(result.to_dict(), allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.integers(0, 10)),
        min_size=3,
        max_size=25,
    )
)
def test_icc_a1_never_exceeds_icc_c1_nor_1(pairs: list[tuple[int, int]]) -> None:
    first = [a for a, _ in pairs]
    second = [b for _, b in pairs]
    result = icc_a1(first, second)
    if not result.computed:
        assert result.reason
        return
    assert result.estimate is not None
    icc_c = result.details["icc_c1"]
    ms_admin, ms_error = result.details["ms_administrations"], result.details["ms_error"]
    assert icc_c is not None and ms_admin is not None and ms_error is not None
    # A shift between administrations larger than the error lowers absolute agreement.
    if icc_c >= 0 and ms_admin >= ms_error:
        assert result.estimate <= icc_c + 1e-12
    assert result.estimate <= 1.0
    if result.estimate_ci is not None:
        assert result.estimate_ci.low <= result.estimate <= result.estimate_ci.high


# --------------------------------------------------------------------------------------------
# Kappa and agreement


def test_kappa_by_hand() -> None:
    # Table (first x second): (1,1) = 1, (1,0) = 1, (0,0) = 2 -> p_o = 3/4
    # first: 1 .5, 0 .5; second: 1 .25, 0 .75 -> p_e = .125 + .375 = .5
    # kappa = (.75 - .5) / (1 - .5) = .5
    result = cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0])
    assert result.kappa == pytest.approx(0.5)
    assert result.percent_agreement == pytest.approx(0.75)
    assert result.expected_agreement == pytest.approx(0.5)
    assert result.categories == (0.0, 1.0)
    assert result.ci is not None
    assert -1 <= result.ci.low < 0.5 < result.ci.high <= 1


def test_kappa_is_one_when_everyone_agrees_on_two_answers_but_has_no_ci() -> None:
    result = cohen_kappa([0, 1, 1, 0], [0, 1, 1, 0])
    assert result.kappa == pytest.approx(1.0)
    assert result.se == 0.0
    assert result.ci is None
    assert result.ci_reason == (
        "the large-sample standard error is 0 here (perfect agreement, or one administration "
        "gave a single answer), so no confidence interval can be given"
    )


def test_kappa_undefined_when_everyone_gave_the_same_single_answer() -> None:
    result = cohen_kappa([1, 1, 1, 1], [1, 1, 1, 1])
    assert result.kappa is None
    assert result.percent_agreement == 1.0
    assert result.reason == (
        "everyone gave the same answer both times: agreement is 100%, but so is the agreement "
        "expected by chance, so kappa is undefined"
    )
    assert result.to_dict()["interpretation"] is None


def test_kappa_is_zero_when_one_administration_never_varies() -> None:
    # Second always 1: p_e = share of 1 at first = p_o, so kappa = 0.
    result = cohen_kappa([1, 0, 1, 1], [1, 1, 1, 1])
    assert result.kappa == pytest.approx(0.0)
    # The Fleiss-Cohen-Everitt variance is exactly 0 for such a table.
    assert result.se == 0.0 and result.ci is None


def test_kappa_needs_three_people_but_keeps_percent_agreement() -> None:
    result = cohen_kappa([1, 0, None], [1, 1, 0])
    assert result.kappa is None
    assert result.percent_agreement == pytest.approx(0.5)
    assert result.reason == "fewer than 3 people answered both times (only 2)"


def test_kappa_handles_rating_categories() -> None:
    # 1..5 ratings; agree on 3 of 5. first: 1,2,3,4,5; second: 1,2,3,5,4
    # p_e = 5 * (1/5 * 1/5) = .2; kappa = (.6 - .2) / .8 = .5
    result = cohen_kappa([1, 2, 3, 4, 5], [1, 2, 3, 5, 4])
    assert result.kappa == pytest.approx(0.5)
    assert result.categories == (1.0, 2.0, 3.0, 4.0, 5.0)


def test_percent_agreement_ignores_missing_and_is_none_without_pairs() -> None:
    assert percent_agreement([1, 0, None, 1], [1, 1, 1, NAN]) == pytest.approx(0.5)
    assert percent_agreement([None], [1]) is None


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=3, max_size=30))
def test_kappa_is_symmetric_and_bounded(pairs: list[tuple[int, int]]) -> None:
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    forward, backward = cohen_kappa(a, b), cohen_kappa(b, a)
    assert forward.reason == backward.reason
    if forward.kappa is None:
        return
    assert backward.kappa == pytest.approx(forward.kappa, abs=1e-12)
    assert -1.0 <= forward.kappa <= 1.0 + 1e-12
    assert forward.se is not None and forward.se >= 0


# --------------------------------------------------------------------------------------------
# Words


@pytest.mark.parametrize(
    "icc,word",
    [(0.49, "poor"), (0.5, "moderate"), (0.74, "moderate"), (0.75, "good"), (0.9, "excellent")],
)
def test_koo_li_bands(icc: float, word: str) -> None:
    assert koo_li_band(icc) == word


@pytest.mark.parametrize(
    "kappa,word",
    [
        (-0.1, "poor"),
        (0.0, "slight"),
        (0.2, "slight"),
        (0.3, "fair"),
        (0.6, "moderate"),
        (0.8, "substantial"),
        (0.81, "almost perfect"),
    ],
)
def test_landis_koch_words(kappa: float, word: str) -> None:
    assert kappa_words(kappa) == word


def test_icc_interpretation_names_the_bands_of_the_ci() -> None:
    result = icc_a1(FIRST, SECOND)
    text = icc_interpretation(result)
    assert text.startswith("Good test-retest reliability (Koo & Li 2016); the 95% CI runs from ")
    assert text.endswith(", which is wide because only 4 people took part.")


def test_icc_interpretation_of_a_narrow_ci_does_not_call_it_imprecise() -> None:
    first = [5, 7, 6, 8, 4, 6, 7, 5, 9, 6, 3, 8]
    result = icc_a1(first, [v + (0.1 if i % 2 else -0.1) for i, v in enumerate(first)])
    text = icc_interpretation(result)
    assert "the whole 95% CI lies in the excellent band" in text
    assert "imprecise" not in text
    assert text.endswith("recommend at least 30 people; this pilot had 12.")


def test_icc_interpretation_of_a_result_not_computed_gives_the_reason() -> None:
    result = TestResult.not_computed("icc_a1", "F", 2, "fewer than 3 people")
    assert icc_interpretation(result) == "Reliability could not be computed: fewer than 3 people."


# --------------------------------------------------------------------------------------------
# test_retest


def test_test_retest_runs_every_domain_and_item() -> None:
    first = pd.DataFrame({"knowledge": FIRST})
    second = pd.DataFrame({"knowledge": SECOND})
    items_first = pd.DataFrame({"K1": [1, 1, 0, 0], "K2": [1, 1, 1, 1]})
    items_second = pd.DataFrame({"K1": [1, 0, 0, 0], "K2": [1, 1, 1, 1]})
    result = test_retest(first, second, items_first, items_second, item_domains={"K1": "knowledge"})
    assert [d.domain for d in result.domains] == ["knowledge"]
    assert result.domains[0].icc.estimate == pytest.approx(8 / 9)
    assert result.items[0].kappa.kappa == pytest.approx(0.5)
    assert result.items[0].domain == "knowledge"
    assert result.items[1].kappa.kappa is None
    assert result.items[1].domain is None
    document = result.to_dict()
    json.dumps(document, allow_nan=False)
    assert document["items"][0]["item"] == "K1"
    assert document["domains"][0]["interpretation"].startswith("Good")


def test_test_retest_rejects_misaligned_frames() -> None:
    with pytest.raises(AnalysisError, match="same columns"):
        test_retest(pd.DataFrame({"a": [1]}), pd.DataFrame({"b": [1]}))
    with pytest.raises(AnalysisError, match="same rows"):
        test_retest(pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [1]}))
    with pytest.raises(AnalysisError, match="both administrations"):
        test_retest(pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [1]}), pd.DataFrame({"K": [1]}))
