"""Item analysis: facility, item-rest r, McNemar, alpha (KR-20), ceiling flags.

Expected values are worked out by hand in the comments; R's answers are in tests/golden.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from imheval.errors import AnalysisError
from imheval.stats import ceiling_effect, cronbach_alpha, item_analysis, mcnemar

NAN = float("nan")


# --------------------------------------------------------------------------------------------
# Facility


def test_facility_is_proportion_correct_over_people_with_the_item() -> None:
    pre = [[1, 0], [1, 1], [0, 1], [1, NAN]]
    analysis = item_analysis(pre, item_ids=["K1", "K2"])
    assert analysis.item("K1").facility_pre == pytest.approx(3 / 4)
    assert analysis.item("K2").facility_pre == pytest.approx(2 / 3)
    assert (analysis.item("K1").n_pre, analysis.item("K2").n_pre) == (4, 3)


def test_facility_of_a_rating_item_is_the_mean_as_a_share_of_the_scale_range() -> None:
    # Ratings 1..5: mean 3 -> (3 - 1) / (5 - 1) = .5; mean 4.5 -> .875
    pre = [[1, 4], [5, 5], [3, 5], [3, 4]]
    analysis = item_analysis(pre, item_ids=["S1", "S2"], max_points=5, min_points=1)
    assert analysis.item("S1").facility_pre == pytest.approx(0.5)
    assert analysis.item("S2").facility_pre == pytest.approx(0.875)
    assert not analysis.item("S1").binary


def test_item_nobody_answered_has_no_facility_and_says_why() -> None:
    analysis = item_analysis([[1, NAN], [0, NAN], [1, NAN]], [[1, 1], [1, 0], [0, 1]])
    item = analysis.item("Q2")
    assert item.facility_pre is None
    assert item.reasons["facility_pre"] == "nobody has a score for this item before training"
    assert item.facility_post == pytest.approx(2 / 3)


# --------------------------------------------------------------------------------------------
# Corrected item-rest correlation


def test_item_rest_correlation_excludes_the_item_from_the_total() -> None:
    # Q1 = (1, 1, 0, 0, 1); rest = Q2 + Q3 = (2, 1, 1, 0, 0)
    # mean Q1 = .6, mean rest = .8; cov sum = .4*1.2 + .4*.2 - .6*.2 - .6*-.8 + .4*-.8 = .6
    # SS Q1 = 3*.16 + 2*.36 = 1.2; SS rest = 1.44 + .04 + .04 + .64 + .64 = 2.8
    # r = .6 / sqrt(1.2 * 2.8) = .327327
    pre = [[1, 1, 1], [1, 0, 1], [0, 1, 0], [0, 0, 0], [1, 0, 0]]
    analysis = item_analysis(pre)
    assert analysis.item("Q1").item_rest_pre == pytest.approx(0.6 / math.sqrt(1.2 * 2.8))


def test_item_everyone_got_right_has_no_item_rest_correlation_and_says_why() -> None:
    pre = [[1, 1, 0], [1, 0, 1], [1, 1, 1], [1, 0, 0]]
    analysis = item_analysis(pre)
    assert analysis.item("Q1").item_rest_pre is None
    assert analysis.item("Q1").reasons["item_rest_pre"] == (
        "everyone scored the same on this item before training (zero variance)"
    )
    assert analysis.item("Q2").item_rest_pre is not None


def test_item_rest_needs_three_complete_cases() -> None:
    # Only two people answered every item (the third row has a gap).
    pre = [[1, 0, 1], [0, 1, 0], [1, NAN, 1]]
    analysis = item_analysis(pre)
    for item in analysis.items:
        assert item.item_rest_pre is None
        assert item.reasons["item_rest_pre"] == (
            "fewer than 3 people answered every item before training (only 2)"
        )


def test_item_rest_undefined_when_the_other_items_are_constant() -> None:
    pre = [[1, 1], [0, 1], [1, 1], [0, 1]]
    analysis = item_analysis(pre)
    assert analysis.item("Q1").item_rest_pre is None
    assert "same total on the other items" in analysis.item("Q1").reasons["item_rest_pre"]


# --------------------------------------------------------------------------------------------
# McNemar


def test_mcnemar_is_exact_below_25_discordant_pairs() -> None:
    # b = 0, c = 3: p = 2 * P(X <= 0 | 3, .5) = 2 / 8 = .25
    result = mcnemar([0, 0, 0, 1, 1], [1, 1, 1, 1, 1])
    assert (result.n, result.b, result.c, result.method) == (5, 0, 3, "exact")
    assert result.p == pytest.approx(0.25)
    assert result.statistic is None
    assert result.apa() == "exact McNemar (b = 0, c = 3), p = .250"


def test_mcnemar_uses_continuity_corrected_chi_square_from_25_discordant_pairs() -> None:
    # b = 5, c = 20: chi2 = (|5 - 20| - 1)^2 / 25 = 196 / 25 = 7.84 on 1 df
    pre = [1] * 5 + [0] * 20 + [1] * 3
    post = [0] * 5 + [1] * 20 + [1] * 3
    result = mcnemar(pre, post)
    assert result.method == "chi_square"
    assert result.statistic == pytest.approx(7.84)
    assert result.df == 1.0
    # P(chi2_1 > 7.84) = P(|Z| > 2.8) = 2 * (1 - Phi(2.8)) = 0.005110
    assert result.p == pytest.approx(math.erfc(2.8 / math.sqrt(2)))
    assert result.apa() == "χ²(1) = 7.84, p = .005"


def test_mcnemar_24_discordant_pairs_is_still_exact() -> None:
    pre = [1] * 4 + [0] * 20
    post = [0] * 4 + [1] * 20
    result = mcnemar(pre, post)
    assert result.method == "exact"
    # 2 * P(X <= 4 | 24, .5) = 2 * (1 + 24 + 276 + 2024 + 10626) / 2^24
    assert result.p == pytest.approx(2 * 12951 / 2**24)


def test_mcnemar_with_equal_b_and_c_applies_the_correction_as_r_does() -> None:
    # R's mcnemar.test computes (|b - c| - 1)^2 / (b + c) literally: (0 - 1)^2 / 30
    pre = [1] * 15 + [0] * 15
    post = [0] * 15 + [1] * 15
    result = mcnemar(pre, post, exact=False)
    assert result.statistic == pytest.approx(1 / 30)


def test_mcnemar_drops_people_missing_either_answer() -> None:
    result = mcnemar([1, 0, None, 0, NAN], [0, 1, 1, None, 0])
    assert (result.n, result.b, result.c) == (2, 1, 1)
    assert result.p == pytest.approx(1.0)


def test_mcnemar_not_computed_when_nobody_changed() -> None:
    result = mcnemar([1, 0, 1], [1, 0, 1])
    assert not result.computed
    assert result.p is None
    assert (
        result.reason == "nobody changed their answer to this item, so McNemar's test is undefined"
    )
    assert result.to_dict()["apa"] is None


def test_mcnemar_not_computed_without_matched_people() -> None:
    result = mcnemar([1, None], [None, 0])
    assert result.n == 0
    assert result.reason == "nobody answered this item at both timepoints"


def test_mcnemar_rejects_values_other_than_zero_and_one() -> None:
    with pytest.raises(AnalysisError, match="1 \\(right\\), 0 \\(wrong\\)"):
        mcnemar([1, 2], [0, 1])
    with pytest.raises(AnalysisError, match="same length"):
        mcnemar([1, 0], [0])


def test_item_worth_two_points_is_right_or_wrong_for_mcnemar() -> None:
    pre = [[0], [0], [2], [0]]
    post = [[2], [2], [2], [0]]
    item = item_analysis(pre, post, ["K1"], max_points=2).item("K1")
    assert item.binary
    assert item.mcnemar is not None
    assert (item.mcnemar.b, item.mcnemar.c) == (0, 2)
    assert item.facility_pre == pytest.approx(0.25)
    assert item.facility_post == pytest.approx(0.75)


def test_rating_item_gets_no_mcnemar_and_says_why() -> None:
    pre = [[1, 1], [2, 0], [5, 1]]
    post = [[3, 1], [4, 1], [5, 1]]
    analysis = item_analysis(pre, post, ["S1", "K1"], max_points=[5, 1], min_points=[1, 0])
    assert analysis.item("S1").mcnemar is None
    assert analysis.item("S1").reasons["mcnemar"] == (
        "McNemar's test is for items scored right or wrong"
    )
    assert analysis.item("K1").mcnemar is not None


def test_binary_override_is_checked_against_the_values() -> None:
    with pytest.raises(AnalysisError, match="marked right/wrong"):
        item_analysis([[0.5], [1], [0]], binary=[True])


def test_holm_adjusts_mcnemar_p_across_the_domains_items() -> None:
    # Q1: b = 0, c = 3 -> p = .25; Q2: b = 0, c = 4 -> p = .125; Q3: nobody changed.
    pre = [[0, 0, 1], [0, 0, 1], [0, 0, 0], [1, 0, 0], [1, 1, 1]]
    post = [[1, 1, 1], [1, 1, 1], [1, 1, 0], [1, 1, 0], [1, 1, 1]]
    analysis = item_analysis(pre, post)
    # Holm over the two computed p: .125 * 2 = .25, then max(.25, .25 * 1) = .25
    assert analysis.item("Q1").p_holm == pytest.approx(0.25)
    assert analysis.item("Q2").p_holm == pytest.approx(0.25)
    assert analysis.item("Q3").p_holm is None


# --------------------------------------------------------------------------------------------
# Alpha / KR-20


def test_kr20_by_hand() -> None:
    # p = .75, .5, .25; sum pq = .1875 + .25 + .1875 = .625; totals 3, 2, 1, 0 -> var_pop 1.25
    # KR-20 = 3/2 * (1 - .625 / 1.25) = .75 (equal to alpha with sample variances)
    result = cronbach_alpha([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]])
    assert result.alpha == pytest.approx(0.75)
    assert result.kr20
    assert result.name == "KR-20"
    assert (result.n, result.k) == (4, 3)


def test_alpha_if_item_deleted_is_alpha_of_the_other_items() -> None:
    # Without Q1: items (1,1,0,0), (1,0,0,0): vars 1/3, 1/4; totals 2,1,0,0 -> var 11/12
    # alpha = 2 * (1 - (7/12) / (11/12)) = 2 * 4/11 = 8/11
    result = cronbach_alpha([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], ["Q1", "Q2", "Q3"])
    assert result.alpha_if_deleted["Q1"] == pytest.approx(8 / 11)


def test_alpha_keeps_an_item_everyone_answered_the_same_way() -> None:
    # Adding a constant item: sum of variances unchanged, total variance unchanged, k grows:
    # alpha = 4/3 * (1 - .8333 / 1.6667) = 2/3 (psych::alpha would drop it and say .75)
    result = cronbach_alpha([[1, 1, 1, 1], [1, 1, 0, 1], [1, 0, 0, 1], [0, 0, 0, 1]])
    assert result.alpha == pytest.approx(2 / 3)
    assert result.alpha_if_deleted["Q4"] == pytest.approx(0.75)


def test_alpha_uses_complete_cases_only() -> None:
    with_gap = cronbach_alpha([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, NAN, 0]])
    assert with_gap.n == 4
    assert with_gap.alpha == pytest.approx(0.75)


def test_feldt_ci_brackets_alpha() -> None:
    result = cronbach_alpha([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0], [1, 1, 1], [0, 1, 0]])
    assert result.ci_low is not None and result.ci_high is not None and result.alpha is not None
    assert result.ci_low < result.alpha < result.ci_high < 1


def test_alpha_not_computed_when_everyone_has_the_same_total() -> None:
    result = cronbach_alpha([[1, 0], [0, 1], [1, 0]])
    assert result.alpha is None
    assert result.reason == "every person has the same total, so alpha is undefined"


def test_alpha_not_computed_with_fewer_than_three_people_or_one_item() -> None:
    few = cronbach_alpha([[1, 0], [0, 1], [NAN, 1]])
    assert few.reason == "fewer than 3 people answered every item (only 2)"
    one = cronbach_alpha([[1], [0], [1]])
    assert one.reason == "a domain needs at least 2 items for alpha"


def test_alpha_if_deleted_undefined_with_two_items() -> None:
    result = cronbach_alpha([[1, 1], [1, 0], [0, 0], [0, 0]], ["A", "B"])
    assert result.alpha is not None
    assert result.alpha_if_deleted == {"A": None, "B": None}
    assert result.reasons["A"] == "with only 2 items, deleting one leaves a single item"


def test_rating_items_are_cronbach_alpha_not_kr20() -> None:
    result = cronbach_alpha([[1, 2], [3, 3], [5, 4], [2, 2]])
    assert not result.kr20
    assert result.name == "Cronbach's alpha"


def test_alpha_to_dict_is_strict_json() -> None:
    result = cronbach_alpha([[1, 0], [0, 1], [1, 0]])
    json.dumps(result.to_dict(), allow_nan=False)


# --------------------------------------------------------------------------------------------
# Ceiling flags


def test_ceiling_flag_above_15_percent_at_the_maximum() -> None:
    # 4 of 20 at the maximum = 20% > 15%
    result = ceiling_effect([6] * 4 + [3] * 16, 6, "pre")
    assert (result.n, result.n_at_max, result.share, result.flagged) == (20, 4, 0.2, True)
    assert result.flag == (
        "Ceiling effect before training: 20% of people (4 of 20) scored the maximum possible "
        "(6), more than the 15% threshold (Terwee et al. 2007). The questionnaire cannot show "
        "improvement for them: too easy to show change; add harder items."
    )


def test_exactly_15_percent_at_the_maximum_is_not_flagged() -> None:
    result = ceiling_effect([6] * 3 + [3] * 17 + [NAN], 6)
    assert (result.n, result.share, result.flagged, result.flag) == (20, 0.15, False, None)


def test_ceiling_of_no_scores_is_empty_not_nan() -> None:
    result = ceiling_effect([NAN, NAN], 6)
    assert (result.n, result.share, result.flagged) == (0, None, False)


def test_easy_item_before_training_is_flagged_with_the_seeds_advice() -> None:
    # K1: 19 of 20 right before training (.95 > .90); K2: 18 of 20 (.90, not above)
    pre = np.zeros((20, 2))
    pre[:19, 0] = 1
    pre[:18, 1] = 1
    analysis = item_analysis(pre, item_ids=["K1", "K2"])
    assert analysis.item("K1").flags == (
        "Item K1: 95% answered it correctly before training (facility above .90); "
        "too easy to show change; add harder items.",
    )
    assert analysis.item("K2").flags == ()
    assert analysis.item("K1").flags[0] in analysis.flags


def test_domain_ceiling_after_training_is_in_the_flags() -> None:
    pre = [[0, 1], [1, 0], [0, 0], [1, 0]]
    post = [[1, 1], [1, 1], [0, 1], [1, 0]]
    analysis = item_analysis(pre, post)
    assert analysis.ceiling_post is not None
    assert analysis.ceiling_post.share == pytest.approx(0.5)
    assert analysis.flags[0].startswith("Ceiling effect after training: 50% of people (2 of 4)")


# --------------------------------------------------------------------------------------------
# Inputs and output


def test_item_ids_come_from_dataframe_columns() -> None:
    frame = pd.DataFrame({"K1": [1.0, 0.0, 1.0], "K2": [0.0, 0.0, 1.0]})
    analysis = item_analysis(frame)
    assert [item.item for item in analysis.items] == ["K1", "K2"]


def test_item_analysis_rejects_bad_input() -> None:
    with pytest.raises(AnalysisError, match="same shape"):
        item_analysis([[1, 0], [0, 1]], [[1, 0]])
    with pytest.raises(AnalysisError, match="2 item column\\(s\\) but 3 item id"):
        item_analysis([[1, 0]], item_ids=["A", "B", "C"])
    with pytest.raises(AnalysisError, match="outside its range 0 to 1"):
        item_analysis([[1, 0], [2, 1]], item_ids=["A", "B"])
    with pytest.raises(AnalysisError, match="must exceed min"):
        item_analysis([[1, 0]], max_points=0)
    with pytest.raises(AnalysisError, match="two-dimensional"):
        item_analysis([1, 0, 1])
    with pytest.raises(AnalysisError, match="numbers"):
        item_analysis([["a", "b"]])
    with pytest.raises(AnalysisError, match="unique"):
        item_analysis([[1, 0]], item_ids=["A", "A"])
    with pytest.raises(AnalysisError, match="max_points has 3 value"):
        item_analysis([[1, 0]], max_points=[1, 1, 1])


def test_item_analysis_to_dict_is_strict_json_with_reasons() -> None:
    pre = [[1, 1, 0], [1, 0, 1], [1, 1, 1], [1, 0, 0]]
    post = [[1, 1, 1], [1, 1, 1], [1, 1, 1], [1, 0, 1]]
    document = item_analysis(pre, post).to_dict()
    text = json.dumps(document, allow_nan=False)
    assert "NaN" not in text
    q1 = document["items"][0]
    assert q1["item_rest_pre"] is None
    assert q1["mcnemar"]["computed"] is False
    assert document["reliability_post"]["name"] == "KR-20"


# --------------------------------------------------------------------------------------------
# Properties

binary_matrices = arrays(
    np.float64,
    st.tuples(st.integers(3, 15), st.integers(3, 6)),
    elements=st.sampled_from([0.0, 1.0]),
)


@settings(max_examples=60, deadline=None)
@given(binary_matrices)
def test_alpha_if_deleted_equals_alpha_without_that_item(matrix: np.ndarray) -> None:
    result = cronbach_alpha(matrix)
    for j, item in enumerate(result.alpha_if_deleted):
        without = cronbach_alpha(np.delete(matrix, j, axis=1))
        if without.alpha is None:
            assert result.alpha_if_deleted[item] is None
        else:
            assert result.alpha_if_deleted[item] == pytest.approx(without.alpha, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(binary_matrices, st.randoms(use_true_random=False))
def test_alpha_does_not_depend_on_item_order(matrix: np.ndarray, rng: object) -> None:
    order = list(range(matrix.shape[1]))
    rng.shuffle(order)  # type: ignore[attr-defined]
    first, second = cronbach_alpha(matrix), cronbach_alpha(matrix[:, order])
    if first.alpha is None:
        assert second.alpha is None
    else:
        assert second.alpha == pytest.approx(first.alpha, rel=1e-9, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(binary_matrices)
def test_item_rest_correlations_are_valid_correlations(matrix: np.ndarray) -> None:
    analysis = item_analysis(matrix)
    for item in analysis.items:
        if item.item_rest_pre is None:
            assert "item_rest_pre" in item.reasons
        else:
            assert -1.0 <= item.item_rest_pre <= 1.0
