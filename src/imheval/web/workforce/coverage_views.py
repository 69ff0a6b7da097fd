"""The organisation's coverage page (/o/<org>/workforce/coverage/): the heat map of its teams by
level against their targets, the gaps and the cohorts that would close them, the births check,
the notes, and the downloads (the tables as CSV or XLSX, the coverage report as HTML, PDF or
Word, written by a worker).

Every figure comes from the core (:func:`imheval.workforce.coverage`, reached through
``adapter``) and every cell's wording from the coverage report
(:mod:`imheval.reports.coverage`), so the page, the downloads and the report agree. The page
shows an organisation's small teams in full (decision 0017): a team's figure is its compliance
with a training requirement, from staff training records, never from anonymous answers.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from imheval.errors import CoverageError, Problem
from imheval.findings.wording import plural
from imheval.reports.coverage import (
    HEATMAP_CATEGORIES,
    coverage_table,
    heatmap_spec,
    long_date,
    percent_text,
    share_cell,
)
from imheval.reports.model import Number, Table
from imheval.web.organisations.access import POST, Access
from imheval.web.workforce.access import organisation_page
from imheval.web.workforce.adapter import organisation_coverage
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.tasks import REPORT_FORMATS, REPORT_LABELS, start_coverage_report
from imheval.workforce import BirthsCheck, CoverageResult, CoverageRow, LevelNeed, Status
from imheval.workforce.coverage import FLAG_WORDS, STATUS_WORDS

#: The earliest and latest years an as-of date may have (the core subtracts refresh intervals
#: from it; a year 1 would fall off the calendar).
FIRST_YEAR = 2000
LAST_YEAR = 2100

#: How many of the largest gaps the page's first paragraph names.
GAPS_NAMED = 3

#: The CSS class of each heat map category (workforce/coverage.css colours them).
CATEGORY_CLASSES = {
    category.key: f"imheval-heat--{category.key}" for category in HEATMAP_CATEGORIES
}


def url(name: str, organisation: Any, **kwargs: Any) -> str | None:
    """The address of a workforce page, or None while that page does not exist."""
    try:
        return reverse(f"workforce:{name}", kwargs={"org": organisation.slug, **kwargs})
    except NoReverseMatch:
        return None


def today() -> datetime.date:
    return timezone.localdate()


def read_as_of(request: HttpRequest) -> tuple[datetime.date, str]:
    """The ``as_of`` date asked for (default today), and an error message when it is not a
    date of ``FIRST_YEAR`` to ``LAST_YEAR`` written as 2027-03-31 (then today is used)."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return today(), ""
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        return today(), (
            f"Enter the date as year, month and day, for example 2027-03-31, between "
            f"{FIRST_YEAR} and {LAST_YEAR}. Coverage is shown for today instead."
        )
    return day, ""


@dataclass(frozen=True)
class Computed:
    """Coverage for a page, or the problems that stopped it (each located)."""

    result: CoverageResult | None
    problems: tuple[Problem, ...] = ()


def compute(organisation: Any, as_of: datetime.date) -> Computed:
    """The organisation's coverage on ``as_of``, or why it cannot be counted."""
    try:
        return Computed(organisation_coverage(organisation, as_of))
    except CoverageError as error:
        return Computed(None, error.problems)


# ---------------------------------------------------------------------------- wording


def status_summary(rows: tuple[CoverageRow, ...] | list[CoverageRow]) -> str:
    """'34 of 40 team targets met, 4 on trajectory, 2 behind' (rows to check said apart)."""
    measured = [row for row in rows if row.percent is not None]
    if not measured:
        return ""
    met = sum(1 for row in measured if row.status is Status.MET)
    others = [
        f"{n} {STATUS_WORDS[status]}"
        for status in (Status.ON_TRAJECTORY, Status.BEHIND)
        if (n := sum(1 for row in measured if row.status is status))
    ]
    text = f"{met} of {len(measured)} team target{plural(len(measured))} met"
    if others:
        text += ", " + ", ".join(others)
    unmeasured = len(rows) - len(measured)
    if unmeasured:
        text += f"; {unmeasured} to check"
    return text


def gap_sentence(row: CoverageRow, cohort_size: int) -> str:
    """'The target is 90% of Health visitor staff in Health visiting at Skilled by 31 March
    2027; 61.1% are trained now (55 of 90): 26 people short, about 3 more cohorts of 12.'"""
    cohorts = math.ceil(row.gap_people / cohort_size)
    people = "person" if row.gap_people == 1 else "people"
    target = format(row.target_percent.normalize(), "f")
    return (
        f"The target is {target}% of {row.profession} staff in {row.service} at {row.level} by "
        f"{long_date(row.by_date)}; {share_cell(row)} are trained "
        f"now ({row.trained:,} of {row.headcount:,}): {row.gap_people:,} {people} "
        f"short, about {cohorts} more cohort{plural(cohorts)} of {cohort_size}."
    )


