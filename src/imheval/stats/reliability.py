"""Test-retest reliability: ICC(A,1) and measurement error for domain totals, agreement for items.

A pilot gives the same questionnaire twice to the same people with no training in between
(seed 000 did this before using its tool). Scores that barely move between the two
administrations are reliable. Inputs are row-aligned: row i is the same person both times;
NaN or None marks a missing score, and a person missing either score is dropped (listwise).
Nothing here raises on data that merely make a number impossible: it is None, with the reason.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.stats._common import (
    FloatArray,
    as_float_array,
    as_item_matrix,
    check_confidence,
    finite_or_none,
)
from imheval.stats.agreement import LANDIS_KOCH_BANDS as LANDIS_KOCH_BANDS
from imheval.stats.agreement import RatingAgreement, rating_agreement
from imheval.stats.agreement import kappa_words as kappa_words  # re-exported (stats.__init__)
from imheval.stats.distributions import f_ppf, f_sf, norm_ppf
from imheval.stats.measurement_error import (
    BlandAltman,
    MeasurementError,
    bland_altman,
    measurement_error,
)
from imheval.stats.proportions import wilson_ci
from imheval.stats.results import ConfidenceInterval, TestResult

#: Fewest people with both scores for an ICC or a kappa: with 2 people every coefficient is
#: trivially extreme and says nothing about the questionnaire.
MIN_PEOPLE = 3

#: Below this relative size an ANOVA mean square counts as zero (rounding noise in sums of
#: integer scores), so perfect agreement is recognised rather than divided by ~1e-30.
_ZERO_MS = 1e-12

#: Koo & Li (2016) bands for ICCs: upper bounds (exclusive) and their words.
KOO_LI_BANDS: tuple[tuple[float, str], ...] = (
    (0.5, "poor"),
    (0.75, "moderate"),
    (0.9, "good"),
    (math.inf, "excellent"),
)


@dataclass(frozen=True, slots=True)
class KappaResult:
    """Cohen's kappa (unweighted) for one item answered twice, with percent agreement.

    ``n`` counts people with both answers; ``percent_agreement`` is the share (0-1) who gave the
    same answer both times (``agreement_ci`` its Wilson CI) and ``expected_agreement`` the share
    expected by chance from the margins. What "the same answer" is depends on what was passed
    in: the option chosen, the score (right or wrong), or the rating; see :class:`ItemRetest`.
    ``se`` is the large-sample SE and ``ci`` its normal CI, clipped to [-1, 1] as
    psych does; when the SE is 0 (see :func:`cohen_kappa`) ``ci`` is None and ``ci_reason``
    says why. When kappa cannot be computed, ``reason`` says why and kappa, se and ci are None
    (percent agreement is kept when there is any pair).
    """

    n: int
    percent_agreement: float | None = None
    expected_agreement: float | None = None
    kappa: float | None = None
    se: float | None = None
    ci: ConfidenceInterval | None = None
    categories: tuple[float, ...] = ()
    reason: str | None = None
    ci_reason: str | None = None
    agreement_ci: ConfidenceInterval | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""
        return {
            "n": self.n,
            "percent_agreement": finite_or_none(self.percent_agreement),
            "percent_agreement_ci": (
                self.agreement_ci.to_list() if self.agreement_ci is not None else None
            ),
            "percent_agreement_ci_method": "wilson",
            "expected_agreement": finite_or_none(self.expected_agreement),
            "kappa": finite_or_none(self.kappa),
            "se": finite_or_none(self.se),
            "ci": self.ci.to_list() if self.ci is not None else None,
            "ci_reason": self.ci_reason,
            "categories": list(self.categories),
            "computed": self.computed,
            "reason": self.reason,
            "interpretation": kappa_words(self.kappa) if self.kappa is not None else None,
        }


@dataclass(frozen=True, slots=True)
class DomainRetest:
    """One domain's totals: ICC(A,1) with its Koo & Li wording, and measurement error.

    ``bland_altman`` (bias and limits of agreement) and ``measurement_error`` (SEM and the
    smallest detectable change) are in score points; None only when built without them.
    """

    domain: str
    icc: TestResult
    bland_altman: BlandAltman | None = None
    measurement_error: MeasurementError | None = None

    @property
    def interpretation(self) -> str:
        return icc_interpretation(self.icc)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "icc": self.icc.to_dict(),
            "interpretation": self.interpretation,
            "bland_altman": self.bland_altman.to_dict() if self.bland_altman else None,
            "measurement_error": (
                self.measurement_error.to_dict() if self.measurement_error else None
            ),
        }


#: What the item-level ``kappa`` compares, by kind of item (said in the JSON as "compares").
COMPARES: Mapping[str, str] = MappingProxyType(
    {
        "keyed": "the score: right or wrong (two different right options count as agreeing)",
        "rating": "the rating given (unweighted: a near miss counts as disagreeing)",
        "scored": "the points the item scored",
    }
)


@dataclass(frozen=True, slots=True)
class ItemRetest:
    """Agreement between the two answers to one item, named for what it compares.

    ``kind`` is "keyed" (a question with an answer key), "rating" or "scored" (points only,
    kind unknown). ``kappa`` always compares the item's score (for a keyed item right or wrong;
    for a rating item the rating; see :data:`COMPARES`). A keyed item also has ``option``:
    agreement on the option chosen (kappa over all the options), which is stricter: two
    different wrong answers agree on the score but not on the option. A rating item also has
    ``ratings``: exact and within-one-point agreement and linear- and quadratic-weighted kappa.
    """

    item: str
    domain: str | None
    kappa: KappaResult
    kind: str = "scored"
    option: KappaResult | None = None
    ratings: RatingAgreement | None = None
    options: tuple[str, ...] = ()

    @property
    def compares(self) -> str:
        return COMPARES.get(self.kind, COMPARES["scored"])

    def to_dict(self) -> dict[str, Any]:
        """The score agreement's figures at the top level (as before), then the others."""
        return {
            "item": self.item,
            "domain": self.domain,
            "kind": self.kind,
            "compares": self.compares,
            **self.kappa.to_dict(),
            "option_agreement": (
                {
                    "compares": "the option chosen",
                    **self.option.to_dict(),
                    # the option codes in the order of ``categories`` (0, 1, ...)
                    "options": list(self.options),
                }
                if self.option is not None
                else None
            ),
            "rating_agreement": self.ratings.to_dict() if self.ratings is not None else None,
            "summary": item_words(self),
        }


