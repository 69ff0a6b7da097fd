"""The helpers every statistic shares: one finite-or-None check, one pairing of pre and post."""

from __future__ import annotations

import math

import numpy as np
import pytest

from imheval.errors import AnalysisError
from imheval.stats import describe, paired_t, reliable_change
from imheval.stats._common import finite_or_none
from imheval.stats.paired import aligned_pairs


@pytest.mark.parametrize(
    "value", [None, math.nan, math.inf, -math.inf, np.float64("nan"), True, False, "x", object()]
)
def test_finite_or_none_turns_every_missing_or_unusable_value_into_none(value: object) -> None:
    assert finite_or_none(value) is None


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 0.0), (2, 2.0), (-1.5, -1.5), (np.float32(0.25), 0.25), ("3", 3.0)]
)
def test_finite_or_none_gives_finite_numbers_back_as_plain_floats(
    value: object, expected: float
) -> None:
    number = finite_or_none(value)
    assert type(number) is float
    assert number == expected


def test_results_and_descriptives_write_no_nan_or_infinity_into_json() -> None:
    described = describe([1e308, 1e308, -1e308])  # the sum, so the mean and SD, overflow to inf
    assert (described.mean, described.sd, described.median) == (None, None, 1e308)
    change = reliable_change([1.0, 2.0, 3.0], [2.0, 2.0, 5.0], reliability=math.nan)
    assert change.to_dict()["reliability"] is None
    assert change.reason == (
        "no reliability (r_xx) was given for this score, or it is not a finite number"
    )


def test_aligned_pairs_keeps_every_row_and_marks_the_complete_ones() -> None:
    pre, post, complete = aligned_pairs([1.0, None, 3.0, math.inf], [2.0, 5.0, math.nan, 4.0])
    assert pre.size == post.size == 4
    assert complete.tolist() == [True, False, False, False]


def test_paired_tests_and_reliable_change_refuse_unequal_lengths_with_one_message() -> None:
    message = "pre and post must have the same length to be paired (got 3 and 2)"
    with pytest.raises(AnalysisError) as from_paired:
        paired_t([1, 2, 3], [1, 2])
    with pytest.raises(AnalysisError) as from_change:
        reliable_change([1, 2, 3], [1, 2], reliability=0.8)
    assert str(from_paired.value) == str(from_change.value) == message


def test_noncentral_f_ci_survives_scipy_nan_in_the_far_tail() -> None:
    """scipy's ncf.cdf is nan, not 0, where it underflows (F 1000 on 2 and 199,990 df at
    lambda near 5,000); the national benchmark's ANCOVA of 200,000 people stopped on it.
    The interval is still found, and each bound puts the observed F at its quantile."""
    from scipy import stats as scipy_stats

    from imheval.stats._common import noncentral_f_ci

    assert np.isnan(scipy_stats.ncf.cdf(1000.0, 2, 199_990, 5020.408163265306))
    found = noncentral_f_ci(1000.0, 2, 199_990, 0.95)
    assert found is not None
    low, high = found
    assert scipy_stats.ncf.cdf(1000.0, 2, 199_990, low) == pytest.approx(0.975, abs=1e-9)
    assert scipy_stats.ncf.cdf(1000.0, 2, 199_990, high) == pytest.approx(0.025, abs=1e-9)
    # near the large-sample normal approximation: lambda ~ F df1 - df1 -/+ 1.96 sd, with the
    # noncentral chi-square's sd sqrt(2 (df1 + 2 lambda))
    centre = 1000.0 * 2 - 2
    sd = math.sqrt(2 * (2 + 2 * centre))
    assert low == pytest.approx(centre - 1.959964 * sd, abs=10.0)
    assert high == pytest.approx(centre + 1.959964 * sd, abs=10.0)
