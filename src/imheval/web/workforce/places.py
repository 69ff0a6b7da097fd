"""The places pages under /o/<organisation>/workforce/places/: per programme and financial
year, the places funded, offered, taken and completed, who took them by profession and by
service, the forms that record funded and offered places, and the downloads of each table.

Reading needs membership (the pages hold counts, never a name from the register); recording
places needs :data:`~imheval.web.workforce.access.EDIT_WORKFORCE`. Saving and deleting are
audited by the models' signals (``PlacesYear.AUDIT_FIELDS``). The page reads the query
parameter ``year`` (a financial year, 2026 for 2026/27); anything else in it shows all years.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from imheval.web.organisations.access import FORM, Access
from imheval.web.workforce.access import EDIT_WORKFORCE, organisation_page
from imheval.web.workforce.downloads import table_response
from imheval.web.workforce.models import PlacesYear
from imheval.web.workforce.places_data import (
    PlacesRow,
    financial_year_label,
    financial_year_of,
    places_rows,
)
from imheval.web.workforce.places_forms import FIRST_YEAR, LAST_YEAR, PlacesYearForm
from imheval.web.workspace.views import _form_page as workspace_form_page

#: The query parameter naming the financial year shown.
YEAR_PARAMETER = "year"

PLACES_HEADER = (
    "Organisation",
    "Programme",
    "Level",
    "Funder",
    "Financial year",
    "Places funded",
    "Places offered",
    "Places taken",
    "Places used (%)",
    "Completed",
)


def _url(name: str, access: Access, **objects: Any) -> str:
    kwargs = {key: getattr(value, "pk", value) for key, value in objects.items()}
    return reverse(f"workforce:{name}", kwargs={"org": access.organisation.slug, **kwargs})


def _crumbs(access: Access, *more: tuple[str, str]) -> list[tuple[str, str]]:
    """The organisation, its workforce overview (when that page exists), then ``more``."""
    trail = [
        (
            access.organisation.name,
            reverse("workspace:organisation", kwargs={"org": access.organisation.slug}),
        )
    ]
    # The overview is another part's page; the trail works without it.
    with contextlib.suppress(NoReverseMatch):
        trail.append(("Workforce", _url("home", access)))
    return [*trail, *more]


def chosen_year(request: HttpRequest) -> int | None:
    """The financial year asked for with ``?year=2026``; None (all years) for anything that is
    not a year from 2000 to 2100 written in ASCII digits."""
    # Read with the name written out, so the query-parameter fuzz test finds it.
    text = request.GET.get("year", "").strip()
    if len(text) != 4 or not (text.isascii() and text.isdigit()):
        return None
    year = int(text)
    return year if FIRST_YEAR <= year <= LAST_YEAR else None


def used_text(row: PlacesRow) -> str:
    """Places used as shown: taken as a whole percent of funded, rounded down (so 99.6% is
    not shown as all used), e.g. "83%"; "" with no funded places."""
    share = row.used_percent
    return "" if share is None else f"{math.floor(share)}%"


@dataclass(frozen=True)
class PlacesLine:
    """A row of the places table: the figures, places used as shown, and the key of its
    record of funded and offered places (None when funded is the programme's usual number)."""

    row: PlacesRow
    used: str
    record: int | None

    @property
    def over_by(self) -> int:
        """How many more places were taken than funded (0 when not more)."""
        funded = self.row.funded
        return 0 if funded is None else max(0, self.row.taken - funded)


@dataclass(frozen=True)
class YearTable:
    """The lines of one financial year, with its totals."""

    year: int
    lines: list[PlacesLine]

    @property
    def label(self) -> str:
        return financial_year_label(self.year)

    @property
    def funded(self) -> int:
        return sum(line.row.funded or 0 for line in self.lines)

    @property
    def taken(self) -> int:
        return sum(line.row.taken for line in self.lines)

    @property
    def completed(self) -> int:
        return sum(line.row.completed for line in self.lines)


def _year_tables(rows: Sequence[PlacesRow], records: dict[tuple[int, int], int]) -> list[YearTable]:
    """``rows`` grouped by financial year, latest first, each row with its places record."""
    years = sorted({row.year for row in rows}, reverse=True)
    return [
        YearTable(
            year=year,
            lines=[
                PlacesLine(row, used_text(row), records.get((row.programme_id, row.year)))
                for row in rows
                if row.year == year
            ],
        )
        for year in years
    ]


@organisation_page()
def places(request: HttpRequest, access: Access) -> HttpResponse:
    """Places per programme and financial year, with who took them; a year filter. Constant
    queries: places_rows twice (all years for the filter's choices, then the year shown)."""
    organisation = access.organisation
    year = chosen_year(request)
    every_year = places_rows([organisation])
    rows = every_year if year is None else places_rows([organisation], year)
    records = {
        (record.programme_id, record.year): record.pk  # type: ignore[attr-defined]
        for record in PlacesYear.objects.filter(programme__organisation=organisation)
    }
    this_year = financial_year_of(timezone.localdate())
    years = sorted({row.year for row in every_year} | {this_year}, reverse=True)
    if year is not None and year not in years:
        years = sorted({*years, year}, reverse=True)
    context = {
        "tables": _year_tables(rows, records),
        "year": year,
        "years": [(choice, financial_year_label(choice)) for choice in years],
        "may_edit": access.may(EDIT_WORKFORCE),
        "crumbs": _crumbs(access),
        "query": f"?{YEAR_PARAMETER}={year}" if year is not None else "",
    }
    return render(request, "workforce/places.html", context)


def _form_page(request: HttpRequest, form: Any, **page: Any) -> HttpResponse:
    return workspace_form_page(request, form, template="network/form.html", **page)


def _saved_message(record: PlacesYear, verb: str) -> str:
    return (
        f"Places for {record.programme.name} in {financial_year_label(record.year)} {verb}: "
        f"{record.funded} funded."
    )


@organisation_page(EDIT_WORKFORCE, FORM)
def places_create(request: HttpRequest, access: Access) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    back = _url("places", access)
    return _form_page(
        request,
        PlacesYearForm(data, organisation=access.organisation),
        title="Record a year's places",
        submit="Save places",
        cancel=back,
        crumbs=_crumbs(access, ("Places", back)),
        intro="Record how many places a programme had funded in one financial year (April to "
        "March), and how many were offered. Places taken and completed are counted from the "
        "cohorts' training registers.",
        done=lambda saved: (_saved_message(saved, "recorded"), back),
    )


@organisation_page(EDIT_WORKFORCE, FORM)
def places_edit(request: HttpRequest, access: Access, places: PlacesYear) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    back = _url("places", access)
    return _form_page(
        request,
        PlacesYearForm(data, instance=places, organisation=access.organisation),
        title="Change a year's places",
        caption=f"{places.programme.name}, {financial_year_label(places.year)}",
        submit="Save changes",
        cancel=back,
        crumbs=_crumbs(access, ("Places", back)),
        intro="To remove this record, use Delete beside it on the places page.",
        done=lambda saved: (_saved_message(saved, "saved"), back),
    )


@organisation_page(EDIT_WORKFORCE, FORM)
def places_delete(request: HttpRequest, access: Access, places: PlacesYear) -> HttpResponse:
    back = _url("places", access)
    label = f"{places.programme.name}, {financial_year_label(places.year)}"
    if request.method == "POST":
        places.delete()
        messages.success(request, f"Places for {label} deleted.")
        return redirect(back)
    context = {
        "title": "Delete this year's places?",
        "caption": label,
        "text": [
            f"The record of {places.funded} places funded"
            + (f" and {places.offered} offered" if places.offered is not None else "")
            + " is deleted. Nobody's training record changes: places taken and completed are "
            "counted from the registers.",
            "With no record, the programme's usual places per year are shown as funded, when "
            "it has them.",
        ],
        "submit": "Delete places",
        "cancel": back,
        "crumbs": _crumbs(access, ("Places", back)),
    }
    return render(request, "workforce/places_delete.html", context)


# ----------------------------------------------------------------------- downloads


def _download_name(access: Access, what: str, year: int | None) -> str:
    when = financial_year_label(year).replace("/", "-") if year is not None else "all years"
    return f"{what} {access.organisation.slug} {when}"


def _used_number(row: PlacesRow) -> float | None:
    """Places used in a download: a percent to one decimal place (the page rounds down to a
    whole one); None with no funded places."""
    share = row.used_percent
    return None if share is None else round(share, 1)


@organisation_page()
def places_download(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """The places table (CSV or XLSX): one row per programme and financial year."""
    year = chosen_year(request)
    rows = places_rows([access.organisation], year)
    body = [
        (
            row.organisation,
            row.programme,
            row.level,
            row.funder,
            row.year_label,
            row.funded,
            row.offered,
            row.taken,
            _used_number(row),
            row.completed,
        )
        for row in rows
    ]
    return table_response(_download_name(access, "places", year), PLACES_HEADER, body, file_format)


def _breakdown_response(
    request: HttpRequest, access: Access, file_format: str, *, by: str
) -> HttpResponse:
    year = chosen_year(request)
    rows = places_rows([access.organisation], year)
    column = "Profession" if by == "profession" else "Service"
    header = ("Organisation", "Programme", "Financial year", column, "Places taken", "Completed")
    body = [
        (row.organisation, row.programme, row.year_label, name, taken, completed)
        for row in rows
        for name, taken, completed in (row.by_profession if by == "profession" else row.by_service)
    ]
    name = _download_name(access, f"places by {by}", year)
    return table_response(name, header, body, file_format)


@organisation_page()
def places_professions_download(
    request: HttpRequest, access: Access, file_format: str
) -> HttpResponse:
    """Who took the places by profession (CSV or XLSX): one row per programme, year and
    profession."""
    return _breakdown_response(request, access, file_format, by="profession")


@organisation_page()
def places_services_download(
    request: HttpRequest, access: Access, file_format: str
) -> HttpResponse:
    """Who took the places by service (CSV or XLSX): one row per programme, year and
    service."""
    return _breakdown_response(request, access, file_format, by="service")
