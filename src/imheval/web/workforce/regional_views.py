"""A region's views of what its organisations share: coverage by organisation and level
against the regional targets, places per programme and year, outcomes side by side with the
model, and their downloads.

Every view goes through :func:`~imheval.web.workforce.region_access.region_page` (a regional
role, or 404) and reads :mod:`imheval.web.workforce.regional` only: aggregates of the sharing
organisations, with the small-group rule applied across the region by the core. The tables on
the page, in the downloads and in the report are made by the same functions
(:mod:`imheval.reports.regional`), so they hide the same cells. The report itself is written
by a worker (``regional_reports``, ``regional_report_views``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from imheval.reports.model import Number, Table
from imheval.reports.regional import (
    REGION_ROW,
    gaps_table,
    group_name,
    heat_cells,
    left_out_sentences,
    model_figures,
    outcome_group_name,
    outcome_table,
    places_table,
    profession_table,
    team_table,
    withheld_sentence,
)
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.places import chosen_year
from imheval.web.workforce.places_data import financial_year_label
from imheval.web.workforce.region_access import RegionAccess, region_page
from imheval.web.workforce.regional import (
    CoverageView,
    OutcomesView,
    PlacesView,
    coverage_view,
    outcomes_view,
    places_view,
)
from imheval.workforce.regional_places import REGION_TOTAL


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
    # names to the region's leads only, as with invited members that do not share
    other: tuple[str, ...] | int = data.other_framework
    failed: tuple[str, ...] | int = data.not_counted
    if not access.is_lead:
        other, failed = len(data.other_framework), len(data.not_counted)
    context = {
        "region": access.region,
        "access": access,
        "data": data,
        "coverage": coverage,
        "left_out": left_out_sentences(other, failed),
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
            "name": outcome_group_name(group),
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
    "Measure",
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
            rows.append(
                [
                    group.programme,
                    group.level,
                    group.measure,
                    row.organisation,
                    row.cohorts,
                    *figures,
                ]
            )
    return rows


@region_page()
def regional_outcomes_download(
    request: HttpRequest, access: RegionAccess, file_format: str
) -> HttpResponse:
    data = outcomes_view(access.region)
    name = f"regional outcomes {access.region.slug} {timezone.localdate().isoformat()}"
    return table_response(name, OUTCOMES_HEADER, outcome_rows(data), file_format)


# ------------------------------------------------------------------------------ places


@region_page()
def regional_places(request: HttpRequest, access: RegionAccess) -> HttpResponse:
    """Places per programme and financial year: the sharing organisations side by side (funded,
    offered, taken, completed) with the region's total, and who took them by profession
    across the region; ``?year=2026`` shows one financial year."""
    year = chosen_year(request)
    data = places_view(access.region, year)
    years = sorted({*data.years, *([year] if year is not None else [])}, reverse=True)
    by_year: dict[int, list[dict[str, Any]]] = {}
    for group in data.groups:
        by_year.setdefault(group.year, []).append(
            {
                "group": group,
                "name": group_name(group),
                "table": page_table(places_table(group)),
                "professions": _optional_table(profession_table(group)),
                "withheld": withheld_sentence(group),
            }
        )
    context = {
        "region": access.region,
        "access": access,
        "data": data,
        "year": year,
        "year_label": financial_year_label(year) if year is not None else "",
        "years": [(value, financial_year_label(value)) for value in years],
        "by_year": [
            (value, financial_year_label(value), items) for value, items in by_year.items()
        ],
        "min_size": data.groups[0].min_size if data.groups else 5,
        "any_hidden": any(group.any_hidden for group in data.groups),
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/regional_places.html", context)


def _optional_table(table: Table | None) -> dict[str, Any] | None:
    return None if table is None else page_table(table)


PLACES_HEADER = (
    "Financial year",
    "Programme",
    "Level",
    "Row",
    "Organisation or profession",
    "Places funded",
    "Places offered",
    "Places taken",
    "Completed",
)


def places_download_rows(data: PlacesView) -> list[list[object]]:
    """The places page's figures: per programme and year, a row per organisation, the region's,
    then the region's professions; a hidden figure is the word 'hidden', never its number;
    funded and offered blank when not recorded."""
    rows: list[list[object]] = []

    def given(value: int | None) -> object:
        return "" if value is None else value

    def counted(value: int | None, hidden: bool) -> object:
        return "hidden" if hidden or value is None else value

    for group in data.groups:
        start = [group.year_label, group.programme, group.level]
        for row in (*group.organisations, group.total):
            region = row.organisation == REGION_TOTAL
            rows.append(
                [
                    *start,
                    "Region" if region else "Organisation",
                    REGION_ROW if region else row.organisation,
                    given(row.funded),
                    given(row.offered),
                    counted(row.taken, row.hidden),
                    counted(row.completed, row.hidden),
                ]
            )
        for profession in group.professions:
            rows.append(
                [
                    *start,
                    "Profession",
                    profession.profession,
                    "",
                    "",
                    counted(profession.taken, profession.hidden),
                    counted(profession.completed, profession.hidden),
                ]
            )
        if group.professions_hidden:
            rows.append([*start, "Profession", "All professions", "", "", "hidden", "hidden"])
    return rows


@region_page()
def regional_places_download(
    request: HttpRequest, access: RegionAccess, file_format: str
) -> HttpResponse:
    year = chosen_year(request)
    data = places_view(access.region, year)
    which = financial_year_label(year) if year is not None else "all years"
    name = f"regional places {access.region.slug} {which}"
    return table_response(name, PLACES_HEADER, places_download_rows(data), file_format)


__all__: Sequence[str] = [
    "regional_coverage",
    "regional_coverage_download",
    "regional_outcomes",
    "regional_outcomes_download",
    "regional_places",
    "regional_places_download",
]
