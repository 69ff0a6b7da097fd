"""Follow-up: before vs follow-up and after vs follow-up, where follow-up data exist."""

from __future__ import annotations

from imheval.evaluation.results import FOLLOWUP_COMPARISONS
from imheval.matching import MatchResult
from imheval.stats import TestResult, paired_t, wilcoxon_signed_rank


def followup_tests(matched: MatchResult, domain: str) -> tuple[tuple[str, TestResult], ...]:
    """(comparison, result) for each follow-up comparison with pairs: paired t, then Wilcoxon."""
    tests: list[tuple[str, TestResult]] = []
    for first, second in FOLLOWUP_COMPARISONS:
        follow = matched.pairs(domain, first, second)
        if len(follow):
            tests.append(
                (
                    f"{first}_{second}",
                    paired_t(follow[first].to_numpy(float), follow[second].to_numpy(float)),
                )
            )
            tests.append(
                (
                    f"{first}_{second}",
                    wilcoxon_signed_rank(
                        follow[first].to_numpy(float), follow[second].to_numpy(float)
                    ),
                )
            )
    return tuple(tests)