def item_words(item: ItemRetest) -> str:
    """One plain-English sentence on how often the two answers to ``item`` agreed.

    Names what is compared (the option chosen, the score, the rating); percentages are rounded
    here, for presenting only.
    """

    def share(kappa: KappaResult) -> str:
        if kappa.percent_agreement is None:
            return "nobody answered both times"
        same = round(kappa.percent_agreement * kappa.n)
        text = f"{same} of {kappa.n} people ({kappa.percent_agreement:.0%}"
        ci = kappa.agreement_ci
        return text + (f", 95% CI {ci.low:.0%} to {ci.high:.0%})" if ci else ")")

    if item.option is not None:
        return (
            f"{share(item.option)} chose the same option both times; {share(item.kappa)} got "
            "the same score (right or wrong)."
        )
    ratings = item.ratings
    if ratings is not None:
        text = f"{share(item.kappa)} gave the same rating both times"
        within = ratings.within_one.share
        if within is not None:
            text += f" and {within:.0%} were within one point"
        quadratic = ratings.quadratic.kappa
        if quadratic is not None:
            text += (
                f"; quadratic-weighted kappa {_apa(quadratic)} ({kappa_words(quadratic)}, "
                "Landis & Koch 1977)"
            )
        return text + "."
    return f"{share(item.kappa)} had the same score both times."


def _apa(value: float) -> str:
    """A coefficient bounded by 1, APA style: 2 decimals, no leading zero (.86, -.12)."""
    text = f"{value:.2f}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


@dataclass(frozen=True, slots=True)
class TestRetestResult:
    """Test-retest reliability of a questionnaire: ICC per domain, agreement per item."""

    __test__ = False  # not a pytest test class

    domains: tuple[DomainRetest, ...]
    items: tuple[ItemRetest, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "domains": [d.to_dict() for d in self.domains],
            "items": [i.to_dict() for i in self.items],
            "notes": list(self.notes),
        }


