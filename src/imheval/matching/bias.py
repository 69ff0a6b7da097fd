"""The matching bias check: people who came back at post compared with those seen only at pre."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.matching.results import (
    MatchResult,
)
from imheval.scoring import DomainInfo


@dataclass(frozen=True, slots=True)
class DomainBias:
    """Pre scores of one domain: people matched at post vs people seen only at pre.

    ``n_*`` count people with a pre score in this domain; means are None when a group has no
    score, SDs (sample, ddof=1) when it has fewer than two. ``mean_difference`` is matched minus
    unmatched (positive: those who came back had scored higher at pre).
    """

    domain: str
    n_matched: int
    mean_matched: float | None
    sd_matched: float | None
    n_unmatched: int
    mean_unmatched: float | None
    sd_unmatched: float | None
    mean_difference: float | None


@dataclass(frozen=True, slots=True)
class CategoryBias:
    """One directorate or profession: how many people in each group, and their percentage.

    ``category`` "" means not recorded. Percentages are of the group's people (None when the
    group is empty).
    """

    variable: str  # "directorate" | "profession"
    category: str
    n_matched: int
    percent_matched: float | None
    n_unmatched: int
    percent_unmatched: float | None


@dataclass(frozen=True, slots=True)
class MatchingBias:
    """How people present at pre who were matched at post differ from those who were not.

    ``n_matched`` / ``n_unmatched``: people present at pre with / without a post record (all
    cohorts together). ``domains``: pre-score summaries per domain. ``categories``: directorate
    and profession counts per group. :meth:`pre_scores` gives the raw arrays for a test.
    """

    n_matched: int
    n_unmatched: int
    domains: tuple[DomainBias, ...]
    categories: tuple[CategoryBias, ...]
    _pre_scores: Mapping[str, tuple[np.ndarray, np.ndarray]] = field(
        default_factory=dict, repr=False, compare=False, hash=False
    )

    def pre_scores(self, domain: str) -> tuple[np.ndarray, np.ndarray]:
        """(matched, unmatched) pre scores of ``domain``, NaN removed, as float arrays (copies).

        Raises :class:`~imheval.errors.AnalysisError` for a domain that was not summarised.
        """
        if domain not in self._pre_scores:
            raise AnalysisError(
                f"no matching-bias summary for domain '{domain}' "
                f"(summarised: {', '.join(self._pre_scores) or 'none'})"
            )
        matched, unmatched = self._pre_scores[domain]
        return matched.copy(), unmatched.copy()


def matching_bias(result: MatchResult, domains: Iterable[str | DomainInfo]) -> MatchingBias:
    """Compare people present at pre who were matched at post with those who were not.

    ``domains``: domain ids (or :class:`~imheval.scoring.DomainInfo`) to summarise. Raises
    :class:`~imheval.errors.AnalysisError` for a domain with no ``@pre`` column.
    """
    people = result.people
    at_pre = people["present_pre"].to_numpy(dtype=bool)
    at_post = people["present_post"].to_numpy(dtype=bool)
    matched = at_pre & at_post
    unmatched = at_pre & ~at_post

    summaries: list[DomainBias] = []
    arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for entry in domains:
        domain = entry.id if isinstance(entry, DomainInfo) else str(entry)
        column = f"{domain}@pre"
        if column not in people.columns:
            raise AnalysisError(f"no domain '{domain}' in the matched data")
        pre = people[column].to_numpy(dtype=np.float64)
        scores_matched = pre[matched & ~np.isnan(pre)]
        scores_unmatched = pre[unmatched & ~np.isnan(pre)]
        arrays[domain] = (scores_matched, scores_unmatched)
        mean_m, sd_m = _mean_sd(scores_matched)
        mean_u, sd_u = _mean_sd(scores_unmatched)
        summaries.append(
            DomainBias(
                domain=domain,
                n_matched=len(scores_matched),
                mean_matched=mean_m,
                sd_matched=sd_m,
                n_unmatched=len(scores_unmatched),
                mean_unmatched=mean_u,
                sd_unmatched=sd_u,
                mean_difference=None if mean_m is None or mean_u is None else mean_m - mean_u,
            )
        )

    n_matched, n_unmatched = int(matched.sum()), int(unmatched.sum())
    categories: list[CategoryBias] = []
    for variable in ("directorate", "profession"):
        values = people[variable].fillna("").to_numpy(dtype=object)
        counts_m = pd.Series(values[matched]).value_counts()
        counts_u = pd.Series(values[unmatched]).value_counts()
        for category in sorted(set(counts_m.index) | set(counts_u.index), key=_category_order):
            in_m, in_u = int(counts_m.get(category, 0)), int(counts_u.get(category, 0))
            categories.append(
                CategoryBias(
                    variable=variable,
                    category=str(category),
                    n_matched=in_m,
                    percent_matched=_percent(in_m, n_matched),
                    n_unmatched=in_u,
                    percent_unmatched=_percent(in_u, n_unmatched),
                )
            )
    return MatchingBias(
        n_matched=n_matched,
        n_unmatched=n_unmatched,
        domains=tuple(summaries),
        categories=tuple(categories),
        _pre_scores=arrays,
    )


def _mean_sd(values: np.ndarray) -> tuple[float | None, float | None]:
    if len(values) == 0:
        return None, None
    mean = float(np.mean(values))
    if len(values) < 2:
        return mean, None
    return mean, float(np.std(values, ddof=1))


def _percent(count: int, total: int) -> float | None:
    return None if total == 0 else count / total * 100.0


def _category_order(category: object) -> tuple[bool, str]:
    return (category == "", str(category))
