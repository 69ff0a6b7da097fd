"""Planning a study: power, people and cohorts needed, smallest detectable effect.

The effect is Cohen's d_z of the change: the mean change (post - pre) divided by the standard
deviation of the change scores (Cohen 1988; Lakens 2013). The participant-level test is the
two-sided paired t-test, whose power is a noncentral t probability (as R's
``pwr::pwr.t.test(type = "paired")``):

    power = 1 - T(t_crit; df, ncp) + T(-t_crit; df, ncp),
    df = n - 1,  ncp = d_z * sqrt(n),  t_crit = the (1 - alpha / 2) quantile of t(df).

People trained together share a trainer and a room, so their changes are correlated: R, the
intra-cluster correlation (ICC) of the change scores within cohorts. With cohorts of M people,
a clustered sample of N is worth N / design_effect independent people, design_effect =
1 + (M - 1) * R (Kish 1965; Donner & Klar 2000). Attrition A (the share of people enrolled who
are not analysed) divides what is needed by 1 - A.

:func:`plan_study` is the contract of ``imheval plan --json`` (issue 18, 4):
:meth:`StudyPlan.to_dict`. :func:`design_power` gives, for a design of K cohorts of M people,
the power of the participant-level, the cohort-level (paired t on cohort means, the seed
study's method) and the mixed-model analyses, the last by simulation only.

Every closed form is checked against R (pwr 1.3, base R's noncentral ``pt``) in
tests/golden/test_power_against_r.py, and the simulation against an lme4/lmerTest simulation.
Inputs that make no sense raise ValueError with a plain message; nothing here returns NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

from imheval.stats.distributions import nct_sf, norm_cdf, norm_ppf, norm_sf, t_ppf, t_sf
from imheval.stats.power_simulation import MAX_SIMULATIONS, SimulatedPower, simulate_design

#: progress(done, total) for the simulation.
PowerProgress = Callable[[int, int], None]

#: the n search gives up beyond this many analysed pairs (an effect too small to plan for).
MAX_PAIRS: Final = 1_000_000

#: pwr.t.test refuses fewer than 2 pairs: with one pair there is no variance to test against.
MIN_PAIRS: Final = 2.0

#: the power the smallest detectable effect of :class:`DesignPower` is reported at.
DETECTABLE_POWER: Final = 0.8

# Products such as 10 * 1.1 come out as 11.000000000000002 in floating point; a whole-number
# result within this relative distance is taken as whole before rounding up or down, so that
# ceil(10 * 1.1) is 11, as the arithmetic means.
_WHOLE_TOLERANCE: Final = 1e-9


def _ceil(value: float) -> int:
    return math.ceil(value - _WHOLE_TOLERANCE * max(1.0, abs(value)))


def _floor(value: float) -> int:
    return math.floor(value + _WHOLE_TOLERANCE * max(1.0, abs(value)))


@dataclass(frozen=True, slots=True)
class StudyPlan:
    """The answer of :func:`plan_study`: either people needed for a target power, or the power
    of a given number of people (``people_given``)."""

    effect: float
    alpha: float
    target_power: float | None
    people_given: int | None
    cohort_size: int | None
    icc: float | None
    attrition: float
    #: analysed pairs the unclustered paired t-test needs (power mode), or the effective pairs
    #: N * (1 - A) / design_effect (people mode, unrounded).
    pairs: float
    design_effect: float
    people_analysed: int
    people_needed: int
    cohorts_needed: int | None
    power: float

    @property
    def mode(self) -> str:
        """ "power" (people needed for ``target_power``) or "people" (power of people given)."""
        return "power" if self.target_power is not None else "people"

    def to_dict(self) -> dict[str, Any]:
        """The JSON of ``imheval plan --json``: every field at full precision, plus the
        analysis and the effect-size type in words."""
        return {
            "analysis": "participant-level paired t-test, two-sided",
            "effect_type": "cohen_dz",
            "mode": self.mode,
            "effect": self.effect,
            "alpha": self.alpha,
            "target_power": self.target_power,
            "people_given": self.people_given,
            "cohort_size": self.cohort_size,
            "icc": self.icc,
            "attrition": self.attrition,
            "pairs": self.pairs,
            "design_effect": self.design_effect,
            "people_analysed": self.people_analysed,
            "people_needed": self.people_needed,
            "cohorts_needed": self.cohorts_needed,
            "power": self.power,
        }


@dataclass(frozen=True, slots=True)
class AnalysisPower:
    """The power of one analysis of a given design.

    ``analysis``: "participant" (paired t on people, clustering allowed for through the design
    effect), "cohort" (paired t on cohort means, the seed's method) or "mixed" (the mixed model
    with random cohort effects); ``method``: "noncentral t" or "simulation".
    """

    analysis: str
    power: float | None
    method: str
    df: float | None = None
    #: the Monte Carlo standard error of a simulated power
    standard_error: float | None = None
    reason: str | None = None
    #: the power found by simulation: the check of a closed form ("noncentral t" rows), or
    #: ``power`` itself ("simulation" rows); ``standard_error`` is its Monte Carlo SE
    simulated_power: float | None = None
    #: simulated studies this analysis could not analyse (counted as not significant)
    failed_simulations: int | None = None
    #: the share of the same simulated studies, with no true change, that this analysis found
    #: significant: its empirical type I error (alpha for an honest test); None without
    #: simulation
    false_positive_rate: float | None = None

    @property
    def computed(self) -> bool:
        return self.power is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "analysis": self.analysis,
            "power": self.power,
            "method": self.method,
            "df": self.df,
            "standard_error": self.standard_error,
            "reason": self.reason,
            "simulated_power": self.simulated_power,
            "failed_simulations": self.failed_simulations,
            "false_positive_rate": self.false_positive_rate,
        }


@dataclass(frozen=True, slots=True)
class DesignPower:
    """What a design of ``cohorts`` x ``cohort_size`` people can detect, by analysis."""

    cohorts: int
    cohort_size: int
    effect: float
    icc: float
    attrition: float
    alpha: float
    analyses: tuple[AnalysisPower, ...]
    #: the smallest d_z each analysis detects with 80% power (same order as ``analyses``)
    smallest_detectable: tuple[tuple[str, float | None], ...]
    #: people analysed per cohort, M * (1 - A) (unrounded: the expected number)
    analysed_per_cohort: float = 0.0
    #: 1 + (M * (1 - A) - 1) * R, on the analysed cohort size
    design_effect: float = 1.0
    #: the number of simulated studies (0: closed forms only) and the seed
    simulations: int = 0
    seed: int | None = None
    #: in words: what ignoring the cohort ICC does to the type I error of a test on people
    clustering_note: str = ""

    def analysis(self, name: str) -> AnalysisPower:
        """The row of one analysis ("participant", "cohort" or "mixed")."""
        for row in self.analyses:
            if row.analysis == name:
                return row
        raise KeyError(name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "effect_type": "cohen_dz",
            "cohorts": self.cohorts,
            "cohort_size": self.cohort_size,
            "effect": self.effect,
            "icc": self.icc,
            "attrition": self.attrition,
            "alpha": self.alpha,
            "analysed_per_cohort": self.analysed_per_cohort,
            "design_effect": self.design_effect,
            "simulations": self.simulations,
            "seed": self.seed,
            "analyses": [row.to_dict() for row in self.analyses],
            "smallest_detectable": [
                {"analysis": name, "effect": value, "power": DETECTABLE_POWER}
                for name, value in self.smallest_detectable
            ],
            "clustering_note": self.clustering_note,
        }


def _check_effect(effect: float) -> float:
    if not math.isfinite(effect) or effect <= 0:
        raise ValueError(
            f"the expected effect (d_z) must be a number above 0, got {effect}; "
            "give the size of the change you expect, e.g. 0.5"
        )
    return float(effect)


def _check_alpha(alpha: float) -> float:
    if not math.isfinite(alpha) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1 (e.g. 0.05), got {alpha}")
    return float(alpha)


def _check_power(power: float, alpha: float) -> float:
    if not math.isfinite(power) or not 0 < power < 1:
        raise ValueError(f"the target power must be between 0 and 1 (e.g. 0.8), got {power}")
    if power <= alpha:
        raise ValueError(
            f"the target power ({power}) must be above alpha ({alpha}): "
            "any test reaches alpha with no effect at all"
        )
    return float(power)


def _check_attrition(attrition: float) -> float:
    if not math.isfinite(attrition) or not 0 <= attrition < 1:
        raise ValueError(
            f"attrition is the share of people lost before the post-test, from 0 up to "
            f"(not including) 1, e.g. 0.2 for 20%; got {attrition}"
        )
    return float(attrition)


def _check_icc(icc: float) -> float:
    if not math.isfinite(icc) or not 0 <= icc <= 1:
        raise ValueError(f"the cohort ICC must be between 0 and 1 (e.g. 0.05), got {icc}")
    return float(icc)


def _check_cohort_size(cohort_size: int) -> int:
    if isinstance(cohort_size, bool) or int(cohort_size) != cohort_size or cohort_size < 1:
        raise ValueError(
            f"the cohort size must be a whole number of people, 1 or more, got {cohort_size}"
        )
    return int(cohort_size)


def design_effect(cohort_size: float, icc: float) -> float:
    """1 + (M - 1) * R: how many times larger the variance of a mean is when people come in
    cohorts of M whose changes correlate R, than for independent people (Kish 1965; Donner &
    Klar 2000). N clustered people are worth N / design_effect independent ones."""
    return 1.0 + (cohort_size - 1.0) * icc


def paired_power(pairs: float, effect: float, alpha: float = 0.05) -> float:
    """Power of the two-sided paired t-test with ``pairs`` pairs (df = pairs - 1, noncentrality
    effect * sqrt(pairs)); ``pairs`` may be fractional.

    power = P(T > t_crit) + P(T < -t_crit), T ~ noncentral t(df = pairs - 1, ncp = d_z *
    sqrt(pairs)), t_crit = t(df).ppf(1 - alpha / 2): Cohen (1988), ch. 2; R's
    ``pwr::pwr.t.test(n = pairs, d = effect, sig.level = alpha, type = "paired")$power``
    (checked to 1e-8 relative in tests/golden/test_power_against_r.py). The sign of ``effect``
    does not matter (two-sided); an effect of 0 gives alpha.

    Raises ValueError for fewer than 2 pairs (no variance of the change to test against), a
    non-finite effect, or alpha outside (0, 1).

    Examples
    --------
    >>> round(paired_power(34, 0.5), 4)
    0.8078
    """
    alpha = _check_alpha(alpha)
    if not math.isfinite(pairs) or pairs < MIN_PAIRS:
        raise ValueError(
            f"the paired t-test needs at least 2 analysed pairs, got {pairs:g}: "
            "with fewer there is no variation in the change to test it against"
        )
    if not math.isfinite(effect):
        raise ValueError(f"the effect (d_z) must be a number, got {effect}")
    df = pairs - 1.0
    t_crit = t_ppf(1.0 - alpha / 2.0, df)
    ncp = abs(effect) * math.sqrt(pairs)
    if ncp == 0.0:
        return alpha
    upper = nct_sf(t_crit, df, ncp)
    # P(T < -t_crit | ncp) = P(T > t_crit | -ncp). scipy 1.17's nct.cdf(-t_crit, df, ncp) gives
    # NaN for some large ncp (e.g. df 199, ncp 11.3); the reflected upper tail does not.
    lower = nct_sf(t_crit, df, -ncp)
    if not (math.isfinite(upper) and math.isfinite(lower)):  # pragma: no cover - defensive
        z_crit = norm_ppf(1.0 - alpha / 2.0)
        upper, lower = norm_sf(z_crit - ncp), norm_cdf(-z_crit - ncp)
    return min(1.0, max(0.0, upper + lower))


def pairs_needed(effect: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """The smallest whole number of analysed pairs whose paired t-test (two-sided) reaches
    ``power`` for d_z = ``effect``; the ceiling of R's ``pwr.t.test(d, power, sig.level,
    type = "paired")$n`` (checked over a grid in tests/golden).

    Raises ValueError for an effect that is not above 0, alpha or power outside (0, 1), power
    not above alpha, or an effect so small that more than :data:`MAX_PAIRS` pairs are needed.

    Examples
    --------
    >>> pairs_needed(0.5, power=0.8)
    34
    """
    effect = _check_effect(effect)
    alpha = _check_alpha(alpha)
    power = _check_power(power, alpha)
    z = norm_ppf(1.0 - alpha / 2.0) + norm_ppf(power)
    # The normal approximation is a close lower bound; step from it to the exact minimum.
    guess = (z / effect) ** 2
    if guess > MAX_PAIRS or paired_power(MAX_PAIRS, effect, alpha) < power:
        raise ValueError(
            f"an effect of d_z = {effect:g} is too small to plan for: more than "
            f"{MAX_PAIRS:,} analysed pairs would be needed for {power:.0%} power"
        )
    n = max(int(MIN_PAIRS), math.ceil(guess))
    while n > MIN_PAIRS and paired_power(n - 1, effect, alpha) >= power:
        n -= 1
    while paired_power(n, effect, alpha) < power:
        n += 1
    return n


def plan_study(
    effect: float,
    *,
    power: float | None = None,
    people: int | None = None,
    alpha: float = 0.05,
    cohort_size: int | None = None,
    icc: float | None = None,
    attrition: float = 0.0,
) -> StudyPlan:
    """People (and cohorts) needed for ``power``, or the power of ``people`` enrolled; exactly
    one of the two. Raises ValueError with a plain message for impossible inputs.

    The arithmetic (issue 18, 4), in this order. Power mode: n = :func:`pairs_needed` (the
    smallest whole number of analysed pairs reaching ``power``, unclustered); with a cohort
    size M and an ICC R, design_effect = 1 + (M - 1) * R and people_analysed =
    ceil(n * design_effect), else people_analysed = n; people_needed =
    ceil(people_analysed / (1 - A)) (the people to enrol); cohorts_needed =
    ceil(people_needed / M); ``power`` is the power of people_analysed / design_effect
    effective pairs (at least the target). People mode (``people`` = N enrolled):
    people_analysed = floor(N * (1 - A)), pairs = people_analysed / design_effect (not
    rounded), ``power`` = :func:`paired_power` of those pairs; people_needed = N and
    cohorts_needed = ceil(N / M) when M is given.

    A cohort size without an ICC plans as if the cohorts did not matter (design effect 1); an
    ICC without a cohort size is refused. Whole-number results are rounded after removing
    floating-point noise, so ceil(10 * 1.1) is 11.

    Examples
    --------
    >>> plan = plan_study(0.5, power=0.8, cohort_size=20, icc=0.05, attrition=0.2)
    >>> plan.pairs, plan.people_analysed, plan.people_needed, plan.cohorts_needed
    (34, 67, 84, 5)
    """
    effect = _check_effect(effect)
    alpha = _check_alpha(alpha)
    attrition = _check_attrition(attrition)
    if (power is None) == (people is None):
        raise ValueError(
            "give exactly one of a target power (to find the people needed) "
            "or a number of people (to find the power)"
        )
    if icc is not None:
        icc = _check_icc(icc)
        if cohort_size is None:
            raise ValueError(
                "an ICC needs a cohort size: the design effect 1 + (M - 1) * R depends on "
                "how many people are trained together"
            )
    if cohort_size is not None:
        cohort_size = _check_cohort_size(cohort_size)
    deff = design_effect(cohort_size, icc) if cohort_size is not None and icc is not None else 1.0

    if power is not None:
        power = _check_power(power, alpha)
        n = pairs_needed(effect, power, alpha)
        people_analysed = _ceil(n * deff) if deff != 1.0 else n
        people_needed = _ceil(people_analysed / (1.0 - attrition))
        achieved = paired_power(people_analysed / deff, effect, alpha)
        pairs: float = n
        people_given = None
    else:
        assert people is not None  # for mypy: exactly one of power and people is set above
        if isinstance(people, bool) or int(people) != people or people < 1:
            raise ValueError(f"the number of people must be a whole number above 0, got {people}")
        people_given = people_needed = int(people)
        people_analysed = _floor(people_needed * (1.0 - attrition))
        pairs = people_analysed / deff
        if pairs < MIN_PAIRS:
            lost = f" after {attrition:.0%} attrition" if attrition else ""
            clustered = f" and a design effect of {deff:.3g}" if deff != 1.0 else ""
            raise ValueError(
                f"{people_needed} people enrolled leave {people_analysed} analysed{lost}"
                f"{clustered}, worth {pairs:.3g} independent pairs: too few to test at all "
                "(the paired t-test needs at least 2)"
            )
        achieved = paired_power(pairs, effect, alpha)
    cohorts_needed = _ceil(people_needed / cohort_size) if cohort_size is not None else None
    return StudyPlan(
        effect=effect,
        alpha=alpha,
        target_power=power,
        people_given=people_given,
        cohort_size=cohort_size,
        icc=icc,
        attrition=attrition,
        pairs=pairs,
        design_effect=deff,
        people_analysed=people_analysed,
        people_needed=people_needed,
        cohorts_needed=cohorts_needed,
        power=achieved,
    )


def smallest_detectable_effect(pairs: float, *, power: float = 0.8, alpha: float = 0.05) -> float:
    """The smallest d_z the paired t-test with ``pairs`` pairs detects with ``power``.

    The root in d of :func:`paired_power` (pairs, d, alpha) = power (Brent's method, to 1e-12),
    as R's ``pwr.t.test(n = pairs, power = power, type = "paired")$d``. ``pairs`` may be
    fractional (effective pairs of a clustered design). Raises ValueError for fewer than 2
    pairs, or power / alpha outside (0, 1), or power not above alpha.

    Examples
    --------
    >>> round(smallest_detectable_effect(34), 3)
    0.495
    """
    alpha = _check_alpha(alpha)
    power = _check_power(power, alpha)
    paired_power(pairs, 1.0, alpha)  # validates pairs

    def shortfall(d: float) -> float:
        return paired_power(pairs, d, alpha) - power

    high = 1.0
    while shortfall(high) < 0:
        high *= 2.0
        if high > 1e6:  # pragma: no cover - 2 pairs reach any power below 1 well before this
            raise ValueError(f"no effect size reaches {power:.0%} power with {pairs:g} pairs")
    from scipy.optimize import brentq  # here: scipy.optimize slows every command's start-up

    return float(brentq(shortfall, 0.0, high, xtol=1e-12, rtol=1e-12))


def type_one_error_ignoring_clustering(deff: float, people: float, alpha: float) -> float:
    """About how often a test that treats clustered people as independent finds a change that
    is not there, with a design effect ``deff`` and ``people`` analysed.

    The naive paired t-test refers t = mean / (s / sqrt(n)) to t_crit, the (1 - alpha / 2)
    quantile of t with df = n - 1. With clustering, the variance of the mean is deff times
    s^2 / n, so its t is sqrt(deff) times a t that behaves as t(df) under the null:
    P(|t| > t_crit) = P(|T| > t_crit / sqrt(deff)) = 2 * T_df.sf(t_crit / sqrt(deff)), with
    the naive test's df for both (Kerry & Bland 1998). This is alpha at deff = 1 and grows with
    deff (an approximation: it ignores that s^2 is itself a little low with clustering)."""
    df = max(people - 1.0, 1.0)
    t_crit = t_ppf(1.0 - alpha / 2.0, df)
    return 2.0 * t_sf(t_crit / math.sqrt(deff), df)


def _clustering_note(icc: float, deff: float, people: float, alpha: float) -> str:
    """The note on ignoring the ICC; empty when the design effect is 1 or less (nothing to
    ignore: ICC 0, one person per cohort, or attrition leaving one person or fewer)."""
    if deff <= 1.0:
        return ""
    inflated = type_one_error_ignoring_clustering(deff, people, alpha)
    nominal = f"{alpha * 100:g}%"
    shown = _percent(inflated)
    how_often = (
        f"a little more than {nominal} of the time"
        if shown == _percent(alpha)
        else f"about {shown} of the time, not {nominal}"
    )
    return (
        f"Ignoring the cohort ICC of {icc:g} (design effect {deff:.2f}): a test that treats "
        "the people as independent (the paired t-test on people without the design effect, or "
        "the mixed model imheval fits, which has no cohort-by-time term) would find a change "
        f"that is not there {how_often}, so its power is flattered by the same error."
    )


def _percent(value: float) -> str:
    if 0.995 < value < 1:
        return "more than 99%"
    if 0 < value < 0.005:
        return "less than 1%"
    return f"{value:.0%}"


def _check_count(value: int, what: str, minimum: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{what} must be a whole number, {minimum} or more, got {value}")
    return int(value)


def _participant_row(
    effective_pairs: float, effect: float, alpha: float
) -> tuple[AnalysisPower, float | None]:
    if effective_pairs < MIN_PAIRS:
        reason = (
            f"the design is worth only {effective_pairs:.3g} independent pairs after attrition "
            "and clustering; the paired t-test needs at least 2"
        )
        return AnalysisPower("participant", None, NONCENTRAL_T, reason=reason), None
    row = AnalysisPower(
        "participant",
        paired_power(effective_pairs, effect, alpha) if effect > 0 else alpha,
        NONCENTRAL_T,
        df=effective_pairs - 1.0,
    )
    return row, smallest_detectable_effect(effective_pairs, power=DETECTABLE_POWER, alpha=alpha)


def _cohort_row(
    cohorts: int, per_cohort: float, effect: float, icc: float, alpha: float
) -> tuple[AnalysisPower, float | None]:
    if cohorts < MIN_PAIRS:
        reason = "the cohort-level test needs at least 2 cohorts (one mean change has no spread)"
        return AnalysisPower("cohort", None, NONCENTRAL_T, reason=reason), None
    if per_cohort < 1.0:
        reason = (
            f"after attrition a cohort keeps {per_cohort:.2g} people on average, fewer than "
            "one, so many cohorts would have no mean change to test"
        )
        return AnalysisPower("cohort", None, NONCENTRAL_T, reason=reason), None
    # SD of a cohort's mean change, in SDs of the change: sqrt(R + (1 - R) / m).
    scale = math.sqrt(icc + (1.0 - icc) / per_cohort)
    row = AnalysisPower(
        "cohort",
        paired_power(cohorts, effect / scale, alpha) if effect > 0 else alpha,
        NONCENTRAL_T,
        df=cohorts - 1.0,
    )
    detectable = smallest_detectable_effect(cohorts, power=DETECTABLE_POWER, alpha=alpha) * scale
    return row, detectable


NONCENTRAL_T: Final = "noncentral t"
SIMULATION: Final = "simulation"

_MIXED_BY_SIMULATION_ONLY: Final = (
    "by simulation only: no closed form allows for the cohort ICC in the mixed model imheval "
    "fits (random cohort and person intercepts, no cohort-by-time term); ask for simulated "
    "studies (e.g. 1000) to estimate it"
)


def design_power(
    cohorts: int,
    cohort_size: int,
    effect: float,
    *,
    icc: float = 0.0,
    attrition: float = 0.0,
    alpha: float = 0.05,
    simulate: int = 0,
    seed: int = 1,
    progress: PowerProgress | None = None,
) -> DesignPower:
    """The power of the participant-level, cohort-level and mixed-model analyses of a design.
    ``simulate`` > 0 runs that many seeded simulated studies for the mixed model (and checks the
    closed forms); 0 uses closed forms only.

    K = ``cohorts`` of M = ``cohort_size`` people enrolled; m = M * (1 - A) analysed per cohort
    (expected); R = ``icc``, the correlation of the change scores within cohorts.

    - participant: the paired t-test on people with the design effect, deff = 1 + (m - 1) * R
      (on the analysed cohort size), as :func:`paired_power` of K * m / deff effective pairs
      (df = K * m / deff - 1);
    - cohort (the seed study's method): the paired t-test on the K cohort mean changes. A
      cohort's mean change has variance R + (1 - R) / m in units of the change's variance, so
      d_cohort = d_z / sqrt(R + (1 - R) / m) and the power is :func:`paired_power` (K, d_cohort)
      with df = K - 1;
    - mixed: the mixed model of :func:`imheval.stats.mixed_model` (no closed form: by
      simulation only, see :mod:`imheval.stats.power_simulation`).

    With ``simulate`` = S > 0, S seeded studies (``numpy.random.default_rng(seed)``) give the
    mixed model's power and a simulated check of the two closed forms, each with its Monte
    Carlo SE sqrt(p (1 - p) / S); ``progress(done, S)`` is called after each study. The same
    studies with no true change give each analysis's ``false_positive_rate`` (the mixed model's
    is above alpha when R > 0, so its power is flattered). An ``effect`` of 0 is allowed: the
    "power" is then the type I error rate. The smallest d_z
    detected with 80% power is given for the closed forms (None for the mixed model).

    Rows that cannot be computed carry a ``reason``; ValueError only for impossible inputs.

    Examples
    --------
    >>> design = design_power(5, 20, 0.5, icc=0.05, attrition=0.2)
    >>> [round(row.power, 3) for row in design.analyses if row.power is not None]
    [0.911, 0.717]
    """
    cohorts = _check_count(cohorts, "the number of cohorts", 1)
    cohort_size = _check_count(cohort_size, "the cohort size", 1)
    if not math.isfinite(effect) or effect < 0:
        raise ValueError(f"the expected effect (d_z) must be 0 or more, got {effect}")
    icc = _check_icc(icc)
    attrition = _check_attrition(attrition)
    alpha = _check_alpha(alpha)
    simulate = _check_count(simulate, "the number of simulated studies", 0)
    if simulate > MAX_SIMULATIONS:
        raise ValueError(f"at most {MAX_SIMULATIONS:,} simulated studies, got {simulate:,}")

    per_cohort = cohort_size * (1.0 - attrition)
    deff = design_effect(max(per_cohort, 1.0), icc)
    participant, participant_sde = _participant_row(cohorts * per_cohort / deff, effect, alpha)
    cohort, cohort_sde = _cohort_row(cohorts, per_cohort, effect, icc, alpha)
    mixed = AnalysisPower("mixed", None, SIMULATION, reason=_MIXED_BY_SIMULATION_ONLY)
    rows = [participant, cohort, mixed]
    if simulate:
        simulated = simulate_design(
            cohorts,
            cohort_size,
            effect,
            icc=icc,
            attrition=attrition,
            alpha=alpha,
            design_effect=deff,
            replications=simulate,
            seed=seed,
            progress=progress,
        )
        rows = [_with_simulation(row, result) for row, result in zip(rows, simulated, strict=True)]
    return DesignPower(
        cohorts=cohorts,
        cohort_size=cohort_size,
        effect=float(effect),
        icc=icc,
        attrition=attrition,
        alpha=alpha,
        analyses=tuple(rows),
        smallest_detectable=(
            ("participant", participant_sde),
            ("cohort", cohort_sde),
            ("mixed", None),
        ),
        analysed_per_cohort=per_cohort,
        design_effect=deff,
        simulations=simulate,
        seed=seed if simulate else None,
        clustering_note=_clustering_note(icc, deff, cohorts * per_cohort, alpha),
    )


def _with_simulation(row: AnalysisPower, result: SimulatedPower) -> AnalysisPower:
    simulated = replace(
        row,
        simulated_power=result.power,
        standard_error=result.standard_error,
        failed_simulations=result.failed,
        # with an effect of 0 the simulated power is itself the false-positive rate
        false_positive_rate=(
            result.false_positive_rate if result.false_positive_rate is not None else result.power
        ),
    )
    if row.method == SIMULATION:
        return replace(simulated, power=result.power, reason=None)
    return simulated