def icc_a1(first: object, second: object, confidence: float = 0.95) -> TestResult:
    """ICC(A,1): two-way random effects, absolute agreement, single measurement.

    From the two-way ANOVA of n people x k = 2 administrations (mean squares MSR for people,
    MSC for administrations, MSE residual): ICC(A,1) = (MSR - MSE) / (MSR + (k - 1) MSE +
    k (MSC - MSE) / n) (McGraw & Wong 1996; Shrout & Fleiss 1979 ICC(2,1)). Unlike Pearson's r
    it counts a systematic shift between the administrations as disagreement. The CI is McGraw
    & Wong's, with Satterthwaite's df v for the denominator, exactly as ``psych::ICC``.
    ``statistic`` is F = MSR / MSE on (n - 1, (n - 1)(k - 1)) df with its p (H0: ICC = 0);
    ``estimate`` / ``estimate_ci`` hold the ICC and its CI. ``details`` has ICC(C,1)
    (consistency, which ignores a shift; Shrout-Fleiss ICC(3,1)) with its CI, the mean squares
    and the two means.

    Incomplete pairs are dropped. Not computed (reason given) with fewer than 3 pairs, when
    everyone has the same score both times, or when there is no random disagreement at all
    (every retest score equals the first, or differs by the same amount), since F and the CI
    are then undefined. ``estimate_ci`` is None when the approximation breaks down, which
    happens only for strongly negative estimates (psych then returns NaN, or an interval that
    misses the estimate). Checked against R's
    ``psych::ICC(cbind(t1, t2), lmer = FALSE)``.
    """
    level = check_confidence(confidence)
    scores = _complete_pairs(first, second)
    n, k = scores.shape
    if n < MIN_PEOPLE:
        return TestResult.not_computed(
            "icc_a1",
            "F",
            n,
            f"fewer than {MIN_PEOPLE} people have both scores ({_people(n)})",
        )
    grand = float(scores.mean())
    row_means = scores.mean(axis=1)
    column_means = scores.mean(axis=0)
    ss_rows = k * float(np.sum((row_means - grand) ** 2))
    ss_columns = n * float(np.sum((column_means - grand) ** 2))
    residual = scores - row_means[:, None] - column_means[None, :] + grand
    ss_error = float(np.sum(residual**2))
    df_rows, df_columns, df_error = n - 1, k - 1, (n - 1) * (k - 1)
    msr, msc, mse = ss_rows / df_rows, ss_columns / df_columns, ss_error / df_error
    scale = max(msr, msc, float(np.mean(scores**2)), 1e-300)
    if msr <= _ZERO_MS * scale and mse <= _ZERO_MS * scale:
        return TestResult.not_computed(
            "icc_a1",
            "F",
            n,
            "everyone had the same score, so there are no differences between people to "
            "reproduce and the ICC is undefined",
        )
    if mse <= _ZERO_MS * scale:
        reason = (
            "every person scored exactly the same both times: agreement is perfect (ICC = 1), "
            "but with no measurement error the F test and the CI cannot be computed"
            if msc <= _ZERO_MS * scale
            else "every person's second score differs from the first by exactly the same "
            "amount, so there is no random error and the F test and CI cannot be computed"
        )
        return TestResult.not_computed("icc_a1", "F", n, reason)

    icc_a = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
    icc_c = (msr - mse) / (msr + (k - 1) * mse)
    f_value = msr / mse
    p = f_sf(f_value, df_rows, df_error)
    tail = (1.0 - level) / 2
    # Consistency CI (Shrout & Fleiss; McGraw & Wong case 3).
    f_low = f_value / f_ppf(1 - tail, df_rows, df_error)
    f_high = f_value * f_ppf(1 - tail, df_error, df_rows)
    c_low = (f_low - 1) / (f_low + k - 1)
    c_high = (f_high - 1) / (f_high + k - 1)
    estimate_ci = _absolute_agreement_ci(icc_a, msr, msc, mse, n, k, tail)
    if not all(math.isfinite(x) for x in (icc_a, icc_c, f_value, p, c_low, c_high)):
        return TestResult.not_computed(
            "icc_a1", "F", n, "the scores are too extreme (too large or too small) to compute with"
        )
    details: dict[str, float | None] = {
        "icc_c1": icc_c,
        "icc_c1_ci_low": c_low,
        "icc_c1_ci_high": c_high,
        "ms_people": msr,
        "ms_administrations": msc,
        "ms_error": mse,
        "mean_first": float(column_means[0]),
        "mean_second": float(column_means[1]),
    }
    return TestResult(
        test="icc_a1",
        statistic_name="F",
        n=n,
        statistic=f_value,
        df=(float(df_rows), float(df_error)),
        p=p,
        estimate=icc_a,
        estimate_ci=None if estimate_ci is None else ConfidenceInterval(*estimate_ci, level),
        method=(
            "ICC(A,1): two-way random effects, absolute agreement, single measurement "
            f"(McGraw & Wong 1996), {n} people with both scores"
        ),
        details=details,
    )


