"""Kirkpatrick level 4: results, when the evaluation has a level-4 domain."""

from __future__ import annotations

from imheval.reports.context import LEVEL_TITLES, ReportContext
from imheval.reports.model import Block, Callout, Paragraph, Section
from imheval.reports.sections.domain import domain_blocks


def results_section(context: ReportContext) -> Section:
    """Level 4: service outcomes; imheval has none yet, so it says what would measure them."""
    title = LEVEL_TITLES[4]
    domains = context.domains_at_level(4)
    if domains:
        blocks: list[Block] = []
        for domain in domains:
            blocks.extend(domain_blocks(context, domain))
        return Section("level-4", title, 4, tuple(blocks))
    return Section(
        "level-4",
        title,
        4,
        (
            Callout("info", "Not measured: no service outcomes were collected."),
            Paragraph(
                "What would measure it: service outcomes before and after the workforce was "
                "trained, such as the number and appropriateness of referrals to perinatal and "
                "infant mental health services, and an audit of case records for signs that "
                "infant mental health was assessed and acted on."
            ),
        ),
    )
