"""Adjusting p-values for multiple comparisons."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from imheval.errors import AnalysisError


def holm(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjusted p-values (Holm 1979), in the input order.

    With the m present p-values sorted ascending, the i-th (1-based) becomes
    min(1, max over j <= i of (m - j + 1) p_(j)). None (or NaN) passes through as None and is not
    counted in m, exactly as R's ``p.adjust(p, method = "holm")`` treats NA. This is Holm's
    Bonferroni procedure, not Holm-Sidak (statsmodels' default). Raises AnalysisError if a
    p-value lies outside [0, 1]. Checked against R's ``p.adjust`` (tests/golden).
    """
    present_index: list[int] = []
    present_values: list[float] = []
    for position, value in enumerate(p_values):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        number = float(value)
        if not 0.0 <= number <= 1.0:
            raise AnalysisError(f"p-value {value!r} at position {position} is not between 0 and 1")
        present_index.append(position)
        present_values.append(number)
    adjusted: list[float | None] = [None] * len(p_values)
    m = len(present_values)
    if m == 0:
        return adjusted
    values = np.asarray(present_values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    multipliers = m - np.arange(m, dtype=np.float64)
    stepped = np.minimum(1.0, np.maximum.accumulate(multipliers * values[order]))
    result = np.empty(m, dtype=np.float64)
    result[order] = stepped
    for position, value in zip(present_index, result, strict=True):
        adjusted[position] = float(value)
    return adjusted
