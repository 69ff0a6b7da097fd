"""A Kirkpatrick level's domains, grouped under Barr's sub-levels: what the level sections
(learning, behaviour) share. A domain asked once is described
(:mod:`~imheval.reports.sections.single_time_blocks`), any other analysed before and after
(:func:`~imheval.reports.sections.domain.domain_blocks`)."""

from __future__ import annotations

from imheval.reports.context import BARR_TITLES, NOT_TAGGED_TITLE, ReportContext
from imheval.reports.model import Block, Callout, Heading
from imheval.reports.sections.domain import domain_blocks
from imheval.reports.sections.single_time_blocks import single_time_blocks


def level_blocks(context: ReportContext, level: int) -> list[Block]:
    """The domains at ``level``, under their Barr sub-level when any is tagged (a heading per
    sub-level, untagged domains last), each described if asked once or analysed before and
    after; first, which sub-levels of a measured level were not measured."""
    blocks: list[Block] = []
    # First, so that it stands at the top of the level rather than under its last domain.
    missing = context.not_measured_at(level)
    if missing:
        blocks.append(Callout("info", missing))
    for tag, domains in context.barr_groups(level):
        if tag is not None or len(context.barr_groups(level)) > 1:
            blocks.append(Heading(BARR_TITLES[tag] if tag is not None else NOT_TAGGED_TITLE))
        for domain in domains:
            blocks.extend(single_time_blocks(context, domain) or domain_blocks(context, domain))
    return blocks
