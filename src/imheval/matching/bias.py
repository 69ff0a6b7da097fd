"""The matching bias check: people who came back at post compared with those seen only at pre.

:func:`matching_bias` counts and summarises every group; :func:`published_bias` is what may be
published of it, with small groups hidden through :func:`imheval.suppression.suppress`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from imheval.errors import AnalysisError
from imheval.matching.results import (
    MatchResult,
)
from imheval.scoring import DomainInfo
from imheval.stats import TestResult, welch_t
from imheval.stats._common import finite_or_none
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


@dataclass(frozen=True, slots=True)
class FollowupDomainBias:
    """One domain: people matched before and after training who answered at follow-up vs those
    who did not (matching bias extended to the follow-up wave).

    Counts people with both a pre and a post score in the domain; ``followed`` answered anything
    at follow-up. Means are score points (None for an empty group); SDs are sample SDs (ddof=1;
    None with fewer than two people). ``gain`` is post minus pre for each person, so
    ``gain_difference`` (followed minus not followed) is positive when those who answered at
    follow-up had gained more. Both counts are None, and every mean, when either group has 1 to
    ``min_group_size - 1`` people (each count would give the other away). ``pre_test`` and
    ``gain_test`` are Welch's t of followed minus
    not followed (on pre scores, on gains), not computed, with the reason, when a group is
    empty or smaller than ``min_group_size`` (the rule of the post-test matching-bias test).
    """

    domain: str
    n_followed: int | None
    n_not_followed: int | None
    mean_pre_followed: float | None
    mean_post_followed: float | None
    mean_gain_followed: float | None
    sd_gain_followed: float | None
    mean_pre_not_followed: float | None
    mean_post_not_followed: float | None
    mean_gain_not_followed: float | None
    sd_gain_not_followed: float | None
    gain_difference: float | None
    pre_test: TestResult
    gain_test: TestResult

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: plain floats, None for what is missing or hidden (never NaN)."""
        data: dict[str, Any] = {
            name: finite_or_none(value) if isinstance(value, float) else value
            for name, value in (
                (name, getattr(self, name))
                for name in self.__slots__
                if name not in ("pre_test", "gain_test")
            )
        }
        data["pre_test"] = self.pre_test.to_dict()
        data["gain_test"] = self.gain_test.to_dict()
        return data


@dataclass(frozen=True, slots=True)
class FollowupBias:
    """Who answered at follow-up among the people matched before and after training.

    ``n_matched``: people present at pre and post; ``n_followed`` of them answered at follow-up.
    ``domains``: one :class:`FollowupDomainBias` per domain measured before and after.
    ``reason`` says, in plain words, why there is nothing to compare (no follow-up wave, or no
    one matched), and is None when there is. As published (:func:`followup_bias` with a
    ``min_group_size``), the two counts are None when either group is 1 to min_group_size - 1
    people (each would give the other away from the matched total), as are that group's means.
    """

    n_matched: int | None
    n_followed: int | None
    n_not_followed: int | None
    domains: tuple[FollowupDomainBias, ...]
    reason: str | None = None

    @property
    def computed(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_matched": self.n_matched,
            "n_followed": self.n_followed,
            "n_not_followed": self.n_not_followed,
            "reason": self.reason,
            "domains": [d.to_dict() for d in self.domains],
        }


def followup_bias(
    result: MatchResult, domains: Iterable[str | DomainInfo], min_group_size: int
) -> FollowupBias:
    """Among people matched at pre and post, those who answered at follow-up vs those who did
    not: counts, mean pre, post and gain of each group per domain, and Welch's t on pre scores
    and on gains. Small groups (1 to ``min_group_size - 1`` people) are hidden as described on
    :class:`FollowupBias`; this never raises on real data (a domain with no ``@pre``/``@post``
    column, e.g. one asked only at follow-up, is left out).
    """
    people = result.people
    matched = people["present_pre"].to_numpy(dtype=bool) & people["present_post"].to_numpy(
        dtype=bool
    )
    followed = people["present_followup"].to_numpy(dtype=bool)
    n_matched = int(matched.sum())
    n_followed = int((matched & followed).sum())
    if not followed.any():
        return FollowupBias(
            n_matched,
            0,
            n_matched,
            (),
            "no one answered at follow-up, so there is no follow-up wave to compare",
        )
    if n_matched == 0:
        return FollowupBias(
            0,
            None,
            None,
            (),
            "no one was matched before and after training, so there is no "
            "one whose follow-up answers could be compared",
        )

    def small(n: int) -> bool:
        return 0 < n < min_group_size

    counts_hidden = small(n_followed) or small(n_matched - n_followed)
    summaries: list[FollowupDomainBias] = []
    for entry in domains:
        domain = entry.id if isinstance(entry, DomainInfo) else str(entry)
        if f"{domain}@pre" not in people.columns or f"{domain}@post" not in people.columns:
            continue
        pre = people[f"{domain}@pre"].to_numpy(dtype=np.float64)
        post = people[f"{domain}@post"].to_numpy(dtype=np.float64)
        both = matched & ~np.isnan(pre) & ~np.isnan(post)
        if not both.any():
            continue
        groups = (both & followed, both & ~followed)
        n_f, n_n = (int(g.sum()) for g in groups)
        hide = small(n_f) or small(n_n)
        figures: list[tuple[float | None, float | None, float | None, float | None]] = []
        for group, n in zip(groups, (n_f, n_n), strict=True):
            if hide or n == 0:
                figures.append((None, None, None, None))
                continue
            gain_mean, gain_sd = _mean_sd(post[group] - pre[group])
            figures.append(
                (float(pre[group].mean()), float(post[group].mean()), gain_mean, gain_sd)
            )
        (pre_f, post_f, gain_f, sd_f), (pre_n, post_n, gain_n, sd_n) = figures
        summaries.append(
            FollowupDomainBias(
                domain=domain,
                n_followed=None if hide else n_f,
                n_not_followed=None if hide else n_n,
                mean_pre_followed=pre_f,
                mean_post_followed=post_f,
                mean_gain_followed=gain_f,
                sd_gain_followed=sd_f,
                mean_pre_not_followed=pre_n,
                mean_post_not_followed=post_n,
                mean_gain_not_followed=gain_n,
                sd_gain_not_followed=sd_n,
                gain_difference=None if gain_f is None or gain_n is None else gain_f - gain_n,
                pre_test=_followup_test(pre[groups[0]], pre[groups[1]], min_group_size),
                gain_test=_followup_test(
                    (post - pre)[groups[0]], (post - pre)[groups[1]], min_group_size
                ),
            )
        )
    return FollowupBias(
        n_matched=n_matched,
        n_followed=None if counts_hidden else n_followed,
        n_not_followed=None if counts_hidden else n_matched - n_followed,
        domains=tuple(summaries),
    )


def _followup_test(
    followed: np.ndarray, not_followed: np.ndarray, min_group_size: int
) -> TestResult:
    if len(followed) == 0 or len(not_followed) == 0:
        who = "answered" if len(not_followed) == 0 else "did not answer"
        return TestResult.not_computed(
            "welch_t",
            "t",
            0,
            f"everyone matched before and after training {who} at follow-up, so there is no "
            "other group to compare with",
        )
    if any(0 < len(group) < min_group_size for group in (followed, not_followed)):
        return TestResult.not_computed(
            "welch_t",
            "t",
            0,
            f"fewer than {min_group_size} people answered at follow-up, or did not, so the two "
            "groups are too small to compare",
        )
    return welch_t(followed, not_followed)