def births_sentence(check: BirthsCheck) -> str:
    """Seed 004's rule of thumb for one organisation, with its specialist capacity."""
    count = len(check.specialist_services)
    where = (
        f", in {count} service{plural(count)} ({', '.join(check.specialist_services)})"
        if count
        else ", in no service"
    )
    people = "person" if check.specialist_people == 1 else "people"
    capacity = f"{check.specialist_people:,} {people} trained to {check.specialist_level}{where}"
    births = f"{check.births_per_year:,} births a year"
    if not check.rule_applies:
        return (
            f"{births}: the rule of thumb for more than 3,000 births (specialist practitioners "
            f"in several services) does not apply. Specialist capacity: {capacity}."
        )
    verdict = "met" if check.meets_rule else "not yet met"
    return (
        f"{births}: with more than 3,000 births, specialist practitioners are expected in "
        f"several services (at least 2). Specialist capacity: {capacity}. The rule is {verdict}."
    )


# ---------------------------------------------------------------------------- the heat map


def heat_map(rows: list[CoverageRow], levels: tuple[str, ...]) -> dict[str, Any]:
    """The heat map as the template lays it out: a row per team, a cell per level with its
    words and the CSS class of its category (the report's :func:`heatmap_spec`)."""
    spec = heatmap_spec(rows, levels, title="Coverage heat map")
    return {
        "levels": list(spec.columns),
        "rows": [
            {
                "label": label.replace(",\n", ", "),
                "cells": [
                    {"lines": text.split("\n") if text else [], "css": CATEGORY_CLASSES[key]}
                    for text, key in cells
                ],
            }
            for label, cells in zip(spec.rows, spec.cells, strict=True)
        ],
        "legend": [
            {"label": category.label, "css": CATEGORY_CLASSES[category.key]}
            for category in HEATMAP_CATEGORIES
        ],
    }


def heat_map_rows_html(heat: dict[str, Any]) -> SafeString:
    """The heat map's body rows as HTML. Built here rather than in the template: a large
    organisation has hundreds of teams, and Django's template engine takes ten times as long
    to lay out the same cells. Every text is escaped."""
    rows = []
    for row in heat["rows"]:
        cells = "".join(
            f'<td class="nhsuk-table__cell {cell["css"]}">'
            + (
                "".join(
                    f'<span class="imheval-heat__line">{escape(line)}</span>'
                    for line in cell["lines"]
                )
                or '<span class="nhsuk-u-visually-hidden">No requirement</span>'
            )
            + "</td>"
            for cell in row["cells"]
        )
        rows.append(
            f'<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f"{escape(row['label'])}</th>{cells}</tr>"
        )
    return mark_safe("\n".join(rows))  # every text in it is escaped


CELL = "nhsuk-table__cell"
NUMERIC_CELL = "nhsuk-table__cell nhsuk-table__cell--numeric"


def table_rows_html(table: Table) -> SafeString:
    """A report table's body rows as HTML (see :func:`heat_map_rows_html`): the first cell
    labels the row; a :class:`~imheval.reports.model.Number` cell is right-aligned."""
    rows = []
    for row in table.rows:
        cells = "".join(
            f'<td class="{NUMERIC_CELL if isinstance(cell, Number) else CELL}">{escape(cell)}</td>'
            for cell in row[1:]
        )
        rows.append(
            f'<tr class="nhsuk-table__row"><th class="nhsuk-table__header" scope="row">'
            f"{escape(row[0])}</th>{cells}</tr>"
        )
    return mark_safe("\n".join(rows))  # every text in it is escaped


def levels_of(result: CoverageResult) -> tuple[str, ...]:
    """The ladder's levels some row requires, lowest first."""
    present = {row.level for row in result.rows}
    return tuple(level for level in result.ladder.levels if level in present)


# ---------------------------------------------------------------------------- tables


COVERAGE_HEADER = (
    "Service",
    "Profession",
    "Level",
    "Headcount",
    "Trained",
    "Percent trained",
    "Target percent",
    "Target date",
    "Gap (people)",
    "Status",
    "Check",
)

NEEDS_HEADER = (
    "Level",
    "People still to train",
    "Cohort size",
    "Cohorts to close the gap",
    "Turnover a year (%)",
    "Trained leavers a year",
    "Cohorts a year to hold the target",
)


def coverage_rows(result: CoverageResult) -> list[tuple[object, ...]]:
    """The rows of the coverage download: every figure unrounded (the percent as computed)."""
    return [
        (
            row.service,
            row.profession,
            row.level,
            row.headcount,
            row.trained,
            row.percent,
            row.target_percent,
            row.by_date,
            row.gap_people,
            "check the data" if row.percent is None else STATUS_WORDS[row.status],
            "; ".join(FLAG_WORDS[flag] for flag in row.flags),
        )
        for row in result.rows
    ]


