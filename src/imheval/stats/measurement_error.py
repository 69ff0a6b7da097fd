"""Measurement error of a domain total answered twice: Bland-Altman, SEM and the smallest
detectable change, all in score points.

ICC says how well a score tells people apart; these say how far one person's score moves on
its own, in the units the trainer reads (points on the domain). Inputs are row-aligned (row i
is the same person both times); NaN or None marks a missing score and a person missing either
is dropped. Nothing here raises on data that merely make a number impossible: it is None, with
the reason. Differences are always ``second - first`` (positive: higher at the retest).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from imheval.stats._common import check_confidence, finite_or_none
from imheval.stats.distributions import norm_ppf, t_ppf
from imheval.stats.paired import complete_pairs
from imheval.stats.results import ConfidenceInterval

#: Fewest people with both scores (as for ICC): with 2 people an SD of differences says nothing.
MIN_PEOPLE: Final = 3


@dataclass(frozen=True, slots=True)
class BlandAltman:
    """Bland-Altman agreement between two administrations of the same domain.

    ``bias`` = mean(second - first) with its t CI; ``sd_diff`` the SD (n - 1) of the
    differences; the limits of agreement ``lower`` / ``upper`` = bias -+ z SD (z = 1.96 for
    95 %), each with the approximate CI of Bland & Altman (1999). ``z`` is the multiplier used.
    When not computed, ``reason`` says why and the numbers are None.
    """

    n: int
    bias: float | None = None
    bias_ci: ConfidenceInterval | None = None
    sd_diff: float | None = None
    z: float | None = None
    lower: float | None = None
    lower_ci: ConfidenceInterval | None = None
    upper: float | None = None
    upper_ci: ConfidenceInterval | None = None
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""

        def ci(value: ConfidenceInterval | None) -> list[float] | None:
            return value.to_list() if value is not None else None

        return {
            "n": self.n,
            "bias": finite_or_none(self.bias),
            "bias_ci": ci(self.bias_ci),
            "sd_difference": finite_or_none(self.sd_diff),
            "z": finite_or_none(self.z),
            "lower_limit": finite_or_none(self.lower),
            "lower_limit_ci": ci(self.lower_ci),
            "upper_limit": finite_or_none(self.upper),
            "upper_limit_ci": ci(self.upper_ci),
            "limit_ci_method": "Bland & Altman (1999) approximate",
            "computed": self.computed,
            "reason": self.reason,
            "interpretation": bland_altman_words(self),
        }


@dataclass(frozen=True, slots=True)
class MeasurementError:
    """SEM and the smallest detectable change (SDC) of a domain total, in score points.

    ``sem`` is SEM_agreement = sqrt(var_administration + var_residual) from the two-way ANOVA
    that ICC(A,1) uses (de Vet et al. 2006); ``sem_consistency`` = sqrt(MSE) leaves out a
    systematic shift between the administrations. ``sdc_individual`` = z sqrt(2) SEM is the
    smallest change in one person's score that is larger than measurement error;
    ``sdc_group`` = sdc_individual / sqrt(n) the smallest change in a group mean of n people
    (n = the pilot's n). When not computed, ``reason`` says why and the numbers are None.
    """

    n: int
    sem: float | None = None
    sem_consistency: float | None = None
    variance_administration: float | None = None
    variance_residual: float | None = None
    z: float | None = None
    sdc_individual: float | None = None
    sdc_group: float | None = None
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""
        return {
            "n": self.n,
            "sem_agreement": finite_or_none(self.sem),
            "sem_consistency": finite_or_none(self.sem_consistency),
            "variance_administration": finite_or_none(self.variance_administration),
            "variance_residual": finite_or_none(self.variance_residual),
            "z": finite_or_none(self.z),
            "sdc_individual": finite_or_none(self.sdc_individual),
            "sdc_group": finite_or_none(self.sdc_group),
            "unit": "score points",
            "computed": self.computed,
            "reason": self.reason,
            "interpretation": measurement_error_words(self),
        }


def bland_altman(first: object, second: object, confidence: float = 0.95) -> BlandAltman:
    """Bias and limits of agreement (Bland & Altman 1986, 1999) with their CIs.

    d = second - first for each person with both scores; bias = mean(d), s = SD(d) (n - 1);
    limits = bias -+ z s with z the normal quantile for the level (1.959964 for 95 %).
    CI of the bias: bias -+ t(n - 1) s / sqrt(n). CI of each limit: limit -+ t(n - 1) SE with
    SE = s sqrt(1 / n + z^2 / (2 (n - 1))) (Bland & Altman 1999, section 5.3: the approximate
    method, not the exact one of Carkeet 2015, which is slightly wider for small n).

    Not computed (reason given) with fewer than 3 pairs. Checked against the same formulas in R
    (tests/golden/make_golden_retest.R).

    Examples
    --------
    >>> result = bland_altman([10, 12, 14, 9], [11, 12, 15, 11])
    >>> round(result.bias, 2), round(result.upper, 2)
    (1.0, 2.6)
    """
    level = check_confidence(confidence)
    a, b = complete_pairs(first, second)
    n = int(a.size)
    if n < MIN_PEOPLE:
        return BlandAltman(n=n, reason=_too_few(n))
    differences = b - a
    bias = float(np.mean(differences))
    sd = float(np.std(differences, ddof=1))
    z = norm_ppf(0.5 + level / 2)
    t = t_ppf(0.5 + level / 2, n - 1)
    se_bias = sd / math.sqrt(n)
    se_limit = sd * math.sqrt(1.0 / n + z * z / (2.0 * (n - 1)))
    lower, upper = bias - z * sd, bias + z * sd

    def around(value: float, se: float) -> ConfidenceInterval:
        return ConfidenceInterval(value - t * se, value + t * se, level)

    return BlandAltman(
        n=n,
        bias=bias,
        bias_ci=around(bias, se_bias),
        sd_diff=sd,
        z=z,
        lower=lower,
        lower_ci=around(lower, se_limit),
        upper=upper,
        upper_ci=around(upper, se_limit),
    )


def measurement_error(first: object, second: object, confidence: float = 0.95) -> MeasurementError:
    """SEM_agreement and the smallest detectable change of a domain total, in score points.

    From the two-way ANOVA of n people x k = 2 administrations (as ICC(A,1)): MSC for the
    administrations, MSE residual. var_administration = max(0, (MSC - MSE) / n),
    var_residual = MSE, SEM_agreement = sqrt(var_administration + var_residual) (de Vet,
    Terwee, Knol & Bouter 2006), SEM_consistency = sqrt(MSE) (= SD of the differences / sqrt 2).
    SDC_individual = z sqrt(2) SEM_agreement (z = 1.96 for 95 %), SDC_group =
    SDC_individual / sqrt(n) (de Vet et al. 2006; Terwee et al. 2007). SEM is not taken as
    SD sqrt(1 - ICC): that mixes in how varied the pilot's people were.

    Not computed (reason given) with fewer than 3 pairs. Checked against R's
    ``anova(lm(score ~ person + time))`` mean squares (tests/golden/make_golden_retest.R).

    Examples
    --------
    >>> round(measurement_error([10, 12, 14, 9], [11, 12, 15, 11]).sdc_individual, 2)
    2.4
    """
    level = check_confidence(confidence)
    a, b = complete_pairs(first, second)
    n = int(a.size)
    if n < MIN_PEOPLE:
        return MeasurementError(n=n, reason=_too_few(n))
    scores = np.column_stack([a, b])
    grand = float(scores.mean())
    residual = scores - scores.mean(axis=1)[:, None] - scores.mean(axis=0)[None, :] + grand
    mse = float(np.sum(residual**2)) / (n - 1)
    msc = n * float(np.sum((scores.mean(axis=0) - grand) ** 2))  # k - 1 = 1 df
    var_admin = max(0.0, (msc - mse) / n)
    sem = math.sqrt(var_admin + mse)
    z = norm_ppf(0.5 + level / 2)
    sdc = z * math.sqrt(2.0) * sem
    return MeasurementError(
        n=n,
        sem=sem,
        sem_consistency=math.sqrt(mse),
        variance_administration=var_admin,
        variance_residual=mse,
        z=z,
        sdc_individual=sdc,
        sdc_group=sdc / math.sqrt(n),
    )


def measurement_error_words(result: MeasurementError) -> str:
    """The smallest detectable change in plain English (one decimal: presenting only)."""
    if not result.computed or result.sdc_individual is None or result.sdc_group is None:
        return f"The smallest detectable change could not be computed: {result.reason}."
    if result.sdc_individual == 0:
        return (
            "Everyone scored the same both times, so any change in a score is larger than the "
            "measurement error seen in this pilot."
        )
    return (
        f"A person's score must change by {result.sdc_individual:.1f} points or more before we "
        f"can say it changed (smallest detectable change, 95%); for the average of a group of "
        f"{result.n} people, {result.sdc_group:.1f} points. The standard error of measurement "
        f"is {result.sem:.2f} points."
    )


def bland_altman_words(result: BlandAltman) -> str:
    """The bias and limits of agreement in plain English (one decimal: presenting only)."""
    if not result.computed or result.bias is None or result.lower is None or result.upper is None:
        return f"The limits of agreement could not be computed: {result.reason}."
    ci = result.bias_ci
    if ci is not None and ci.low <= 0 <= ci.high:
        shift = (
            f"On average scores were {abs(result.bias):.1f} points "
            f"{'higher' if result.bias >= 0 else 'lower'} at the retest, within what chance "
            "alone would give"
        )
    else:
        shift = (
            f"Scores were on average {abs(result.bias):.1f} points "
            f"{'higher' if result.bias > 0 else 'lower'} at the retest (a systematic shift, "
            "e.g. learning from the first sitting)"
        )
    return (
        f"{shift}. For 95% of people the retest score lies between {result.lower:+.1f} and "
        f"{result.upper:+.1f} points of their first score (limits of agreement)."
    )


def _too_few(n: int) -> str:
    who = "nobody does" if n == 0 else f"only {n}"
    return f"fewer than {MIN_PEOPLE} people have both scores ({who})"
