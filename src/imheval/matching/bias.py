"""The matching bias check: people who came back at post compared with those seen only at pre.

:func:`matching_bias` counts and summarises every group; :func:`published_bias` is what may be
published of it, with small groups hidden through :func:`imheval.suppression.suppress`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.matching.results import (
    MatchResult,
)
from imheval.scoring import DomainInfo
from imheval.suppression import suppress


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


@dataclass(frozen=True, slots=True)
class PublishedDomainBias:
    """A :class:`DomainBias` as it may be published.

    A group's mean and SD are None when it has fewer than the minimum group size, and the
    difference is None when either group has.
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
class PublishedCategory:
    """A :class:`CategoryBias` as it may be published.

    A ``suppressed`` category has no counts or percentages (all None).
    """

    variable: str
    category: str
    suppressed: bool
    n_matched: int | None
    percent_matched: float | None
    n_unmatched: int | None
    percent_unmatched: float | None


@dataclass(frozen=True, slots=True)
class PublishedBias:
    """What may be published of a :class:`MatchingBias` (see :func:`published_bias`)."""

    n_matched: int
    n_unmatched: int
    domains: tuple[PublishedDomainBias, ...]
    categories: tuple[PublishedCategory, ...]


def published_bias(
    bias: MatchingBias, min_group_size: int, analysed_domains: Collection[str]
) -> PublishedBias:
    """Matched vs unmatched people, with groups under the minimum size suppressed.

    Only the domains in ``analysed_domains`` are kept (in the order of ``bias``). A domain's
    means and SDs are hidden for a group of 1 to ``min_group_size - 1`` people. Per variable,
    the categories' matched counts add up to the published number matched and their unmatched
    counts to the number not matched: each column goes through
    :func:`imheval.suppression.suppress`, a category hidden in one column is hidden in the
    other, and this repeats until neither column hides another category.
    """

    def small(n: int) -> bool:
        return 0 < n < min_group_size

    hide: dict[int, bool] = {}
    for variable in ("directorate", "profession"):
        members = [i for i, c in enumerate(bias.categories) if c.variable == variable]
        columns = (
            [bias.categories[i].n_matched for i in members],
            [bias.categories[i].n_unmatched for i in members],
        )
        hidden: set[int] = set()
        while True:
            now = set(hidden)
            for counts in columns:
                decided = suppress(counts, min_group_size, hidden=hidden)
                now |= {k for k, h in enumerate(decided.hidden) if h}
            if now == hidden:
                break
            hidden = now
        for k, i in enumerate(members):
            hide[i] = k in hidden

    return PublishedBias(
        n_matched=bias.n_matched,
        n_unmatched=bias.n_unmatched,
        domains=tuple(
            PublishedDomainBias(
                domain=d.domain,
                n_matched=d.n_matched,
                mean_matched=None if small(d.n_matched) else d.mean_matched,
                sd_matched=None if small(d.n_matched) else d.sd_matched,
                n_unmatched=d.n_unmatched,
                mean_unmatched=None if small(d.n_unmatched) else d.mean_unmatched,
                sd_unmatched=None if small(d.n_unmatched) else d.sd_unmatched,
                mean_difference=None
                if small(d.n_matched) or small(d.n_unmatched)
                else d.mean_difference,
            )
            for d in bias.domains
            if d.domain in analysed_domains
        ),
        categories=tuple(
            PublishedCategory(
                variable=c.variable,
                category=c.category,
                suppressed=hide[i],
                n_matched=None if hide[i] else c.n_matched,
                percent_matched=None if hide[i] else c.percent_matched,
                n_unmatched=None if hide[i] else c.n_unmatched,
                percent_unmatched=None if hide[i] else c.percent_unmatched,
            )
            for i, c in enumerate(bias.categories)
        ),
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
