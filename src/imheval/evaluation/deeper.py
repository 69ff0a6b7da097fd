"""The deeper analyses of one domain, run after the main plan (:func:`deeper_analyses`).

Item analysis and reliability (with item-level data), reliable change (Jacobson-Truax, using
the domain's KR-20 / alpha at pre-test), retention at follow-up, and a linear mixed model of
score over time with cohort and participant effects. :func:`item_matrices` pairs each matched
person's item points before and after.

Each part is a frozen value with ``to_dict()``; a part that cannot be computed says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from imheval.instruments.model import Instrument, RatingItem
from imheval.io.table import TIMEPOINTS
from imheval.matching import MatchResult
from imheval.scoring import ItemOutcome, ScoredTable
from imheval.stats import (
    ItemAnalysis,
    MixedModelResult,
    ReliableChange,
    Retention,
    item_analysis,
    mixed_model,
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
