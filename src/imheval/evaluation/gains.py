"""Gains compared fairly: ANCOVA of post on pre by group, normalised gain, floors.

SKELETON (issue 18, helper C): :func:`gain_analyses` is called by
:func:`imheval.evaluation.deeper.deeper_analyses`; its result sits in ``DomainExtras.gains``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from imheval.findings.model import Finding
from imheval.scoring import DomainInfo


@dataclass(frozen=True, slots=True)
class GainAnalyses:
    """ANCOVA per grouping, normalised gain per person and per cohort, the floor flag."""

    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason}


def gain_analyses(info: DomainInfo, pairs: pd.DataFrame, min_group_size: int) -> GainAnalyses:
    """``pairs``: matched.pairs(domain, "pre", "post") (columns pre, post, cohort, programme,
    directorate, profession ...)."""
    return GainAnalyses(reason="not built yet")


def gain_findings(
    result: GainAnalyses | None, info: DomainInfo, min_group_size: int
) -> list[Finding]:
    """The plain-English findings of ``result`` (none when it is None or not computed)."""
    return []
