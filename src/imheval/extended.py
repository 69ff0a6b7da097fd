"""Analyses beyond the seed study, run after the main plan in :mod:`imheval.evaluation`.

* How much the seed's zero rule matters: the participant-level paired t-test per domain under
  the seed rule (missing and invalid answers score 0) and under complete cases, side by side.
* Per domain (:func:`deeper_analyses`): item analysis and reliability (with item-level data),
  reliable change (Jacobson-Truax, using the domain's KR-20 / alpha at pre-test), retention at
  follow-up, and a linear mixed model of score over time with cohort and participant effects.

Each part is a frozen value with ``to_dict()``; a part that cannot be computed says why.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from imheval.instruments.model import Instrument, RatingItem
from imheval.io.table import TIMEPOINTS, ResponseTable
from imheval.matching import MatchMode, MatchResult, match
from imheval.scoring import ItemOutcome, MissingPolicy, ScoredTable, score_items
from imheval.stats import (
    ItemAnalysis,
    MixedModelResult,
    ReliableChange,
    Retention,
    TestResult,
    item_analysis,
    mixed_model,
    paired_t,
    reliable_change,
    retention,
)


@dataclass(frozen=True, slots=True)
class ItemMatrices:
    """Item points of one domain for the people matched at pre and post, row for row.

    ``pre`` and ``post`` are people x items float arrays (NaN where the policy left an item
    unscored); row i of both belongs to the same person. ``max_points`` and ``min_points``
    hold each item's range.
    """

    domain: str
    item_ids: tuple[str, ...]
    pre: np.ndarray
    post: np.ndarray
    max_points: tuple[float, ...]
    min_points: tuple[float, ...]


def item_matrices(
    scored: ScoredTable, matched: MatchResult, instruments: Sequence[Instrument], domain: str
) -> ItemMatrices | None:
    """Pair each matched person's item points before and after, for one domain.

    None when there are no item-level data. People count when the domain was measured at both
    timepoints (its total is not missing at either).
    """
    if scored.item_points is None or scored.item_domains is None:
        return None
    items = [i for instrument in instruments for i in instrument.items_in(domain)]
    ranges = {
        item.id: (instrument.item_min(item), instrument.item_max(item))
        for instrument in instruments
        for item in instrument.items_in(domain)
    }
    item_ids = tuple(i.id for i in items if i.id in scored.item_points.columns)
    pre_rows = matched.rows_at("pre")
    post_rows = matched.rows_at("post")
    totals = scored.frame[domain].to_numpy(dtype=float)
    both = (pre_rows >= 0) & (post_rows >= 0)
    both[both] = ~np.isnan(totals[pre_rows[both]]) & ~np.isnan(totals[post_rows[both]])
    points = scored.item_points[list(item_ids)].to_numpy(dtype=float)
    if scored.item_outcomes is not None:
        # Item analysis describes answers people gave. A blank or invalid rating scores 0 under
        # the seed rule, which is outside the scale; it is left out here. Keyed items keep the
        # seed's 0, which is what "wrong or missing" means for facility.
        outcomes = scored.item_outcomes[list(item_ids)].to_numpy()
        rating = np.array([isinstance(i, RatingItem) for i in items if i.id in item_ids])
        unanswered = np.isin(outcomes, (ItemOutcome.MISSING, ItemOutcome.INVALID))
        points = np.where(unanswered & rating[np.newaxis, :], np.nan, points)
    return ItemMatrices(
        domain=domain,
        item_ids=item_ids,
        pre=points[pre_rows[both]],
        post=points[post_rows[both]],
        max_points=tuple(ranges[i][1] for i in item_ids),
        min_points=tuple(ranges[i][0] for i in item_ids),
    )


#: The policies compared side by side when items were scored.
COMPARED_POLICIES = (MissingPolicy.SEED, MissingPolicy.COMPLETE_CASE)


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """One domain under one missing-data policy: matched pairs, means and the paired t-test."""

    domain: str
    policy: MissingPolicy
    n_pairs: int
    pre_mean: float | None
    post_mean: float | None
    result: TestResult

    @property
    def difference(self) -> float | None:
        if self.pre_mean is None or self.post_mean is None:
            return None
        return self.post_mean - self.pre_mean

    def to_dict(self) -> dict[str, Any]:
        return {
            "domain": self.domain,
            "policy": self.policy.value,
            "n_pairs": self.n_pairs,
            "pre_mean": self.pre_mean,
            "post_mean": self.post_mean,
            "difference": self.difference,
            "test": self.result.to_dict(),
        }


def compare_policies(
    table: ResponseTable,
    instruments: Sequence[Instrument],
    current: tuple[ScoredTable, MatchResult],
    match_mode: MatchMode,
    accepted: Sequence[tuple[str, str, str]],
) -> tuple[PolicyRow, ...]:
    """The seed rule against complete cases, per domain (empty without item-level data).

    ``current`` is the scoring and matching already done for the evaluation's own policy, so
    it is reused rather than recomputed. Groups are never broken down here, so nothing needs
    suppressing beyond what the main tables do: each row is a whole domain.
    """
    if not instruments:
        return ()
    rows: list[PolicyRow] = []
    for policy in COMPARED_POLICIES:
        if policy is current[0].policy:
            pairs_of = _pairs_from_match(current[1])
            domains = current[0].domains
        elif policy is MissingPolicy.COMPLETE_CASE and current[0].policy is MissingPolicy.SEED:
            # Complete-case totals are the seed totals of rows with no missing or invalid answer
            # in the domain, so they come from the seed scoring without scoring or matching again.
            pairs_of = _complete_case_pairs(*current)
            domains = current[0].domains
        else:
            scored = score_items(table, instruments, policy)
            pairs_of = _pairs_from_match(match(scored, match_mode, accepted))
            domains = scored.domains
        for info in domains:
            pre, post = pairs_of(info.id)
            rows.append(
                PolicyRow(
                    domain=info.id,
                    policy=policy,
                    n_pairs=len(pre),
                    pre_mean=float(pre.mean()) if len(pre) else None,
                    post_mean=float(post.mean()) if len(post) else None,
                    result=paired_t(pre, post),
                )
            )
    order = {info.id: i for i, info in enumerate(current[0].domains)}
    rows.sort(
        key=lambda row: (order.get(row.domain, len(order)), COMPARED_POLICIES.index(row.policy))
    )
    return tuple(rows)


PairsOf = Callable[[str], tuple[np.ndarray, np.ndarray]]


def _pairs_from_match(matched: MatchResult) -> PairsOf:
    def pairs_of(domain: str) -> tuple[np.ndarray, np.ndarray]:
        pairs = matched.pairs(domain, "pre", "post")
        return pairs["pre"].to_numpy(dtype=float), pairs["post"].to_numpy(dtype=float)

    return pairs_of


def _complete_case_pairs(scored: ScoredTable, matched: MatchResult) -> PairsOf:
    pre_rows, post_rows = matched.rows_at("pre"), matched.rows_at("post")
    both = (pre_rows >= 0) & (post_rows >= 0)
    pre_rows, post_rows = pre_rows[both], post_rows[both]

    def pairs_of(domain: str) -> tuple[np.ndarray, np.ndarray]:
        totals = scored.frame[domain].to_numpy(dtype=float).copy()
        if scored.item_outcomes is not None and scored.item_domains is not None:
            items = [i for i, d in scored.item_domains.items() if d == domain]
            outcomes = scored.item_outcomes[items].to_numpy()
            unanswered = np.isin(outcomes, (ItemOutcome.MISSING, ItemOutcome.INVALID))
            totals[unanswered.any(axis=1)] = np.nan
        pre, post = totals[pre_rows], totals[post_rows]
        complete = ~np.isnan(pre) & ~np.isnan(post)
        return pre[complete], post[complete]

    return pairs_of


@dataclass(frozen=True, slots=True)
class DomainExtras:
    """The deeper analyses of one domain (see the module docstring)."""

    domain: str
    items: ItemAnalysis | None
    reliable_change: ReliableChange
    retention: Retention | None
    mixed_model: MixedModelResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_analysis": self.items.to_dict() if self.items is not None else None,
            "reliable_change": self.reliable_change.to_dict(),
            "retention": self.retention.to_dict() if self.retention is not None else None,
            "mixed_model": self.mixed_model.to_dict(),
        }


def deeper_analyses(
    scored: ScoredTable, matched: MatchResult, instruments: Sequence[Instrument], domain: str
) -> DomainExtras:
    """Item analysis, reliable change, retention and the mixed model for one domain."""
    matrices = item_matrices(scored, matched, instruments, domain)
    items: ItemAnalysis | None = None
    if matrices is not None and matrices.item_ids and len(matrices.pre):
        items = item_analysis(
            matrices.pre,
            matrices.post,
            item_ids=matrices.item_ids,
            max_points=matrices.max_points,
            min_points=matrices.min_points,
        )

    pairs = matched.pairs(domain, "pre", "post")
    reliability = items.reliability_pre.alpha if items is not None else None
    change = reliable_change(
        pairs["pre"].to_numpy(dtype=float), pairs["post"].to_numpy(dtype=float), reliability
    )
    if items is not None and change.reason is not None and reliability is not None:
        change = replace(
            change,
            reason=f"the domain's {items.reliability_pre.name} at pre-test is {reliability:.2f}; "
            "reliable change needs a reliability between 0 and 1 (in practice above about .70), "
            "so individual change cannot be judged with these items",
        )
    if reliability is None and change.reason is not None:
        change = replace(
            change,
            reason="no reliability estimate for this domain: reliable change needs item-level "
            "answers (for KR-20 / Cronbach's alpha) or a test-retest reliability",
        )

    people = matched.people
    follow_column = f"{domain}@followup"
    kept: Retention | None = None
    if people[follow_column].notna().any():
        kept = retention(
            people[f"{domain}@pre"].to_numpy(dtype=float),
            people[f"{domain}@post"].to_numpy(dtype=float),
            people[follow_column].to_numpy(dtype=float),
        )

    # The long frame comes from the matched people, so confirmed probable matches count as one
    # person, exactly as in the paired tests. People go in as integer positions: the model only
    # needs to tell them apart, and integers are much faster to group than text. Cohorts keep
    # their names, which label the fixed cohort effects when there are fewer than 5 cohorts.
    person = np.arange(len(people), dtype=np.int64)
    cohort_codes = people["cohort"].to_numpy(dtype=object)
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "cohort": cohort_codes,
                    "participant": person,
                    "time": timepoint,
                    "score": people[f"{domain}@{timepoint}"].to_numpy(dtype=float),
                }
            )
            for timepoint in TIMEPOINTS
        ],
        ignore_index=True,
    )
    long = long[~np.isnan(long["score"].to_numpy())]
    model = mixed_model(long)
    return DomainExtras(
        domain=domain, items=items, reliable_change=change, retention=kept, mixed_model=model
    )
