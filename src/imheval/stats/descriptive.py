"""Descriptive statistics for tables (Table 1, breakdowns by cohort or programme)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from imheval.stats._common import as_float_array, finite_or_none


@dataclass(frozen=True, slots=True)
class Descriptives:
    """n, mean, SD (ddof = 1), minimum, maximum and median of the present values.

    Every number is None when it is undefined: all of them with no values, ``sd`` with fewer
    than 2 values. Full precision; round only when presenting.
    """

    n: int
    mean: float | None = None
    sd: float | None = None
    min: float | None = None
    max: float | None = None
    median: float | None = None

    def to_dict(self) -> dict[str, int | float | None]:
        """A JSON-ready dict (None, never NaN, for undefined values)."""
        return asdict(self)


def describe(x: object) -> Descriptives:
    """Descriptives of ``x``, ignoring missing values (NaN, None, +-inf).

    Raises AnalysisError only if ``x`` is not a one-dimensional sequence of numbers.
    """
    values = as_float_array(x, "x")
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n == 0:
        return Descriptives(n=0)
    with np.errstate(all="ignore"):
        mean = float(np.mean(values))
        sd = float(np.std(values, ddof=1)) if n >= 2 else None
        median = float(np.median(values))
    return Descriptives(
        n=n,
        mean=finite_or_none(mean),
        sd=finite_or_none(sd),
        min=float(np.min(values)),
        max=float(np.max(values)),
        median=finite_or_none(median),
    )
