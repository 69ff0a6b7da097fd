"""Weighted kappa, Wilson CIs, Bland-Altman, SEM / SDC and the retention CI: edge cases by hand.

The R checks are in tests/golden/test_retest_against_r.py; here, values worked by hand and the
cases where a figure cannot be given (each with its reason, never NaN, never an exception).
"""

from __future__ import annotations

import json
import math

import pytest

from imheval.errors import AnalysisError
from imheval.stats.agreement import kappa_weights, rating_agreement, weighted_kappa
from imheval.stats.change import retention
from imheval.stats.measurement_error import (
    bland_altman,
    bland_altman_words,
    measurement_error,
    measurement_error_words,
)
from imheval.stats.proportions import proportion, wilson_ci


def test_linear_and_quadratic_weights_follow_the_scale_not_the_answers() -> None:
    linear = kappa_weights([1, 2, 3, 4, 5], "linear")
    quadratic = kappa_weights([1, 2, 3, 4, 5], "quadratic")
    assert linear[0, 1] == pytest.approx(0.75) and linear[0, 4] == pytest.approx(0.0)
    assert quadratic[0, 1] == pytest.approx(1 - 1 / 16) and quadratic[1, 3] == pytest.approx(0.75)
    assert kappa_weights([1, 2, 3], "unweighted").tolist() == [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


def test_a_near_miss_earns_partial_credit_by_hand() -> None:
    # 4 people on a 1-5 scale; one answers 3 then 4. Observed linear agreement 1 - .25/4.
    first, second = [1, 2, 3, 5], [1, 2, 4, 5]
    result = rating_agreement(first, second, [1, 2, 3, 4, 5])
    assert result.exact.share == pytest.approx(0.75)
    assert result.within_one.share == pytest.approx(1.0)
    linear = result.linear
    assert linear.observed == pytest.approx(1 - 0.25 / 4)
    # margins: first (1, 2, 3, 5), second (1, 2, 4, 5), each 1/4; chance linear agreement:
    distances = [abs(i - j) / 4 for i in (1, 2, 3, 5) for j in (1, 2, 4, 5)]
    expected = sum(1 - d for d in distances) / 16
    assert linear.expected == pytest.approx(expected)
    assert linear.kappa == pytest.approx((1 - 0.0625 - expected) / (1 - expected))
    assert result.unweighted.kappa is not None and linear.kappa is not None
    assert result.quadratic.kappa is not None
    assert result.unweighted.kappa < linear.kappa < result.quadratic.kappa


def test_weighted_kappa_not_computed_with_reasons() -> None:
    few = weighted_kappa([1, 2], [1, 2], [1, 2, 3], "linear")
    assert not few.computed and "fewer than 3" in (few.reason or "")
    same = weighted_kappa([3, 3, 3, 3], [3, 3, 3, 3], [1, 2, 3, 4, 5], "quadratic")
    assert not same.computed and "same answer" in (same.reason or "")
    assert same.observed == pytest.approx(1.0)
    perfect = weighted_kappa([1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], "linear")
    assert perfect.kappa == pytest.approx(1.0) and perfect.ci is None and perfect.ci_reason
    document = json.dumps(same.to_dict(), allow_nan=False)
    assert '"kappa": null' in document


def test_weighted_kappa_drops_incomplete_pairs_and_refuses_ragged_input() -> None:
    result = weighted_kappa([1, None, 3, 4, 2], [1, 2, float("nan"), 4, 3], [1, 2, 3, 4])
    assert result.n == 3
    with pytest.raises(AnalysisError, match="same length"):
        weighted_kappa([1, 2, 3], [1, 2], [1, 2, 3])


def test_wilson_ci_by_hand_and_at_the_edges() -> None:
    ci = wilson_ci(5, 5)
    assert ci is not None
    z = 1.959963984540054
    assert ci.high == pytest.approx(1.0)
    assert ci.low == pytest.approx(5 / (5 + z * z))  # Wilson at p = 1: n / (n + z^2)
    assert wilson_ci(0, 0) is None
    empty = proportion(0, 0)
    assert empty.share is None and empty.reason
    with pytest.raises(AnalysisError):
        wilson_ci(6, 5)


def test_bland_altman_and_sdc_by_hand() -> None:
    first, second = [10, 12, 14, 9], [11, 12, 15, 11]  # differences 1, 0, 1, 2
    limits = bland_altman(first, second)
    assert limits.bias == pytest.approx(1.0)
    assert limits.sd_diff == pytest.approx(math.sqrt(2 / 3))
    assert limits.upper == pytest.approx(1 + 1.959963984540054 * math.sqrt(2 / 3))
    error = measurement_error(first, second)
    # MSE = var(d) / 2 = 1/3; MS administrations = n * mean(d)^2 / 2 = 2
    assert error.variance_residual == pytest.approx(1 / 3)
    assert error.variance_administration == pytest.approx((2 - 1 / 3) / 4)
    assert error.sem == pytest.approx(math.sqrt(0.75))
    assert error.sdc_individual == pytest.approx(1.959963984540054 * math.sqrt(2 * 0.75))
    assert error.sdc_group == pytest.approx(error.sdc_individual / 2)
    words = measurement_error_words(error)
    assert "must change by 2.4 points or more" in words and "group of 4 people" in words
    assert "higher at the retest" in bland_altman_words(limits)


def test_a_systematic_shift_is_named_and_widens_sem_agreement() -> None:
    first = [10, 12, 14, 9, 11, 13]
    second = [v + 3 for v in first]
    second[0] += 1
    limits = bland_altman(first, second)
    assert "systematic shift" in bland_altman_words(limits)
    error = measurement_error(first, second)
    assert error.sem is not None and error.sem_consistency is not None
    assert error.sem > error.sem_consistency


def test_measurement_error_not_computed_with_fewer_than_three_pairs() -> None:
    error = measurement_error([1, 2, None], [1, 2, 3])
    assert not error.computed and "only 2" in (error.reason or "")
    assert "could not be computed" in measurement_error_words(error)
    limits = bland_altman([], [])
    assert not limits.computed and "nobody" in (limits.reason or "")
    json.dumps(limits.to_dict(), allow_nan=False)
    json.dumps(error.to_dict(), allow_nan=False)


def test_retention_ci_brackets_the_share_and_is_absent_when_the_gain_is_unclear() -> None:
    kept = retention([10, 12, 11, 9, 13, 10], [15, 16, 14, 14, 18, 13], [13, 15, 12, 12, 17, 12])
    assert kept.share_ci is not None and kept.share_retained is not None
    assert kept.share_ci.low < kept.share_retained < kept.share_ci.high
    document = kept.to_dict()
    assert document["share_retained_ci_method"] == "Fieller"
    assert document["share_retained_ci"] == [kept.share_ci.low, kept.share_ci.high]
    unclear = retention([10, 12, 11, 9], [11, 11, 12, 9], [13, 15, 12, 12])
    assert unclear.share_retained is not None
    assert unclear.share_ci is None and "too uncertain" in (unclear.share_ci_reason or "")
    one = retention([10], [12], [11])
    assert one.share_ci is None and "one person" in (one.share_ci_reason or "")
    json.dumps(unclear.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "module",
    [
        "imheval.stats.agreement",
        "imheval.stats.measurement_error",
        "imheval.stats.proportions",
    ],
)
def test_docstring_examples_hold(module: str) -> None:
    import doctest
    import importlib

    failures, tried = doctest.testmod(importlib.import_module(module))
    assert tried > 0 and failures == 0
