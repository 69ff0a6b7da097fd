"""Did the gain differ between programmes? The programme-by-time mixed model of one domain.

SKELETON (issue 18, helper B): :func:`programme_analysis` is called by
:func:`imheval.evaluation.deeper.deeper_analyses`; its result sits in
``DomainExtras.programme_model`` and its ``to_dict()`` in the JSON under that key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from imheval.findings.model import Finding
from imheval.scoring import DomainInfo


@dataclass(frozen=True, slots=True)
class ProgrammeModel:
    """The programme-by-time model of one domain, the cohort ICC and the design effect."""

    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason}


def programme_analysis(long: pd.DataFrame, min_group_size: int) -> ProgrammeModel | None:
    """``long``: one row per matched person per time (columns cohort, participant, programme,
    time, score; programme "" where not recorded). None when fewer than two programmes."""
    return None


def programme_findings(
    result: ProgrammeModel | None, info: DomainInfo, min_group_size: int
) -> list[Finding]:
    """The plain-English findings of ``result`` (none when it is None or not computed)."""
    return []
