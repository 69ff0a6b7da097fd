"""Reliable change (Jacobson-Truax) and follow-up retention: hand-computed cases and every gap."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import AnalysisError
from imheval.stats import reliable_change, retention


def test_rci_divides_each_change_by_the_standard_error_of_a_difference() -> None:
    # SD_pre = sd(2, 4, 6) = 2; SE_m = 2 * sqrt(1 - .75) = 1; S_diff = sqrt(2).
    result = reliable_change([2, 4, 6], [5, 4, 3], 0.75)
    assert result.computed
    assert result.sd_pre == pytest.approx(2.0, rel=1e-15)
    assert result.se_measurement == pytest.approx(1.0, rel=1e-15)
    assert result.se_diff == pytest.approx(math.sqrt(2), rel=1e-15)
    assert result.minimum_reliable_change == pytest.approx(1.96 * math.sqrt(2), rel=1e-15)
    assert result.rci == pytest.approx((3 / math.sqrt(2), 0.0, -3 / math.sqrt(2)), rel=1e-15)
    assert (result.n_improved, result.n_no_change, result.n_declined) == (1, 1, 1)
    assert result.share_improved == pytest.approx(1 / 3)
    assert result.sd_pre_source == "complete pairs"


def test_rci_skips_incomplete_pairs_but_keeps_their_positions() -> None:
    result = reliable_change([2, None, 4, 6, 1], [5, 3, 4, 3, float("nan")], 0.75)
    assert result.n == 3
    assert result.rci[1] is None and result.rci[4] is None
    assert result.rci[0] == pytest.approx(3 / math.sqrt(2))
    assert result.n_improved + result.n_no_change + result.n_declined == 3  # type: ignore[operator]


def test_rci_uses_a_given_pre_sd_instead_of_the_sample_sd() -> None:
    # S_diff = sqrt(2) * 4 * sqrt(1 - .5) = 4: a change of 8 gives RCI 2 (reliable), 7 gives 1.75.
    result = reliable_change([0, 0], [8, 7], 0.5, sd_pre=4.0)
    assert result.sd_pre == 4.0 and result.sd_pre_source == "given"
    assert result.se_diff == pytest.approx(4.0, rel=1e-15)
    assert result.rci == pytest.approx((2.0, 1.75), rel=1e-15)
    assert (result.n_improved, result.n_no_change) == (1, 1)


def test_rci_with_one_pair_needs_a_given_sd() -> None:
    without = reliable_change([3], [6], 0.8)
    assert not without.computed
    assert without.reason is not None and "give sd_pre" in without.reason
    given_sd = reliable_change([3], [6], 0.8, sd_pre=1.0)
    assert given_sd.computed
    assert given_sd.rci[0] == pytest.approx(3 / (math.sqrt(2) * math.sqrt(0.2)))


@pytest.mark.parametrize(
    ("reliability", "words"),
    [
        (None, "no reliability"),
        (float("nan"), "no reliability"),
        (1.0, "between 0 and 1"),
        (1.2, "between 0 and 1"),
        (0.0, "between 0 and 1"),
        (-0.3, "between 0 and 1"),
    ],
)
def test_rci_not_computed_without_a_usable_reliability(
    reliability: float | None, words: str
) -> None:
    result = reliable_change([1, 2, 3], [2, 3, 5], reliability)
    assert not result.computed
    assert result.reason is not None and words in result.reason
    assert result.se_diff is None and result.n_improved is None and result.rci == ()


def test_rci_not_computed_without_complete_pairs() -> None:
    result = reliable_change([1, None], [None, 2], 0.8)
    assert not result.computed and result.reason == "no complete pairs" and result.n == 0


def test_rci_not_computed_when_everyone_had_the_same_pre_score() -> None:
    result = reliable_change([3, 3, 3], [4, 5, 6], 0.8)
    assert not result.computed
    assert result.reason is not None and "pre-test SD is zero" in result.reason
    assert result.sd_pre == 0.0


@pytest.mark.parametrize(("sd", "words"), [(0.0, "SD is zero"), (-1.0, "must be positive")])
def test_rci_not_computed_with_a_given_sd_that_is_not_positive(sd: float, words: str) -> None:
    result = reliable_change([1, 2], [3, 4], 0.8, sd_pre=sd)
    assert not result.computed and result.reason is not None and words in result.reason


def test_rci_not_computed_with_a_given_sd_that_is_not_a_number() -> None:
    result = reliable_change([1, 2], [3, 4], 0.8, sd_pre=float("inf"))
    assert not result.computed and result.reason is not None and "not a finite" in result.reason


def test_rci_refuses_pre_and_post_of_different_lengths() -> None:
    with pytest.raises(AnalysisError, match="same length"):
        reliable_change([1, 2, 3], [1, 2], 0.8)


def test_rci_to_dict_leaves_out_people_unless_asked() -> None:
    result = reliable_change([2, 4, 6, None], [5, 4, 3, 1], 0.75)
    assert "rci" not in result.to_dict()
    individual = result.to_dict(include_individual=True)["rci"]
    assert individual[3] is None and individual[0] == pytest.approx(3 / math.sqrt(2))


score = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, 1.0, 2.0, 5.0]),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(score, score), max_size=12),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
)
def test_reliable_change_never_yields_nan(
    rows: list[tuple[float | None, float | None]],
    reliability: float | None,
    sd_pre: float | None,
) -> None:
    pre = [r[0] for r in rows]
    post = [r[1] for r in rows]
    result = reliable_change(pre, post, reliability, sd_pre=sd_pre)
    data = result.to_dict(include_individual=True)
    json.dumps(data, allow_nan=False)  # raises on NaN or infinity
    assert data["computed"] != (data["reason"] is not None)
    if result.computed:
        counts = (result.n_improved, result.n_no_change, result.n_declined)
        assert sum(c or 0 for c in counts) == result.n
        assert sum(v is not None for v in result.rci) == result.n


def test_retention_compares_gains_of_the_people_measured_three_times() -> None:
    # The 4th person has no follow-up and does not count: means 2, 4, 3.
    result = retention([1, 2, 3, 10], [3, 4, 5, 20], [2, 3, 4, None])
    assert result.computed and result.n == 3
    assert (result.mean_pre, result.mean_post, result.mean_followup) == pytest.approx((2, 4, 3))
    assert result.gain_post == pytest.approx(2.0)
    assert result.gain_followup == pytest.approx(1.0)
    assert result.share_retained == pytest.approx(0.5)


def test_retention_share_is_none_when_there_was_no_gain() -> None:
    result = retention([2, 4], [4, 2], [5, 5])
    assert result.computed
    assert result.gain_post == 0.0 and result.gain_followup == pytest.approx(2.0)
    assert result.share_retained is None
    assert result.notes and "did not change" in result.notes[0]
    json.dumps(result.to_dict(), allow_nan=False)


def test_retention_not_computed_when_nobody_has_all_three_scores() -> None:
    result = retention([1, None], [2, 3], [None, 4])
    assert not result.computed and result.n == 0
    assert result.reason == "nobody has a pre, a post and a follow-up score"
    assert result.to_dict()["mean_pre"] is None


def test_retention_refuses_inputs_of_different_lengths() -> None:
    with pytest.raises(AnalysisError, match="same length"):
        retention([1, 2], [1, 2], [1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(score, score, score), max_size=10))
def test_retention_never_yields_nan(rows: list[tuple[float | None, ...]]) -> None:
    result = retention([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["computed"] != (data["reason"] is not None)
    if result.computed:
        assert np.isfinite(result.gain_post)  # type: ignore[arg-type]