def _absolute_agreement_ci(
    icc: float, msr: float, msc: float, mse: float, n: int, k: int, tail: float
) -> tuple[float, float] | None:
    """McGraw & Wong's (1996) CI for ICC(A,1), with Satterthwaite's df, exactly as psych::ICC.

    None when the approximation breaks down (Satterthwaite's df is 0 or tiny, or the interval
    does not contain the estimate), which happens only for strongly negative estimates.
    """
    f_columns = msc / mse
    base = n * (1 + (k - 1) * icc) - k * icc
    v_num = (k - 1) * (n - 1) * (k * icc * f_columns + base) ** 2
    v_den = (n - 1) * k**2 * icc**2 * f_columns**2 + base**2
    if not v_den > 0:
        return None
    v = v_num / v_den
    if not (math.isfinite(v) and v > 0):
        return None
    f_high = f_ppf(1 - tail, n - 1, v)
    f_low = f_ppf(1 - tail, v, n - 1)
    spread = k * msc + (k * n - k - n) * mse
    low = (n * (msr - f_high * mse)) / (f_high * spread + n * msr)
    high = (n * (f_low * msr - mse)) / (spread + n * f_low * msr)
    # With a strongly negative estimate the approximation breaks down: R's qf() returns Inf
    # (psych prints NaN) or the interval misses the estimate. No CI is better than a wrong one.
    if not (math.isfinite(low) and math.isfinite(high) and low <= icc <= high):
        return None
    return low, high


def percent_agreement(first: object, second: object) -> float | None:
    """The share (0 to 1) of people who gave the same answer both times; None with no pairs.

    People missing either answer are dropped.
    """
    a, b = _complete_vectors(first, second)
    if a.size == 0:
        return None
    return float(np.mean(a == b))


def cohen_kappa(first: object, second: object, confidence: float = 0.95) -> KappaResult:
    """Cohen's (1960) unweighted kappa for one item answered twice, with its asymptotic CI.

    kappa = (p_o - p_e) / (1 - p_e), p_o the observed share of agreement and p_e = sum over
    answers of the product of the two administrations' shares. The SE is the large-sample
    formula of Fleiss, Cohen & Everitt (1969); the CI is kappa -+ z SE, clipped to [-1, 1]
    (both as ``psych::cohen.kappa``). The formula gives SE = 0 with perfect agreement on two or
    more answers (kappa = 1) and when one administration used a single answer (kappa = 0);
    psych then prints the zero-width interval [kappa, kappa], which would look like certainty
    from any n, so imheval gives no CI (``ci`` None, ``ci_reason`` says why).

    People missing either answer are dropped. Not computed (reason given) with fewer than 3
    pairs, or when everyone gave the same single answer both times: agreement is then 100% but
    so is chance agreement, and kappa is 0 / 0 (psych returns NA). Checked against R's
    ``psych::cohen.kappa``.
    """
    level = check_confidence(confidence)
    a, b = _complete_vectors(first, second)
    n = int(a.size)
    observed = float(np.mean(a == b)) if n else None
    agreement_ci = wilson_ci(int(np.count_nonzero(a == b)), n, level)
    if n < MIN_PEOPLE:
        return KappaResult(
            n=n,
            percent_agreement=observed,
            reason=f"fewer than {MIN_PEOPLE} people answered both times ({_people(n)})",
            agreement_ci=agreement_ci,
        )
    categories, codes = np.unique(np.concatenate([a, b]), return_inverse=True)
    m = int(categories.size)
    table = np.zeros((m, m), dtype=np.float64)
    np.add.at(table, (codes[:n], codes[n:]), 1.0)
    table /= n
    rows = table.sum(axis=1)
    cols = table.sum(axis=0)
    p_o = float(np.trace(table))
    p_e = float(np.dot(rows, cols))
    labels = tuple(float(c) for c in categories)
    if m == 1:
        return KappaResult(
            n=n,
            percent_agreement=p_o,
            expected_agreement=p_e,
            categories=labels,
            reason="everyone gave the same answer both times: agreement is 100%, but so is the "
            "agreement expected by chance, so kappa is undefined",
            agreement_ci=agreement_ci,
        )
    kappa = (p_o - p_e) / (1 - p_e)
    diagonal = np.diag(table)
    term_agree = float(np.sum(diagonal * ((1 - p_e) - (rows + cols) * (1 - p_o)) ** 2))
    cross = cols[:, None] + rows[None, :]  # [i, j] = column share of i + row share of j
    off_diagonal = ~np.eye(m, dtype=bool)
    term_disagree = (1 - p_o) ** 2 * float(np.sum(table[off_diagonal] * cross[off_diagonal] ** 2))
    term_chance = (p_o * p_e - 2 * p_e + p_o) ** 2
    numerator = term_agree + term_disagree - term_chance
    # The numerator is a difference of sums; where it is 0 in exact arithmetic (see the
    # docstring), rounding leaves noise of the size of the terms times 1e-16, not a real SE.
    scale = term_agree + term_disagree + term_chance
    se = math.sqrt(numerator / (n * (1 - p_e) ** 4)) if numerator > 1e-12 * scale else 0.0
    z = norm_ppf(0.5 + level / 2)
    ci: ConfidenceInterval | None = None
    ci_reason: str | None = None
    if se > 0:
        ci = ConfidenceInterval(max(-1.0, kappa - z * se), min(1.0, kappa + z * se), level)
    else:
        ci_reason = (
            "the large-sample standard error is 0 here (perfect agreement, or one "
            "administration gave a single answer), so no confidence interval can be given"
        )
    return KappaResult(
        n=n,
        percent_agreement=p_o,
        expected_agreement=p_e,
        kappa=kappa,
        se=se,
        ci=ci,
        categories=labels,
        ci_reason=ci_reason,
        agreement_ci=agreement_ci,
    )


