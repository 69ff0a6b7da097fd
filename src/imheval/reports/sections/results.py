"""Kirkpatrick level 4: results. Barr splits it into 4a (organisational practice) and 4b
(benefit to babies and families).

The section shows the evaluation's level-4 questionnaire domains, if any, and the service data
when it is given (:mod:`imheval.services`: counts per service and period before and after
training, :mod:`.services_blocks`). For each of 4a and 4b that nothing measured it says "Not
measured" and what would measure it.
"""

from __future__ import annotations

from dataclasses import replace

from imheval.reports.context import LEVEL_TITLES, ReportContext
from imheval.reports.model import Block, Callout, Paragraph, Report, Section
from imheval.reports.sections.domain import domain_blocks
from imheval.reports.sections.services_blocks import barr_name, service_blocks
from imheval.services.analysis import ServiceSummary

__all__ = ["WOULD_MEASURE", "results_section", "with_service_data"]

#: What would measure each of Barr's level-4 parts, said when nothing did.
WOULD_MEASURE: dict[str, str] = {
    "4a": (
        "service figures per month or quarter before and after the workforce was trained, such "
        "as the share of assessments with an infant relationship section, the number and "
        "appropriateness of referrals to perinatal and infant mental health (parent-infant) "
        "services and waiting times (imheval's service data: docs/service-data.md)"
    ),
    "4b": (
        "figures on babies and families, such as the share of families whose parent-infant "
        "relationship improved by discharge, collected per period before and after training as "
        "service data, or an audit of case records"
    ),
}


def results_section(context: ReportContext, services: ServiceSummary | None = None) -> Section:
    """Level 4: the level-4 domains and the service data, and "Not measured" for each of
    Barr's 4a and 4b that nothing measured."""
    title = LEVEL_TITLES[4]
    blocks: list[Block] = []
    measured: set[str] = set()
    for domain in context.domains_at_level(4):
        blocks.extend(domain_blocks(context, domain))
        level = getattr(domain.domain, "barr_level", None)
        measured.update({level} if level in WOULD_MEASURE else set(WOULD_MEASURE))
    if services is not None and services.series:
        blocks.extend(service_blocks(services))
        measured.update(services.levels())
    missing = [level for level in WOULD_MEASURE if level not in measured]
    if not blocks:
        return Section(
            "level-4",
            title,
            4,
            (
                Callout("info", "Not measured: no service outcomes were collected."),
                *(
                    Paragraph(f"{barr_name(level)}. What would measure it: {WOULD_MEASURE[level]}.")
                    for level in missing
                ),
            ),
        )
    for level in missing:
        blocks.append(
            Callout(
                "info",
                f"{barr_name(level)}: not measured. What would measure it: {WOULD_MEASURE[level]}.",
            )
        )
    return Section("level-4", title, 4, tuple(blocks))


def with_service_data(report: Report, section: Section) -> Report:
    """A copy of ``report`` whose level-4 section is ``section`` (the report is unchanged
    when it has no level-4 section)."""
    return replace(
        report,
        sections=tuple(section if s.id == section.id else s for s in report.sections),
    )
