"""Kirkpatrick level 2: learning, one block of tables, tests and charts per domain."""

from __future__ import annotations

from imheval.reports.context import LEVEL_TITLES, ReportContext
from imheval.reports.model import Block, Callout, Paragraph, Section
from imheval.reports.sections.level_blocks import level_blocks


def learning_section(context: ReportContext) -> Section:
    """Level 2: every learning domain, before and after training."""
    domains = context.domains_at_level(2)
    title = LEVEL_TITLES[2]
    if not domains:
        return Section(
            "level-2",
            title,
            2,
            (
                Callout("info", "Not measured: no domain of the questionnaire measures learning."),
                Paragraph(
                    "What would measure it: knowledge, risk identification and self-efficacy "
                    "questions asked before and after training, with a personal code so each "
                    "person's answers can be matched."
                ),
            ),
        )
    blocks: list[Block] = [
        Paragraph(
            "Learning was measured by asking the same questions before and after training. For "
            "each domain: Table 1 of cohort means (as in the published evaluation this tool "
            "follows), the tests at cohort level "
            "and at participant level with effect sizes, the results by programme, directorate "
            "and profession, and charts."
        )
    ]
    blocks.extend(level_blocks(context, 2))
    return Section("level-2", title, 2, tuple(blocks))