def test_retest(
    first: pd.DataFrame,
    second: pd.DataFrame,
    items_first: pd.DataFrame | None = None,
    items_second: pd.DataFrame | None = None,
    item_domains: Mapping[str, str] | None = None,
    confidence: float = 0.95,
    *,
    options_first: pd.DataFrame | None = None,
    options_second: pd.DataFrame | None = None,
    rating_scales: Mapping[str, Sequence[float]] | None = None,
    option_codes: Mapping[str, Sequence[str]] | None = None,
) -> TestRetestResult:
    """ICC(A,1) and measurement error for every domain, agreement for every item.

    ``first`` / ``second``: domain totals, one column per domain, rows = the same people in the
    same order (the matched pilot participants); each gets ICC(A,1), Bland-Altman limits and
    SEM with the smallest detectable change. ``items_first`` / ``items_second``: optional item
    points (NaN = not answered), same rows, one column per item; ``item_domains`` maps items
    to their domain for the output. ``options_first`` / ``options_second``: for keyed items,
    the option chosen as a number (its position among the options), same rows, one column per
    keyed item; those items get agreement on the option as well as on the score.
    ``option_codes`` names each keyed item's options in position order (for the output).
    ``rating_scales`` maps each rating item to its scale points; those get weighted kappa.
    Raises AnalysisError when the two frames of a pair differ in columns or lengths.
    """
    level = check_confidence(confidence)
    _check_aligned(first, second, "domain totals")
    domains = tuple(
        DomainRetest(
            domain=str(column),
            icc=icc_a1(first[column], second[column], confidence=level),
            bland_altman=bland_altman(first[column], second[column], confidence=level),
            measurement_error=measurement_error(first[column], second[column], level),
        )
        for column in first.columns
    )
    if (options_first is None) != (options_second is None):
        raise AnalysisError("give the options chosen at both administrations, or neither")
    if options_first is not None and options_second is not None:
        _check_aligned(options_first, options_second, "options chosen")
    scales = dict(rating_scales or {})
    items: tuple[ItemRetest, ...] = ()
    if items_first is not None or items_second is not None:
        if items_first is None or items_second is None:
            raise AnalysisError("give the item answers of both administrations, or neither")
        _check_aligned(items_first, items_second, "item answers")
        lookup = dict(item_domains or {})
        keyed = set() if options_first is None else {str(c) for c in options_first.columns}
        built: list[ItemRetest] = []
        for column in items_first.columns:
            item = str(column)
            option: KappaResult | None = None
            ratings: RatingAgreement | None = None
            kind = "scored"
            if options_first is not None and options_second is not None and item in keyed:
                kind = "keyed"
                option = cohen_kappa(options_first[column], options_second[column], level)
            elif item in scales:
                kind = "rating"
                ratings = rating_agreement(
                    items_first[column], items_second[column], scales[item], level
                )
            built.append(
                ItemRetest(
                    item=item,
                    domain=lookup.get(item),
                    kappa=cohen_kappa(items_first[column], items_second[column], level),
                    kind=kind,
                    option=option,
                    ratings=ratings,
                    options=tuple((option_codes or {}).get(item, ())) if option else (),
                )
            )
        items = tuple(built)
    return TestRetestResult(domains=domains, items=items)


