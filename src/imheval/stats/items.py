"""Item analysis: facility, discrimination, pre-to-post change per item, and domain reliability.

The functions take one domain's item points as a 2-D array-like (people x items; a DataFrame,
a numpy array or nested lists; NaN or None for an answer that was not scored). Pre and post
matrices are row-aligned: row i is the same person at both timepoints, with NaN rows for people
seen only once. Nothing here raises on data that merely make a number impossible: the number is
None and a plain-English reason says why. Input that is not a matrix of numbers, or points
outside an item's range, is a programming error in the caller and raises AnalysisError.

McNemar's test lives in :mod:`imheval.stats.mcnemar` and Cronbach's alpha (KR-20) beside the
other reliability coefficients in :mod:`imheval.stats.reliability`; :func:`item_analysis` runs
both for a domain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from imheval.errors import AnalysisError
from imheval.stats._common import (
    FloatArray,
    as_float_array,
    as_item_matrix,
    check_confidence,
    finite_or_none,
)
from imheval.stats.distributions import norm_ppf
from imheval.stats.mcnemar import McNemarResult, _mcnemar_item
from imheval.stats.mixed.general import one_blas_thread
from imheval.stats.multiplicity import holm
from imheval.stats.reliability import AlphaResult, alpha_of_complete
from imheval.stats.results import ConfidenceInterval

#: Fewest complete cases for a correlation or reliability coefficient: with 2 people any
#: correlation is +-1 and a reliability coefficient says nothing.
MIN_PEOPLE = 3

#: A domain has a ceiling effect when more than this share of people score the maximum
#: (Terwee et al. 2007).
CEILING_SHARE = 0.15

#: An item is too easy to show change when its facility before training exceeds this.
EASY_ITEM_FACILITY = 0.90

#: The seed study's own advice for items and domains at the ceiling.
HARDER_ITEMS_ADVICE = "too easy to show change; add harder items"

#: A right/wrong item is too hard when its facility after training is below this.
HARD_ITEM_FACILITY = 0.10

#: The advice for items and domains at the floor.
FLOOR_ADVICE = "too hard even after training: check the key and the teaching"

_TIMEPOINT_WORDS = {"pre": "before training", "post": "after training"}

_FLOOR_WORDS = {
    "pre": "The questions cannot tell apart the people who started lowest; if they were meant "
    "to be answerable before training, check the key.",
    "post": f"The questions are {FLOOR_ADVICE}.",
}


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class CeilingResult:
    """How many people scored the maximum possible total of a domain.

    ``share`` = n_at_max / n (None with no scores); ``flagged`` when share > 15% (Terwee et al.
    2007); ``flag`` is the plain-English warning, or None.
    """

    n: int
    n_at_max: int
    maximum: float
    share: float | None
    flagged: bool
    flag: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "n_at_max": self.n_at_max,
            "maximum": self.maximum,
            "share": finite_or_none(self.share),
            "flagged": self.flagged,
            "flag": self.flag,
        }


@dataclass(frozen=True, slots=True)
class FloorResult:
    """How many people scored the minimum possible total of a domain (the mirror of
    :class:`CeilingResult`): flagged when more than 15% did (Terwee et al. 2007)."""

    n: int
    n_at_min: int
    minimum: float
    share: float | None
    flagged: bool
    flag: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "n_at_min": self.n_at_min,
            "minimum": self.minimum,
            "share": finite_or_none(self.share),
            "flagged": self.flagged,
            "flag": self.flag,
        }


@dataclass(frozen=True, slots=True)
class ItemStats:
    """One item's analysis.

    ``facility_*`` = (mean points - min) / (max - min) over the people who have the item at that
    timepoint: the proportion correct for 0/1 items. ``item_rest_*`` is the corrected item-rest
    correlation (Pearson r of the item with the total of the other items of the domain, on
    complete cases). ``mcnemar`` is None for items not scored right/wrong or without post data;
    ``p_holm`` is its p adjusted across the domain's items (Holm). ``facility_*_ci`` is the
    95% Wilson score interval of a right/wrong item's facility (R's
    ``prop.test(x, n, correct = FALSE)``; None for rated items, whose facility is not a
    proportion). ``reasons`` maps the name of any field that is None to why; ``flags`` holds
    plain-English warnings (too easy before training, too hard after it).
    """

    item: str
    min_points: float
    max_points: float
    binary: bool
    n_pre: int
    n_post: int
    facility_pre: float | None = None
    facility_post: float | None = None
    item_rest_pre: float | None = None
    item_rest_post: float | None = None
    mcnemar: McNemarResult | None = None
    p_holm: float | None = None
    reasons: Mapping[str, str] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    facility_pre_ci: ConfidenceInterval | None = None
    facility_post_ci: ConfidenceInterval | None = None
    too_hard: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "min_points": self.min_points,
            "max_points": self.max_points,
            "binary": self.binary,
            "n_pre": self.n_pre,
            "n_post": self.n_post,
            "facility_pre": finite_or_none(self.facility_pre),
            "facility_post": finite_or_none(self.facility_post),
            "facility_pre_ci": _ci_list(self.facility_pre_ci),
            "facility_post_ci": _ci_list(self.facility_post_ci),
            "too_hard": self.too_hard,
            "item_rest_pre": finite_or_none(self.item_rest_pre),
            "item_rest_post": finite_or_none(self.item_rest_post),
            "mcnemar": self.mcnemar.to_dict() if self.mcnemar is not None else None,
            "p_holm": finite_or_none(self.p_holm),
            "reasons": dict(self.reasons),
            "flags": list(self.flags),
        }


@dataclass(frozen=True, slots=True)
class ItemAnalysis:
    """Item analysis of one domain: per-item statistics, reliability and ceiling flags.

    ``reliability_post`` and ``ceiling_post`` are None when no post data were given. ``flags``
    collects every plain-English warning (domain ceilings first, then items).
    """

    items: tuple[ItemStats, ...]
    reliability_pre: AlphaResult
    reliability_post: AlphaResult | None
    ceiling_pre: CeilingResult
    ceiling_post: CeilingResult | None
    flags: tuple[str, ...] = ()
    floor_pre: FloorResult | None = None
    floor_post: FloorResult | None = None

    def item(self, item_id: str) -> ItemStats:
        """The statistics of one item; KeyError if it is not in this analysis."""
        for stats_of_item in self.items:
            if stats_of_item.item == item_id:
                return stats_of_item
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": [item.to_dict() for item in self.items],
            "reliability_pre": self.reliability_pre.to_dict(),
            "reliability_post": self.reliability_post.to_dict()
            if self.reliability_post is not None
            else None,
            "ceiling_pre": self.ceiling_pre.to_dict(),
            "ceiling_post": self.ceiling_post.to_dict() if self.ceiling_post is not None else None,
            "floor_pre": self.floor_pre.to_dict() if self.floor_pre is not None else None,
            "floor_post": self.floor_post.to_dict() if self.floor_post is not None else None,
            "flags": list(self.flags),
        }


# --------------------------------------------------------------------------------------------
# Public functions


def item_analysis(
    pre: object,
    post: object | None = None,
    item_ids: Sequence[str] | None = None,
    max_points: float | Sequence[float] = 1.0,
    min_points: float | Sequence[float] = 0.0,
    *,
    binary: Sequence[bool] | None = None,
    confidence: float = 0.95,
) -> ItemAnalysis:
    """Facility, corrected item-rest r and McNemar per item; alpha and ceilings for the domain.

    ``pre`` (and ``post``, same shape, rows = the same people) hold one domain's item points,
    people x items, NaN for an item not scored. ``item_ids`` defaults to the DataFrame's
    columns or Q1, Q2, ...; ``max_points`` / ``min_points`` give each item's range (one number
    for all, or one per item). ``binary`` says which items are scored right/wrong; by default an
    item is when its minimum is 0 and every observed value is 0 or its maximum.

    - facility = (mean - min) / (max - min) over the people with the item (proportion correct);
    - item-rest r = cor(item, total of the other items) on complete cases (people with every
      item at that timepoint); None when fewer than 3 such people or either side is constant;
    - McNemar (right/wrong items, people with the item at both timepoints): see :func:`mcnemar`;
      Holm-adjusted across the domain's items in ``p_holm``;
    - reliability: :func:`cronbach_alpha` on complete cases; ceilings: :func:`ceiling_effect`
      of the complete cases' totals against the sum of the items' maxima;
    - flags: a facility above .90 before training ("too easy to show change; add harder items").

    Raises AnalysisError when the inputs are not 2-D numbers, the shapes or item counts
    disagree, a range is empty (max <= min) or a value lies outside its item's range.
    """
    level = check_confidence(confidence)
    pre_matrix, ids = as_item_matrix(pre, "pre", item_ids)
    # column order: every per-item figure reads one column, contiguous in memory this way
    pre_matrix = np.asfortranarray(pre_matrix)
    k = pre_matrix.shape[1]
    post_matrix: FloatArray | None = None
    if post is not None:
        post_matrix, _ = as_item_matrix(post, "post", ids)
        post_matrix = np.asfortranarray(post_matrix)
        if post_matrix.shape != pre_matrix.shape:
            raise AnalysisError(
                f"pre and post must have the same shape (rows = the same people), got "
                f"{pre_matrix.shape} and {post_matrix.shape}"
            )
    lows = _per_item(min_points, k, "min_points")
    highs = _per_item(max_points, k, "max_points")
    for item_id, low, high in zip(ids, lows, highs, strict=True):
        if not high > low:
            raise AnalysisError(f"item '{item_id}': max_points ({high}) must exceed min ({low})")
    _check_range(pre_matrix, ids, lows, highs, "pre")
    if post_matrix is not None:
        _check_range(post_matrix, ids, lows, highs, "post")
    is_binary = _binary_items(pre_matrix, post_matrix, lows, highs, binary, ids)

    cases_pre = _complete_cases(pre_matrix)
    cases_post = _complete_cases(post_matrix) if post_matrix is not None else None
    rest_pre, rest_pre_reason = _item_rest(pre_matrix, _TIMEPOINT_WORDS["pre"], cases_pre)
    rest_post, rest_post_reason = (
        _item_rest(post_matrix, _TIMEPOINT_WORDS["post"], cases_post)
        if post_matrix is not None
        else ([None] * k, [None] * k)
    )
    mcnemars: list[McNemarResult | None] = []
    for j in range(k):
        if post_matrix is None or not is_binary[j]:
            mcnemars.append(None)
            continue
        mcnemars.append(_mcnemar_item(pre_matrix[:, j], post_matrix[:, j], highs[j]))
    adjusted = holm([m.p if m is not None else None for m in mcnemars])

    items: list[ItemStats] = []
    item_flags: list[str] = []
    for j, item_id in enumerate(ids):
        reasons: dict[str, str] = {}
        facility_pre, n_pre = _facility(pre_matrix[:, j], lows[j], highs[j])
        if facility_pre is None:
            reasons["facility_pre"] = "nobody has a score for this item before training"
        facility_post: float | None = None
        n_post = 0
        if post_matrix is not None:
            facility_post, n_post = _facility(post_matrix[:, j], lows[j], highs[j])
            if facility_post is None:
                reasons["facility_post"] = "nobody has a score for this item after training"
        if rest_pre_reason[j] is not None:
            reasons["item_rest_pre"] = str(rest_pre_reason[j])
        if post_matrix is not None and rest_post_reason[j] is not None:
            reasons["item_rest_post"] = str(rest_post_reason[j])
        if post_matrix is not None and not is_binary[j]:
            reasons["mcnemar"] = "McNemar's test is for items scored right or wrong"
        flags = _easy_item_flags(item_id, facility_pre, is_binary[j])
        too_hard = is_binary[j] and facility_post is not None and facility_post < HARD_ITEM_FACILITY
        if too_hard and facility_post is not None:
            flags.append(
                f"Item {item_id}: only {facility_post * 100:.0f}% answered it correctly after "
                f"training (facility below .10); {FLOOR_ADVICE}."
            )
        item_flags.extend(flags)
        items.append(
            ItemStats(
                item=item_id,
                min_points=lows[j],
                max_points=highs[j],
                binary=is_binary[j],
                n_pre=n_pre,
                n_post=n_post,
                facility_pre=facility_pre,
                facility_post=facility_post,
                item_rest_pre=rest_pre[j],
                item_rest_post=rest_post[j],
                mcnemar=mcnemars[j],
                p_holm=adjusted[j],
                reasons=MappingProxyType(reasons),
                flags=tuple(flags),
                facility_pre_ci=wilson_ci(facility_pre, n_pre, level) if is_binary[j] else None,
                facility_post_ci=wilson_ci(facility_post, n_post, level) if is_binary[j] else None,
                too_hard=too_hard,
            )
        )

    maximum = float(np.sum(highs))
    reliability_pre = alpha_of_complete(cases_pre[0], ids, level, cases_pre[1])
    reliability_post = (
        alpha_of_complete(cases_post[0], ids, level, cases_post[1])
        if cases_post is not None
        else None
    )
    ceiling_pre = ceiling_effect(cases_pre[1], maximum, "pre")
    ceiling_post = (
        ceiling_effect(cases_post[1], maximum, "post") if cases_post is not None else None
    )
    minimum = float(np.sum(lows))
    floor_pre = floor_effect(cases_pre[1], minimum, "pre")
    floor_post = floor_effect(cases_post[1], minimum, "post") if cases_post is not None else None
    domain_flags = [
        c.flag
        for c in (ceiling_pre, ceiling_post, floor_pre, floor_post)
        if c is not None and c.flag
    ]
    return ItemAnalysis(
        items=tuple(items),
        reliability_pre=reliability_pre,
        reliability_post=reliability_post,
        ceiling_pre=ceiling_pre,
        ceiling_post=ceiling_post,
        flags=tuple(domain_flags + item_flags),
        floor_pre=floor_pre,
        floor_post=floor_post,
    )


def ceiling_effect(totals: object, maximum: float, timepoint: str | None = None) -> CeilingResult:
    """The share of people whose total is the maximum possible; flagged above 15%.

    ``totals`` are domain totals (NaN = not measured, dropped); ``maximum`` is the highest
    possible total; ``timepoint`` ("pre" or "post") only words the flag. A ceiling effect means
    the questionnaire cannot show further improvement for those people (Terwee et al. 2007:
    more than 15% at the maximum). Totals within 1e-9 of the maximum count as at it, so sums of
    fractional points are not missed by rounding.
    """
    values = _as_vector(totals, "totals")
    values = values[~np.isnan(values)]
    n = int(values.size)
    top = float(maximum)
    if n == 0:
        return CeilingResult(n=0, n_at_max=0, maximum=top, share=None, flagged=False)
    at_max = int(np.count_nonzero(values >= top - 1e-9 * max(1.0, abs(top))))
    share = at_max / n
    flagged = share > CEILING_SHARE
    flag = None
    if flagged:
        when = f" {_TIMEPOINT_WORDS[timepoint]}" if timepoint in _TIMEPOINT_WORDS else ""
        flag = (
            f"Ceiling effect{when}: {share * 100:.0f}% of people ({at_max} of {n}) scored the "
            f"maximum possible ({_plain_number(top)}), more than the 15% threshold (Terwee et al. "
            f"2007). The questionnaire cannot show improvement for them: {HARDER_ITEMS_ADVICE}."
        )
    return CeilingResult(n=n, n_at_max=at_max, maximum=top, share=share, flagged=flagged, flag=flag)


def floor_effect(totals: object, minimum: float, timepoint: str | None = None) -> FloorResult:
    """The share of people whose total is the minimum possible; flagged above 15%.

    The mirror of :func:`ceiling_effect` (Terwee et al. 2007): many people at the minimum means
    the questions cannot show how far below it they are, or that they are too hard.
    """
    values = _as_vector(totals, "totals")
    values = values[~np.isnan(values)]
    n = int(values.size)
    bottom = float(minimum)
    if n == 0:
        return FloorResult(n=0, n_at_min=0, minimum=bottom, share=None, flagged=False)
    at_min = int(np.count_nonzero(values <= bottom + 1e-9 * max(1.0, abs(bottom))))
    share = at_min / n
    flagged = share > CEILING_SHARE
    flag = None
    if flagged:
        when = f" {_TIMEPOINT_WORDS[timepoint]}" if timepoint in _TIMEPOINT_WORDS else ""
        flag = (
            f"Floor effect{when}: {share * 100:.0f}% of people ({at_min} of {n}) scored the "
            f"minimum possible ({_plain_number(bottom)}), more than the 15% threshold (Terwee et "
            f"al. 2007). {_FLOOR_WORDS.get(timepoint or '', _FLOOR_WORDS['post'])}"
        )
    return FloorResult(
        n=n, n_at_min=at_min, minimum=bottom, share=share, flagged=flagged, flag=flag
    )


def wilson_ci(
    proportion: float | None, n: int, confidence: float = 0.95
) -> ConfidenceInterval | None:
    """The Wilson score interval of a proportion of ``n`` (None when n = 0 or no proportion).

    (p + z^2/2n +- z sqrt(p(1 - p)/n + z^2/4n^2)) / (1 + z^2/n), z the normal quantile: R's
    ``prop.test(x, n, correct = FALSE)$conf.int`` (Wilson 1927; Newcombe 1998). Checked against
    R (tests/golden/make_golden_gains.R).
    """
    if proportion is None or n <= 0:
        return None
    level = check_confidence(confidence)
    z = norm_ppf(0.5 + level / 2)
    z2n = z * z / n
    centre = proportion + z2n / 2
    half = z * math.sqrt(max(0.0, proportion * (1 - proportion)) / n + z2n / (4 * n))
    scale = 1 + z2n
    # At 0 and 1 the bound is exactly 0 or 1 (rounding would leave 0.9999999999999999).
    low = 0.0 if proportion <= 0.0 else max(0.0, (centre - half) / scale)
    high = 1.0 if proportion >= 1.0 else min(1.0, (centre + half) / scale)
    return ConfidenceInterval(low, high, level)


# --------------------------------------------------------------------------------------------
# Helpers


def _ci_list(ci: ConfidenceInterval | None) -> list[float] | None:
    return [ci.low, ci.high] if ci is not None else None


def _as_vector(values: object, name: str) -> FloatArray:
    return as_float_array(values, name)


def _per_item(value: float | Sequence[float], k: int, name: str) -> list[float]:
    if isinstance(value, int | float):
        return [float(value)] * k
    numbers = [float(v) for v in value]
    if len(numbers) != k:
        raise AnalysisError(f"{name} has {len(numbers)} value(s) for {k} item(s)")
    if not all(math.isfinite(v) for v in numbers):
        raise AnalysisError(f"{name} must be finite numbers")
    return numbers


def _check_range(
    matrix: FloatArray,
    ids: tuple[str, ...],
    lows: list[float],
    highs: list[float],
    name: str,
) -> None:
    with np.errstate(invalid="ignore"):
        outside = (matrix < np.asarray(lows)) | (matrix > np.asarray(highs))
    bad = np.flatnonzero(outside.any(axis=0))
    if bad.size:
        j = int(bad[0])
        value = float(matrix[outside[:, j], j][0])
        raise AnalysisError(
            f"{name}: item '{ids[j]}' has the value {value:g}, outside its range "
            f"{lows[j]:g} to {highs[j]:g}"
        )


def _binary_items(
    pre: FloatArray,
    post: FloatArray | None,
    lows: list[float],
    highs: list[float],
    binary: Sequence[bool] | None,
    ids: tuple[str, ...],
) -> list[bool]:
    k = pre.shape[1]
    if binary is not None:
        flags = [bool(b) for b in binary]
        if len(flags) != k:
            raise AnalysisError(f"binary has {len(flags)} value(s) for {k} item(s)")
        for matrix in (pre, post):
            if matrix is None:
                continue
            for position in np.flatnonzero(flags):
                column = matrix[:, position]
                column = column[~np.isnan(column)]
                if not np.all((column == lows[position]) | (column == highs[position])):
                    raise AnalysisError(
                        f"item '{ids[position]}' is marked right/wrong but has values other "
                        f"than {lows[position]:g} and {highs[position]:g}"
                    )
        return flags
    result = []
    for j in range(k):
        ok = lows[j] == 0
        for matrix in (pre, post):
            if matrix is None or not ok:
                continue
            column = matrix[:, j]
            column = column[~np.isnan(column)]
            ok = bool(np.all((column == 0) | (column == highs[j])))
        result.append(ok)
    return result


def _facility(column: FloatArray, low: float, high: float) -> tuple[float | None, int]:
    present = column[~np.isnan(column)]
    n = int(present.size)
    if n == 0:
        return None, 0
    return (float(np.mean(present)) - low) / (high - low), n


def _complete_cases(matrix: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The rows with every item (people x items, no NaN) and their totals: worked out once for
    the item-rest correlations, alpha and the ceiling and floor."""
    complete = matrix[~np.isnan(matrix).any(axis=1)]
    return complete, complete.sum(axis=1)


