"""SKELETON (issue 18, helper F): the report blocks of ``DomainExtras.retrospective``."""

from __future__ import annotations

from imheval.evaluation.results import DomainEvaluation
from imheval.reports.context import ReportContext
from imheval.reports.model import Block


def retrospective_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """Nothing yet."""
    return []