# Keep pytest from collecting the function when a test module imports it.
test_retest.__test__ = False  # type: ignore[attr-defined]


def koo_li_band(icc: float) -> str:
    """Koo & Li's (2016) word for an ICC: poor (< .5), moderate (< .75), good (< .9), excellent."""
    for upper, word in KOO_LI_BANDS:
        if icc < upper:
            return word
    return KOO_LI_BANDS[-1][1]


def icc_interpretation(result: TestResult) -> str:
    """Plain English for an ICC(A,1) result, using Koo & Li's (2016) bands on the CI too.

    Koo & Li advise judging reliability by the whole 95% CI, not only the estimate, so the
    sentence names the band of each end when they differ.
    """
    if not result.computed or result.estimate is None:
        return f"Reliability could not be computed: {result.reason}."
    band = koo_li_band(result.estimate)
    text = f"{band.capitalize()} test-retest reliability (Koo & Li 2016)"
    ci = result.estimate_ci
    if ci is not None:
        low, high = koo_li_band(ci.low), koo_li_band(ci.high)
        if low == high:
            text += f"; the whole {ci.level * 100:g}% CI lies in the {low} band"
        else:
            text += f"; the {ci.level * 100:g}% CI runs from {low} to {high}"
            if result.n < 30:
                # Koo & Li recommend at least 30 people; a CI spanning bands shows why
                text += f", which is wide because only {result.n} people took part"
    if result.n < 30 and (ci is None or koo_li_band(ci.low) == koo_li_band(ci.high)):
        text += f". Koo & Li (2016) recommend at least 30 people; this pilot had {result.n}"
    return text + "."


# --------------------------------------------------------------------------------------------
# Helpers


def _complete_vectors(first: object, second: object) -> tuple[FloatArray, FloatArray]:
    a = as_float_array(first, "first")
    b = as_float_array(second, "second")
    if a.shape != b.shape:
        raise AnalysisError(
            f"the two administrations must have the same length (rows = the same people), "
            f"got {a.size} and {b.size}"
        )
    keep = ~(np.isnan(a) | np.isnan(b))
    return a[keep], b[keep]


def _complete_pairs(first: object, second: object) -> FloatArray:
    a, b = _complete_vectors(first, second)
    return np.column_stack([a, b])


def _check_aligned(first: pd.DataFrame, second: pd.DataFrame, what: str) -> None:
    if list(first.columns) != list(second.columns):
        raise AnalysisError(f"the two administrations' {what} must have the same columns")
    if len(first) != len(second):
        raise AnalysisError(
            f"the two administrations' {what} must have the same rows (the same people), got "
            f"{len(first)} and {len(second)}"
        )


def _people(n: int) -> str:
    return "nobody does" if n == 0 else f"only {n}"


# --------------------------------------------------------------------------------------------
# Internal consistency: Cronbach's alpha (KR-20) of one administration