def needs_rows(needs: tuple[LevelNeed, ...]) -> list[tuple[object, ...]]:
    return [
        (
            need.level,
            need.gap_people,
            need.cohort_size,
            need.cohorts_to_close_gap,
            need.turnover * 100,
            need.leavers_per_year,
            need.cohorts_per_year,
        )
        for need in needs
    ]


# ---------------------------------------------------------------------------- views


@organisation_page()
def coverage(request: HttpRequest, access: Access) -> HttpResponse:
    """The heat map, gaps, births check and notes on ``?as_of=`` (default today)."""
    organisation = access.organisation
    as_of, date_error = read_as_of(request)
    computed = compute(organisation, as_of)
    context: dict[str, Any] = {
        "as_of": as_of,
        "as_of_value": as_of.isoformat(),
        "date_error": date_error,
        "problems": computed.problems,
        "crumbs": [("Workforce", url("home", organisation))],
        "links": {
            name: url(name, organisation)
            for name in (
                "coverage_trend",
                "outcomes",
                "establishment",
                "requirements",
                "births",
                "settings",
            )
        },
        "report_formats": [(kind, REPORT_LABELS[kind]) for kind in REPORT_FORMATS],
        "query": f"?as_of={as_of.isoformat()}"
        if request.GET.get("as_of") and not date_error
        else "",
    }
    result = computed.result
    if result is not None:
        rows = list(result.rows)
        cohort_size = result.needs[0].cohort_size if result.needs else 12
        gaps = sorted(
            (row for row in rows if row.gap_people and row.percent is not None),
            key=lambda row: -row.gap_people,
        )[:GAPS_NAMED]
        heat = heat_map(rows, levels_of(result)) if rows else None
        table = coverage_table(rows, organisation.name)
        context.update(
            result=result,
            summary=status_summary(rows),
            gap_sentences=[gap_sentence(row, cohort_size) for row in gaps],
            heat_map=heat,
            heat_map_rows=heat_map_rows_html(heat) if heat else "",
            table=table,
            table_header=[
                {
                    "text": text,
                    "numeric": index > 0 and any(isinstance(row[index], Number) for row in rows_),
                }
                for index, text in enumerate(table.header)
                for rows_ in [table.rows]
            ],
            table_rows=table_rows_html(table),
            needs=[need for need in result.needs if need.gap_people or need.leavers_per_year],
            turnover=any(need.turnover for need in result.needs),
            births=[births_sentence(check) for check in result.births],
            level_lines=level_lines(result),
        )
    return render(request, "workforce/coverage.html", context)


def level_lines(result: CoverageResult) -> list[dict[str, Any]]:
    """Per level (ladder order): staff who need it, trained, the share, over measured rows."""
    lines = []
    for level in levels_of(result):
        rows = [row for row in result.rows if row.level == level and row.percent is not None]
        headcount = sum(row.headcount for row in rows)
        trained = sum(row.trained for row in rows)
        lines.append(
            {
                "level": level,
                "headcount": headcount,
                "trained": trained,
                "share": percent_text(100 * trained / headcount) if headcount else "",
                "gap": sum(row.gap_people for row in rows),
                "summary": status_summary(rows),
            }
        )
    return lines


def _result_or_404(access: Access, request: HttpRequest) -> CoverageResult:
    as_of, _ = read_as_of(request)
    computed = compute(access.organisation, as_of)
    if computed.result is None:
        raise Http404(
            "Coverage cannot be counted until the problems on the coverage page are put right"
        )
    return computed.result


def _file_name(access: Access, what: str, as_of: datetime.date) -> str:
    return f"{what} {access.organisation.slug} {as_of.isoformat()}"


@organisation_page()
def coverage_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """The coverage table as CSV or XLSX (on ``?as_of=``)."""
    result = _result_or_404(access, request)
    return table_response(
        _file_name(access, "coverage", result.as_of),
        COVERAGE_HEADER,
        coverage_rows(result),
        file_format,
    )


@organisation_page()
def needs_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """What closing the gaps takes, per level, as CSV or XLSX (on ``?as_of=``)."""
    result = _result_or_404(access, request)
    return table_response(
        _file_name(access, "coverage needs", result.as_of),
        NEEDS_HEADER,
        needs_rows(result.needs),
        file_format,
    )


@organisation_page(methods=POST)
def coverage_report(request: HttpRequest, access: Access) -> HttpResponse:
    """Start writing the coverage report (``format``: html, pdf or docx; ``as_of``) and show
    the job's progress page, which ends with the file."""
    kind = request.POST.get("format", "")
    if kind not in REPORT_FORMATS:
        raise Http404("No such report format")
    raw = request.POST.get("as_of", "")
    try:
        as_of = datetime.date.fromisoformat(raw) if raw else today()
    except ValueError:
        as_of = today()
    if not FIRST_YEAR <= as_of.year <= LAST_YEAR:
        as_of = today()
    back = url("coverage", access.organisation) or "/"
    job = start_coverage_report(access.organisation, as_of, kind, request.user, back_url=back)
    return redirect(reverse("jobs:job", args=[access.organisation.slug, job.pk]))
