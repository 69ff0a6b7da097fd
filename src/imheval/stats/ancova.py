"""ANCOVA: do groups end at the same level when they started at the same level?

:func:`ancova` fits post = a + b * pre + group effect by least squares and tests the group
effect adjusted for pre (type II: the model post ~ pre against post ~ pre + group). It is the
companion of the Welch comparison of gains (:func:`~imheval.stats.compare_groups` of
post - pre): the two answer different questions, and with groups that differ at baseline (not
randomised) they can disagree (Lord's paradox; see docs/methods.md). Nothing here raises on
data that merely make the test impossible: the result says why in ``reason``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.stats._common import (
    CONSTANT_TOLERANCE,
    FloatArray,
    IntArray,
    all_finite,
    as_float_array,
    check_confidence,
    finite_or_none,
    noncentral_f_ci,
)
from imheval.stats.apa import format_number, format_p
from imheval.stats.distributions import f_sf, t_ppf
from imheval.stats.groups import coded_groups
from imheval.stats.results import ConfidenceInterval, EffectSize


@dataclass(frozen=True, slots=True)
class AdjustedMean:
    """One group's mean after training, adjusted to the grand mean of the pre-test scores.

    ``adjusted_mean`` = intercept + group effect + slope * mean(pre) of the ANCOVA model, with
    its standard error and t-based CI (as R's ``predict(fit, se.fit = TRUE)`` and emmeans);
    ``mean_pre`` / ``mean_post`` are the group's raw means.
    """

    group: str
    n: int
    mean_pre: float
    mean_post: float
    adjusted_mean: float
    se: float
    ci: ConfidenceInterval

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "n": self.n,
            "mean_pre": finite_or_none(self.mean_pre),
            "mean_post": finite_or_none(self.mean_post),
            "adjusted_mean": finite_or_none(self.adjusted_mean),
            "se": finite_or_none(self.se),
            "ci": [finite_or_none(self.ci.low), finite_or_none(self.ci.high)],
        }


@dataclass(frozen=True, slots=True)
class SlopesCheck:
    """The homogeneity-of-slopes check: F for the pre x group interaction.

    ``parallel`` is False when p < .05 (then the groups' post-on-pre slopes differ and one
    adjusted difference does not describe every starting level); ``words`` says so in plain
    English. When it cannot be computed (too few people for separate slopes) ``reason`` says
    why and the numbers are None.
    """

    f: float | None = None
    df: tuple[float, float] | None = None
    p: float | None = None
    parallel: bool | None = None
    words: str | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "f": finite_or_none(self.f),
            "df": list(self.df) if self.df is not None else None,
            "p": finite_or_none(self.p),
            "parallel": self.parallel,
            "words": self.words,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class AncovaResult:
    """ANCOVA of post on pre by group (see :func:`ancova`).

    ``f``, ``df`` (numerator, denominator) and ``p`` test the group effect adjusted for pre;
    ``partial_eta_squared`` = SS_group / (SS_group + SS_residual) with its noncentral-F CI;
    ``slope`` is the common slope of post on pre (with ``slope_se``); ``adjusted_means`` one per
    group (sorted labels). ``reason`` says why it was not computed (every number then None).
    """

    n: int
    groups: tuple[str, ...] = ()
    f: float | None = None
    df: tuple[float, float] | None = None
    p: float | None = None
    partial_eta_squared: EffectSize | None = None
    slope: float | None = None
    slope_se: float | None = None
    mean_pre: float | None = None
    adjusted_means: tuple[AdjustedMean, ...] = ()
    slopes: SlopesCheck | None = None
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def apa(self) -> str:
        """``F(2, 55) = 3.21, p = .048, partial eta squared = .10`` (empty when not computed)."""
        if self.f is None or self.df is None or self.p is None:
            return ""
        eta = (
            f", partial eta squared = {format_number(self.partial_eta_squared.value, bounded=True)}"
            if self.partial_eta_squared is not None
            else ""
        )
        return f"F({self.df[0]:g}, {self.df[1]:g}) = {self.f:.2f}, {format_p(self.p)}{eta}"

    def to_dict(self) -> dict[str, Any]:
        eta = self.partial_eta_squared
        return {
            "test": "ancova",
            "n": self.n,
            "groups": list(self.groups),
            "f": finite_or_none(self.f),
            "df": list(self.df) if self.df is not None else None,
            "p": finite_or_none(self.p),
            "partial_eta_squared": finite_or_none(eta.value) if eta is not None else None,
            "partial_eta_squared_ci": (
                [eta.ci.low, eta.ci.high] if eta is not None and eta.ci is not None else None
            ),
            "slope": finite_or_none(self.slope),
            "slope_se": finite_or_none(self.slope_se),
            "mean_pre": finite_or_none(self.mean_pre),
            "adjusted_means": [m.to_dict() for m in self.adjusted_means],
            "slopes": self.slopes.to_dict() if self.slopes is not None else None,
            "reason": self.reason,
        }


def ancova(pre: object, post: object, groups: object, confidence: float = 0.95) -> AncovaResult:
    """ANCOVA of post on pre by group: the group effect adjusted for the pre-test score.

    Fits post ~ pre + group by ordinary least squares (treatment contrasts, groups as sorted
    labels, as R orders factor levels). F = ((RSS_reduced - RSS_full) / (k - 1)) /
    (RSS_full / (N - k - 1)) with RSS_reduced that of post ~ pre (type II for the group term,
    as ``car::Anova`` and ``anova(lm(post ~ pre), lm(post ~ pre + group))``). Partial eta
    squared = SS_group / (SS_group + RSS_full), CI by inverting the noncentral F
    (lambda / (lambda + df2)), as effectsize. Adjusted means: the model's prediction for each
    group at the grand mean of pre, with SE sqrt(x' V x) and a t(N - k - 1) CI. Slopes check:
    post ~ pre * group against post ~ pre + group, F on (k - 1, N - 2k) df.

    People with a missing pre, post or group are dropped. Not computed (``reason``) with fewer
    than 2 groups, fewer than k + 2 people, no variation in pre, pre that does not vary within
    any group (the slope cannot be told from the group effect), or a perfect fit. Checked
    against R's ``lm``, ``anova`` and ``predict`` (tests/golden/make_golden_gains.R).

    Examples
    --------
    >>> r = ancova([1, 2, 3, 4, 2, 3, 4, 5], [3, 3, 5, 6, 5, 6, 6, 8], list("aaaabbbb"))
    >>> r.df
    (1.0, 5.0)
    """
    level = check_confidence(confidence)
    pre_v = as_float_array(pre, "pre")
    post_v = as_float_array(post, "post")
    pre_v, post_v, codes, names = _complete(pre_v, post_v, groups)
    n, k = int(pre_v.size), len(names)
    if k < 2:
        return AncovaResult(
            n=n,
            groups=names,
            reason="fewer than two groups with people measured before and after training",
        )
    if n < k + 2:
        return AncovaResult(
            n=n,
            groups=names,
            reason=f"too few people ({n}) for {k} groups and a slope: ANCOVA needs at least "
            f"{k + 2}",
        )
    if np.ptp(pre_v) <= CONSTANT_TOLERANCE * max(1.0, float(np.max(np.abs(pre_v)))):
        return AncovaResult(
            n=n,
            groups=names,
            reason="everyone had the same score before training, so there is nothing to adjust "
            "for: the comparison of gains answers the question",
        )
    sums = _GroupSums(pre_v, post_v, codes, k)
    if sums.negligible(sums.sxx_within, n, k + 1):
        return AncovaResult(
            n=n,
            groups=names,
            reason="the scores before training do not vary within the groups, so the effect of "
            "the starting score cannot be told apart from the effect of the group",
        )
    # post ~ pre: one slope about the grand means
    dx, dy = pre_v - pre_v.mean(), post_v - post_v.mean()
    slope_all = float(np.einsum("i,i->", dx, dy)) / _sum_sq(dx)
    # post ~ pre + group: one slope about each group's means
    slope = sums.sxy_within / sums.sxx_within
    rss_full = _sum_sq(sums.dy - slope * sums.dx)
    df1, df2 = float(k - 1), float(n - k - 1)
    total = float(np.sum((post_v - post_v.mean()) ** 2))
    if rss_full <= CONSTANT_TOLERANCE * max(total, 1.0):
        return AncovaResult(
            n=n,
            groups=names,
            reason="the scores after training are fitted exactly by the model (no residual "
            "variation), so F is undefined",
        )
    # RSS(post ~ pre) - RSS(post ~ pre + group), as the squared length of the difference of the
    # two fits (nested models): sum n_g (mean_y_g - mean_y - slope_all (mean_x_g - mean_x))^2 +
    # (slope - slope_all)^2 Sxx_within. A sum of squares, not a difference of two large ones,
    # so a small group effect keeps its precision.
    away_x = sums.mean_x - pre_v.mean()
    away_y = sums.mean_y - post_v.mean()
    ss_group = float(
        np.sum(sums.n * (away_y - slope_all * away_x) ** 2)
        + (slope - slope_all) ** 2 * sums.sxx_within
    )
    sigma2 = rss_full / df2
    f_value = (ss_group / df1) / sigma2
    p = f_sf(f_value, df1, df2)
    eta = ss_group / (ss_group + rss_full)
    lambdas = noncentral_f_ci(f_value, df1, df2, level)
    eta_ci = (
        ConfidenceInterval(lambdas[0] / (lambdas[0] + df2), lambdas[1] / (lambdas[1] + df2), level)
        if lambdas is not None
        else None
    )
    mean_pre = float(pre_v.mean())
    t_crit = t_ppf(0.5 + level / 2, df2)
    adjusted: list[AdjustedMean] = []
    for j, name in enumerate(names):
        # the group's line at the grand mean of pre; its variance sigma2 (1 / n_j +
        # (mean_pre - mean_pre_j)^2 / Sxx_within), the mean and the slope being uncorrelated
        away = mean_pre - float(sums.mean_x[j])
        value = float(sums.mean_y[j]) + slope * away
        se = math.sqrt(sigma2 * (1.0 / float(sums.n[j]) + away * away / sums.sxx_within))
        adjusted.append(
            AdjustedMean(
                group=name,
                n=int(sums.n[j]),
                mean_pre=float(sums.mean_x[j]),
                mean_post=float(sums.mean_y[j]),
                adjusted_mean=value,
                se=se,
                ci=ConfidenceInterval(value - t_crit * se, value + t_crit * se, level),
            )
        )
    slope_se = math.sqrt(sigma2 / sums.sxx_within)
    if not all_finite([f_value, p, eta, slope, slope_se, *(a.se for a in adjusted)]):
        return AncovaResult(
            n=n,
            groups=names,
            reason="the values are too extreme (too large or too small) to compute with",
        )
    return AncovaResult(
        n=n,
        groups=names,
        f=f_value,
        df=(df1, df2),
        p=p,
        partial_eta_squared=EffectSize("partial_eta_squared", eta, eta_ci),
        slope=slope,
        slope_se=slope_se,
        mean_pre=mean_pre,
        adjusted_means=tuple(adjusted),
        slopes=_slopes_check(sums, rss_full, n, k),
    )


def _complete(
    pre_v: FloatArray, post_v: FloatArray, groups: object
) -> tuple[FloatArray, FloatArray, IntArray, tuple[str, ...]]:
    """The people with pre, post and group: their scores, group codes (0..k-1 over the sorted
    labels, compared as text) and the labels."""
    if isinstance(groups, pd.Categorical) and len(groups) == pre_v.size == post_v.size:
        coded = coded_groups(groups, np.isnan(pre_v) | np.isnan(post_v))
        if coded is not None:
            keep, codes, names = coded
            return pre_v[keep], post_v[keep], codes, names
    try:
        labels = pd.Series(groups, dtype=object).reset_index(drop=True)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"groups must be a sequence of labels: {exc}") from exc
    if not (pre_v.size == post_v.size == labels.size):
        raise AnalysisError(
            f"pre, post and groups must have the same length "
            f"(got {pre_v.size}, {post_v.size} and {labels.size})"
        )
    keep = ~np.isnan(pre_v) & ~np.isnan(post_v) & ~labels.isna().to_numpy()
    codes, uniques = pd.factorize(labels[keep].astype(str), sort=True)
    return pre_v[keep], post_v[keep], codes.astype(np.int64), tuple(str(u) for u in uniques)


def _sum_sq(values: FloatArray) -> float:
    # einsum, not a BLAS dot: BLAS threads only slow a long dot product on a busy machine
    return float(np.einsum("i,i->", values, values))


class _GroupSums:
    """Each group's count and means of pre (x) and post (y), the deviations from them, and the
    within-group sums of squares and products: all least squares here needs.

    The ANCOVA design (intercept, pre, k - 1 group indicators) spans the same space as the k
    group indicators and pre, so its fit is closed-form in these sums: the common slope is
    Sxy_within / Sxx_within, each group's line passes through its means; the separate slopes
    are each group's Sxy / Sxx. Residuals are formed from the deviations, not by subtracting
    sums of squares, so no precision is lost to cancellation.
    """

    def __init__(self, x: FloatArray, y: FloatArray, codes: IntArray, k: int) -> None:
        self.codes = codes
        self.n = np.bincount(codes, minlength=k).astype(np.float64)
        self.mean_x = np.bincount(codes, weights=x, minlength=k) / self.n
        self.mean_y = np.bincount(codes, weights=y, minlength=k) / self.n
        self.dx = x - self.mean_x[codes]
        self.dy = y - self.mean_y[codes]
        self.sxx = np.bincount(codes, weights=self.dx * self.dx, minlength=k)
        self.sxy = np.bincount(codes, weights=self.dx * self.dy, minlength=k)
        self.sxx_within = float(self.sxx.sum())
        self.sxy_within = float(self.sxy.sum())
        # an upper bound of the design's largest singular value (its Frobenius norm: intercept,
        # pre and the group indicators), the scale of the rank tolerance below
        self.scale = math.sqrt(2.0 * x.size + _sum_sq(x))

    def negligible(self, sum_sq: float, n: int, columns: int) -> bool:
        """Whether a column with this sum of squares about the group means adds nothing to the
        design (its rank drops), with ``np.linalg.matrix_rank``'s tolerance on its scale."""
        tolerance = self.scale * max(n, columns) * float(np.finfo(np.float64).eps)
        return not math.sqrt(max(sum_sq, 0.0)) > tolerance


def _slopes_check(sums: _GroupSums, rss_full: float, n: int, k: int) -> SlopesCheck:
    """post ~ pre * group against post ~ pre + group (separate slopes against one): each group's
    own slope needs df for it and pre that varies within every group."""
    df2 = n - 2 * k
    if df2 < 1 or any(sums.negligible(float(s), n, 2 * k) for s in sums.sxx):
        return SlopesCheck(
            reason="too few people, or too little spread of scores before training within "
            "each group, to estimate a separate slope for each group",
        )
    slopes = sums.sxy / sums.sxx
    rss_separate = _sum_sq(sums.dy - slopes[sums.codes] * sums.dx)
    # RSS(one slope) - RSS(a slope per group) = sum Sxx_g (slope_g - slope)^2: the squared
    # length of the difference of the two fits, without subtracting two large sums
    common = sums.sxy_within / sums.sxx_within
    difference = float(np.sum(sums.sxx * (slopes - common) ** 2))
    if rss_separate <= 0.0:
        return SlopesCheck(reason="the separate-slopes model fits exactly, so F is undefined")
    df1 = float(k - 1)
    f_value = (difference / df1) / (rss_separate / df2)
    p = f_sf(f_value, df1, df2)
    parallel = p >= 0.05
    words = (
        "The link between the score before and after training is about the same in every "
        "group (the slopes are parallel), as ANCOVA assumes."
        if parallel
        else "The link between the score before and after training differs between the "
        "groups (the slopes are not parallel): the adjusted difference depends on where people "
        "started, so one adjusted difference does not describe every starting level; read the "
        "groups' own means and gains instead."
    )
    return SlopesCheck(f=f_value, df=(df1, float(df2)), p=p, parallel=parallel, words=words)
