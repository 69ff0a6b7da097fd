"""Group labels already coded (a Categorical) give the figures the labels as text give.

The evaluation passes each grouping's integer codes as a Categorical so the group tests do not
group text again (issue 19); these tests pin that the two inputs are the same test, and that
the closed-form ANCOVA equals a least-squares fit of its design.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.stats import compare_groups, one_way_anova, welch_anova
from imheval.stats.ancova import ancova


def _close(a: object, b: object) -> None:
    """Two to_dict() documents equal, numbers to 1e-9 relative."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys()
        for key in a:
            _close(a[key], b[key])
    elif isinstance(a, list | tuple) and isinstance(b, list | tuple):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _close(x, y)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
    else:
        assert a == b


def _data(seed: int, n: int, k: int, missing: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = np.array([f"g{i}" for i in rng.integers(0, k, n)], dtype=object)
    values = rng.normal(10, 3, n).round(1)
    values[rng.random(n) < missing] = np.nan
    return values, labels


def _categorical(labels: np.ndarray, unused: tuple[str, ...] = ()) -> pd.Categorical:
    # categories deliberately out of order, with some nobody holds
    categories = sorted({*labels.tolist(), *unused}, reverse=True)
    return pd.Categorical(labels, categories=categories)


@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_categorical_gives_the_tests_of_its_labels_as_text(k: int, seed: int) -> None:
    values, labels = _data(seed, 300, k)
    coded = _categorical(labels, unused=("zz", "a0"))
    for test in (compare_groups, one_way_anova, welch_anova):
        _close(test(values, coded).to_dict(), test(values, labels).to_dict())


def test_missing_codes_and_groups_left_without_values_are_dropped_as_labels_are() -> None:
    values = np.array([1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 9.0, 3.0])
    labels = np.array(["b", "a", "c", "a", None, "b", "a", "b", "c"], dtype=object)
    coded = pd.Categorical(labels, categories=["c", "b", "a", "unused"])
    for test in (compare_groups, one_way_anova, welch_anova):
        _close(test(values, coded).to_dict(), test(values, labels).to_dict())


def test_categories_equal_as_text_are_one_group_as_labels_are() -> None:
    values = np.arange(12, dtype=float) ** 1.5
    labels = np.array([1, "1", 2, 2, 1, "1", 3, 3, 2, 3, 1, 2], dtype=object)
    coded = pd.Categorical(labels, categories=[1, "1", 2, 3])
    _close(compare_groups(values, coded).to_dict(), compare_groups(values, labels).to_dict())


def test_compare_groups_drops_constant_groups_of_a_categorical_as_of_labels() -> None:
    values = np.array([1, 2, 3, 4, 5, 5, 5, 5, 9, 7, 8, 2, 6], dtype=float)
    labels = np.array(list("aaaabbbbcccdd"), dtype=object)
    coded = _categorical(labels)
    result = compare_groups(values, coded)
    assert "all values identical" in result.method
    _close(result.to_dict(), compare_groups(values, labels).to_dict())


def _exact_ancova(
    pre: np.ndarray, post: np.ndarray, labels: np.ndarray
) -> tuple[float, float, list[float], float]:
    """F, slope, adjusted means and the slopes check's F in exact rational arithmetic from the
    textbook sums (RSS = Syy - Sxy^2 / Sxx of each model): the straightforward computation the
    closed form replaces, without its rounding."""
    names = sorted(set(labels.tolist()))
    n, k = pre.size, len(names)

    def sums(x: list[float], y: list[float]) -> tuple[Fraction, Fraction, Fraction]:
        fx, fy = [Fraction(v) for v in x], [Fraction(v) for v in y]
        mx, my = sum(fx) / len(fx), sum(fy) / len(fy)
        return (
            sum((a - mx) ** 2 for a in fx),
            sum((a - mx) * (b - my) for a, b in zip(fx, fy, strict=True)),
            sum((b - my) ** 2 for b in fy),
        )

    each = [sums(pre[labels == g].tolist(), post[labels == g].tolist()) for g in names]
    sxx, sxy, syy = (sum(s[i] for s in each) for i in range(3))
    total = sums(pre.tolist(), post.tolist())
    rss_reduced = total[2] - total[1] ** 2 / total[0]
    rss_full = syy - sxy**2 / sxx
    rss_separate = sum(s[2] - s[1] ** 2 / s[0] for s in each)
    f = ((rss_reduced - rss_full) / (k - 1)) / (rss_full / (n - k - 1))
    f_slopes = ((rss_full - rss_separate) / (k - 1)) / (rss_separate / (n - 2 * k))
    slope = sxy / sxx
    grand = sum(Fraction(v) for v in pre.tolist()) / n
    adjusted = []
    for g in names:
        members = labels == g
        mean_x = sum(Fraction(v) for v in pre[members].tolist()) / int(members.sum())
        mean_y = sum(Fraction(v) for v in post[members].tolist()) / int(members.sum())
        adjusted.append(float(mean_y + slope * (grand - mean_x)))
    return float(f), float(slope), adjusted, float(f_slopes)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    k=st.integers(2, 4),
    n=st.integers(12, 80),
    scale=st.sampled_from([1e-3, 1.0, 1e4]),
    effect=st.sampled_from([0.0, 1e-4, 1.0]),
)
def test_the_closed_form_ancova_equals_the_exact_figures(
    seed: int, k: int, n: int, scale: float, effect: float
) -> None:
    rng = np.random.default_rng(seed)
    labels = np.array([f"g{i}" for i in np.arange(n) % k], dtype=object)
    pre = rng.normal(10, 3, n) * scale
    post = 0.6 * pre + rng.normal(0, 2, n) * scale + (np.arange(n) % k) * scale * effect
    result = ancova(pre, post, labels)
    f, slope, adjusted, f_slopes = _exact_ancova(pre, post, labels)
    assert result.f == pytest.approx(f, rel=1e-9, abs=1e-12)
    assert result.slope == pytest.approx(slope, rel=1e-12)
    assert [a.adjusted_mean for a in result.adjusted_means] == pytest.approx(adjusted, rel=1e-12)
    assert result.slopes is not None
    assert result.slopes.f == pytest.approx(f_slopes, rel=1e-9, abs=1e-12)
    _close(ancova(pre, post, _categorical(labels, ("unused",))).to_dict(), result.to_dict())


