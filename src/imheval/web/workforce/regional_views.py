"""A region's views of what its organisations share: coverage by organisation and level
against the regional targets, outcomes side by side with the model, their downloads, and the
regional report (HTML, PDF, Word).

Every view goes through :func:`~imheval.web.workforce.region_access.region_page` (a regional
role, or 404) and reads :mod:`imheval.web.workforce.regional` only: aggregates of the sharing
organisations, with the small-group rule applied across the region by the core. The tables on
the page, in the downloads and in the report are made by the same functions
(:mod:`imheval.reports.regional`), so they hide the same cells. The report is written in the
request: a region has no organisation for a background job to belong to, and it takes
several seconds for 12 organisations the first time (its charts), then is kept until its
figures change (docs/coverage.md, "The regional view").
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from imheval.errors import ImhevalError
from imheval.reports import write_report
from imheval.reports.html import render_html
from imheval.reports.model import Number, Report, Table
from imheval.reports.regional import (
    RegionalFacts,
    gaps_table,
    heat_cells,
    model_figures,
    outcome_table,
    regional_report,
    team_table,
)
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.region_access import RegionAccess, region_page
from imheval.web.workforce.regional import (
    KEEP_SECONDS,
    CoverageView,
    OutcomesView,
    coverage_view,
    outcomes_view,
)

#: Report formats: (file extension, content type).
REPORT_FORMATS: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "pdf": (".pdf", "application/pdf"),
    "docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
#: The policy for the HTML report shown in the browser: its own inline CSS and data: images.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)


def _crumbs(access: RegionAccess) -> list[tuple[str, str]]:
    return [
        (access.region.name, reverse("workforce:region", kwargs={"region": access.region.slug}))
    ]


def page_table(table: Table) -> dict[str, Any]:
    """A report table as a page shows it: each header cell and cell with whether it is a
    number (right-aligned)."""
    numeric = [
        any(isinstance(row[i], Number) for row in table.rows) for i in range(len(table.header))
    ]
    return {
        "caption": table.caption,
        "header": list(zip(table.header, numeric, strict=True)),
        "rows": [[(cell, isinstance(cell, Number)) for cell in row] for row in table.rows],
        "notes": table.notes,
        "suppressed_note": table.suppressed_note,
    }


# ------------------------------------------------------------------------------ coverage


def _coverage(access: RegionAccess) -> CoverageView:
    return coverage_view(access.region, timezone.localdate())


@region_page()
def regional_coverage(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """Coverage by organisation and level against the regional targets: a heat map per team
    (organisations by levels, each cell's status in words), its figures, the gaps."""
    data = _coverage(access)
    teams = []
    coverage = data.coverage
    if coverage is not None:
        for team in coverage.teams:
            labels = (*team.organisations, "Region")
            teams.append(
                {
                    "team": team,
                    "heat": [
                        (label, row, index == len(labels) - 1)
                        for index, (label, row) in enumerate(
                            zip(labels, heat_cells(team), strict=True)
                        )
                    ],
                    "table": page_table(team_table(team, coverage.min_size)),
                }
            )
    context = {
        "region": access.region,
        "access": access,
        "data": data,
        "coverage": coverage,
        "teams": teams,
        "gaps": page_table(gaps_table(coverage)) if coverage and coverage.gaps else None,
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/regional_coverage.html", context)


COVERAGE_HEADER = (
    "Service",
    "Profession",
    "Organisation",
    "Level",
    "Headcount",
    "Trained",
    "Share trained (%)",
    "Target (%)",
    "Target date",
    "Gap (people)",
    "Status",
)


def coverage_rows(data: CoverageView) -> list[list[object]]:
    """The coverage page's figures, one row per team, organisation (then the region) and
    level; a hidden figure is the word 'hidden', never its number; shares unrounded."""
    rows: list[list[object]] = []
    coverage = data.coverage
    if coverage is None:
        return rows
    for team in coverage.teams:
        labels = (*team.organisations, "Region")
        for label, cells in zip(labels, (*team.cells, team.totals), strict=True):
            for j, figure in enumerate(cells):
                if figure is None:
                    continue
                target, by_date = team.targets[j]
                hidden = figure.hidden

                def shown(value: object, hidden: bool = hidden) -> object:
                    return "hidden" if hidden else value

                rows.append(
                    [
                        team.service,
                        team.profession,
                        label,
                        team.levels[j],
                        "hidden" if figure.headcount is None else figure.headcount,
                        shown(figure.trained),
                        shown(figure.percent if figure.percent is not None else ""),
                        float(target),
                        by_date.isoformat(),
                        shown(figure.gap_people),
                        "hidden"
                        if figure.hidden
                        else (figure.status.value if figure.status else "check the data"),
                    ]
                )
    return rows


@region_page()
def regional_coverage_download(
    request: HttpRequest, access: RegionAccess, file_format: str
) -> HttpResponse:
    data = _coverage(access)
    name = f"regional coverage {access.region.slug} {data.as_of.isoformat()}"
    return table_response(name, COVERAGE_HEADER, coverage_rows(data), file_format)


# ------------------------------------------------------------------------------ outcomes


@region_page()
def regional_outcomes(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """Each programme the sharing organisations deliver, organisations side by side (matched
    people, change, effect), with the model's plain sentence and figures beside them."""
    data = outcomes_view(access.region)
    groups = [
        {
            "group": group,
            "table": page_table(outcome_table(group)),
            "sentence": group.comparison.plain_sentence() if group.comparison else "",
            "figures": model_figures(group.comparison) if group.comparison else (),
        }
        for group in data.groups
    ]
    context = {
        "region": access.region,
        "access": access,
        "data": data,
        "groups": groups,
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/regional_outcomes.html", context)


OUTCOMES_HEADER = (
    "Programme",
    "Level",
    "Organisation",
    "Cohorts",
    "Matched people",
    "Mean change",
    "SD of change",
    "CI low",
    "CI high",
    "Cohen's d_z",
)


def outcome_rows(data: OutcomesView) -> list[list[object]]:
    rows: list[list[object]] = []
    for group in data.groups:
        for row in (*group.organisations, group.total):
            if row.hidden:
                figures: list[object] = ["hidden"] * 6
            else:
                figures = [
                    row.matched,
                    row.mean_gain,
                    "" if row.sd_gain is None else row.sd_gain,
                    "" if row.ci is None else row.ci.low,
                    "" if row.ci is None else row.ci.high,
                    "" if row.effect_dz is None else row.effect_dz,
                ]
            rows.append([group.programme, group.level, row.organisation, row.cohorts, *figures])
    return rows


@region_page()
def regional_outcomes_download(
    request: HttpRequest, access: RegionAccess, file_format: str
) -> HttpResponse:
    data = outcomes_view(access.region)
    name = f"regional outcomes {access.region.slug} {timezone.localdate().isoformat()}"
    return table_response(name, OUTCOMES_HEADER, outcome_rows(data), file_format)


# ------------------------------------------------------------------------------ report


def regional_report_bytes(access: RegionAccess, report_format: str) -> bytes:
    """The region's report as a ``report_format`` file, from the same values as its pages;
    kept under a hash of those values (the charts take most of the time), so a second download
    of unchanged figures is immediate."""
    coverage = _coverage(access)
    outcomes = outcomes_view(access.region)
    facts = RegionalFacts(
        access.region.name, len(coverage.view.organisations), coverage.view.not_sharing
    )
    key = (
        "regional-report:"
        + hashlib.sha256(
            repr(
                (report_format, facts, coverage.coverage, outcomes.groups, coverage.problem)
            ).encode()
        ).hexdigest()
    )
    kept: bytes | None = cache.get(key)
    if kept is None:
        report = regional_report(
            facts, coverage.coverage, outcomes.groups, coverage_problem=coverage.problem
        )
        kept = report_bytes(report, report_format)
        cache.set(key, kept, KEEP_SECONDS)
    return kept


def report_bytes(report: Report, report_format: str) -> bytes:
    extension, _ = REPORT_FORMATS[report_format]
    if report_format == "html":
        return render_html(report).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="imheval-regional-") as folder:
        return write_report(report, Path(folder) / f"report{extension}").read_bytes()


@region_page()
def regional_report_file(
    request: HttpRequest, access: RegionAccess, report_format: str
) -> HttpResponse:
    """The regional report as HTML (shown in the browser), PDF or Word; 404 for another
    format. Written in the request."""
    if report_format not in REPORT_FORMATS:
        raise Http404("No such report format")
    extension, content_type = REPORT_FORMATS[report_format]
    try:
        content = regional_report_bytes(access, report_format)
    except ImhevalError as error:
        return render(
            request,
            "workforce/regional_problem.html",
            {"region": access.region, "problem": str(error), "crumbs": _crumbs(access)},
            status=503,
        )
    response = HttpResponse(content, content_type=content_type)
    stem = slugify(access.region.slug) or "region"
    file_name = f"{stem}-regional-report-{timezone.localdate().isoformat()}{extension}"
    disposition = "inline" if report_format == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{file_name}"'
    response["Cache-Control"] = "no-store"
    if report_format == "html":
        response["Content-Security-Policy"] = REPORT_CSP
    return response


__all__: Sequence[str] = [
    "regional_coverage",
    "regional_coverage_download",
    "regional_outcomes",
    "regional_outcomes_download",
    "regional_report_file",
]
