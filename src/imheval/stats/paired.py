"""Tests for paired (pre/post) data, and the Shapiro-Wilk normality test.

All functions take array-likes of floats (NaN or None for missing), never raise on data that
merely makes a test impossible, and return a frozen :class:`TestResult`. Differences are always
``post - pre``, so a positive estimate means scores went up.
"""

from __future__ import annotations

import math

import numpy as np

from imheval.errors import AnalysisError
from imheval.stats._common import (
    CONSTANT_TOLERANCE,
    BoolArray,
    FloatArray,
    all_finite,
    as_float_array,
    check_confidence,
    hedges_j,
    noncentral_t_ci,
    sample_var,
    two_sided_normal_p,
    two_sided_t_p,
)
from imheval.stats.distributions import average_ranks, norm_ppf, shapiro, t_ppf
from imheval.stats.results import ConfidenceInterval, EffectSize, TestResult

_TOO_EXTREME = "the values are too extreme (too large or too small) to compute with"

#: R's wilcox.test computes an exact p only below this many non-zero differences.
WILCOXON_EXACT_MAX_N = 50

#: R's shapiro.test accepts between 3 and 5000 values.
SHAPIRO_MIN_N = 3
SHAPIRO_MAX_N = 5000


def aligned_pairs(pre: object, post: object) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Pre and post as float arrays (NaN = missing), row for row, and which rows are complete.

    For callers that report per person (incomplete rows included); :func:`complete_pairs` is
    the listwise version. Raises AnalysisError if the two inputs have different lengths (the
    pairing is then unknown).
    """
    pre_values = as_float_array(pre, "pre")
    post_values = as_float_array(post, "post")
    if pre_values.shape != post_values.shape:
        raise AnalysisError(
            f"pre and post must have the same length to be paired "
            f"(got {pre_values.size} and {post_values.size})"
        )
    complete: BoolArray = ~(np.isnan(pre_values) | np.isnan(post_values))
    return pre_values, post_values, complete


def complete_pairs(pre: object, post: object) -> tuple[FloatArray, FloatArray]:
    """The pre and post values of the pairs where both are present (listwise deletion).

    Raises AnalysisError if the two inputs have different lengths (the pairing is then unknown).
    """
    pre_values, post_values, complete = aligned_pairs(pre, post)
    return pre_values[complete], post_values[complete]


def _pairs_phrase(n: int) -> str:
    return "no complete pairs" if n == 0 else f"only {n} complete pair"


def paired_t(pre: object, post: object, confidence: float = 0.95) -> TestResult:
    """Paired-samples t-test of ``post - pre``, with effect sizes.

    t = mean(d) / (sd(d) / sqrt(n)), df = n - 1, two-sided p; ``estimate`` is the mean change with
    its t-based CI. Effect sizes (Lakens 2013):

    - ``cohen_dz`` = mean(d) / sd(d), CI by inverting the noncentral t (exact; Steiger & Fouladi
      1997) and dividing by sqrt(n), as R ``effectsize::cohens_d(post, pre, paired = TRUE)``;
    - ``hedges_gz`` = d_z * J(n - 1) with Hedges' exact J, CI scaled by J
      (``effectsize::hedges_g``); omitted with only 2 pairs, where J is undefined;
    - ``d_av`` = mean(d) / sqrt((var(pre) + var(post)) / 2);
    - ``d_rm`` = d_z * sqrt(2 (1 - r_prepost)) (omitted when pre or post is constant);
    - ``r`` = sqrt(t^2 / (t^2 + df)) (unsigned; the sign is in t).

    Incomplete pairs are dropped (listwise). Not computed, with the reason, when fewer than
    2 complete pairs remain or every change is the same (zero variance). Works equally on
    participants' scores and on cohort means (then n counts cohorts). Checked against R's
    ``t.test(post, pre, paired = TRUE)`` and effectsize (tests/golden).
    """
    level = check_confidence(confidence)
    pre_v, post_v = complete_pairs(pre, post)
    n = int(pre_v.size)
    if n < 2:
        return TestResult.not_computed(
            "paired_t", "t", n, f"fewer than 2 complete pairs ({_pairs_phrase(n)})"
        )
    with np.errstate(all="ignore"):
        diff = post_v - pre_v
        mean_diff = float(np.mean(diff))
        sd_diff = math.sqrt(sample_var(diff))
        se = sd_diff / math.sqrt(n)
    if not (math.isfinite(mean_diff) and math.isfinite(se)):
        return TestResult.not_computed("paired_t", "t", n, _TOO_EXTREME)
    if se <= CONSTANT_TOLERANCE * abs(mean_diff) or se == 0.0:
        return TestResult.not_computed(
            "paired_t",
            "t",
            n,
            "all changes are identical (zero variance), so t is undefined",
        )
    df = n - 1
    t = mean_diff / se
    p = two_sided_t_p(t, df)
    half_width = t_ppf(0.5 + level / 2, df) * se
    estimate_ci = ConfidenceInterval(mean_diff - half_width, mean_diff + half_width, level)

    var_pre = sample_var(pre_v)
    var_post = sample_var(post_v)
    sd_pre = math.sqrt(var_pre)
    sd_post = math.sqrt(var_post)
    r_prepost: float | None = None
    if sd_pre > 0 and sd_post > 0:
        with np.errstate(all="ignore"):
            r_value = float(np.corrcoef(pre_v, post_v)[0, 1])
        if math.isfinite(r_value):
            r_prepost = max(-1.0, min(1.0, r_value))

    dz = mean_diff / sd_diff
    effects = [EffectSize("cohen_dz", dz, _scaled_ci(t, df, level, 1 / math.sqrt(n)))]
    j = hedges_j(df)
    if j is not None:
        effects.append(EffectSize("hedges_gz", dz * j, _scaled_ci(t, df, level, j / math.sqrt(n))))
    average_sd = math.sqrt((var_pre + var_post) / 2)
    if average_sd > 0:
        effects.append(EffectSize("d_av", mean_diff / average_sd))
    if r_prepost is not None:
        effects.append(EffectSize("d_rm", dz * math.sqrt(2 * (1 - r_prepost))))
    effects.append(EffectSize("r", math.sqrt(t * t / (t * t + df))))

    details: dict[str, float | None] = {
        "mean_pre": float(np.mean(pre_v)),
        "mean_post": float(np.mean(post_v)),
        "sd_pre": sd_pre,
        "sd_post": sd_post,
        "sd_diff": sd_diff,
        "r_prepost": r_prepost,
    }
    if not all_finite([t, p, *details.values(), *(e.value for e in effects)]):
        return TestResult.not_computed("paired_t", "t", n, _TOO_EXTREME)
    return TestResult(
        test="paired_t",
        statistic_name="t",
        n=n,
        statistic=t,
        df=float(df),
        p=p,
        effect_sizes=tuple(effects),
        estimate=mean_diff,
        estimate_ci=estimate_ci,
        method=f"Paired t-test on post - pre ({n} complete pairs, listwise deletion)",
        details=details,
    )


def _scaled_ci(t: float, df: float, level: float, scale: float) -> ConfidenceInterval | None:
    """The noncentral-t CI for ncp, multiplied by ``scale`` (an effect-size CI)."""
    bounds = noncentral_t_ci(t, df, level)
    if bounds is None:
        return None
    low, high = bounds[0] * scale, bounds[1] * scale
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return ConfidenceInterval(low, high, level)


def _signrank_upper_tail(statistic: int, n: int) -> tuple[float, float]:
    """P(V <= statistic) and P(V >= statistic) under H0 for n untied non-zero differences.

    The exact null distribution of V is built by counting subsets of {1..n} by their sum
    (n < 50, so at most 1276 sums; float64 holds the counts exactly below 2^53).
    """
    max_sum = n * (n + 1) // 2
    counts = np.zeros(max_sum + 1, dtype=np.float64)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    total = 2.0**n
    lower = float(counts[: statistic + 1].sum()) / total
    upper = float(counts[statistic:].sum()) / total
    return lower, upper


def wilcoxon_signed_rank(pre: object, post: object, confidence: float = 0.95) -> TestResult:
    """Wilcoxon signed-rank test of ``post - pre``, exactly as R's default.

    R's ``wilcox.test(post, pre, paired = TRUE)``: incomplete pairs and zero differences are
    dropped; with fewer than 50 non-zero differences, no tied absolute differences and no zeros,
    p is exact; otherwise p comes from the normal approximation with the tie-corrected variance
    n(n+1)(2n+1)/24 - sum(t^3 - t)/48 and a continuity correction of 0.5. ``statistic`` is R's
    V = W+, the sum of the ranks of the positive differences. ``method`` says which p was used.

    Effect size ``rank_biserial`` = (W+ - W-) / (W+ + W-) (Kerby 2014) with the CI
    tanh(atanh(r) +- z * sqrt((2n^3 + 3n^2 + n) / 6) / ((n^2 + n) / 2)), n = non-zero
    differences, as ``effectsize::rank_biserial(post - pre)``.

    Not computed when there are no complete pairs or every difference is zero. Checked against
    R's ``wilcox.test`` and effectsize (tests/golden).
    """
    level = check_confidence(confidence)
    pre_v, post_v = complete_pairs(pre, post)
    n_pairs = int(pre_v.size)
    if n_pairs == 0:
        return TestResult.not_computed("wilcoxon", "V", 0, "no complete pairs")
    with np.errstate(all="ignore"):
        diff = post_v - pre_v
    zero = diff == 0
    n_zero = int(zero.sum())
    nonzero = diff[~zero]
    n = int(nonzero.size)
    if n == 0:
        return TestResult.not_computed(
            "wilcoxon", "V", n_pairs, "every difference is zero, so there is nothing to rank"
        )
    ranks = average_ranks(np.abs(nonzero))
    w_plus = float(ranks[nonzero > 0].sum())
    w_minus = float(ranks[nonzero < 0].sum())
    _, tie_sizes = np.unique(ranks, return_counts=True)
    has_ties = bool(tie_sizes.size < n)
    zeros_note = f"; {n_zero} zero difference(s) dropped" if n_zero else ""
    details: dict[str, float | None] = {
        "n_nonzero": float(n),
        "n_zero": float(n_zero),
        "w_minus": w_minus,
        "median_diff": float(np.median(diff)),
    }
    if n < WILCOXON_EXACT_MAX_N and not has_ties and n_zero == 0:
        statistic = round(w_plus)
        lower, upper = _signrank_upper_tail(statistic, n)
        one_tail = upper if w_plus > n * (n + 1) / 4 else lower
        p = min(1.0, 2.0 * one_tail)
        method = f"Wilcoxon signed-rank test, exact p ({n} non-zero differences, no ties)"
    else:
        tie_sizes_f = tie_sizes.astype(float)
        variance = n * (n + 1) * (2 * n + 1) / 24 - float(np.sum(tie_sizes_f**3 - tie_sizes_f)) / 48
        centred = w_plus - n * (n + 1) / 4
        if not variance > 0:
            return TestResult.not_computed(
                "wilcoxon", "V", n_pairs, "the ranks have no variance, so p is undefined"
            )
        z = (centred - math.copysign(0.5, centred) * (centred != 0)) / math.sqrt(variance)
        p = two_sided_normal_p(z)
        details["z"] = z
        why = (
            f"{n} non-zero differences"
            if n >= WILCOXON_EXACT_MAX_N
            else "ties or zero differences present"
        )
        method = (
            "Wilcoxon signed-rank test, normal approximation with continuity correction and "
            f"tie-corrected variance ({why}{zeros_note})"
        )
    r_rb = (w_plus - w_minus) / (w_plus + w_minus)
    effect = EffectSize("rank_biserial", r_rb, _rank_biserial_ci(r_rb, n, level))
    return TestResult(
        test="wilcoxon",
        statistic_name="V",
        n=n_pairs,
        statistic=w_plus,
        p=p,
        effect_sizes=(effect,),
        method=method,
        details=details,
    )


def _rank_biserial_ci(r: float, n: int, level: float) -> ConfidenceInterval:
    """Fisher-z CI for the matched-pairs rank-biserial r with n non-zero differences."""
    if abs(r) >= 1.0:
        # atanh(+-1) is infinite; the interval collapses onto r, as in effectsize.
        return ConfidenceInterval(r, r, level)
    max_w = (n * n + n) / 2
    se = math.sqrt((2 * n**3 + 3 * n**2 + n) / 6) / max_w
    z = norm_ppf(0.5 + level / 2)
    centre = math.atanh(r)
    return ConfidenceInterval(math.tanh(centre - z * se), math.tanh(centre + z * se), level)


def shapiro_wilk(x: object) -> TestResult:
    """Shapiro-Wilk test of normality (Shapiro & Wilk 1965; Royston 1995 algorithm).

    Missing values are dropped. Returns W and p as R's ``shapiro.test`` (scipy implements the
    same AS R94 algorithm). Not computed, with the reason, outside R's limits of 3 to 5000
    values, or when all values are identical (range below 1e-10, R's threshold). Checked
    against R's ``shapiro.test`` (tests/golden).
    """
    values = as_float_array(x, "x")
    values = values[~np.isnan(values)]
    n = int(values.size)
    if n < SHAPIRO_MIN_N:
        return TestResult.not_computed(
            "shapiro_wilk",
            "W",
            n,
            f"fewer than {SHAPIRO_MIN_N} values (R's shapiro.test needs 3 to 5000)",
        )
    if n > SHAPIRO_MAX_N:
        return TestResult.not_computed(
            "shapiro_wilk",
            "W",
            n,
            f"more than {SHAPIRO_MAX_N} values (R's shapiro.test needs 3 to 5000)",
        )
    with np.errstate(all="ignore"):
        value_range = float(np.max(values) - np.min(values))
    if not value_range >= 1e-10 or not math.isfinite(value_range):
        reason = (
            "all values are identical, so normality cannot be tested"
            if math.isfinite(value_range)
            else _TOO_EXTREME
        )
        return TestResult.not_computed("shapiro_wilk", "W", n, reason)
    with np.errstate(all="ignore"):
        w, p = shapiro(values)
    if not all_finite([w, p]):
        return TestResult.not_computed("shapiro_wilk", "W", n, _TOO_EXTREME)
    return TestResult(
        test="shapiro_wilk",
        statistic_name="W",
        n=n,
        statistic=w,
        p=min(1.0, max(0.0, p)),
        method=f"Shapiro-Wilk normality test ({n} values)",
    )
