"""Behaviour of the paired tests: hand-computed values, listwise deletion, not-computed reasons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from imheval.errors import AnalysisError
from imheval.stats import paired_t, shapiro_wilk, wilcoxon_signed_rank


def test_paired_t_matches_hand_computation() -> None:
    # d = [1, 2, 2]: mean 5/3, sd sqrt(1/3), se 1/3, so t = 5 on 2 df.
    result = paired_t([1, 2, 3], [2, 4, 5])
    assert result.computed
    assert result.statistic == pytest.approx(5.0)
    assert result.df == 2.0
    # For df = 2, P(T > t) = (1 - t / sqrt(t^2 + 2)) / 2.
    assert result.p == pytest.approx(1 - 5 / math.sqrt(27))
    assert result.estimate == pytest.approx(5 / 3)
    assert result.effect("cohen_dz") is not None
    assert result.effect("cohen_dz").value == pytest.approx((5 / 3) / math.sqrt(1 / 3))  # type: ignore[union-attr]
    assert result.effect("r").value == pytest.approx(math.sqrt(25 / 27))  # type: ignore[union-attr]


def test_paired_t_drops_incomplete_pairs_listwise() -> None:
    full = paired_t([1, 2, 3], [2, 4, 5])
    with_gaps = paired_t([1, 2, 3, np.nan, 4, None], [2, 4, 5, 6, None, 7])
    assert with_gaps.n == 3
    assert with_gaps.statistic == pytest.approx(full.statistic)


def test_paired_t_accepts_pandas_nullable_series() -> None:
    pre = pd.Series([1, 2, 3, None], dtype="Float64")
    post = pd.Series([2, 4, 5, 1], dtype="Float64")
    assert paired_t(pre, post).statistic == pytest.approx(5.0)


def test_paired_t_with_one_pair_is_not_computed_with_reason() -> None:
    result = paired_t([1, np.nan], [2, 3])
    assert not result.computed
    assert result.reason is not None and "fewer than 2 complete pairs" in result.reason
    assert result.statistic is None and result.p is None
    assert result.apa() == result.reason


def test_paired_t_with_identical_changes_is_not_computed() -> None:
    result = paired_t([1, 2, 3], [2, 3, 4])
    assert result.reason == "all changes are identical (zero variance), so t is undefined"


def test_paired_t_treats_rounding_noise_in_changes_as_zero_variance() -> None:
    # 4.14 - 2.00 and 4.38 - 2.24 differ only in the last bits; R's t.test calls this constant.
    result = paired_t([2.00, 2.24], [4.14, 4.38])
    assert not result.computed


def test_paired_t_omits_d_rm_when_pre_is_constant() -> None:
    result = paired_t([3, 3, 3, 3], [4, 5, 3, 6])
    assert result.computed
    assert result.details["r_prepost"] is None
    assert result.effect("d_rm") is None
    assert result.effect("d_av") is not None


def test_paired_t_omits_hedges_gz_with_two_pairs() -> None:
    result = paired_t([1, 2], [2, 4])
    assert result.computed
    assert result.effect("hedges_gz") is None


def test_paired_t_rejects_unequal_lengths() -> None:
    with pytest.raises(AnalysisError, match="same length"):
        paired_t([1, 2, 3], [1, 2])


def test_paired_t_rejects_non_numbers() -> None:
    with pytest.raises(AnalysisError, match="must be numbers"):
        paired_t(["a", "b"], [1, 2])


def test_paired_t_rejects_confidence_outside_zero_one() -> None:
    with pytest.raises(AnalysisError, match="confidence"):
        paired_t([1, 2, 3], [2, 4, 5], confidence=95)


def test_paired_t_confidence_level_widens_interval() -> None:
    narrow = paired_t([1, 2, 3, 4], [2, 4, 5, 5], confidence=0.90)
    wide = paired_t([1, 2, 3, 4], [2, 4, 5, 5], confidence=0.99)
    assert narrow.estimate_ci is not None and wide.estimate_ci is not None
    assert wide.estimate_ci.low < narrow.estimate_ci.low
    assert wide.estimate_ci.level == 0.99


def test_wilcoxon_exact_p_for_five_increases() -> None:
    # All 5 ranks positive: V = 15, the single most extreme of 2^5 sign patterns per tail.
    result = wilcoxon_signed_rank([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
    assert result.statistic == 15
    assert result.p == pytest.approx(2 / 32)
    assert "exact" in result.method
    assert result.effect("rank_biserial").value == 1.0  # type: ignore[union-attr]


def test_wilcoxon_drops_zero_differences_and_uses_normal_approximation() -> None:
    result = wilcoxon_signed_rank([1, 1, 1, 1, 1, 1], [2, 3, 4, 5, 6, 1])
    # 5 non-zero differences, V = 15: z = (15 - 7.5 - 0.5) / sqrt(5 * 6 * 11 / 24).
    z = 7.0 / math.sqrt(13.75)
    assert result.statistic == 15
    assert result.p == pytest.approx(math.erfc(z / math.sqrt(2)))
    assert result.details["n_zero"] == 1
    assert "continuity correction" in result.method
    assert "1 zero difference(s) dropped" in result.method


def test_wilcoxon_rank_biserial_counts_negative_ranks() -> None:
    # Differences 1, -2, 3 have ranks 1, 2, 3: W+ = 4, W- = 2, r = (4 - 2) / 6.
    result = wilcoxon_signed_rank([0, 0, 0], [1, -2, 3])
    assert result.statistic == 4
    assert result.effect("rank_biserial").value == pytest.approx(1 / 3)  # type: ignore[union-attr]


def test_wilcoxon_with_all_differences_zero_is_not_computed() -> None:
    result = wilcoxon_signed_rank([1, 2, 3], [1, 2, 3])
    assert result.reason == "every difference is zero, so there is nothing to rank"
    assert result.n == 3


def test_wilcoxon_without_pairs_is_not_computed() -> None:
    assert wilcoxon_signed_rank([np.nan], [1]).reason == "no complete pairs"


def test_shapiro_wilk_three_values_matches_closed_form() -> None:
    # n = 3: W = (a (x3 - x1))^2 / SS with a = 1/sqrt(2);
    # p = 6/pi (asin(sqrt(W)) - asin(sqrt(3/4))).
    result = shapiro_wilk([1, 2, 4])
    w = 0.5 * 9 / (42 / 9)
    assert result.statistic == pytest.approx(w)
    assert result.p == pytest.approx(
        6 / math.pi * (math.asin(math.sqrt(w)) - math.asin(math.sqrt(0.75)))
    )


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ([1.0, 2.0], "fewer than 3 values"),
        ([1.0, 2.0, np.nan], "fewer than 3 values"),
        ([2.5, 2.5, 2.5, 2.5], "all values are identical"),
        (list(np.arange(5001.0)), "more than 5000 values"),
    ],
)
def test_shapiro_wilk_outside_r_limits_is_not_computed(values: list[float], reason: str) -> None:
    result = shapiro_wilk(values)
    assert not result.computed
    assert result.reason is not None and reason in result.reason