@dataclass(frozen=True, slots=True)
class AlphaResult:
    """Cronbach's alpha (KR-20 for right/wrong items) of one domain, with the Feldt CI.

    ``n`` counts the complete cases used, ``k`` the items. ``alpha_if_deleted`` maps each item
    to the alpha of the other items (None, with a reason in ``reasons[item]``, when it cannot
    be computed). ``kr20`` is True when every item is scored 0/1, where alpha is KR-20. When
    alpha cannot be computed, ``reason`` says why and the numbers are None.
    """

    n: int
    k: int
    alpha: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    level: float = 0.95
    kr20: bool = False
    alpha_if_deleted: Mapping[str, float | None] = field(default_factory=dict)
    reason: str | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)

    @property
    def computed(self) -> bool:
        return self.reason is None

    @property
    def name(self) -> str:
        return "KR-20" if self.kr20 else "Cronbach's alpha"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for undefined numbers)."""
        return {
            "name": self.name,
            "n": self.n,
            "k": self.k,
            "alpha": finite_or_none(self.alpha),
            "ci": None
            if self.ci_low is None or self.ci_high is None
            else [finite_or_none(self.ci_low), finite_or_none(self.ci_high)],
            "level": self.level,
            "kr20": self.kr20,
            "alpha_if_deleted": {k: finite_or_none(v) for k, v in self.alpha_if_deleted.items()},
            "computed": self.computed,
            "reason": self.reason,
            "reasons": dict(self.reasons),
        }


def cronbach_alpha(
    items: object, item_ids: Sequence[str] | None = None, confidence: float = 0.95
) -> AlphaResult:
    """Cronbach's alpha of a domain (KR-20 for 0/1 items), its Feldt CI and alpha if deleted.

    alpha = k / (k - 1) * (1 - sum(var(item)) / var(total)) with sample variances (n - 1),
    which for 0/1 items equals KR-20 = k / (k - 1) * (1 - sum(p q) / var_pop(total)). CI (Feldt,
    Woodruff & Salih 1987): 1 - (1 - alpha) F_(1 - a/2)(n - 1, (n - 1)(k - 1)) and
    1 - (1 - alpha) F_(a/2)(n - 1, (n - 1)(k - 1)). Alpha if item deleted is the alpha of the
    other k - 1 items (needs k >= 3).

    Complete cases only (people with every item). Items that everyone answered the same way
    are kept: they belong to the questionnaire as given. R's ``psych::alpha`` drops them, so its
    raw_alpha differs whenever an item is constant. Not computed (reason given) with fewer than
    2 items, fewer than 3 complete cases, or when every complete case has the same total.
    Checked against R (hand formula and ``psych::alpha`` where no item is constant).
    """
    level = check_confidence(confidence)
    matrix, ids = as_item_matrix(items, "items", item_ids)
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    return alpha_of_complete(complete, ids, level, complete.sum(axis=1))


def alpha_of_complete(
    complete: FloatArray, ids: Sequence[str], level: float, total: FloatArray
) -> AlphaResult:
    """:func:`cronbach_alpha` of the complete cases ``complete`` (people x items, no NaN) whose
    row totals are ``total``, at a checked confidence ``level``: for a caller that has them."""
    k = complete.shape[1]
    n = int(complete.shape[0])
    kr20 = bool(n > 0 and np.all((complete == 0) | (complete == 1)))
    if k < 2:
        return AlphaResult(n=n, k=k, reason="a domain needs at least 2 items for alpha")
    if n < MIN_PEOPLE:
        return AlphaResult(
            n=n,
            k=k,
            kr20=kr20,
            reason=f"fewer than {MIN_PEOPLE} people answered every item ({_answered(n)})",
        )
    item_vars = np.var(complete, axis=0, ddof=1)
    value = _alpha_from(item_vars.sum(), total, k)
    if value is None:
        return AlphaResult(
            n=n,
            k=k,
            kr20=kr20,
            reason="every person has the same total, so alpha is undefined",
        )
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - level) / 2
    ci_low = 1.0 - (1.0 - value) * f_ppf(1.0 - tail, df1, df2)
    ci_high = 1.0 - (1.0 - value) * f_ppf(tail, df1, df2)

    dropped: dict[str, float | None] = {}
    reasons: dict[str, str] = {}
    for j, item_id in enumerate(ids):
        if k < 3:
            dropped[item_id] = None
            reasons[item_id] = "with only 2 items, deleting one leaves a single item"
            continue
        rest_value = _alpha_from(item_vars.sum() - item_vars[j], total - complete[:, j], k - 1)
        dropped[item_id] = rest_value
        if rest_value is None:
            reasons[item_id] = "without this item every person has the same total"
    return AlphaResult(
        n=n,
        k=k,
        alpha=value,
        ci_low=ci_low,
        ci_high=ci_high,
        level=level,
        kr20=kr20,
        alpha_if_deleted=MappingProxyType(dropped),
        reasons=MappingProxyType(reasons),
    )


def _alpha_from(sum_item_vars: float, total: FloatArray, k: int) -> float | None:
    total_var = float(np.var(total, ddof=1))
    if not total_var > 1e-12 * max(1.0, float(sum_item_vars)):
        return None
    value = k / (k - 1) * (1.0 - float(sum_item_vars) / total_var)
    return value if math.isfinite(value) else None


def _answered(n: int) -> str:
    return "nobody did" if n == 0 else f"only {n}"
