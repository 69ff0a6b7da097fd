"""Normalised gain (Hake's g): how much of the room left to improve was gained.

For a score with a known maximum, a person's normalised gain (Hake's g) is
g = (post - pre) / (max - pre): the share of the points they could still gain that they did
gain. Hake (1998) defined it for a class: (mean post - mean pre) / (max - mean pre). Near the
maximum the room left is small, so a one-point change is a large g, and g is unbounded below
for losses; Marx & Cummings (2007) proposed the normalised change, which divides a loss by
(pre - min) instead. Nothing here raises on data that merely make a figure impossible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.stats._common import as_float_array, finite_or_none

#: The warning every normalised gain carries (the ceiling warning it deserves).
NORMALISED_GAIN_WARNING = (
    "Near the maximum there is little room left, so a change of one point is a large "
    "normalised gain; a loss can give a large negative value (g has no lower limit). Read it "
    "beside the change in points (Marx & Cummings 2007 propose a normalised change that treats "
    "losses fairly)."
)


@dataclass(frozen=True, slots=True)
class NormalisedGain:
    """Normalised gain (Hake's g) of a set of people (see :func:`normalised_gain`).

    ``n`` people had both scores; ``n_at_maximum`` of them were at the maximum before training
    and are left out of the per-person figures (their g is undefined); ``n_analysed`` = the
    rest. ``mean`` and ``median`` are of the per-person g; ``n_lost`` counts people whose score
    fell (negative g) and ``lowest`` is the smallest g. ``hake_g`` = (mean post - mean pre) /
    (max - mean pre) over all ``n`` people (None when the mean before training is the
    maximum). ``reason`` says why a figure is None.
    """

    maximum: float
    n: int
    n_at_maximum: int
    n_analysed: int
    mean: float | None = None
    median: float | None = None
    n_lost: int = 0
    lowest: float | None = None
    hake_g: float | None = None
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "maximum": self.maximum,
            "n": self.n,
            "n_at_maximum": self.n_at_maximum,
            "n_analysed": self.n_analysed,
            "mean": finite_or_none(self.mean),
            "median": finite_or_none(self.median),
            "n_lost": self.n_lost,
            "lowest": finite_or_none(self.lowest),
            "hake_g": finite_or_none(self.hake_g),
            "reason": self.reason,
        }


def person_gains(pre: object, post: object, maximum: float) -> np.ndarray:
    """Each person's g = (post - pre) / (max - pre); NaN where pre or post is missing or pre is
    at (or, by error, above) the maximum."""
    pre_v = as_float_array(pre, "pre")
    post_v = as_float_array(post, "post")
    room = float(maximum) - pre_v
    with np.errstate(all="ignore"):
        return np.where(room > _tolerance(maximum), (post_v - pre_v) / room, np.nan)


def hake_gain(pre: object, post: object, maximum: float) -> float | None:
    """Hake's class-average g = (mean post - mean pre) / (max - mean pre), over the people with
    both scores; None with nobody, or when the mean before training is at the maximum."""
    pre_v = as_float_array(pre, "pre")
    post_v = as_float_array(post, "post")
    both = ~np.isnan(pre_v) & ~np.isnan(post_v)
    if not both.any():
        return None
    mean_pre = float(pre_v[both].mean())
    room = float(maximum) - mean_pre
    if room <= _tolerance(maximum):
        return None
    return finite_or_none((float(post_v[both].mean()) - mean_pre) / room)


def hake_gain_by_group(
    pre: object, post: object, group: object, n_groups: int, maximum: float
) -> list[float | None]:
    """:func:`hake_gain` of each group at once: ``group`` holds integer codes 0 to
    ``n_groups - 1``; one pass of sums instead of a mask per group (the same figures up to
    rounding)."""
    pre_v = as_float_array(pre, "pre")
    post_v = as_float_array(post, "post")
    codes = np.asarray(group, dtype=np.int64)
    both = ~np.isnan(pre_v) & ~np.isnan(post_v)
    chosen = codes[both]
    counts = np.bincount(chosen, minlength=n_groups)
    sum_pre = np.bincount(chosen, weights=pre_v[both], minlength=n_groups)
    sum_post = np.bincount(chosen, weights=post_v[both], minlength=n_groups)
    top, tolerance = float(maximum), _tolerance(maximum)
    found: list[float | None] = []
    for count, total_pre, total_post in zip(
        counts.tolist(), sum_pre.tolist(), sum_post.tolist(), strict=True
    ):
        if count == 0:
            found.append(None)
            continue
        mean_pre = total_pre / count
        room = top - mean_pre
        found.append(
            None if room <= tolerance else finite_or_none((total_post / count - mean_pre) / room)
        )
    return found


def normalised_gain(pre: object, post: object, maximum: float) -> NormalisedGain:
    """Per-person and class-average normalised gain (Hake's g) against ``maximum``.

    People with a missing score are dropped; people at the maximum before training are counted
    in ``n_at_maximum`` and left out of the per-person mean and median (they had no room to
    gain) but kept in Hake's class-average g, which uses the means. Checked by hand formulas in
    R (tests/golden/make_golden_gains.R).

    Examples
    --------
    >>> normalised_gain([5, 8, 10], [9, 9, 10], 10).mean
    0.65
    """
    pre_v = as_float_array(pre, "pre")
    post_v = as_float_array(post, "post")
    both = ~np.isnan(pre_v) & ~np.isnan(post_v)
    pre_v, post_v = pre_v[both], post_v[both]
    top = float(maximum)
    gains = person_gains(pre_v, post_v, top)
    defined = gains[~np.isnan(gains)]
    n, analysed = int(pre_v.size), int(defined.size)
    at_max = n - analysed
    if analysed == 0:
        return NormalisedGain(
            maximum=top,
            n=n,
            n_at_maximum=at_max,
            n_analysed=0,
            hake_g=hake_gain(pre_v, post_v, top),
            reason="nobody measured before and after training"
            if n == 0
            else "everyone was at the maximum before training, so nobody had room to gain",
        )
    return NormalisedGain(
        maximum=top,
        n=n,
        n_at_maximum=at_max,
        n_analysed=analysed,
        mean=float(np.mean(defined)),
        median=float(np.median(defined)),
        n_lost=int(np.count_nonzero(defined < 0)),
        lowest=float(np.min(defined)),
        hake_g=hake_gain(pre_v, post_v, top),
    )


def _tolerance(maximum: float) -> float:
    # totals summed from fractional points can miss the maximum by rounding noise
    return 1e-9 * max(1.0, abs(float(maximum)))
