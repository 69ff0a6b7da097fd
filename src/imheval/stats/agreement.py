"""Weighted kappa for rating items answered twice: unweighted, linear and quadratic weights.

A rating item (1 = not at all confident ... 5 = very confident) answered 4 then 5 is closer to
agreeing than one answered 1 then 5; weighted kappa gives partial credit for near misses.
Inputs are row-aligned (row i is the same person both times); NaN or None marks a missing
answer and a person missing either answer is dropped. Nothing here raises on data that merely
make a number impossible: it is None, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np

from imheval.stats._common import FloatArray, check_confidence, finite_or_none
from imheval.stats.distributions import norm_ppf
from imheval.stats.paired import complete_pairs
from imheval.stats.proportions import Proportion, proportion
from imheval.stats.results import ConfidenceInterval

Weighting = Literal["unweighted", "linear", "quadratic"]

#: The three weightings, in the order they are shown.
WEIGHTINGS: Final[tuple[Weighting, ...]] = ("unweighted", "linear", "quadratic")

#: Fewest people with both answers for a kappa (as for imheval.stats.reliability).
MIN_PEOPLE: Final = 3

#: Landis & Koch (1977) bands for kappa: upper bounds (inclusive) and their words; below 0
#: is "poor".
LANDIS_KOCH_BANDS: tuple[tuple[float, str], ...] = (
    (0.2, "slight"),
    (0.4, "fair"),
    (0.6, "moderate"),
    (0.8, "substantial"),
    (math.inf, "almost perfect"),
)

_NO_CI = (
    "the large-sample standard error is 0 here (perfect agreement, or one administration gave "
    "a single answer), so no confidence interval can be given"
)


@dataclass(frozen=True, slots=True)
class WeightedKappa:
    """Cohen's kappa with one weighting: ``unweighted``, ``linear`` or ``quadratic``.

    ``observed`` and ``expected`` are the weighted agreement observed and expected by chance
    (for ``unweighted`` they are the plain shares). ``se`` is the large-sample SE of Fleiss,
    Cohen & Everitt (1969), ``ci`` kappa -+ z SE clipped to [-1, 1]; None with ``ci_reason``
    when the SE is 0. When kappa cannot be computed, ``reason`` says why.
    """

    weighting: Weighting
    n: int
    kappa: float | None = None
    se: float | None = None
    ci: ConfidenceInterval | None = None
    observed: float | None = None
    expected: float | None = None
    reason: str | None = None
    ci_reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""
        return {
            "weighting": self.weighting,
            "n": self.n,
            "kappa": finite_or_none(self.kappa),
            "se": finite_or_none(self.se),
            "ci": self.ci.to_list() if self.ci is not None else None,
            "ci_reason": self.ci_reason,
            "observed_agreement": finite_or_none(self.observed),
            "expected_agreement": finite_or_none(self.expected),
            "computed": self.computed,
            "reason": self.reason,
            "interpretation": kappa_words(self.kappa) if self.kappa is not None else None,
        }


@dataclass(frozen=True, slots=True)
class RatingAgreement:
    """Agreement between two answers to a rating item: exact agreement and three kappas.

    ``categories`` are the scale points the weights are built on (the whole scale, not only
    the points used). ``exact`` is the share who gave the very same rating both times, with its
    Wilson CI; ``within_one`` the share whose two ratings differ by at most one point.
    """

    n: int
    categories: tuple[float, ...]
    exact: Proportion
    within_one: Proportion
    unweighted: WeightedKappa
    linear: WeightedKappa
    quadratic: WeightedKappa

    def kappas(self) -> tuple[WeightedKappa, ...]:
        return (self.unweighted, self.linear, self.quadratic)

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "categories": list(self.categories),
            "exact_agreement": self.exact.to_dict(),
            "within_one_point": self.within_one.to_dict(),
            "unweighted": self.unweighted.to_dict(),
            "linear": self.linear.to_dict(),
            "quadratic": self.quadratic.to_dict(),
        }


def kappa_words(kappa: float) -> str:
    """Landis & Koch's (1977) word for a kappa: poor (< 0), slight (to .20), fair (to .40),
    moderate (to .60), substantial (to .80), almost perfect (above .80)."""
    if kappa < 0:
        return "poor"
    for upper, word in LANDIS_KOCH_BANDS:
        if kappa <= upper:
            return word
    return LANDIS_KOCH_BANDS[-1][1]


def kappa_weights(categories: Sequence[float] | FloatArray, weighting: Weighting) -> FloatArray:
    """The agreement weights w[i, j] between categories i and j (1 on the diagonal).

    unweighted: w = 1 if i = j else 0; linear: w = 1 - |c_i - c_j| / (c_max - c_min);
    quadratic: w = 1 - (c_i - c_j)^2 / (c_max - c_min)^2 (Cohen 1968; Fleiss & Cohen 1973).
    For equally spaced integer scale points these equal psych's weights built on the positions
    of the levels (``psych::cohen.kappa`` uses quadratic ones by default).
    """
    values = np.asarray(categories, dtype=float)
    if weighting == "unweighted" or values.size < 2:
        return np.eye(values.size)
    span = float(values.max() - values.min())
    distance = np.abs(values[:, None] - values[None, :]) / span
    power = 1.0 if weighting == "linear" else 2.0
    weights: FloatArray = 1.0 - distance**power
    return weights


def weighted_kappa(
    first: object,
    second: object,
    categories: Sequence[float] | None = None,
    weighting: Weighting = "quadratic",
    confidence: float = 0.95,
) -> WeightedKappa:
    """Cohen's (1968) weighted kappa with the large-sample SE and a normal CI.

    With p_ij the share of people answering i the first time and j the second, p_i. and p_.j
    the margins and w the weights of :func:`kappa_weights`:
    p_o = sum w_ij p_ij, p_e = sum w_ij p_i. p_.j, kappa_w = (p_o - p_e) / (1 - p_e).
    Var(kappa_w) = [sum p_ij (w_ij (1 - p_e) - (wbar_i. + wbar_.j)(1 - p_o))^2
    - (p_o p_e - 2 p_e + p_o)^2] / (n (1 - p_e)^4), with wbar_i. = sum_j p_.j w_ij and
    wbar_.j = sum_i p_i. w_ij (Fleiss, Cohen & Everitt 1969). With identity weights this is
    the unweighted kappa and its SE, exactly as :func:`imheval.stats.reliability.cohen_kappa`.

    ``categories``: the scale points (default: the values seen); answers outside them are
    added. Not computed (reason given) with fewer than 3 pairs, or when chance agreement is
    already 1 (everyone gave one answer both times). Checked against R's ``psych::cohen.kappa``
    (kappa and weighted kappa, with ``levels`` set to the scale) and, for the SE of weighted
    kappa, against the formula above written in R: psych 2.2.9's ``var.weighted`` multiplies
    each row total of the weights by that row's own margin instead of averaging the weights over
    the margins, and differs from Fleiss, Cohen & Everitt whenever the weights are not 0/1.

    Examples
    --------
    >>> round(weighted_kappa([1, 2, 3, 4], [1, 2, 4, 4], [1, 2, 3, 4, 5], "linear").kappa, 4)
    0.8182
    """
    level = check_confidence(confidence)
    a, b = complete_pairs(first, second)
    n = int(a.size)
    if n < MIN_PEOPLE:
        who = "nobody does" if n == 0 else f"only {n}"
        return WeightedKappa(
            weighting, n, reason=f"fewer than {MIN_PEOPLE} people answered both times ({who})"
        )
    seen = np.unique(np.concatenate([a, b]))
    scale = np.unique(np.concatenate([np.asarray(categories or [], dtype=float), seen]))
    index = {float(value): i for i, value in enumerate(scale)}
    m = int(scale.size)
    table = np.zeros((m, m))
    np.add.at(table, ([index[float(v)] for v in a], [index[float(v)] for v in b]), 1.0)
    table /= n
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    weights = kappa_weights(scale, weighting)
    p_o = float(np.sum(weights * table))
    p_e = float(np.sum(weights * np.outer(rows, cols)))
    if seen.size == 1 or 1.0 - p_e <= 1e-12:
        return WeightedKappa(
            weighting,
            n,
            observed=p_o,
            expected=p_e,
            reason="everyone gave the same answer both times: agreement is complete, but so is "
            "the agreement expected by chance, so kappa is undefined",
        )
    kappa = (p_o - p_e) / (1.0 - p_e)
    row_mean_w = weights @ cols  # wbar_i. = sum_j p_.j w_ij
    col_mean_w = rows @ weights  # wbar_.j = sum_i p_i. w_ij
    spread = weights * (1.0 - p_e) - (row_mean_w[:, None] + col_mean_w[None, :]) * (1.0 - p_o)
    first_term = float(np.sum(table * spread**2))
    chance_term = (p_o * p_e - 2.0 * p_e + p_o) ** 2
    numerator = first_term - chance_term
    # A difference of sums that is 0 in exact arithmetic leaves rounding noise, not a real SE.
    scale_of_terms = first_term + chance_term
    se = (
        math.sqrt(numerator / (n * (1.0 - p_e) ** 4)) if numerator > 1e-12 * scale_of_terms else 0.0
    )
    if se == 0.0:
        return WeightedKappa(weighting, n, kappa, se, None, p_o, p_e, ci_reason=_NO_CI)
    z = norm_ppf(0.5 + level / 2)
    ci = ConfidenceInterval(max(-1.0, kappa - z * se), min(1.0, kappa + z * se), level)
    return WeightedKappa(weighting, n, kappa, se, ci, p_o, p_e)


def rating_agreement(
    first: object, second: object, categories: Sequence[float], confidence: float = 0.95
) -> RatingAgreement:
    """Exact and within-one-point agreement (Wilson CIs) and the three kappas of a rating item.

    ``categories`` are the points of the item's scale (e.g. 1 to 5), so the weights follow the
    scale rather than the answers that happened to be given.
    """
    level = check_confidence(confidence)
    a, b = complete_pairs(first, second)
    n = int(a.size)
    exact = proportion(int(np.count_nonzero(a == b)), n, level)
    within = proportion(int(np.count_nonzero(np.abs(a - b) <= 1.0 + 1e-9)), n, level)
    kappas = [weighted_kappa(a, b, categories, w, level) for w in WEIGHTINGS]
    return RatingAgreement(
        n=n,
        categories=tuple(float(c) for c in sorted(set(categories))),
        exact=exact,
        within_one=within,
        unweighted=kappas[0],
        linear=kappas[1],
        quadratic=kappas[2],
    )
