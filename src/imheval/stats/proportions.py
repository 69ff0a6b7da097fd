"""Confidence intervals for a proportion: the Wilson score interval.

One shared helper for every share that imheval reports with a CI (percent agreement in a
test-retest pilot; item facility can use it too). Full precision; rounding is for presenting.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from imheval.errors import AnalysisError
from imheval.stats._common import check_confidence, finite_or_none
from imheval.stats.distributions import norm_ppf
from imheval.stats.results import ConfidenceInterval


@dataclass(frozen=True, slots=True)
class Proportion:
    """A share ``successes / n`` with its Wilson score CI.

    ``share`` is between 0 and 1. ``ci`` is None (with ``reason``) when ``n`` is 0.
    ``method`` names the interval ("wilson": the score interval without continuity correction).
    """

    successes: int
    n: int
    share: float | None
    ci: ConfidenceInterval | None
    method: str = "wilson"
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""
        return {
            "successes": self.successes,
            "n": self.n,
            "share": finite_or_none(self.share),
            "ci": self.ci.to_list() if self.ci is not None else None,
            "level": self.ci.level if self.ci is not None else None,
            "method": self.method,
            "reason": self.reason,
        }


def wilson_ci(successes: int, n: int, confidence: float = 0.95) -> ConfidenceInterval | None:
    """The Wilson (1927) score interval for ``successes`` out of ``n``; None when ``n`` is 0.

    With p = successes / n and z the normal quantile for the level:
    centre = (p + z^2 / 2n) / (1 + z^2 / n),
    half-width = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2).
    Unlike the Wald interval p -+ z sqrt(p(1 - p)/n) it stays inside [0, 1] and does not
    collapse to zero width at 0 % or 100 %, which is where small pilots often are (Newcombe
    1998, method 3; Brown, Cai & DasGupta 2001). Checked against R's
    ``prop.test(x, n, correct = FALSE)$conf.int``.

    Raises AnalysisError for counts that are not counts (negative, or successes > n).

    Examples
    --------
    >>> ci = wilson_ci(18, 20)
    >>> round(ci.low, 4), round(ci.high, 4)
    (0.699, 0.9721)
    """
    level = check_confidence(confidence)
    if n < 0 or successes < 0 or successes > n:
        raise AnalysisError(f"a proportion needs 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return None
    z = norm_ppf(0.5 + level / 2)
    p = successes / n
    z2 = z * z
    denominator = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1.0 - p) / n + z2 / (4 * n * n))
    return ConfidenceInterval(max(0.0, centre - half), min(1.0, centre + half), level)


def proportion(successes: int, n: int, confidence: float = 0.95) -> Proportion:
    """``successes`` of ``n`` as a :class:`Proportion` with its Wilson CI (:func:`wilson_ci`)."""
    ci = wilson_ci(successes, n, confidence)
    if n == 0:
        return Proportion(successes, n, None, None, reason="nobody was counted (n = 0)")
    return Proportion(successes, n, successes / n, ci)
