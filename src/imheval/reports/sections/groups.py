"""The results of each programme (or each cohort) gathered in one table, for a page laid out by
group.

The report itself is laid out by Kirkpatrick level and domain: a programme's figures sit in
every domain's "by programme" table, a cohort's in every domain's Table 1. A reader who wants one
programme's results (the web page's "Results by programme") gets them here as one table per
group, a row per domain. The rows are those very rows, hidden by the same rule on the same
table (:func:`~imheval.reports.context.protect_report_rows`, then the cells of
:mod:`~imheval.reports.sections.domain`), so the table publishes nothing those tables do not;
a domain whose tables are not published (too few matched people) is left out. This is not a
section of the printed report.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from imheval.evaluation import DomainEvaluation, MeanRow
from imheval.reports.context import ReportContext, protect_report_rows
from imheval.reports.model import Table
from imheval.reports.sections.domain import mean_cells, row_count

GroupKind = Literal["programme", "cohort"]

#: The Kirkpatrick levels whose domains :func:`~imheval.reports.sections.domain.domain_blocks`
#: reports with Table 1 and the breakdowns (level 1 is post-training only).
PRE_POST_LEVELS = frozenset({2, 3, 4})


def group_tables(context: ReportContext, kind: GroupKind) -> dict[str, Table]:
    """Each programme's (``kind="programme"``) or cohort's (``"cohort"``) table: for every
    reported pre/post domain its matched people, means before and after and the difference.

    Keyed by the group's name as the evaluation has it (a cohort's label, a programme's name);
    a group with no row in any published table has no table. Raises nothing.
    """
    rows: dict[str, list[tuple[str, ...]]] = {}
    hidden: set[str] = set()
    for domain in context.evaluation.domains:
        if domain.domain.kirkpatrick_level not in PRE_POST_LEVELS:
            continue
        if domain.n_pairs == 0 or context.small(domain.n_pairs):
            continue  # the report shows a note for it, not its tables
        for row in _published_rows(context, domain, kind):
            if not row.label:
                continue  # "Not recorded" is no programme
            cells = (domain.domain.label, row_count(context, row), *mean_cells(row, context))
            rows.setdefault(row.label, []).append(cells)
            if row.suppressed or row.n < context.min_group_size:
                hidden.add(row.label)
    noun = "programme" if kind == "programme" else "cohort"
    where = "each part's table by programme" if kind == "programme" else "each part's Table 1"
    return {
        label: Table(
            caption=f"{label}: mean scores before and after training, by part of the questionnaire",
            header=("Part of the questionnaire", "n", "Before (%)", "After (%)", "Difference (pp)"),
            rows=tuple(found),
            notes=(
                f"n is the number of people in the {noun} matched before and after training. "
                f"The same figures are in {where}, under the Kirkpatrick levels.",
            ),
            suppressed_note=context.suppressed_note if label in hidden else None,
        )
        for label, found in rows.items()
    }


def _published_rows(
    context: ReportContext, domain: DomainEvaluation, kind: GroupKind
) -> Iterable[MeanRow]:
    """The domain's rows for ``kind`` as its report table hides them."""
    if kind == "cohort":
        return protect_report_rows(context, domain.table1)
    for breakdown in domain.breakdowns:
        if breakdown.grouping == "programme" and breakdown.rows:
            return protect_report_rows(context, breakdown.rows, breakdown.not_recorded)
    return []
