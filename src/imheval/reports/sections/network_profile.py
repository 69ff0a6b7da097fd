"""The member profile (seed 002's Table 2) as a report part: the group report includes it, and the
group's profile page shows the same :class:`~imheval.reports.model.Table`.

:func:`network_profile_section` gives the whole section; :func:`profile_report_table` only its
table. Both read a :class:`~imheval.network.profile.ProfileTable`, which has already decided
what to hide; this module only words it. Rounding happens here, when presenting.
"""

from __future__ import annotations

from imheval.network.profile import ProfileQuestionSummary, ProfileRow, ProfileTable
from imheval.reports.model import Block, Callout, Number, Paragraph, Section, Table
from imheval.reports.wording import DASH, HIDDEN

__all__ = [
    "HEADER",
    "network_profile_section",
    "profile_lines",
    "profile_report_table",
    "profile_row_cells",
]

#: The table's columns: the first labels the row.
HEADER = ("Question and answer", "People (n)", "Share (%)", "Mean (range)")


def network_profile_section(
    table: ProfileTable, *, section_id: str = "network-profile", title: str = "Who the members are"
) -> Section:
    """The profile section: a sentence on where the figures come from, the table, and a warning
    for answers that do not add up."""
    blocks: list[Block] = [
        Paragraph(
            "Members described themselves in a short anonymous questionnaire. Its answers are "
            "never linked to names or to the register. Shares are of the people who answered "
            "each question."
        ),
        profile_report_table(table),
    ]
    if table.flags:
        blocks.append(Callout("warning", " ".join(table.flags)))
    return Section(section_id, title, None, tuple(blocks))


def profile_report_table(table: ProfileTable) -> Table:
    """Table 2's layout: a line per question (with how many answered it), then a line per
    category (n and %), or the mean and range of a number question."""
    rows = tuple(cells for _, cells in profile_lines(table))
    notes = [
        "Shares are of the people who answered the question. Where a question lets people tick "
        "more than one answer, shares are of people and may add up to more than 100%.",
        *table.hidden,
    ]
    return Table(
        caption=_caption(table),
        header=HEADER,
        rows=rows,
        notes=tuple(notes),
        suppressed_note=(
            f'To protect small groups, counts of fewer than {table.min_cell} people read "hidden"; '
            "where a hidden count could be worked out from a total, the next smallest is hidden "
            "too. Zeros are shown: nobody gave that answer."
            if table.any_hidden
            else None
        ),
    )


def profile_lines(table: ProfileTable) -> list[tuple[bool, tuple[str, str, str, str]]]:
    """The table's lines in order, each (is a question's own line, its four cells): the web
    page draws the same lines as the report, with question lines as headings."""
    lines: list[tuple[bool, tuple[str, str, str, str]]] = []
    by_question: dict[str, list[ProfileRow]] = {}
    for row in table.rows:
        by_question.setdefault(row.question_id, []).append(row)
    for summary in table.questions:
        question_rows = by_question.get(summary.question_id, [])
        if summary.kind == "choice":
            lines.append((True, (_question_label(summary), _count(summary.answered), "", "")))
        lines.extend((False, profile_row_cells(row)) for row in question_rows)
    return lines


def profile_row_cells(row: ProfileRow) -> tuple[str, str, str, str]:
    """One row's four cells as the table shows them."""
    if row.kind == "number":
        unit = f" ({row.unit})" if row.unit and row.unit not in row.question.lower() else ""
        return (f"{row.question}{unit}", _count(row.n), "", _mean_range(row))
    percent = DASH if row.percent is None and row.n == 0 else _percent(row.percent)
    label = f"{row.category} (merged)" if row.merged else str(row.category)
    return (label, _count(row.n), percent, "")


def _caption(table: ProfileTable) -> str:
    people = "fewer than " + str(table.min_cell) if table.n is None else f"{table.n:,}"
    return f"Who the members are ({people} people answered)"


def _question_label(summary: ProfileQuestionSummary) -> str:
    if summary.multiple:
        return f"{summary.question} (tick all that apply)"
    return summary.question


def _count(n: int | None) -> Number:
    return HIDDEN if n is None else Number(f"{n:,}")


def _percent(value: float | None) -> Number:
    return HIDDEN if value is None else Number(f"{value:.0f}%")


def _mean_range(row: ProfileRow) -> Number:
    if row.mean is None:
        return HIDDEN if row.hidden else DASH
    mean = f"{row.mean:.2f}"
    if row.minimum is None or row.maximum is None:
        return Number(f"{mean} (range hidden)" if row.range_hidden else mean)
    return Number(f"{mean} ({row.minimum:g} to {row.maximum:g})")
