"""Individual change and its persistence: the reliable change index and follow-up retention.

Both functions take array-likes of floats aligned by person (NaN or None for missing), never
raise on data that merely makes a figure impossible, and return a frozen result whose
``to_dict()`` holds plain floats and None (never NaN), with the reason for every gap.
Differences are always ``later - pre``, so a positive change means scores went up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.errors import AnalysisError
from imheval.stats._common import (
    FloatArray,
    all_finite,
    as_float_array,
    check_confidence,
    finite_or_none,
    sample_var,
)
from imheval.stats.distributions import t_ppf
from imheval.stats.paired import aligned_pairs
from imheval.stats.results import ConfidenceInterval

#: The two-sided 5 % criterion of Jacobson & Truax (1991): |RCI| > 1.96 is a reliable change.
RCI_CRITERION = 1.96

#: A post gain this close to zero (relative to the size of the means) leaves the share retained
#: undefined: dividing by it would turn rounding noise into an enormous or infinite share.
_ZERO_GAIN_TOLERANCE = 1e-12

_TOO_EXTREME = "the values are too extreme (too large or too small) to compute with"


@dataclass(frozen=True, slots=True)
class ReliableChange:
    """The Jacobson-Truax reliable change index for each person, and how many changed.

    ``rci`` is aligned with the input: one value per position, None where pre or post is
    missing. ``n`` counts complete pairs; ``n_improved`` / ``n_no_change`` / ``n_declined`` split
    them by RCI > 1.96, |RCI| <= 1.96 and RCI < -1.96, and the ``share_*`` fields divide by ``n``.
    ``se_measurement`` = SD_pre * sqrt(1 - r_xx), ``se_diff`` = sqrt(2) * ``se_measurement``
    and ``minimum_reliable_change`` = 1.96 * ``se_diff`` is the smallest change, in score
    points, that counts as reliable. When not computed, ``reason`` says why and the numbers are
    None (``n`` and the inputs that were supplied are kept).
    """

    n: int
    reliability: float | None
    sd_pre: float | None = None
    sd_pre_source: str = "complete pairs"
    se_measurement: float | None = None
    se_diff: float | None = None
    minimum_reliable_change: float | None = None
    criterion: float = RCI_CRITERION
    n_improved: int | None = None
    n_no_change: int | None = None
    n_declined: int | None = None
    share_improved: float | None = None
    share_no_change: float | None = None
    share_declined: float | None = None
    rci: tuple[float | None, ...] = ()
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self, include_individual: bool = False) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for gaps).

        Per-person RCIs are left out unless ``include_individual`` is True: a report needs the
        counts, and 200,000 values would swamp the JSON.
        """
        out: dict[str, Any] = {
            "n": self.n,
            "reliability": finite_or_none(self.reliability),
            "sd_pre": finite_or_none(self.sd_pre),
            "sd_pre_source": self.sd_pre_source,
            "se_measurement": finite_or_none(self.se_measurement),
            "se_diff": finite_or_none(self.se_diff),
            "minimum_reliable_change": finite_or_none(self.minimum_reliable_change),
            "criterion": self.criterion,
            "n_improved": self.n_improved,
            "n_no_change": self.n_no_change,
            "n_declined": self.n_declined,
            "share_improved": finite_or_none(self.share_improved),
            "share_no_change": finite_or_none(self.share_no_change),
            "share_declined": finite_or_none(self.share_declined),
            "computed": self.computed,
            "reason": self.reason,
        }
        if include_individual:
            out["rci"] = [finite_or_none(v) for v in self.rci]
        return out


