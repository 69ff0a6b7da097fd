"""Properties that hold for any data: no NaN or infinity escapes, and a result says why not."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.stats import (
    TestResult,
    compare_groups,
    describe,
    holm,
    one_way_anova,
    paired_t,
    shapiro_wilk,
    welch_anova,
    welch_t,
    wilcoxon_signed_rank,
)

any_float = st.floats(allow_nan=True, allow_infinity=True)
score = st.one_of(any_float, st.sampled_from([0.0, 1.0, 2.0, 3.0]), st.none())
pairs = st.lists(st.tuples(score, score), max_size=12)
grouped = st.lists(st.tuples(score, st.sampled_from(["a", "b", "c", None])), max_size=14)


def _assert_clean(result: TestResult) -> None:
    data = result.to_dict()
    json.dumps(data, allow_nan=False)  # raises ValueError on NaN or infinity
    assert data["computed"] != (data["reason"] is not None)
    if result.computed:
        assert result.statistic is not None and math.isfinite(result.statistic)
        assert result.p is not None and 0.0 <= result.p <= 1.0
        assert isinstance(data["apa"], str)
    else:
        assert data["reason"]
        assert data["statistic"] is None and data["p"] is None


def _values(rows: list[tuple[Any, ...]], index: int) -> list[Any]:
    return [row[index] for row in rows]


@settings(max_examples=300, deadline=None)
@given(pairs)
def test_paired_tests_never_return_nan(rows: list[tuple[float | None, float | None]]) -> None:
    pre, post = _values(rows, 0), _values(rows, 1)
    _assert_clean(paired_t(pre, post))
    _assert_clean(wilcoxon_signed_rank(pre, post))
    _assert_clean(shapiro_wilk(post))


@settings(max_examples=300, deadline=None)
@given(grouped)
def test_group_tests_never_return_nan(rows: list[tuple[float | None, str | None]]) -> None:
    values, groups = _values(rows, 0), _values(rows, 1)
    _assert_clean(one_way_anova(values, groups))
    _assert_clean(welch_anova(values, groups))
    _assert_clean(compare_groups(values, groups))
    a = [v for v, g in rows if g == "a"]
    b = [v for v, g in rows if g == "b"]
    _assert_clean(welch_t(a, b))


@settings(max_examples=200, deadline=None)
@given(st.lists(score, max_size=12))
def test_describe_never_returns_nan(values: list[float | None]) -> None:
    json.dumps(describe(values).to_dict(), allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 1)), max_size=12))
def test_holm_is_monotone_in_p_and_never_below_raw(p_values: list[float | None]) -> None:
    adjusted = holm(p_values)
    present = [(p, a) for p, a in zip(p_values, adjusted, strict=True) if p is not None]
    for p, a in present:
        assert a is not None and p <= a <= 1.0
    for p1, a1 in present:
        for p2, a2 in present:
            if p1 < p2:
                assert a1 <= a2  # type: ignore[operator]
