"""The focus-group section: how the themes were found and checked, Table 3, quotes by sub-theme
and the joint display (quotes beside the questionnaire's findings).

It presents a :class:`~imheval.qualitative.outputs_section.QualitativeSection` (built by
:func:`~imheval.qualitative.outputs_section.qualitative_section` from a project, or by the web
app from its rows): plain English first, figures beside. The evaluation report gains one such
section per study through ``build_report(..., qualitative=...)``; the network group report
through ``group_report(..., focus_groups=...)``; any other report through
:func:`with_qualitative`.

Nothing in it identifies a person: speakers appear by their pseudonymous labels (or role and
group, a role held by one speaker of the group shown as "Participant"); reviewers and coders
are staff and are named. Counts of speakers supporting a theme are not broken down by any
attribute here, so they need no suppression (a breakdown by profession goes through
:func:`imheval.qualitative.outputs.speakers_by_attribute`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from imheval.findings.wording import join_and, plural
from imheval.qualitative.model import Level
from imheval.qualitative.outputs import LinkableFinding, Quote, keyed_findings, table3_labels
from imheval.qualitative.outputs_section import Approach, QualitativeSection
from imheval.reports.model import (
    Block,
    Callout,
    Findings,
    Heading,
    Number,
    Paragraph,
    Quotation,
    Report,
    Section,
    Table,
)
from imheval.reports.wording import DASH, HIDDEN

if TYPE_CHECKING:
    from imheval.evaluation import Evaluation

#: Table 3's columns.
TABLE3_HEADER = ("Theme or sub-theme", "Definition", "Sources", "Speakers", "Codings")
#: The agreement table's columns.
AGREEMENT_HEADER = ("Code", "Units", "Percent agreement", "Cohen's kappa", "Krippendorff's alpha")

_DECISIONS = {"accept": "accepted", "comment": "commented on", "propose": "proposed a change to"}
_CHANGES = {"renamed": "Renamed", "moved": "Moved", "defined": "Definition changed"}


def linkable_findings(evaluation: Evaluation) -> tuple[LinkableFinding, ...]:
    """The evaluation's findings a quote can be linked to, each with its key
    (:func:`imheval.qualitative.outputs.finding_key`): for each domain in report order, its
    headline and then its findings. The web app's linking page lists these."""
    findings = []
    topics: dict[str, str] = {}
    for domain in evaluation.domains:
        topics[domain.domain.id] = domain.domain.label
        if domain.headline is not None:
            findings.append(domain.headline)
        findings.extend(domain.findings)
    return keyed_findings(findings, topics)


def qualitative_report_section(data: QualitativeSection, *, section_id: str = "") -> Section:
    """The report section for one study (see the module docstring)."""
    blocks: list[Block] = [Paragraph(_summary(data))]
    blocks += _method(data)
    blocks += _table3(data)
    blocks += _breakdown(data)
    blocks += _quotes(data)
    blocks += _joint(data)
    return Section(
        id=section_id or "focus-group",
        title=f"Focus group: {data.study}",
        kirkpatrick_level=None,
        blocks=tuple(blocks),
    )


def qualitative_sections(studies: Sequence[QualitativeSection]) -> tuple[Section, ...]:
    """One section per study, with ids ``focus-group``, ``focus-group-2`` ... in order."""
    return tuple(
        qualitative_report_section(
            study, section_id="focus-group" if index == 1 else f"focus-group-{index}"
        )
        for index, study in enumerate(studies, start=1)
    )


def with_qualitative(
    report: Report, studies: Sequence[QualitativeSection], *, before: str = "methods"
) -> Report:
    """A copy of ``report`` with a section per study, placed before the section ``before``
    (at the end when the report has no such section)."""
    ids = [section.id for section in report.sections]
    at = ids.index(before) if before in ids else len(ids)
    sections = (*report.sections[:at], *qualitative_sections(studies), *report.sections[at:])
    return replace(report, sections=sections)


# -- parts --------------------------------------------------------------------------------------


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{plural(n)}"


