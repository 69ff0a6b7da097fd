"""The retrospective pre-test: then against now on the post-test form, and the response shift.

SKELETON (issue 18, helper F): :func:`retrospective_analysis` is called by
:func:`imheval.evaluation.deeper.deeper_analyses`; its result sits in
``DomainExtras.retrospective`` (None when the domain has no retrospective item).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from imheval.findings.model import Finding
from imheval.instruments.model import Instrument
from imheval.io.table import ResponseTable
from imheval.matching import MatchResult
from imheval.scoring import DomainInfo, ScoredTable


@dataclass(frozen=True, slots=True)
class RetrospectiveAnalysis:
    """Then-to-now change of one domain's retrospective items, and the response shift."""

    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason}


def retrospective_analysis(
    table: ResponseTable | None,
    scored: ScoredTable,
    matched: MatchResult,
    instruments: Sequence[Instrument],
    domain: str,
    min_group_size: int,
) -> RetrospectiveAnalysis | None:
    """None when no item of ``domain`` is retrospective."""
    return None


def retrospective_findings(
    result: RetrospectiveAnalysis | None, info: DomainInfo, min_group_size: int
) -> list[Finding]:
    """The plain-English findings of ``result`` (none when it is None or not computed)."""
    return []
