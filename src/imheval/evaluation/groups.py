"""Between groups: breakdowns by programme, directorate and profession, and their tests.

:func:`group_comparisons` gives, per grouping, the mean change of each group (small groups
hidden through :func:`~imheval.evaluation.tables.protect_rows`) and Welch tests of gains and
of starting scores between the groups the table shows (who is compared:
:func:`~imheval.evaluation.group_rule.tested_groups`, the rule the ANCOVA of
:mod:`imheval.evaluation.gains` shares). :func:`matching_bias_test` compares the pre-test
scores of people matched at post with those who were not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from imheval.evaluation.group_rule import GroupCodes, TestedGroups, tested_groups
from imheval.evaluation.results import GROUPINGS, Breakdown, EvaluationOptions, MeanRow
from imheval.evaluation.tables import mean_row, protect_rows
from imheval.scoring import DomainInfo
from imheval.stats import TestResult, compare_groups, welch_t


@dataclass(frozen=True, slots=True)
class GroupComparisons:
    """One breakdown per grouping, and (comparison, result) for each group test in order."""

    breakdowns: tuple[Breakdown, ...]
    tests: tuple[tuple[str, TestResult], ...]


def group_comparisons(
    info: DomainInfo,
    pairs: pd.DataFrame,
    pre: np.ndarray,
    post: np.ndarray,
    options: EvaluationOptions,
) -> GroupComparisons:
    """Breakdowns and group tests of one domain's matched pairs (``pre``/``post`` their scores).

    Each breakdown row shows where a group started (baseline) and how much it gained, so the
    seed's "Adult Services started lower and closed the gap" is visible.
    """
    gains = post - pre
    breakdowns: list[Breakdown] = []
    tests: list[tuple[str, TestResult]] = []
    for grouping in GROUPINGS:
        shown = tested_groups(pairs, grouping, options.min_group_size)
        recorded = shown.labels != ""
        if shown.codes is not None:
            breakdowns.append(
                _coded_breakdown(
                    info, grouping, shown.codes, pre, post, gains, options.min_group_size
                )
            )
        else:
            breakdowns.append(
                _breakdown(
                    info, grouping, pairs[recorded], int((~recorded).sum()), options.min_group_size
                )
            )
        for comparison, values in (("gain", gains), ("baseline", pre)):
            result = _group_test(values[shown.tested], shown, grouping)
            if shown.left_out:
                result = (
                    replace(result, method=result.method + shown.left_out)
                    if result.computed
                    else replace(result, reason=f"{result.reason}{shown.left_out}")
                )
            tests.append((f"{comparison}_by_{grouping}", result))
    return GroupComparisons(breakdowns=tuple(breakdowns), tests=tuple(tests))


def _group_test(values: np.ndarray, shown: TestedGroups, grouping: str) -> TestResult:
    """Welch's comparison of ``values`` (those of the people tested) between the groups."""
    labels: object
    if shown.codes is not None:
        groups = int(np.count_nonzero(np.bincount(shown.codes.codes[shown.tested])))
        labels = shown.codes.categorical(shown.tested)
    else:
        groups = len(set(shown.labels[shown.tested].tolist()))
        labels = shown.labels[shown.tested]
    if groups < 2:
        return TestResult.not_computed(
            "welch_t",
            "t",
            len(values),
            f"fewer than two {grouping} groups among the matched participants",
        )
    return compare_groups(values, labels)


def matching_bias_test(
    matched_pre: np.ndarray, unmatched_pre: np.ndarray, min_group_size: int
) -> TestResult:
    if len(unmatched_pre) == 0:
        return TestResult.not_computed(
            "welch_t",
            "t",
            len(matched_pre),
            "everyone who took the pre-test was matched at post-test, so there is no bias to test",
        )
    if any(0 < len(group) < min_group_size for group in (matched_pre, unmatched_pre)):
        # Like a group test: a comparison with so few people gives their mean away. n is 0 (no
        # one analysed) because matched + not matched would give the small count back.
        return TestResult.not_computed(
            "welch_t",
            "t",
            0,
            f"fewer than {min_group_size} people were matched, or were not matched, so the "
            "two groups are too small to compare",
        )
    return welch_t(matched_pre, unmatched_pre)


def _breakdown(
    info: DomainInfo,
    grouping: str,
    pairs: pd.DataFrame,
    not_recorded: int,
    min_group_size: int,
) -> Breakdown:
    rows: list[MeanRow] = []
    if not pairs.empty:
        work = pairs.assign(diff=pairs["post"] - pairs["pre"])
        for label, group in work.groupby(grouping, sort=True, observed=True):
            rows.append(
                mean_row(
                    info,
                    str(label),
                    len(group),
                    float(group["pre"].mean()),
                    float(group["post"].mean()),
                    float(group["diff"].std(ddof=1)) if len(group) > 1 else None,
                    "",
                    min_group_size,
                )
            )
    return Breakdown(grouping, protect_rows(rows, min_group_size, not_recorded), not_recorded)


def _coded_breakdown(
    info: DomainInfo,
    grouping: str,
    coded: GroupCodes,
    pre: np.ndarray,
    post: np.ndarray,
    gains: np.ndarray,
    min_group_size: int,
) -> Breakdown:
    """:func:`_breakdown` from the groups' codes: each group's count, mean before and after,
    and SD of the gains from sums over the codes (the same figures, without grouping text)."""
    k = coded.names.size
    counts = np.bincount(coded.codes, minlength=k)
    sum_pre = np.bincount(coded.codes, weights=pre, minlength=k)
    sum_post = np.bincount(coded.codes, weights=post, minlength=k)
    sum_gain = np.bincount(coded.codes, weights=gains, minlength=k)
    with np.errstate(all="ignore"):
        mean_gain = sum_gain / counts
        deviation = gains - mean_gain[coded.codes]
        sum_sq = np.bincount(coded.codes, weights=deviation * deviation, minlength=k)
    rows: list[MeanRow] = []
    not_recorded = 0
    for j, name in enumerate(coded.names.tolist()):
        n = int(counts[j])
        if name == "":
            not_recorded = n
            continue
        rows.append(
            mean_row(
                info,
                str(name),
                n,
                float(sum_pre[j] / n),
                float(sum_post[j] / n),
                math.sqrt(float(sum_sq[j]) / (n - 1)) if n > 1 else None,
                "",
                min_group_size,
            )
        )
    return Breakdown(grouping, protect_rows(rows, min_group_size, not_recorded), not_recorded)