def _item_rest(
    matrix: FloatArray, when: str, cases: tuple[FloatArray, FloatArray] | None = None
) -> tuple[list[float | None], list[str | None]]:
    """Corrected item-rest correlations on complete cases, with the reason for each None.

    ``when`` ("before training") places the reason in time; ``cases`` is
    :func:`_complete_cases` of ``matrix`` when the caller has it.
    """
    k = matrix.shape[1]
    complete, total = cases if cases is not None else _complete_cases(matrix)
    n = int(complete.shape[0])
    if k < 2:
        return [None] * k, ["a domain needs at least 2 items for an item-rest correlation"] * k
    if n < MIN_PEOPLE:
        reason = f"fewer than {MIN_PEOPLE} people answered every item {when} ({_people(n)})"
        return [None] * k, [reason] * k
    # Every item at once from the items' sums of squares and products about their means (one
    # pass): with rest_j = total - item_j, Sum(item_j rest_j) = row j of the matrix summed less
    # its diagonal, and Sum(rest_j^2) = the whole matrix summed - 2 row j summed + diagonal.
    centred = complete - complete.mean(axis=0)
    with one_blas_thread():
        products = centred.T @ centred
    by_item = products.sum(axis=1)
    own = np.diag(products)
    cross = by_item - own
    rest_ss = float(products.sum()) - 2.0 * by_item + own
    # An item or rest score whose spread is within the tolerances below has a sum of squares no
    # larger than n (tolerance)^2; one clearly larger is not constant. Only a score near that
    # bound is checked row by row, exactly as the rules read.
    largest = float(np.max(np.abs(total))) + float(np.max(np.abs(complete)))
    bound = n * (1e-12 * max(1.0, largest)) ** 2 + 1e-9 * float(np.sum(own) + products.sum())
    values: list[float | None] = []
    reasons: list[str | None] = []
    for j in range(k):
        if not own[j] > bound and np.ptp(complete[:, j]) == 0:
            values.append(None)
            reasons.append(f"everyone scored the same on this item {when} (zero variance)")
            continue
        if not rest_ss[j] > bound and _constant_rest(total - complete[:, j]):
            values.append(None)
            reasons.append(f"everyone had the same total on the other items {when} (zero variance)")
            continue
        r = float(cross[j] / math.sqrt(float(own[j]) * float(rest_ss[j])))
        values.append(max(-1.0, min(1.0, r)))
        reasons.append(None)
    return values, reasons


def _constant_rest(rest: FloatArray) -> bool:
    return bool(np.ptp(rest) <= 1e-12 * max(1.0, float(np.max(np.abs(rest)))))


def _easy_item_flags(item_id: str, facility_pre: float | None, binary: bool) -> list[str]:
    if facility_pre is None or not facility_pre > EASY_ITEM_FACILITY:
        return []
    if binary:
        what = f"{facility_pre * 100:.0f}% answered it correctly before training"
    else:
        what = (
            f"before training the average answer was already {facility_pre * 100:.0f}% of the "
            "way to the top of the scale"
        )
    return [f"Item {item_id}: {what} (facility above .90); {HARDER_ITEMS_ADVICE}."]


def _people(n: int) -> str:
    return "nobody did" if n == 0 else f"only {n}"


def _plain_number(value: float) -> str:
    return f"{value:g}"
