"""A domain asked at one timepoint only (e.g. practice at follow-up): described, not tested.

The figures are :class:`imheval.evaluation.single_time.SingleTimepoint` (small groups already
hidden by the evaluation's minimum group size); the report hides again at its own, which can be
larger. Blocks: the findings, the totals by programme and cohort, each item's answers (an
item's mean reads "hidden" when any of its answer counts is hidden, since the mean and the
number answering would let the hidden counts be solved).
"""

from __future__ import annotations

from imheval.evaluation import DomainEvaluation
from imheval.evaluation.single_time import SingleTimepoint
from imheval.reports.context import ReportContext
from imheval.reports.model import Block, Callout, Findings, Heading, Number, Paragraph, Table
from imheval.reports.sections.retrospective_blocks import retrospective_blocks
from imheval.reports.sections.summary import finding_pairs
from imheval.reports.wording import HIDDEN, optional_number, percent_text


def single_time_blocks(context: ReportContext, domain: DomainEvaluation) -> list[Block]:
    """The blocks of one domain asked once; [] when it was asked at more than one timepoint."""
    single = context.evaluation.single(domain.domain.id)
    if single is None:
        return []
    blocks: list[Block] = [Heading(single.label)]
    if not single.computed or context.small(single.n):
        reason = single.reason or f"fewer than {context.min_group_size} people answered"
        blocks.append(Callout("info", f"{single.label} (asked once, {single.when}): {reason}."))
        return [*blocks, *retrospective_blocks(context, domain)]
    blocks.append(Findings(finding_pairs(domain.findings)))
    blocks.append(
        Paragraph(
            f"Asked once, {single.when}, so there is no before and after to compare: the figures "
            "describe what people reported then. Self-reported practice is not observed "
            "practice (Barr's level 3b), and people who answer a follow-up may not be typical "
            "of everyone trained (see Who took part)."
            if domain.domain.kirkpatrick_level == 3
            else f"Asked once, {single.when}, so the figures describe answers then."
        )
    )
    groups = _groups_table(context, single)
    if groups is not None:
        blocks.append(groups)
    items = _items_table(context, single)
    if items is not None:
        blocks.append(items)
    # questions asked "thinking back" and "now" on the post-test form: a change after all
    blocks.extend(retrospective_blocks(context, domain))
    return blocks


def _groups_table(context: ReportContext, single: SingleTimepoint) -> Table | None:
    if not single.groups:
        return None
    rows: list[tuple[str, ...]] = []
    hidden = False
    # Hidden groups' counts are not kept, so the nested rule cannot be run again at a larger
    # report size: a group small only at the report's size hides every group instead.
    hide_all = any(group.n is not None and context.small(group.n) for group in single.groups)
    for group in single.groups:
        small = hide_all or group.n is None or context.small(group.n)
        hidden = hidden or small
        rows.append(
            (
                "Programme" if group.grouping == "programme" else "Cohort",
                group.group,
                HIDDEN if small else Number(f"{group.n:,}"),
                HIDDEN if small else optional_number(group.mean),
                HIDDEN if small else optional_number(group.sd),
            )
        )
    rows.append(
        (
            "All",
            "",
            Number(f"{single.n:,}"),
            optional_number(single.mean),
            optional_number(single.sd),
        )
    )
    return Table(
        caption=f"{single.label}: total by programme and by cohort",
        header=("Grouping", "Group", "People", "Mean", "SD"),
        rows=tuple(rows),
        notes=(
            f"Totals run from {single.min_total:g} to {single.max_total:g}."
            if single.min_total is not None and single.max_total is not None
            else "Totals as given in the file.",
        ),
        suppressed_note=context.suppressed_note if hidden else None,
    )


def _items_table(context: ReportContext, single: SingleTimepoint) -> Table | None:
    if not single.items:
        return None
    first = single.items[0]
    scale = [(value, label) for value, label, _ in first.answers]
    # One column per answer only when every question has the same answers to give.
    by_answer = all([(v, lab) for v, lab, _ in item.answers] == scale for item in single.items)
    header = (
        "Question",
        "People",
        "Mean",
        *((f"{value} {label}".strip() for value, label in scale) if by_answer else ()),
        "Share " + first.at_least_label.split(" (")[0],
    )
    rows: list[tuple[str, ...]] = []
    hidden = False
    for item in single.items:
        cells = [
            HIDDEN if count is None or context.small(count) else Number(f"{count:,}")
            for _, _, count in (item.answers if by_answer else ())
        ]
        # A count hidden only at the report's (larger) size: its mean and share would solve it.
        again = any(count is not None and context.small(count) for _, _, count in item.answers)
        hidden = hidden or again or any(cell == HIDDEN for cell in cells)
        rows.append(
            (
                f"{item.item}: {item.wording}",
                Number(f"{item.n:,}"),
                HIDDEN if again or (item.mean is None and item.n) else optional_number(item.mean),
                *cells,
                percent_text(item.share_at_least)
                if item.share_at_least is not None and not again
                else HIDDEN,
            )
        )
    return Table(
        caption=f"{single.label}: how people answered each question",
        header=header,
        rows=tuple(rows),
        notes=(
            "Counts of people giving each answer; the last column is the share answering "
            f"{first.at_least_label}.",
        ),
        suppressed_note=context.suppressed_note if hidden else None,
    )
