"""Floors mirror ceilings; too-hard items after training; Wilson CIs of facility."""

from __future__ import annotations

import json

import pytest

from imheval.stats.items import FLOOR_ADVICE, floor_effect, item_analysis, wilson_ci


def test_more_than_15_percent_at_the_minimum_is_a_floor_effect() -> None:
    flagged = floor_effect([0, 0, 1, 2, 3, 4, 5, 6, 7, 8], 0, "post")
    assert flagged.flagged and flagged.n_at_min == 2 and flagged.share == pytest.approx(0.2)
    assert flagged.flag is not None and "Floor effect after training: 20%" in flagged.flag
    assert FLOOR_ADVICE in flagged.flag
    assert not floor_effect([0, 1, 2, 3, 4, 5, 6, 7], 0).flagged  # 12.5%, not above 15%
    assert floor_effect([], 0).share is None


def test_item_analysis_flags_floors_and_items_too_hard_after_training() -> None:
    pre = [[0, 0, 1], [0, 0, 0], [0, 1, 1], [0, 0, 1], [0, 1, 0], [0, 0, 1]]
    post = [[0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 0], [0, 1, 1]]
    analysis = item_analysis(pre, post, item_ids=["A", "B", "C"])
    assert analysis.floor_pre is not None and analysis.floor_pre.flagged
    assert analysis.floor_post is not None and not analysis.floor_post.flagged
    a = analysis.item("A")
    assert a.too_hard and any(FLOOR_ADVICE in flag for flag in a.flags)
    assert not analysis.item("B").too_hard
    document = json.loads(json.dumps(analysis.to_dict(), allow_nan=False))
    assert document["floor_pre"]["n_at_min"] == 1
    assert document["items"][0]["too_hard"] is True


def test_facility_has_a_wilson_ci_for_right_wrong_items_only() -> None:
    analysis = item_analysis(
        [[1, 3], [0, 2], [1, 4], [1, 1], [0, 0]], item_ids=["K", "R"], max_points=[1, 4]
    )
    keyed, rated = analysis.item("K"), analysis.item("R")
    assert keyed.facility_pre_ci == wilson_ci(0.6, 5)
    assert keyed.facility_post_ci is None  # no post data
    assert rated.facility_pre_ci is None  # a rating's facility is not a proportion
    assert keyed.to_dict()["facility_pre_ci"] == [
        keyed.facility_pre_ci.low,
        keyed.facility_pre_ci.high,
    ]  # type: ignore[union-attr]


def test_wilson_ci_by_hand_and_at_the_edges() -> None:
    ci = wilson_ci(0.5, 4)
    assert ci is not None
    z2 = 1.959963984540054**2
    centre = (0.5 + z2 / 8) / (1 + z2 / 4)
    assert (ci.low + ci.high) / 2 == pytest.approx(centre)
    assert wilson_ci(0.0, 10).low == 0.0  # type: ignore[union-attr]
    assert wilson_ci(1.0, 10).high == 1.0  # type: ignore[union-attr]
    assert wilson_ci(None, 10) is None and wilson_ci(0.5, 0) is None
