"""One domain's analysis: every per-domain statistic, in the order it is reported.

:func:`analyse_domain` runs the cohort level (:mod:`.cohort`), the participant level
(:mod:`.participant`), the group comparisons and the matching-bias test (:mod:`.groups`) and
the follow-up comparisons (:mod:`.followup`), and passes every result through :func:`protect`.
A new per-domain statistic is a function in the module of its unit and one line here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from imheval.evaluation.cohort import cohort_level
from imheval.evaluation.findings import findings_for
from imheval.evaluation.followup import followup_tests
from imheval.evaluation.group_rule import matched_pairs
from imheval.evaluation.groups import group_comparisons, matching_bias_test
from imheval.evaluation.participant import participant_tests
from imheval.evaluation.results import (
    Breakdown,
    DomainEvaluation,
    EvaluationOptions,
    MeanRow,
    TestEntry,
    Unit,
)
from imheval.evaluation.tables import mean_row
from imheval.matching import MatchingBias, MatchResult
from imheval.scoring import DomainInfo
from imheval.stats import TestResult


@dataclass(slots=True)
class DomainWork:
    """A domain's results before Holm adjustment across domains."""

    info: DomainInfo
    n_pairs: int
    n_cohorts: int
    overall: MeanRow
    table1: tuple[MeanRow, ...]
    breakdowns: tuple[Breakdown, ...]
    tests: list[TestEntry]

    def finish(
        self, adjusted: Mapping[int, float | None], options: EvaluationOptions
    ) -> DomainEvaluation:
        tests = tuple(replace(e, p_holm=adjusted.get(id(e))) for e in self.tests)
        draft = DomainEvaluation(
            domain=self.info,
            n_pairs=self.n_pairs,
            n_cohorts=self.n_cohorts,
            overall=self.overall,
            table1=self.table1,
            breakdowns=self.breakdowns,
            tests=tests,
            findings=(),
        )
        return replace(draft, findings=tuple(findings_for(draft, options.min_group_size)))


def analyse_domain(
    info: DomainInfo,
    matched: MatchResult,
    bias: MatchingBias,
    options: EvaluationOptions,
    cohort_order: Sequence[str],
) -> DomainWork:
    """Every per-domain table and test of ``info``, before Holm adjustment and findings."""
    pairs = matched_pairs(matched, info.id)
    tests: list[TestEntry] = []

    def add(unit: Unit, comparison: str, result: TestResult) -> None:
        tests.append(TestEntry(info.id, unit, comparison, protect(result, options)))

    # Cohort level, the seed's unit: each cohort's mean before and after is one pair.
    cohorts = cohort_level(info, pairs, matched.cohorts, cohort_order, options)
    for comparison, result in cohorts.tests:
        add("cohort", comparison, result)

    # Participant level.
    pre = pairs["pre"].to_numpy(dtype=float)
    post = pairs["post"].to_numpy(dtype=float)
    for result in participant_tests(pre, post):
        add("participant", "pre_post", result)

    # Between groups: where people started (baseline) and how much they gained.
    groups = group_comparisons(info, pairs, pre, post, options)
    for comparison, result in groups.tests:
        add("participant", comparison, result)

    # Matching bias: did the people we could match start differently from those we could not?
    matched_pre, unmatched_pre = bias.pre_scores(info.id)
    add(
        "participant",
        "matching_bias",
        matching_bias_test(matched_pre, unmatched_pre, options.min_group_size),
    )

    # Follow-up, when any was collected.
    for comparison, result in followup_tests(matched, info.id):
        add("participant", comparison, result)

    gains = post - pre
    overall = mean_row(
        info,
        "All matched participants",
        len(pairs),
        float(pre.mean()) if len(pre) else None,
        float(post.mean()) if len(post) else None,
        float(np.std(gains, ddof=1)) if len(gains) > 1 else None,
        "",
        options.min_group_size,
    )
    return DomainWork(
        info=info,
        n_pairs=len(pairs),
        n_cohorts=cohorts.n_cohorts,
        overall=overall,
        table1=cohorts.table1,
        breakdowns=groups.breakdowns,
        tests=tests,
    )


def protect(result: TestResult, options: EvaluationOptions) -> TestResult:
    """Drop details that would show a small group's mean.

    Group tests list each group's n and mean in ``details``; the breakdown tables already show
    those with small groups suppressed, so the test keeps none. Tests on fewer people than the
    minimum group size keep their statistic but not the group means in ``details``.
    """
    kept = {key: value for key, value in result.details.items() if "[" not in key}
    if result.n < options.min_group_size:
        kept = {k: v for k, v in kept.items() if not k.startswith(("mean", "sd"))}
    if len(kept) == len(result.details):
        return result
    return replace(result, details=kept)
