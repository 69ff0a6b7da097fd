"""McNemar's test of pre-to-post change on one right/wrong item, for matched people.

:func:`mcnemar` is the public test; :func:`imheval.stats.items.item_analysis` runs it on every
right/wrong item of a domain through :func:`_mcnemar_item`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.errors import AnalysisError
from imheval.stats._common import FloatArray, as_float_array, finite_or_none
from imheval.stats.distributions import binom_cdf, chi2_sf
from imheval.stats.results import TestResult

#: McNemar's p is exact (binomial) below this many discordant pairs, as in common practice
#: (e.g. exact2x2; the chi-square approximation is poor for small b + c).
MCNEMAR_EXACT_BELOW = 25


@dataclass(frozen=True, slots=True)
class McNemarResult:
    """McNemar's test of pre-to-post change on one right/wrong item, for matched people.

    ``b`` counts people right before and wrong after, ``c`` wrong before and right after (so
    c > b means the item improved). ``method`` is "exact" (two-sided binomial p, used when
    b + c < 25) or "chi_square" (continuity-corrected chi-square, ``statistic``, df = 1).
    ``statistic`` is None for the exact test. When nobody changed (b + c = 0) or nobody was
    matched, ``reason`` says why and ``p`` is None.
    """

    n: int
    b: int
    c: int
    method: str
    statistic: float | None = None
    df: float | None = None
    p: float | None = None
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def apa(self) -> str:
        """``χ²(1) = 4.32, p = .038`` or ``exact McNemar (b = 0, c = 3), p = .250``."""
        from imheval.stats.apa import apa_text, format_p

        if not self.computed or self.p is None:
            return self.reason or "not computed"
        if self.statistic is None:
            return f"exact McNemar (b = {self.b}, c = {self.c}), {format_p(self.p)}"
        as_test = TestResult(
            test="mcnemar",
            statistic_name="χ²",
            n=self.n,
            statistic=self.statistic,
            df=1.0,
            p=self.p,
        )
        return apa_text(as_test)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""
        return {
            "n": self.n,
            "b": self.b,
            "c": self.c,
            "method": self.method,
            "statistic": finite_or_none(self.statistic),
            "df": finite_or_none(self.df),
            "p": finite_or_none(self.p),
            "computed": self.computed,
            "reason": self.reason,
            "apa": self.apa() if self.computed else None,
        }


def mcnemar(pre_correct: object, post_correct: object, exact: bool | None = None) -> McNemarResult:
    """McNemar's test of change in one right/wrong item between pre and post, matched people.

    ``pre_correct`` / ``post_correct``: 1 (right) or 0 (wrong) per person, NaN or None when not
    answered; people missing either are dropped. b = right before & wrong after, c = wrong
    before & right after. With ``exact`` None (the default) the p is exact when b + c < 25:
    p = min(1, 2 P(X <= min(b, c))), X ~ Binomial(b + c, 1/2), as R's
    ``binom.test(min(b, c), b + c, 0.5)``; otherwise the continuity-corrected chi-square
    (|b - c| - 1)^2 / (b + c) on 1 df, as R's ``mcnemar.test`` (which applies the correction
    literally, also when b = c). ``exact`` True or False forces one method.

    Not computed (reason given) with no matched people, or when nobody changed (b + c = 0).
    Raises AnalysisError when a value is not 0 or 1 or the lengths differ. Checked against R's
    ``mcnemar.test`` and ``binom.test`` (tests/golden).
    """
    before = as_float_array(pre_correct, "pre_correct")
    after = as_float_array(post_correct, "post_correct")
    if before.shape != after.shape:
        raise AnalysisError(
            f"pre_correct and post_correct must have the same length "
            f"(got {before.size} and {after.size})"
        )
    for values, name in ((before, "pre_correct"), (after, "post_correct")):
        present = values[~np.isnan(values)]
        if not np.all((present == 0) | (present == 1)):
            raise AnalysisError(f"{name} must hold 1 (right), 0 (wrong) or missing values")
    return _mcnemar_counts(before, after, exact)


def _mcnemar_item(pre: FloatArray, post: FloatArray, high: float) -> McNemarResult:
    before = np.where(np.isnan(pre), np.nan, (pre == high).astype(float))
    after = np.where(np.isnan(post), np.nan, (post == high).astype(float))
    return _mcnemar_counts(before, after, None)


def _mcnemar_counts(before: FloatArray, after: FloatArray, exact: bool | None) -> McNemarResult:
    both = ~(np.isnan(before) | np.isnan(after))
    n = int(both.sum())
    right_before = before[both] == 1
    right_after = after[both] == 1
    b = int(np.count_nonzero(right_before & ~right_after))
    c = int(np.count_nonzero(~right_before & right_after))
    use_exact = (b + c < MCNEMAR_EXACT_BELOW) if exact is None else exact
    method = "exact" if use_exact else "chi_square"
    if n == 0:
        return McNemarResult(
            n=0, b=0, c=0, method=method, reason="nobody answered this item at both timepoints"
        )
    if b + c == 0:
        return McNemarResult(
            n=n,
            b=0,
            c=0,
            method=method,
            reason="nobody changed their answer to this item, so McNemar's test is undefined",
        )
    if use_exact:
        p = min(1.0, 2.0 * binom_cdf(min(b, c), b + c, 0.5))
        return McNemarResult(n=n, b=b, c=c, method=method, p=p)
    statistic = (abs(b - c) - 1.0) ** 2 / (b + c)
    p = chi2_sf(statistic, 1)
    return McNemarResult(n=n, b=b, c=c, method=method, statistic=statistic, df=1.0, p=p)
