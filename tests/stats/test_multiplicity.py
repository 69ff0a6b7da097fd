"""Holm's adjustment, checked by hand (R's p.adjust values are in tests/golden)."""

from __future__ import annotations

import math

import pytest

from imheval.errors import AnalysisError
from imheval.stats import holm


def test_holm_passes_none_through_and_does_not_count_it() -> None:
    # m = 3: sorted .01, .03, .04 -> 3 * .01, 2 * .03, max(.06, 1 * .04).
    assert holm([0.01, None, 0.04, 0.03]) == pytest.approx([0.03, None, 0.06, 0.06])


def test_holm_treats_nan_as_missing() -> None:
    assert holm([math.nan, 0.02]) == [None, 0.02]


def test_holm_caps_at_one() -> None:
    assert holm([0.5, 0.6]) == [1.0, 1.0]


def test_holm_is_not_holm_sidak() -> None:
    # Holm-Sidak would give 1 - (1 - .01)^2 = .0199 for the smallest p.
    assert holm([0.01, 0.5])[0] == pytest.approx(0.02)


def test_holm_of_nothing_is_nothing() -> None:
    assert holm([]) == []
    assert holm([None]) == [None]


def test_holm_rejects_p_outside_unit_interval() -> None:
    with pytest.raises(AnalysisError, match="position 1"):
        holm([0.2, 1.5])