def reliable_change(
    pre: object, post: object, reliability: float | None, sd_pre: float | None = None
) -> ReliableChange:
    """The Jacobson-Truax reliable change index (RCI) of each person.

    RCI_i = (post_i - pre_i) / S_diff, S_diff = sqrt(2) * SE_m, SE_m = SD_pre * sqrt(1 - r_xx)
    (Jacobson & Truax 1991, Journal of Consulting and Clinical Psychology 59, 12-19).
    ``reliability`` is r_xx, the reliability of the score: by default the domain's KR-20 /
    Cronbach's alpha at pre-test, or a test-retest ICC when one was piloted. ``sd_pre`` is the
    standard deviation of the pre-test scores; when not given, the sample SD (ddof = 1) of the
    pre scores of the complete pairs is used. A person improved reliably when RCI > 1.96,
    declined reliably when RCI < -1.96, and otherwise shows no reliable change.

    Incomplete pairs are dropped from the counts and get None in ``rci``. Not computed, with the
    reason, when the reliability is missing or not strictly between 0 and 1, when there are no
    complete pairs (or only one and SD_pre must be estimated), or when SD_pre is zero, negative
    or not a number. Raises AnalysisError only when pre and post differ in length. Checked
    against R's ``(post - pre) / (sqrt(2) * sd(pre) * sqrt(1 - r_xx))`` (tests/golden).
    """
    pre_values, post_values, complete = aligned_pairs(pre, post)
    n = int(complete.sum())
    r_xx = finite_or_none(reliability)
    source = "complete pairs" if sd_pre is None else "given"

    def not_computed(reason: str, sd: float | None = None) -> ReliableChange:
        return ReliableChange(n=n, reliability=r_xx, sd_pre=sd, sd_pre_source=source, reason=reason)

    if r_xx is None:
        return not_computed(
            "no reliability (r_xx) was given for this score, or it is not a finite number"
        )
    if not 0.0 < r_xx < 1.0:
        return not_computed(
            f"the reliability must be between 0 and 1 (exclusive), got {r_xx:g}: with r_xx >= 1 "
            "every change would be reliable, with r_xx <= 0 none could be"
        )
    if n == 0:
        return not_computed("no complete pairs")
    if sd_pre is None:
        if n < 2:
            return not_computed(
                "only 1 complete pair, so the pre-test SD cannot be estimated (give sd_pre)"
            )
        sd = math.sqrt(sample_var(pre_values[complete]))
    else:
        given = finite_or_none(sd_pre)
        if given is None:
            return not_computed("the given pre-test SD is missing or not a finite number")
        sd = given
    if not math.isfinite(sd):
        return not_computed(_TOO_EXTREME)
    if sd <= 0.0:
        return not_computed(
            "the pre-test SD is zero (everyone had the same pre-test score), so the standard "
            "error of a change is zero and the RCI is undefined"
            if sd == 0.0
            else f"the given pre-test SD must be positive, got {sd:g}",
            sd,
        )
    se_measurement = sd * math.sqrt(1.0 - r_xx)
    se_diff = math.sqrt(2.0) * se_measurement
    with np.errstate(all="ignore"):
        values: FloatArray = (post_values - pre_values) / se_diff
    valid = values[complete]
    if not (np.all(np.isfinite(valid)) and all_finite([se_measurement, se_diff])):
        return not_computed(_TOO_EXTREME, sd)
    n_improved = int(np.count_nonzero(valid > RCI_CRITERION))
    n_declined = int(np.count_nonzero(valid < -RCI_CRITERION))
    n_no_change = n - n_improved - n_declined
    # Vectorised NaN -> None so the per-person tuple honours the "never NaN" contract.
    per_person = values.astype(object)
    per_person[~complete] = None
    return ReliableChange(
        n=n,
        reliability=r_xx,
        sd_pre=sd,
        sd_pre_source=source,
        se_measurement=se_measurement,
        se_diff=se_diff,
        minimum_reliable_change=RCI_CRITERION * se_diff,
        n_improved=n_improved,
        n_no_change=n_no_change,
        n_declined=n_declined,
        share_improved=n_improved / n,
        share_no_change=n_no_change / n,
        share_declined=n_declined / n,
        rci=tuple(per_person.tolist()),
    )


