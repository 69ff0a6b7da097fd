"""Cohort level, the seed study's unit: each cohort's mean before and after is one pair.

:func:`cohort_level` gives Table 1 (cohort means, small cohorts hidden), a paired t-test on
cohort means (df = cohorts - 1) and a one-way ANOVA of cohort gains across programmes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd

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
                str(row["cohort"]),
                int(row["n"]),
                float(row["pre"]),
                float(row["post"]),
                float(row["sd_diff"]) if int(row["n"]) > 1 else None,
                str(row["programme"]),
                options.min_group_size,
            )
            for row in cohort_means.to_dict(orient="records")
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
