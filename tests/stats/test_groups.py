"""Behaviour of the between-group tests: values by hand and the not-computed reasons."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from imheval.errors import AnalysisError
from imheval.stats import compare_groups, one_way_anova, welch_anova, welch_t


def test_one_way_anova_matches_hand_computation() -> None:
    # Means 2 and 5, grand mean 3.5: SSB = 13.5, SSW = 4, df (1, 4), F = 13.5.
    result = one_way_anova([1, 2, 3, 4, 5, 6], ["A", "A", "A", "B", "B", "B"])
    assert result.statistic == pytest.approx(13.5)
    assert result.df == (1.0, 4.0)
    assert result.p == pytest.approx(2 * stats.t.sf(math.sqrt(13.5), 4))
    assert result.effect("eta_squared").value == pytest.approx(13.5 / 17.5)  # type: ignore[union-attr]
    assert result.effect("partial_eta_squared").value == pytest.approx(13.5 / 17.5)  # type: ignore[union-attr]
    assert result.effect("omega_squared").value == pytest.approx(12.5 / 18.5)  # type: ignore[union-attr]
    assert result.details["mean[B]"] == 5.0


def test_one_way_anova_truncates_negative_omega_squared_and_keeps_raw() -> None:
    result = one_way_anova([1, 3, 2, 2, 1, 3], ["A", "A", "B", "B", "C", "C"])
    # All means equal 2: SSB = 0, MSW = 4/3 -> raw omega^2 = -(2 * 4/3) / (4 + 4/3).
    assert result.details["omega_squared_raw"] == pytest.approx(-(8 / 3) / (16 / 3))
    assert result.effect("omega_squared").value == 0.0  # type: ignore[union-attr]


def test_one_way_anova_drops_missing_values_and_labels() -> None:
    clean = one_way_anova([1, 2, 3, 4, 5, 6], ["A", "A", "A", "B", "B", "B"])
    messy = one_way_anova([1, 2, 3, 4, 5, 6, None, 9], ["A", "A", "A", "B", "B", "B", "A", None])
    assert messy.n == 6
    assert messy.statistic == pytest.approx(clean.statistic)


@pytest.mark.parametrize(
    ("values", "groups", "reason"),
    [
        ([1, 2, 3], ["A", "A", "A"], "only one group"),
        ([], [], "fewer than 2 groups with data"),
        ([1, 2, None], ["A", "B", "C"], "no within-group variance"),
        ([1, 1, 2, 2], ["A", "A", "B", "B"], "zero within-group variance"),
    ],
)
def test_one_way_anova_not_computed_reasons(
    values: list[float | None], groups: list[str], reason: str
) -> None:
    result = one_way_anova(values, groups)
    assert not result.computed
    assert result.reason is not None and reason in result.reason


def test_welch_t_matches_hand_computation() -> None:
    # Means 2 and 4, variances 1 and 4, n = 3 each: se^2 = 5/3, df = (5/3)^2 / (17/18) = 50/17.
    result = welch_t([1, 2, 3], [2, 4, 6])
    assert result.statistic == pytest.approx(-2 / math.sqrt(5 / 3))
    assert result.df == pytest.approx(50 / 17)
    assert result.estimate == pytest.approx(-2.0)
    # Pooled SD sqrt(2.5): d = -2 / sqrt(2.5).
    assert result.effect("cohen_d").value == pytest.approx(-2 / math.sqrt(2.5))  # type: ignore[union-attr]


def test_welch_t_with_one_value_in_a_group_is_not_computed() -> None:
    assert welch_t([1.0], [2, 3, 4]).reason == "fewer than 2 values in group a (1)"


def test_welch_t_with_constant_groups_is_not_computed() -> None:
    result = welch_t([2, 2, 2], [5, 5])
    assert result.reason is not None and "zero variance" in result.reason


def test_welch_anova_names_groups_that_are_too_small() -> None:
    result = welch_anova([1, 2, 3, 4, 5], ["A", "A", "B", "B", "C"])
    assert result.reason is not None and "'C'" in result.reason


def test_welch_anova_names_constant_groups() -> None:
    result = welch_anova([1, 2, 3, 3, 5, 9], ["A", "A", "B", "B", "C", "C"])
    assert result.reason is not None and "'B'" in result.reason and "zero variance" in result.reason


def test_compare_groups_uses_welch_t_for_two_groups() -> None:
    result = compare_groups([1, 2, 3, 2, 4, 6], ["x", "x", "x", "y", "y", "y"])
    assert result.test == "welch_t"
    assert result.statistic == pytest.approx(-2 / math.sqrt(5 / 3))
    assert "'x' minus 'y'" in result.method


def test_compare_groups_uses_welch_anova_for_three_groups() -> None:
    values = [1, 2, 3, 2, 4, 6, 5, 7, 8]
    groups = ["a", "a", "a", "b", "b", "b", "c", "c", "c"]
    result = compare_groups(values, groups)
    assert result.test == "welch_anova"
    assert result.statistic == pytest.approx(welch_anova(values, groups).statistic)
    # eta squared by hand: group means 2, 4, 6.67, grand mean 4.222
    grand = sum(values) / len(values)
    means = {"a": 2.0, "b": 4.0, "c": 20 / 3}
    ss_between = sum(3 * (m - grand) ** 2 for m in means.values())
    ss_total = sum((v - grand) ** 2 for v in values)
    eta = result.effect("eta_squared")
    assert eta is not None and eta.value == pytest.approx(ss_between / ss_total, rel=1e-12)


def test_compare_groups_excludes_small_groups_and_says_so() -> None:
    result = compare_groups([1, 2, 3, 2, 4, 6, 9], ["x", "x", "x", "y", "y", "y", "z"])
    assert result.test == "welch_t"
    assert "excluded group(s): 'z' (n = 1)" in result.method
    assert result.details["groups_excluded"] == 1


def test_compare_groups_drops_a_constant_group_rather_than_give_up() -> None:
    """A group whose values are all equal has no Welch weight; the others are still compared."""
    values = [1, 2, 3, 2, 4, 6, 5, 5, 5]
    groups = ["a", "a", "a", "b", "b", "b", "c", "c", "c"]
    result = compare_groups(values, groups)
    assert result.computed
    assert result.test == "welch_t"
    expected = welch_t([1, 2, 3], [2, 4, 6])
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert "'c' (all values identical)" in result.method
    assert result.details["groups_excluded"] == 1


def test_compare_groups_keeps_a_constant_group_when_only_two_groups_exist() -> None:
    result = compare_groups([1, 2, 3, 5, 5, 5], ["a", "a", "a", "c", "c", "c"])
    expected = welch_t([1, 2, 3], [5, 5, 5])
    assert result.computed and result.statistic == pytest.approx(expected.statistic)


def test_compare_groups_with_one_usable_group_is_not_computed() -> None:
    result = compare_groups([1, 2, 3, 9], ["x", "x", "x", "z"])
    assert not result.computed
    assert result.reason is not None and result.reason.startswith("only one group")
    assert "'z' (n = 1)" in result.reason


def test_group_functions_reject_mismatched_lengths() -> None:
    with pytest.raises(AnalysisError, match="same length"):
        one_way_anova([1, 2, 3], ["A", "B"])