def _summary(data: QualitativeSection) -> str:
    themes = sum(1 for row in data.table3 if row.level is Level.THEME)
    subthemes = sum(1 for row in data.table3 if row.level is Level.SUBTHEME)
    sources = _count(data.sources, "transcript or set of answers")
    if data.sources != 1:
        sources = f"{data.sources:,} transcripts or sets of answers"
    return (
        f"{data.study} ({data.scope}) was analysed thematically: {sources} with "
        f"{_count(data.speakers, 'speaker')}. The analysis found {_count(themes, 'theme')} "
        f"and {_count(subthemes, 'sub-theme')}."
    )


def _method(data: QualitativeSection) -> list[Block]:
    blocks: list[Block] = [Heading("How the themes were found and checked")]
    if data.approach is Approach.REFLEXIVE:
        blocks.append(
            Paragraph(
                "Reflexive thematic analysis, following Braun and Clarke's six phases. "
                "A second reviewer read each theme, its definition and its supporting quotes, "
                "and accepted it, commented on it or proposed a change."
            )
        )
    else:
        coders = f" ({join_and(data.coders)})" if data.coders else ""
        blocks.append(
            Paragraph(
                f"Codebook thematic analysis. {_count(len(data.coders) or 2, 'coder')}{coders} "
                "coded the same sources without seeing each other's coding, and their "
                "agreement was measured for each code."
                + (
                    f" The themes, counts and quotes below are {data.reported_coder}'s coding."
                    if data.reported_coder
                    else ""
                )
            )
        )
    if data.phases:
        blocks.append(
            Table(
                caption="The phases of the analysis",
                header=("Phase", "Date", "Notes"),
                rows=tuple(
                    (entry.name, f"{entry.date.day} {entry.date:%B %Y}", entry.memo or DASH)
                    for entry in data.phases
                ),
            )
        )
    if data.reflexivity:
        blocks += [Heading("Reflexivity", 2), Paragraph(data.reflexivity)]
    if data.approach is Approach.REFLEXIVE:
        blocks += _review(data)
    else:
        blocks += _agreement(data)
    if data.changes:
        blocks.append(
            Table(
                caption="Changes to the codebook, from its history",
                header=("Change", "Before", "After"),
                rows=tuple(
                    (_CHANGES.get(c.kind, c.kind.capitalize()), c.before or DASH, c.after or DASH)
                    for c in data.changes
                ),
            )
        )
    return blocks


def _review(data: QualitativeSection) -> list[Block]:
    blocks: list[Block] = [Heading("Second review", 2)]
    if not data.reviews:
        blocks.append(Callout("info", "No second review has been recorded for these themes."))
        return blocks
    reviewers = sorted({review.reviewer for review in data.reviews})
    themes = {review.theme for review in data.reviews}
    decisions = Counter(review.decision for review in data.reviews)
    said = [
        f"{_DECISIONS[decision]} {decisions[decision]:,}"
        for decision in _DECISIONS
        if decisions[decision]
    ]
    blocks.append(
        Paragraph(
            f"{join_and(reviewers)} reviewed {len(themes):,} "
            + ("theme or sub-theme" if len(themes) == 1 else "themes or sub-themes")
            + (f": {join_and(said)}." if said else ".")
        )
    )
    blocks.append(
        Table(
            caption="The second reviewer's decisions",
            header=("Theme or sub-theme", "Reviewer", "Decision", "Comment", "Response"),
            rows=tuple(
                (
                    review.theme,
                    review.reviewer,
                    review.decision.capitalize(),
                    review.comment or DASH,
                    review.response or DASH,
                )
                for review in data.reviews
            ),
        )
    )
    return blocks


def _figure(value: float | None) -> Number:
    return DASH if value is None else Number(f"{value:.2f}")


