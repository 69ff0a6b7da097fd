"""describe(): n, mean, SD, min, max and median, None where undefined."""

from __future__ import annotations

import math

from imheval.stats import Descriptives, describe


def test_describe_ignores_missing_values() -> None:
    assert describe([1, 2, 3, None, math.nan, math.inf]) == Descriptives(
        n=3, mean=2.0, sd=1.0, min=1.0, max=3.0, median=2.0
    )


def test_describe_single_value_has_no_sd() -> None:
    assert describe([4.5]) == Descriptives(n=1, mean=4.5, sd=None, min=4.5, max=4.5, median=4.5)


def test_describe_empty_is_all_none() -> None:
    assert describe([]).to_dict() == {
        "n": 0,
        "mean": None,
        "sd": None,
        "min": None,
        "max": None,
        "median": None,
    }
