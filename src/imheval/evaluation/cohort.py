"""Cohort level, the seed study's unit: each cohort's mean before and after is one pair.

:func:`cohort_level` gives Table 1 (cohort means, small cohorts hidden), a paired t-test on
cohort means (df = cohorts - 1) and a one-way ANOVA of cohort gains across programmes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from imheval.evaluation.group_rule import GroupCodes, group_codes
from imheval.evaluation.results import EvaluationOptions, MeanRow
from imheval.evaluation.tables import mean_row, protect_rows
from imheval.scoring import DomainInfo
from imheval.stats import TestResult, one_way_anova, paired_t


@dataclass(frozen=True, slots=True)
class CohortLevel:
    """Table 1, the number of cohorts with matched pairs, and the cohort-level tests.

    ``tests`` holds (comparison, result) in the order they are reported.
    """

    table1: tuple[MeanRow, ...]
    n_cohorts: int
    tests: tuple[tuple[str, TestResult], ...]


def cohort_level(
    info: DomainInfo,
    pairs: pd.DataFrame,
    cohort_programmes: pd.DataFrame,
    cohort_order: Sequence[str],
    options: EvaluationOptions,
) -> CohortLevel:
    """Cohort means (Table 1) and the cohort-level tests of one domain's matched pairs."""
    cohort_means = _cohort_means(pairs, cohort_programmes, cohort_order)
    table1 = protect_rows(
        (
            mean_row(
                info,
                str(cohort),
                int(n),
                float(pre),
                float(post),
                float(sd_diff) if int(n) > 1 else None,
                str(programme),
                options.min_group_size,
            )
            # columns as lists, not a dict per row: 10,000 cohorts are many rows
            for cohort, n, pre, post, sd_diff, programme in zip(
                *(
                    cohort_means[column].tolist()
                    for column in ("cohort", "n", "pre", "post", "sd_diff", "programme")
                ),
                strict=True,
            )
        ),
        options.min_group_size,
    )
    return CohortLevel(
        table1=table1,
        n_cohorts=len(cohort_means),
        tests=(
            ("pre_post", _cohort_paired_t(cohort_means)),
            ("gain_by_programme", replace(_cohort_gain_anova(cohort_means), test="anova_gain")),
        ),
    )


def _cohort_means(
    pairs: pd.DataFrame, cohort_programmes: pd.DataFrame, cohort_order: Sequence[str]
) -> pd.DataFrame:
    """One row per cohort with matched pairs: cohort, programme, n, pre, post, sd_diff.

    A cohort's programme is the one matching settled on (its most common programme), taken
    from ``cohort_programmes`` rather than recomputed per cohort, which is slow for 10,000
    cohorts.
    """
    columns = ["cohort", "programme", "n", "pre", "post", "sd_diff"]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    coded = group_codes(pairs, "cohort")
    if coded is not None and not cohort_programmes["cohort"].astype(str).duplicated().any():
        return _coded_cohort_means(pairs, coded, cohort_programmes, cohort_order)[columns]
    work = pairs[["cohort", "pre", "post"]].assign(diff=pairs["post"] - pairs["pre"])
    means = (
        work.groupby("cohort", sort=False, observed=True)
        .agg(
            n=("pre", "size"),
            pre=("pre", "mean"),
            post=("post", "mean"),
            sd_diff=("diff", "std"),
        )
        .reset_index()
    )
    programmes = cohort_programmes[["cohort", "programme"]].astype({"cohort": str})
    means = means.astype({"cohort": str}).merge(programmes, on="cohort", how="left")
    means["programme"] = means["programme"].fillna("").astype(str)
    position = {cohort: i for i, cohort in enumerate(cohort_order)}
    ordered = means.sort_values("cohort", kind="stable", key=lambda c: c.map(position))
    return ordered[columns].reset_index(drop=True)


def _coded_cohort_means(
    pairs: pd.DataFrame,
    coded: GroupCodes,
    cohort_programmes: pd.DataFrame,
    cohort_order: Sequence[str],
) -> pd.DataFrame:
    """:func:`_cohort_means` from the cohorts' codes: sums over the codes instead of grouping
    text, the same rows in the same order (the order of ``cohort_order``; a cohort it does not
    name comes after, in the order the pairs first mention it)."""
    codes, k = coded.codes, int(coded.names.size)
    pre = pairs["pre"].to_numpy(dtype=float)
    post = pairs["post"].to_numpy(dtype=float)
    diff = post - pre
    counts = np.bincount(codes, minlength=k)
    with np.errstate(all="ignore"):
        mean_diff = np.bincount(codes, weights=diff, minlength=k) / counts
        deviation = diff - mean_diff[codes]
        sd_diff = np.sqrt(
            np.bincount(codes, weights=deviation * deviation, minlength=k) / (counts - 1)
        )
        sd_diff[counts < 2] = np.nan
        means_pre = np.bincount(codes, weights=pre, minlength=k) / counts
        means_post = np.bincount(codes, weights=post, minlength=k) / counts
    names = [str(name) for name in coded.names.tolist()]
    programme_of = dict(
        zip(
            cohort_programmes["cohort"].astype(str).tolist(),
            cohort_programmes["programme"].tolist(),
            strict=True,
        )
    )
    programmes = [programme_of.get(name) for name in names]
    position = {cohort: i for i, cohort in enumerate(cohort_order)}
    first = np.empty(k, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1, dtype=np.int64)
    unplaced = len(position) + int(codes.size)
    key = [position.get(name, unplaced + int(first[j])) for j, name in enumerate(names)]
    order = sorted(range(k), key=key.__getitem__)
    return pd.DataFrame(
        {
            "cohort": [names[j] for j in order],
            "programme": pd.Series([programmes[j] for j in order], dtype=object)
            .fillna("")
            .astype(str),
            "n": counts[order],
            "pre": means_pre[order],
            "post": means_post[order],
            "sd_diff": sd_diff[order],
        }
    )


def _cohort_paired_t(cohort_means: pd.DataFrame) -> TestResult:
    if len(cohort_means) < 2:
        return TestResult.not_computed(
            "paired_t",
            "t",
            len(cohort_means),
            "only one cohort has matched pairs; the cohort-level test needs at least two cohorts",
        )
    return paired_t(cohort_means["pre"].to_numpy(float), cohort_means["post"].to_numpy(float))


def _cohort_gain_anova(cohort_means: pd.DataFrame) -> TestResult:
    programmes = cohort_means["programme"].astype(str)
    usable = programmes != ""
    if programmes[usable].nunique() < 2:
        return TestResult.not_computed(
            "anova",
            "F",
            int(usable.sum()),
            "the cohorts with matched pairs come from fewer than two programmes, so gains "
            "cannot be compared between programmes",
        )
    gains = (cohort_means["post"] - cohort_means["pre"]).to_numpy(float)
    return one_way_anova(gains[usable.to_numpy()], programmes[usable].to_numpy())
