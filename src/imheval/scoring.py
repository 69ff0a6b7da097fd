"""Scoring: answers -> domain totals, with the reason for every zero.

CONTRACT (filled in by the scoring work; signatures and fields are fixed, see
docs/decisions/0001-architecture.md):

* :func:`score_items` scores item answers against one or more instruments.
* :func:`scores_from_totals` wraps already-scored domain totals (no instrument).

Both return a :class:`ScoredTable`, which is what matching and the evaluation read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum

import pandas as pd

from imheval.instruments.model import Instrument
from imheval.io.table import ResponseTable


class MissingPolicy(StrEnum):
    """How unanswered (blank or invalid) items count towards a domain total."""

    #: Seed 000's rule: 1 point per correct answer; wrong, missing or invalid answers score 0.
    SEED = "seed"
    #: A domain total only when every item of the domain has a valid answer; otherwise missing.
    COMPLETE_CASE = "complete_case"
    #: Mean of the valid answers times the number of items, when at least half are valid.
    PRORATED = "prorated"


class ItemOutcome(IntEnum):
    """What happened to one answer; stored per item and row as int8 codes."""

    SCORED = 0  # correct (keyed) or a valid rating
    WRONG = 1  # a valid option that is not the key: 0 points
    MISSING = 2  # blank: 0 points under the seed rule
    INVALID = 3  # not among the options / outside the scale: 0 points under the seed rule
    NOT_ADMINISTERED = 4  # the whole domain was blank in this row: domain not measured


@dataclass(frozen=True, slots=True)
class DomainInfo:
    """A scored domain and the range of its total (None when unknown, e.g. bare totals)."""

    id: str
    label: str
    n_items: int
    min_total: float | None
    max_total: float | None
    kirkpatrick_level: int = 2

    def percent_of_maximum(self, total: float) -> float | None:
        """(total - min) / (max - min) * 100, or None when the range is unknown."""
        if self.min_total is None or self.max_total is None:
            return None
        return (total - self.min_total) / (self.max_total - self.min_total) * 100.0


@dataclass(frozen=True, slots=True)
class ScoredTable:
    """Domain totals in tidy layout, plus per-item points and outcomes when items were scored.

    ``frame``: the reserved columns, ``source_row``, then one float column per domain id
    (NaN = not measured in that row). ``item_points`` / ``item_outcomes``: same index as
    ``frame``, one column per item id (float points, NaN where the policy leaves the item
    unscored; int8 :class:`ItemOutcome` codes), or None for bare totals.
    """

    frame: pd.DataFrame
    domains: tuple[DomainInfo, ...]
    policy: MissingPolicy
    source: str
    instrument_ids: tuple[str, ...] = ()
    item_points: pd.DataFrame | None = None
    item_outcomes: pd.DataFrame | None = None
    item_domains: Mapping[str, str] | None = None

    def domain(self, domain_id: str) -> DomainInfo:
        for info in self.domains:
            if info.id == domain_id:
                return info
        raise KeyError(domain_id)


def score_items(
    table: ResponseTable,
    instruments: Sequence[Instrument],
    policy: MissingPolicy = MissingPolicy.SEED,
) -> ScoredTable:
    """Score every item column of ``table`` against ``instruments``."""
    raise NotImplementedError


def scores_from_totals(
    table: ResponseTable,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> ScoredTable:
    """Wrap already-scored domain totals; ``ranges`` gives (min, max) per domain if known."""
    raise NotImplementedError
