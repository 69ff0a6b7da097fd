"""Interrupted time series: segmented regression of a measure on time, before and after a change.

The model (Wagner et al. 2002; Penfold & Zhang 2013; Bernal, Cummins & Gasparrini 2017)::

    y_t = b0 + b1 * time_t + b2 * after_t + b3 * time_after_t + e_t

``time`` counts periods from 1 at the first period (gaps in the series keep their place);
``after`` is 1 from the first period after the change; ``time_after`` is 0 up to and at the
first period after the change and counts periods since then (``time - time_first_after``,
so 0 at the first after period). Hence ``b0`` is the level at time 0, ``b1`` the trend per period
before, ``b2`` the **level change**: the jump at the first period after, compared with where the
before trend would have been, and ``b3`` the **slope change**: how much steeper (or flatter) the
trend per period is after than before. Ordinary least squares; the standard errors assume
independent errors, so the residuals' lag-1 autocorrelation and the Durbin-Watson statistic
(``sum((e_t - e_{t-1})^2) / sum(e_t^2)``, about 2 when there is none) are reported beside them.

Checked against R's ``lm(y ~ time + after + time_after)`` with Durbin-Watson and the lag-1
autocorrelation computed by hand (tests/golden/make_golden_services.R).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.stats._common import finite_or_none
from imheval.stats.distributions import t_ppf, t_sf
from imheval.stats.results import ConfidenceInterval

__all__ = ["MIN_PERIODS_EACH_SIDE", "Coefficient", "SegmentedRegression", "segmented_regression"]

#: The fewest periods before and after the change for a segmented regression (Penfold & Zhang
#: 2013 give 8 each side as a minimum; Wagner et al. 2002 suggest 12 where there is seasonality).
MIN_PERIODS_EACH_SIDE = 8

#: The Durbin-Watson values between which the residuals are said to show no marked
#: autocorrelation (a common rule of thumb: 1.5 to 2.5).
DW_CALM = (1.5, 2.5)


@dataclass(frozen=True, slots=True)
class Coefficient:
    """One regression coefficient: estimate, standard error, t, two-sided p and its CI."""

    name: str
    estimate: float
    se: float
    t: float | None
    p: float | None
    ci: ConfidenceInterval | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "estimate": finite_or_none(self.estimate),
            "se": finite_or_none(self.se),
            "t": finite_or_none(self.t),
            "p": finite_or_none(self.p),
            "ci": None if self.ci is None else [finite_or_none(v) for v in self.ci.to_list()],
        }


@dataclass(frozen=True, slots=True)
class SegmentedRegression:
    """A fitted segmented regression, or why none was fitted (``reason``, fields None).

    ``intercept``, ``pre_slope``, ``level_change`` and ``slope_change`` are ``b0`` to ``b3``
    (module docstring), in the measure's unit (per period for the slopes). ``fitted`` is the
    model's value at each period given, in the order given.
    """

    n_before: int
    n_after: int
    reason: str | None = None
    intercept: Coefficient | None = None
    pre_slope: Coefficient | None = None
    level_change: Coefficient | None = None
    slope_change: Coefficient | None = None
    df_residual: int | None = None
    r_squared: float | None = None
    durbin_watson: float | None = None
    lag1_autocorrelation: float | None = None
    fitted: tuple[float, ...] = ()

    @property
    def fitted_ok(self) -> bool:
        return self.reason is None

    @property
    def autocorrelated(self) -> bool | None:
        """True when Durbin-Watson falls outside :data:`DW_CALM` (None when not computed)."""
        if self.durbin_watson is None:
            return None
        return not (DW_CALM[0] <= self.durbin_watson <= DW_CALM[1])

    def to_dict(self) -> dict[str, Any]:
        def coefficient(value: Coefficient | None) -> dict[str, Any] | None:
            return None if value is None else value.to_dict()

        return {
            "model": "y ~ time + after + time_after (OLS)",
            "n_before": self.n_before,
            "n_after": self.n_after,
            "reason": self.reason,
            "intercept": coefficient(self.intercept),
            "pre_slope": coefficient(self.pre_slope),
            "level_change": coefficient(self.level_change),
            "slope_change": coefficient(self.slope_change),
            "df_residual": self.df_residual,
            "r_squared": finite_or_none(self.r_squared),
            "durbin_watson": finite_or_none(self.durbin_watson),
            "lag1_autocorrelation": finite_or_none(self.lag1_autocorrelation),
            "autocorrelated": self.autocorrelated,
        }


def segmented_regression(
    values: Sequence[float],
    times: Sequence[int],
    after: Sequence[bool],
    *,
    min_each_side: int = MIN_PERIODS_EACH_SIDE,
    confidence: float = 0.95,
) -> SegmentedRegression:
    """Fit the segmented regression of ``values`` on ``times`` (period numbers, increasing),
    with the change at the first period flagged ``after``.

    Returns a result with a plain-English ``reason`` (never raises on real data) when there are
    fewer than ``min_each_side`` periods on either side, when the after periods do not all
    follow the before periods, or when the values do not vary enough to fit the model.

    Examples
    --------
    >>> flags = [False] * 4 + [True] * 4
    >>> fit = segmented_regression([1, 2, 3, 4, 9, 11, 13, 15], range(1, 9), flags, min_each_side=4)
    >>> round(fit.level_change.estimate, 6), round(fit.slope_change.estimate, 6)
    (4.0, 1.0)
    """
    y = np.asarray(values, dtype=float)
    t = np.asarray(list(times), dtype=float)
    flags = np.asarray(list(after), dtype=bool)
    if not (len(y) == len(t) == len(flags)):
        raise ValueError("values, times and after must have the same length")
    n_after = int(flags.sum())
    n_before = len(flags) - n_after
    if n_before < min_each_side or n_after < min_each_side:
        return SegmentedRegression(
            n_before,
            n_after,
            reason=(
                f"there are {n_before} period{'' if n_before == 1 else 's'} before and "
                f"{n_after} after; a time-series test needs at least {min_each_side} of each"
            ),
        )
    if not np.all(np.isfinite(y)):
        return SegmentedRegression(n_before, n_after, reason="some values are missing")
    if np.any(np.diff(t) <= 0) or (flags[:-1] & ~flags[1:]).any():
        return SegmentedRegression(
            n_before, n_after, reason="the periods are not in order, before then after"
        )
    first_after = t[flags][0]
    time_after = np.where(flags, t - first_after, 0.0)
    design = np.column_stack([np.ones_like(t), t, flags.astype(float), time_after])
    n, k = design.shape
    df = n - k
    if np.linalg.matrix_rank(design) < k or df < 1:
        return SegmentedRegression(
            n_before, n_after, reason="the periods do not allow the four-part model to be fitted"
        )
    beta, *_ = np.linalg.lstsq(design, y, rcond=None)
    fitted = design @ beta
    residuals = y - fitted
    rss = float(residuals @ residuals)
    sigma2 = rss / df
    covariance = sigma2 * np.linalg.inv(design.T @ design)
    critical = t_ppf(0.5 + confidence / 2, df)
    names = ("intercept", "pre_slope", "level_change", "slope_change")
    coefficients = []
    for index, name in enumerate(names):
        estimate = float(beta[index])
        se = math.sqrt(max(float(covariance[index, index]), 0.0))
        if se > 0:
            t_value: float | None = estimate / se
            p: float | None = 2 * t_sf(abs(estimate / se), df)
            ci: ConfidenceInterval | None = ConfidenceInterval(
                estimate - critical * se, estimate + critical * se, confidence
            )
        else:
            t_value = p = ci = None
        coefficients.append(Coefficient(name, estimate, se, t_value, p, ci))
    total = float(((y - y.mean()) ** 2).sum())
    r_squared = 1 - rss / total if total > 0 else None
    # A perfect fit leaves residuals of rounding noise only: their autocorrelation means nothing.
    if rss > 1e-12 * max(total, float(y @ y)):
        durbin_watson: float | None = float((np.diff(residuals) ** 2).sum() / rss)
        lag1: float | None = float((residuals[1:] * residuals[:-1]).sum() / rss)
    else:
        durbin_watson = lag1 = None
    return SegmentedRegression(
        n_before,
        n_after,
        intercept=coefficients[0],
        pre_slope=coefficients[1],
        level_change=coefficients[2],
        slope_change=coefficients[3],
        df_residual=df,
        r_squared=r_squared,
        durbin_watson=durbin_watson,
        lag1_autocorrelation=lag1,
        fitted=tuple(float(v) for v in fitted),
    )