def test_a_tiny_difference_of_slopes_keeps_its_precision() -> None:
    # nearly parallel slopes in many people: the F of the slopes check is a small difference of
    # two large residual sums of squares, which subtracting them would lose
    rng = np.random.default_rng(11)
    half = 2000
    pre_a = rng.integers(0, 40, half).astype(float)
    post_a = (0.7 * pre_a + rng.normal(0, 4, half)).round()
    # group b: the same people's scores in another order, one score one point higher
    order = rng.permutation(half)
    pre_b, post_b = pre_a[order], post_a[order].copy()
    post_b[0] += 1
    pre, post = np.concatenate([pre_a, pre_b]), np.concatenate([post_a, post_b])
    labels = np.array(["a"] * half + ["b"] * half, dtype=object)
    result = ancova(pre, post, labels)
    f, _, _, f_slopes = _exact_ancova(pre, post, labels)
    assert result.f == pytest.approx(f, rel=1e-10)
    assert result.slopes is not None and result.slopes.f == pytest.approx(f_slopes, rel=1e-9)


def test_adjusted_mean_se_equals_the_variance_of_the_prediction() -> None:
    values, labels = _data(7, 120, 3, missing=0.0)
    pre = values
    post = 0.5 * pre + np.random.default_rng(3).normal(0, 1, pre.size)
    result = ancova(pre, post, labels)
    names = sorted(set(labels.tolist()))
    codes = np.array([names.index(x) for x in labels])
    design = np.column_stack(
        [np.ones(pre.size), pre, (codes[:, None] == np.arange(1, 3)[None, :]).astype(float)]
    )
    coef = np.linalg.lstsq(design, post, rcond=None)[0]
    residual = post - design @ coef
    sigma2 = float(residual @ residual) / (pre.size - 4)
    covariance = np.linalg.inv(design.T @ design) * sigma2
    for j, adjusted in enumerate(result.adjusted_means):
        x = np.array([1.0, pre.mean(), float(j == 1), float(j == 2)])
        assert adjusted.se == pytest.approx(math.sqrt(x @ covariance @ x), rel=1e-9)
    assert result.slope_se == pytest.approx(math.sqrt(covariance[1, 1]), rel=1e-9)


def test_a_group_of_one_or_constant_pre_within_a_group_leaves_no_slopes_check() -> None:
    pre = np.array([1, 2, 3, 4, 5, 3, 3, 3, 3, 7], dtype=float)
    post = np.array([2, 3, 5, 4, 6, 4, 5, 3, 4, 9], dtype=float)
    labels = np.array(list("aaaaabbbbc"), dtype=object)
    result = ancova(pre, post, labels)
    assert result.computed
    assert result.slopes is not None and result.slopes.f is None
    assert result.slopes.reason is not None


def test_pre_constant_within_every_group_is_told_apart_from_the_group() -> None:
    pre = np.array([0.1, 0.1, 0.1, 0.7, 0.7, 0.7], dtype=float) * 3
    post = np.array([1, 2, 3, 4, 5, 7], dtype=float)
    result = ancova(pre, post, list("aaabbb"))
    assert not result.computed
    assert result.reason is not None and "do not vary within the groups" in result.reason
