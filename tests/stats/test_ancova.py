"""ANCOVA of post on pre by group: values by hand, and plain reasons when it cannot compute."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from imheval.errors import AnalysisError
from imheval.stats.ancova import ancova


def test_parallel_groups_a_fixed_distance_apart_give_that_adjusted_difference() -> None:
    # post = 1 + 0.5 * pre + 2 * (group b) + noise that is orthogonal by construction
    pre = np.array([1, 2, 3, 4, 5, 1, 2, 3, 4, 5], dtype=float)
    noise = np.array([0.1, -0.1, 0, -0.1, 0.1, 0.1, -0.1, 0, -0.1, 0.1])
    group = ["a"] * 5 + ["b"] * 5
    post = 1 + 0.5 * pre + np.where(np.array(group) == "b", 2.0, 0.0) + noise
    result = ancova(pre, post, group)
    assert result.computed
    assert result.slope == pytest.approx(0.5)
    a, b = result.adjusted_means
    assert (a.group, b.group) == ("a", "b")
    assert b.adjusted_mean - a.adjusted_mean == pytest.approx(2.0)
    assert a.adjusted_mean == pytest.approx(1 + 0.5 * 3)  # at the grand mean of pre, 3
    assert result.df == (1.0, 7.0)
    assert result.p is not None and result.p < 0.001
    assert result.slopes is not None and result.slopes.parallel is True


def test_missing_values_and_missing_groups_drop_the_person() -> None:
    pre = [1, 2, 3, 4, None, 2, 3, 4, 5, 6]
    post = [2, 3, 5, 5, 6, float("nan"), 4, 6, 6, 8]
    group = ["a", "a", "a", "a", "a", "b", "b", None, "b", "b"]
    result = ancova(pre, post, group)
    assert result.n == 7


@pytest.mark.parametrize(
    ("pre", "post", "group", "words"),
    [
        ([1, 2, 3, 4], [2, 3, 4, 6], ["a"] * 4, "fewer than two groups"),
        ([1, 2, 3], [2, 3, 4], ["a", "a", "b"], "too few people"),
        ([3, 3, 3, 3, 3, 3], [4, 5, 6, 4, 5, 7], list("aaabbb"), "same score before"),
        ([1, 1, 1, 2, 2, 2], [4, 5, 6, 4, 5, 7], list("aaabbb"), "cannot be told apart"),
        ([1, 2, 3, 1, 2, 3], [2, 3, 4, 3, 4, 5], list("aaabbb"), "fitted exactly"),
    ],
)
def test_not_computed_says_why_in_plain_english(
    pre: list[float], post: list[float], group: list[str], words: str
) -> None:
    result = ancova(pre, post, group)
    assert not result.computed
    assert result.reason is not None and words in result.reason
    assert result.f is None and result.adjusted_means == ()
    json.dumps(result.to_dict(), allow_nan=False)


def test_too_few_people_for_separate_slopes_still_gives_the_ancova() -> None:
    result = ancova([1, 2, 4, 2, 3, 5], [2, 4, 5, 4, 4, 7], list("aaabbb"))
    assert result.computed
    assert result.slopes is not None
    # n - 2k = 2 residual df: separate slopes can be fitted, so the check runs
    assert result.slopes.df == (1.0, 2.0)
    tiny = ancova([1, 2, 2, 3], [2, 4, 4, 5], list("aabb"))
    assert tiny.computed and tiny.slopes is not None
    assert tiny.slopes.reason is not None and tiny.slopes.f is None


def test_json_has_no_nan_and_names_the_effect_size() -> None:
    rng = np.random.default_rng(3)
    pre = rng.integers(0, 10, 30).astype(float)
    post = pre * 0.6 + rng.normal(3, 1, 30)
    result = ancova(pre, post, ["x", "y", "z"] * 10)
    document = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert document["test"] == "ancova"
    assert 0 <= document["partial_eta_squared"] <= 1
    low, high = document["partial_eta_squared_ci"]
    assert low <= document["partial_eta_squared"] <= high
    assert len(document["adjusted_means"]) == 3
    assert result.apa().startswith("F(2, 26) = ")
    assert "partial eta squared = ." in result.apa()
    assert all(math.isfinite(m.se) for m in result.adjusted_means)


def test_mismatched_lengths_are_a_programming_error() -> None:
    with pytest.raises(AnalysisError, match="same length"):
        ancova([1, 2], [1, 2, 3], ["a", "b"])
