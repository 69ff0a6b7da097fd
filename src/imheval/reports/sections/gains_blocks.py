"""SKELETON (issue 18, helper C): the report blocks of ``DomainExtras.gains``."""

from __future__ import annotations

from imheval.evaluation.results import DomainEvaluation
from imheval.reports.context import ReportContext
from imheval.reports.model import Block


def gain_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Nothing yet."""
    return []