@dataclass(frozen=True, slots=True)
class Retention:
    """Means at pre, post and follow-up for the people measured at all three, and the gains.

    ``gain_post`` = mean(post - pre), ``gain_followup`` = mean(followup - pre) and
    ``share_retained`` = gain_followup / gain_post (1 = all of the post gain kept, 0 = back to
    the pre level, above 1 = still rising). ``share_retained`` is None, with a note, when the
    post gain is zero. ``share_ci`` is Fieller's CI for the share (see :func:`retention`);
    None, with ``share_ci_reason``, when the interval is not a finite range. When nobody has
    all three scores, ``reason`` says so and every number is None.
    """

    n: int
    mean_pre: float | None = None
    mean_post: float | None = None
    mean_followup: float | None = None
    gain_post: float | None = None
    gain_followup: float | None = None
    share_retained: float | None = None
    share_ci: ConfidenceInterval | None = None
    share_ci_reason: str | None = None
    notes: tuple[str, ...] = ()
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (None, never NaN, for gaps)."""
        return {
            "n": self.n,
            "mean_pre": finite_or_none(self.mean_pre),
            "mean_post": finite_or_none(self.mean_post),
            "mean_followup": finite_or_none(self.mean_followup),
            "gain_post": finite_or_none(self.gain_post),
            "gain_followup": finite_or_none(self.gain_followup),
            "share_retained": finite_or_none(self.share_retained),
            "share_retained_ci": self.share_ci.to_list() if self.share_ci is not None else None,
            "share_retained_ci_level": self.share_ci.level if self.share_ci is not None else None,
            "share_retained_ci_method": "Fieller",
            "share_retained_ci_reason": self.share_ci_reason,
            "notes": list(self.notes),
            "computed": self.computed,
            "reason": self.reason,
        }


def retention(pre: object, post: object, followup: object, confidence: float = 0.95) -> Retention:
    """How much of the pre-to-post gain is still there at follow-up, with Fieller's CI.

    Only people with all three scores count (so the three means describe the same people):
    mean_pre, mean_post, mean_followup; gain_post = mean_post - mean_pre;
    gain_followup = mean_followup - mean_pre; share_retained = gain_followup / gain_post.
    A negative post gain gives a share of the decline that remained. No test is done here: the
    paired tests and :func:`imheval.stats.mixed.mixed_model` test the changes.

    The CI is Fieller's (1954) for the ratio of two paired means: with g1 = post - pre and
    g2 = followup - pre per person, their means m1, m2, sample variances s11, s22, covariance
    s12 and t = t(n - 1) for the level, the CI is the set of theta for which
    (m2 - theta m1)^2 <= t^2 (s22 - 2 theta s12 + theta^2 s11) / n, i.e. the shares that a
    paired t-test of g2 - theta g1 = 0 would not reject. With a = m1^2 - t^2 s11 / n,
    b = m1 m2 - t^2 s12 / n, c = m2^2 - t^2 s22 / n it is (b -+ sqrt(b^2 - a c)) / a when
    a > 0, that is when the post gain itself is clearly (at this level) not zero. Otherwise
    the set is unbounded and ``share_ci`` is None with ``share_ci_reason``.

    Not computed when nobody has all three scores; share_retained is None (with a note) when
    the post gain is zero up to rounding. Raises AnalysisError when the three inputs differ in
    length. Checked against R's ``colMeans`` of the complete rows (make_golden_change.R) and
    Fieller's inequality solved with ``uniroot`` in R (tests/golden/make_golden_retest.R).
    """
    level = check_confidence(confidence)
    arrays = [as_float_array(values, name) for values, name in ((pre, "pre"), (post, "post"))]
    arrays.append(as_float_array(followup, "followup"))
    if len({a.size for a in arrays}) != 1:
        raise AnalysisError(
            "pre, post and followup must have the same length to be linked "
            f"(got {', '.join(str(a.size) for a in arrays)})"
        )
    pre_values, post_values, followup_values = arrays
    complete = ~(np.isnan(pre_values) | np.isnan(post_values) | np.isnan(followup_values))
    n = int(complete.sum())
    if n == 0:
        return Retention(n=0, reason="nobody has a pre, a post and a follow-up score")
    with np.errstate(all="ignore"):
        mean_pre = float(np.mean(pre_values[complete]))
        mean_post = float(np.mean(post_values[complete]))
        mean_followup = float(np.mean(followup_values[complete]))
    if not all_finite([mean_pre, mean_post, mean_followup]):
        return Retention(n=n, reason=_TOO_EXTREME)
    gain_post = mean_post - mean_pre
    gain_followup = mean_followup - mean_pre
    scale = max(1.0, abs(mean_pre), abs(mean_post))
    share: float | None = None
    notes: tuple[str, ...] = ()
    if abs(gain_post) <= _ZERO_GAIN_TOLERANCE * scale:
        notes = ("the mean did not change from pre to post, so there is no gain to retain",)
    else:
        share = gain_followup / gain_post
    if not all_finite([gain_post, gain_followup, share]):
        return Retention(n=n, reason=_TOO_EXTREME)
    share_ci, share_ci_reason = (None, None)
    if share is not None:
        share_ci, share_ci_reason = _fieller(
            post_values[complete] - pre_values[complete],
            followup_values[complete] - pre_values[complete],
            level,
        )
    return Retention(
        n=n,
        mean_pre=mean_pre,
        mean_post=mean_post,
        mean_followup=mean_followup,
        gain_post=gain_post,
        gain_followup=gain_followup,
        share_retained=share,
        share_ci=share_ci,
        share_ci_reason=share_ci_reason,
        notes=notes,
    )


def _fieller(
    gain_post: FloatArray, gain_followup: FloatArray, level: float
) -> tuple[ConfidenceInterval | None, str | None]:
    """Fieller's CI for mean(gain_followup) / mean(gain_post), paired (see :func:`retention`)."""
    n = int(gain_post.size)
    if n < 2:
        return None, "one person cannot give a confidence interval for the share retained"
    t2 = t_ppf(0.5 + level / 2, n - 1) ** 2
    with np.errstate(all="ignore"):  # extreme scores overflow: caught by the check below
        m1, m2 = float(np.mean(gain_post)), float(np.mean(gain_followup))
        covariance = np.cov(gain_post, gain_followup, ddof=1)
        s11, s12, s22 = float(covariance[0, 0]), float(covariance[0, 1]), float(covariance[1, 1])
        a = m1 * m1 - t2 * s11 / n
        b = m1 * m2 - t2 * s12 / n
        c = m2 * m2 - t2 * s22 / n
    if not all_finite([a, b, c]):
        return None, _TOO_EXTREME
    if not a > 0:
        return None, (
            "the gain after training is too uncertain (its own confidence interval includes "
            "no gain), so the share retained has no finite confidence interval"
        )
    with np.errstate(all="ignore"):
        root = math.sqrt(max(0.0, b * b - a * c))
        low, high = (b - root) / a, (b + root) / a
    if not all_finite([low, high]):
        return None, _TOO_EXTREME
    return ConfidenceInterval(low, high, level), None
