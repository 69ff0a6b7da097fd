"""How much the seed's zero rule matters: the scoring policies compared side by side.

:func:`compare_policies` runs the participant-level paired t-test per domain under the seed
rule (missing and invalid answers score 0) and under complete cases (:data:`COMPARED_POLICIES`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from imheval.instruments.model import Instrument
from imheval.io.table import ResponseTable
from imheval.matching import MatchMode, MatchResult, match
from imheval.scoring import ItemOutcome, MissingPolicy, ScoredTable, score_items
from imheval.stats import TestResult, paired_t

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

# Plain integers: compared with the outcome codes as they are, without np.isin's sorting.
_MISSING, _INVALID = int(ItemOutcome.MISSING), int(ItemOutcome.INVALID)


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
            unanswered = (outcomes == _MISSING) | (outcomes == _INVALID)
            totals[unanswered.any(axis=1)] = np.nan
        pre, post = totals[pre_rows], totals[post_rows]
        complete = ~np.isnan(pre) & ~np.isnan(post)
        return pre[complete], post[complete]

    return pairs_of
