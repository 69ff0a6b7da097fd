"""Comparisons between independent groups (programmes, cohorts, training types).

Values are array-likes of floats (NaN or None for missing, dropped); group labels are any
hashable values (missing labels are dropped with their values). Groups are ordered as R orders
factor levels: sorted labels. Every function returns a frozen :class:`TestResult` and never
raises on data that merely makes a test impossible.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.stats._common import (
    CONSTANT_TOLERANCE,
    FloatArray,
    IntArray,
    all_finite,
    as_float_array,
    check_confidence,
    hedges_j,
    noncentral_f_ci,
    noncentral_t_ci,
    sample_var,
    two_sided_t_p,
)
from imheval.stats.distributions import f_sf, t_ppf
from imheval.stats.results import ConfidenceInterval, EffectSize, TestResult

_TOO_LARGE = "the values are too extreme (too large or too small) to compute with"


@dataclass(frozen=True, slots=True)
class _Groups:
    """Per-group summaries computed in one vectorised pass."""

    labels: tuple[str, ...]
    n: FloatArray
    mean: FloatArray
    sum_sq_dev: FloatArray  # sum of squared deviations from the group mean

    @property
    def k(self) -> int:
        return len(self.labels)

    def details(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for label, n, mean in zip(self.labels, self.n, self.mean, strict=True):
            out[f"n[{label}]"] = float(n)
            out[f"mean[{label}]"] = float(mean)
        return out


def _split(values: object, groups: object) -> tuple[FloatArray, IntArray, tuple[str, ...]]:
    """Complete values, their group codes (0..k-1 over sorted labels) and the label names.

    Labels are compared as text, so 1 and "1" are the same group; a missing label drops its
    value. Only labels that still hold a value after dropping missing values count as groups.
    """
    value_array = as_float_array(values, "values")
    if isinstance(groups, pd.Categorical) and len(groups) == value_array.size:
        coded = coded_groups(groups, np.isnan(value_array))
        if coded is not None:
            keep, codes, names = coded
            return value_array[keep], codes, names
    try:
        label_series = pd.Series(groups, dtype=object).reset_index(drop=True)
    except (TypeError, ValueError) as exc:
        raise AnalysisError(f"groups must be a sequence of labels: {exc}") from exc
    if label_series.size != value_array.size:
        raise AnalysisError(
            f"values and groups must have the same length "
            f"(got {value_array.size} and {label_series.size})"
        )
    keep = (~label_series.isna()).to_numpy() & ~np.isnan(value_array)
    codes, uniques = pd.factorize(label_series[keep].astype(str), sort=True)
    labels = tuple(str(label) for label in uniques)
    return value_array[keep], codes.astype(np.int64), labels


def coded_groups(
    groups: pd.Categorical, missing: np.ndarray
) -> tuple[np.ndarray, IntArray, tuple[str, ...]] | None:
    """Group labels already coded (a Categorical) as :func:`_split` splits labels, without
    grouping text again: which entries to keep (a label, and not ``missing``), their codes
    (0..k-1 over the sorted labels that still hold an entry) and those labels.

    None when the categories are not distinct as text (then group the labels as text).
    """
    names = [str(category) for category in groups.categories]
    if len(set(names)) < len(names):
        return None
    order = sorted(range(len(names)), key=names.__getitem__)
    raw = np.asarray(groups.codes, dtype=np.int64)
    keep = (raw >= 0) & ~missing
    raw = raw[keep]
    # only categories that still hold a value are groups, numbered in sorted label order
    present = np.bincount(raw, minlength=len(names)) > 0
    kept = [i for i in order if present[i]]
    renumber = np.full(len(names), -1, dtype=np.int64)
    renumber[kept] = np.arange(len(kept), dtype=np.int64)
    return keep, renumber[raw], tuple(names[i] for i in kept)


def _summarise(values: FloatArray, index: IntArray, labels: tuple[str, ...]) -> _Groups:
    k = len(labels)
    with np.errstate(all="ignore"):
        n = np.bincount(index, minlength=k).astype(np.float64)
        mean = np.bincount(index, weights=values, minlength=k) / n
        deviation = values - mean[index]
        sum_sq_dev = np.bincount(index, weights=deviation * deviation, minlength=k).astype(
            np.float64
        )
    return _Groups(labels=labels, n=n, mean=mean, sum_sq_dev=sum_sq_dev)


def one_way_anova(values: object, groups: object, confidence: float = 0.95) -> TestResult:
    """Classical one-way ANOVA (equal variances assumed), with eta squared and omega squared.

    F = (SS_between / (k - 1)) / (SS_within / (N - k)), df = (k - 1, N - k). Effect sizes:
    ``eta_squared`` = ``partial_eta_squared`` = SS_between / SS_total (identical in a one-way
    design), with the two-sided CI from inverting the noncentral F and converting
    lambda / (lambda + df2), as R ``effectsize::eta_squared(aov, alternative = "two.sided")``;
    ``omega_squared`` = (SS_between - (k - 1) MS_within) / (SS_total + MS_within), truncated at 0
    as effectsize does (the raw value is in ``details["omega_squared_raw"]``).

    Groups with a single value are allowed (as in R's ``aov``). Not computed when fewer than 2
    groups have data, when there are no residual degrees of freedom (N = k), or when every group
    is constant. Checked against R's ``aov`` and effectsize (tests/golden).
    """
    level = check_confidence(confidence)
    return _one_way_anova(*_split(values, groups), level)


def _one_way_anova(
    complete: FloatArray, codes: IntArray, labels: tuple[str, ...], level: float
) -> TestResult:
    """:func:`one_way_anova` of values already split into groups (see :func:`_split`)."""
    summary = _summarise(complete, codes, labels)
    n_total = int(complete.size)
    k = summary.k
    if k < 2:
        return TestResult.not_computed(
            "anova", "F", n_total, "fewer than 2 groups with data" if k == 0 else "only one group"
        )
    df1, df2 = k - 1, n_total - k
    if df2 < 1:
        return TestResult.not_computed(
            "anova",
            "F",
            n_total,
            "every group has a single value, so there is no within-group variance",
        )
    with np.errstate(all="ignore"):
        grand_mean = float(np.mean(complete))
        ss_between = float(np.sum(summary.n * (summary.mean - grand_mean) ** 2))
        ss_within = float(np.sum(summary.sum_sq_dev))
    if not (math.isfinite(ss_between) and math.isfinite(ss_within)):
        return TestResult.not_computed("anova", "F", n_total, _TOO_LARGE)
    ss_total = ss_between + ss_within
    if ss_within <= CONSTANT_TOLERANCE * ss_total or ss_within == 0.0:
        return TestResult.not_computed(
            "anova",
            "F",
            n_total,
            "all values within each group are identical (zero within-group variance), "
            "so F is undefined",
        )
    ms_within = ss_within / df2
    f_value = (ss_between / df1) / ms_within
    p = f_sf(f_value, df1, df2)
    eta = ss_between / ss_total
    eta_ci: ConfidenceInterval | None = None
    lambdas = noncentral_f_ci(f_value, df1, df2, level)
    if lambdas is not None:
        eta_ci = ConfidenceInterval(
            lambdas[0] / (lambdas[0] + df2), lambdas[1] / (lambdas[1] + df2), level
        )
    omega_raw = (ss_between - df1 * ms_within) / (ss_total + ms_within)
    details = summary.details()
    details.update(
        {
            "ss_between": ss_between,
            "ss_within": ss_within,
            "ms_within": ms_within,
            "omega_squared_raw": omega_raw,
        }
    )
    if not all_finite([f_value, p, eta, omega_raw]):
        return TestResult.not_computed("anova", "F", n_total, _TOO_LARGE)
    return TestResult(
        test="anova",
        statistic_name="F",
        n=n_total,
        statistic=f_value,
        df=(float(df1), float(df2)),
        p=p,
        effect_sizes=(
            EffectSize("partial_eta_squared", eta, eta_ci),
            EffectSize("eta_squared", eta, eta_ci),
            EffectSize("omega_squared", max(0.0, omega_raw)),
        ),
        method=f"One-way ANOVA ({k} groups, {n_total} values)",
        details=details,
    )


def welch_anova(values: object, groups: object) -> TestResult:
    """Welch's one-way ANOVA, not assuming equal variances (Welch 1951).

    With w_i = n_i / s_i^2, m = sum(w_i m_i) / sum(w_i) and
    A = sum((1 - w_i / sum(w))^2 / (n_i - 1)) / (k^2 - 1):
    F = sum(w_i (m_i - m)^2) / ((k - 1)(1 + 2 (k - 2) A)), df = (k - 1, 1 / (3 A)).

    Not computed when fewer than 2 groups have data, when a group has fewer than 2 values
    (R's ``oneway.test`` refuses these; :func:`compare_groups` drops such groups first), or when
    a group's values are all identical (its weight would be infinite). Checked against R's
    ``oneway.test(var.equal = FALSE)`` (tests/golden).
    """
    return _welch_anova(*_split(values, groups))


def _welch_anova(complete: FloatArray, codes: IntArray, labels: tuple[str, ...]) -> TestResult:
    """:func:`welch_anova` of values already split into groups (see :func:`_split`)."""
    summary = _summarise(complete, codes, labels)
    n_total = int(complete.size)
    k = summary.k
    if k < 2:
        return TestResult.not_computed(
            "welch_anova",
            "F",
            n_total,
            "fewer than 2 groups with data" if k == 0 else "only one group",
        )
    small = [label for label, n in zip(summary.labels, summary.n, strict=True) if n < 2]
    if small:
        return TestResult.not_computed(
            "welch_anova",
            "F",
            n_total,
            f"group(s) {_quoted(small)} have fewer than 2 values; Welch's ANOVA needs at least 2 "
            "per group",
        )
    with np.errstate(all="ignore"):
        variances = summary.sum_sq_dev / (summary.n - 1)
        is_constant = ~(np.sqrt(variances) > CONSTANT_TOLERANCE * np.abs(summary.mean))
    constant = [label for label, flag in zip(summary.labels, is_constant, strict=True) if flag]
    if constant:
        return TestResult.not_computed(
            "welch_anova",
            "F",
            n_total,
            f"all values in group(s) {_quoted(constant)} are identical (zero variance), "
            "so Welch's weights are undefined",
        )
    if not (np.all(np.isfinite(variances)) and np.all(np.isfinite(summary.mean))):
        return TestResult.not_computed("welch_anova", "F", n_total, _TOO_LARGE)
    with np.errstate(all="ignore"):
        # numpy scalars throughout: extreme values give inf or NaN (checked below), not errors.
        weights = summary.n / variances
        sum_w = np.sum(weights)
        a_term = np.sum((1 - weights / sum_w) ** 2 / (summary.n - 1)) / (k * k - 1)
        weighted_mean = np.sum(weights * summary.mean) / sum_w
        numerator = np.sum(weights * (summary.mean - weighted_mean) ** 2)
        f_value = float(numerator / ((k - 1) * (1 + 2 * (k - 2) * a_term)))
        df2 = float(1 / (3 * a_term))
    df1 = float(k - 1)
    if not (math.isfinite(f_value) and math.isfinite(df2) and df2 > 0):
        return TestResult.not_computed("welch_anova", "F", n_total, _TOO_LARGE)
    p = f_sf(f_value, df1, df2)
    return TestResult(
        test="welch_anova",
        statistic_name="F",
        n=n_total,
        statistic=f_value,
        df=(df1, df2),
        p=p,
        method=f"Welch's one-way ANOVA, unequal variances ({k} groups, {n_total} values)",
        details=summary.details(),
    )


def welch_t(a: object, b: object, confidence: float = 0.95) -> TestResult:
    """Welch's two-sample t-test of mean(a) - mean(b), not assuming equal variances.

    t = (m_a - m_b) / sqrt(s_a^2/n_a + s_b^2/n_b) with the Welch-Satterthwaite df; ``estimate``
    is m_a - m_b with its CI. Effect sizes use the pooled SD, as effectsize's defaults:
    ``cohen_d`` = (m_a - m_b) / s_pooled and ``hedges_g`` = d * J(n_a + n_b - 2) (exact J), each
    with the CI from inverting the noncentral t of the pooled-variance t statistic.

    Not computed when either group has fewer than 2 values or both groups are constant.
    Checked against R's ``t.test(a, b, var.equal = FALSE)`` and
    ``effectsize::cohens_d`` / ``hedges_g`` (tests/golden).
    """
    level = check_confidence(confidence)
    a_v = as_float_array(a, "a")
    b_v = as_float_array(b, "b")
    a_v = a_v[~np.isnan(a_v)]
    b_v = b_v[~np.isnan(b_v)]
    n_a, n_b = int(a_v.size), int(b_v.size)
    n_total = n_a + n_b
    for name, count in (("a", n_a), ("b", n_b)):
        if count < 2:
            return TestResult.not_computed(
                "welch_t", "t", n_total, f"fewer than 2 values in group {name} ({count})"
            )
    with np.errstate(all="ignore"):
        mean_a, mean_b = float(np.mean(a_v)), float(np.mean(b_v))
        var_a, var_b = sample_var(a_v), sample_var(b_v)
        se_a2, se_b2 = var_a / n_a, var_b / n_b
        se = math.sqrt(se_a2 + se_b2)
        difference = mean_a - mean_b
    if not all_finite([mean_a, mean_b, se, difference]):
        return TestResult.not_computed("welch_t", "t", n_total, _TOO_LARGE)
    if se == 0.0 or se <= CONSTANT_TOLERANCE * max(abs(mean_a), abs(mean_b)):
        return TestResult.not_computed(
            "welch_t",
            "t",
            n_total,
            "all values in both groups are identical (zero variance), so t is undefined",
        )
    t = difference / se
    with np.errstate(all="ignore"):
        # numpy scalars: overflow and underflow give inf/0 instead of raising as floats do.
        a2, b2 = np.float64(se_a2), np.float64(se_b2)
        df = float((a2 + b2) ** 2 / (a2**2 / (n_a - 1) + b2**2 / (n_b - 1)))
    if not math.isfinite(df):
        return TestResult.not_computed("welch_t", "t", n_total, _TOO_LARGE)
    p = two_sided_t_p(t, df)
    half_width = t_ppf(0.5 + level / 2, df) * se
    estimate_ci = ConfidenceInterval(difference - half_width, difference + half_width, level)

    df_pooled = n_total - 2
    sd_pooled = math.sqrt(((n_a - 1) * var_a + (n_b - 1) * var_b) / df_pooled)
    effects: list[EffectSize] = []
    if sd_pooled > 0:
        d = difference / sd_pooled
        scale = math.sqrt(1 / n_a + 1 / n_b)
        t_pooled = d / scale
        bounds = noncentral_t_ci(t_pooled, df_pooled, level)
        d_ci = (
            ConfidenceInterval(bounds[0] * scale, bounds[1] * scale, level)
            if bounds is not None
            else None
        )
        effects.append(EffectSize("cohen_d", d, d_ci))
        j = hedges_j(df_pooled)
        if j is not None:
            g_ci = (
                ConfidenceInterval(d_ci.low * j, d_ci.high * j, level) if d_ci is not None else None
            )
            effects.append(EffectSize("hedges_g", d * j, g_ci))
    details: dict[str, float | None] = {
        "n_a": float(n_a),
        "n_b": float(n_b),
        "mean_a": mean_a,
        "mean_b": mean_b,
        "sd_a": math.sqrt(var_a),
        "sd_b": math.sqrt(var_b),
        "sd_pooled": sd_pooled,
    }
    if not all_finite([t, df, p, *(e.value for e in effects), *details.values()]):
        return TestResult.not_computed("welch_t", "t", n_total, _TOO_LARGE)
    return TestResult(
        test="welch_t",
        statistic_name="t",
        n=n_total,
        statistic=t,
        df=df,
        p=p,
        effect_sizes=tuple(effects),
        estimate=difference,
        estimate_ci=estimate_ci,
        method=f"Welch two-sample t-test, unequal variances (n = {n_a} and {n_b})",
        details=details,
    )


def compare_groups(values: object, groups: object, confidence: float = 0.95) -> TestResult:
    """Compare independent groups without assuming equal variances.

    Groups with fewer than 2 values are excluded first (named in ``method``, counted in
    ``details["groups_excluded"]``). When 3 or more groups remain, groups whose values are all
    identical are excluded too, as long as 2 groups are left: Welch's weights (n / variance) are
    undefined for them, and one such group would otherwise stop the whole comparison. Exactly 2
    remaining groups: :func:`welch_t` of the first (sorted label) minus the second, the two
    labels in that order in ``groups`` (and in ``method``); 3 or more: :func:`welch_anova`, with
    ``eta_squared`` (and its CI) from :func:`one_way_anova` of the same groups as its effect
    size. Not computed, with the reason, when fewer than 2 usable groups remain.
    """
    complete, codes, labels = _split(values, groups)
    counts = np.bincount(codes, minlength=len(labels))
    usable = [i for i, count in enumerate(counts) if count >= 2]
    excluded = [f"'{labels[i]}' (n = {int(c)})" for i, c in enumerate(counts) if c < 2]
    constant = [i for i in usable if np.ptp(complete[codes == i]) == 0]
    if len(usable) >= 3 and constant and len(usable) - len(constant) >= 2:
        usable = [i for i in usable if i not in constant]
        excluded += [f"'{labels[i]}' (all values identical)" for i in constant]
    note = f"; excluded group(s): {', '.join(excluded)}" if excluded else ""
    if len(usable) < 2:
        reason = ("only one group" if len(usable) == 1 else "fewer than 2 groups with data") + (
            " with at least 2 values" + note if excluded else ""
        )
        return TestResult.not_computed("welch_t", "t", int(complete.size), reason)
    compared: tuple[str, str] | None = None
    if len(usable) == 2:
        first, second = usable
        compared = (labels[first], labels[second])
        result = welch_t(complete[codes == first], complete[codes == second], confidence)
        note = f" ('{labels[first]}' minus '{labels[second]}')" + note
    else:
        # the usable groups renumbered 0..m-1 in label order, as splitting their labels again
        # would number them
        renumber = np.full(len(labels), -1, dtype=np.int64)
        renumber[usable] = np.arange(len(usable), dtype=np.int64)
        kept_codes = renumber[codes]
        kept = kept_codes >= 0
        kept_values, kept_codes = complete[kept], kept_codes[kept]
        kept_names = tuple(labels[i] for i in usable)
        result = _welch_anova(kept_values, kept_codes, kept_names)
        # Welch's F has no standard effect size of its own; report eta squared from the
        # ordinary sums of squares of the same groups as the descriptive size of the differences.
        classic = _one_way_anova(kept_values, kept_codes, kept_names, check_confidence(confidence))
        eta = classic.effect("eta_squared")
        if result.computed and eta is not None:
            result = dataclasses.replace(result, effect_sizes=(eta,))
    details = dict(result.details)
    details["groups_excluded"] = float(len(excluded))
    if result.computed:
        return dataclasses.replace(
            result, method=result.method + note, details=details, groups=compared
        )
    return dataclasses.replace(
        result, reason=f"{result.reason}{note}", details=details, groups=compared
    )


def _quoted(labels: list[str]) -> str:
    return ", ".join(f"'{label}'" for label in labels)