def _agreement(data: QualitativeSection) -> list[Block]:
    blocks: list[Block] = [Heading("Agreement between coders", 2)]
    if not data.agreement:
        blocks.append(Callout("info", "No agreement figures have been computed yet."))
        return blocks
    unit = "each speaker turn" if data.agreement_unit == "turn" else "each character of the text"
    blocks.append(
        Paragraph(
            f"Agreement was measured on {unit}, coded or not coded by each coder, pooled over "
            "all sources. Percent agreement is the share of units on which the coders agreed; "
            "Cohen's kappa (two coders) and Krippendorff's alpha correct it for chance: 1 is "
            "perfect agreement, 0 what chance alone would give."
        )
    )
    notes = tuple(f"{row.code}: {row.reason}" for row in data.agreement if row.reason)
    blocks.append(
        Table(
            caption=f"Agreement between coders, per code ({data.agreement_unit} as the unit)",
            header=AGREEMENT_HEADER,
            rows=tuple(
                (
                    row.code,
                    Number(f"{row.units:,}"),
                    DASH
                    if row.percent_agreement is None
                    else Number(f"{row.percent_agreement:.0%}"),
                    _figure(row.cohen_kappa),
                    _figure(row.krippendorff_alpha),
                )
                for row in data.agreement
            ),
            notes=(*notes, "A dash: the figure is not defined, for the reason given.")
            if notes
            else (),
        )
    )
    return blocks


def _table3(data: QualitativeSection) -> list[Block]:
    if not data.table3:
        return [Callout("info", "The codebook has no themes yet.")]
    rows: list[tuple[str, ...]] = []
    for row, label in zip(data.table3, table3_labels(data.table3), strict=True):
        rows.append(
            (
                label,
                row.definition or DASH,
                Number(f"{row.source_count:,}"),
                Number(f"{row.speaker_count:,}"),
                Number(f"{row.codings:,}"),
            )
        )
    return [
        Heading("Themes and sub-themes"),
        Table(
            caption="Table 3. Themes and sub-themes, with the sources and speakers that "
            "support each",
            header=TABLE3_HEADER,
            rows=tuple(rows),
            notes=(
                "A speaker supports a theme when one of their turns contains a passage coded "
                "with it or with a sub-theme or code beneath it; the facilitator is not counted. "
                "Codings counts every coded passage, by every coder.",
            ),
        ),
    ]


def _breakdown(data: QualitativeSection) -> list[Block]:
    breakdown = data.breakdown
    if breakdown is None or not breakdown.rows:
        return []
    labels = {
        row.guid: label for row, label in zip(data.table3, table3_labels(data.table3), strict=True)
    }
    attribute = breakdown.attribute.strip().lower()
    return [
        Table(
            caption=f"Speakers supporting each theme and sub-theme, by {attribute}",
            header=("Theme or sub-theme", *breakdown.values, "All speakers"),
            rows=tuple(
                (
                    labels.get(row.guid, row.path),
                    *(HIDDEN if n is None else Number(f"{n:,}") for n in row.counts),
                    HIDDEN if row.total is None else Number(f"{row.total:,}"),
                )
                for row in breakdown.rows
            ),
            suppressed_note=(
                f"To protect small groups, counts of fewer than {breakdown.min_group_size} "
                'speakers read "hidden"; where a hidden count could be worked out from a total, '
                "or hidden ones together would still count fewer than "
                f"{breakdown.min_group_size} speakers, the next smallest is hidden too."
            )
            if breakdown.any_hidden
            else None,
        )
    ]


def _quotation(quote: Quote) -> Quotation:
    return Quotation(quote.text, quote.attribution, quote.exemplar)


def _quotes(data: QualitativeSection) -> list[Block]:
    if not data.quotes:
        return []
    blocks: list[Block] = [Heading("What people said, by sub-theme")]
    labels = {
        row.guid: label for row, label in zip(data.table3, table3_labels(data.table3), strict=True)
    }
    for group in data.quotes:
        blocks.append(Heading(labels.get(group.guid, group.path), 2))
        blocks += [_quotation(quote) for quote in group.quotes]
    return blocks


def _joint(data: QualitativeSection) -> list[Block]:
    if not data.joint.rows:
        return []
    blocks: list[Block] = [
        Heading("The questionnaire's findings and what people said"),
        Paragraph(
            "Each finding from the questionnaires, with the quotes the analyst set beside it."
        ),
    ]
    for row in data.joint.rows:
        if row.topic:
            blocks.append(Heading(row.topic, 2))
        blocks.append(Findings(((row.sentence, row.statistic),)))
        blocks += [_quotation(quote) for quote in row.quotes]
    return blocks
