"""Normalised gain (Hake's g) by hand: people at the maximum left out, losses, class average."""

from __future__ import annotations

import json

import pytest

from imheval.stats.gain import hake_gain, normalised_gain, person_gains


def test_per_person_g_is_the_share_of_the_room_left_that_was_gained() -> None:
    g = person_gains([2, 8, 10, 9], [6, 7, 10, 10], 10)
    assert g[0] == pytest.approx(0.5)  # 4 of the 8 points left
    assert g[1] == pytest.approx(-0.5)  # a loss of 1 with 2 left: large and negative
    assert g[2] != g[2]  # at the maximum before: undefined (NaN)
    assert g[3] == pytest.approx(1.0)  # one point near the top is the whole room


def test_people_at_the_maximum_are_counted_and_left_out_of_the_mean() -> None:
    result = normalised_gain([2, 8, 10, 9], [6, 7, 10, 10], 10)
    assert (result.n, result.n_at_maximum, result.n_analysed) == (4, 1, 3)
    assert result.mean == pytest.approx((0.5 - 0.5 + 1.0) / 3)
    assert result.median == pytest.approx(0.5)
    assert result.n_lost == 1 and result.lowest == pytest.approx(-0.5)
    # Hake's class g uses every person's means: (8.25 - 7.25) / (10 - 7.25)
    assert result.hake_g == pytest.approx(1.0 / 2.75)


def test_everyone_at_the_maximum_says_why() -> None:
    result = normalised_gain([10, 10], [10, 9], 10)
    assert result.mean is None and result.hake_g is None
    assert result.reason is not None and "room to gain" in result.reason
    json.dumps(result.to_dict(), allow_nan=False)


def test_missing_scores_drop_the_person_and_nobody_says_so() -> None:
    assert normalised_gain([None, 3], [5, None], 10).reason == (
        "nobody measured before and after training"
    )
    assert hake_gain([1, None], [3, 4], 5) == pytest.approx(0.5)
