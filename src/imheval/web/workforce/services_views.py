"""Level-4 service data pages (/o/<organisation>/workforce/services/): an organisation's figures
per service, measure and period (Barr 4a organisational practice, 4b benefit to babies and
families), the date training began in each service, and per service and measure a page with
the chart, the before/after table and the caution (the same blocks as the report's Level 4).

Every page goes through :data:`services_page`, the shared door bound to this part's objects:
members read; admins and evaluators (``edit_programmes``) add, import and delete figures and
set training dates. Imports are atomic: the whole file is checked by the core's reader first,
and if anything is wrong nothing is saved and every problem is listed with its row and column.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from imheval.errors import DataFormatError
from imheval.evaluation import EvaluationOptions
from imheval.reports.model import Report, Section
from imheval.reports.sections.services_blocks import barr_name, series_blocks
from imheval.services import CATALOGUE, CAUTION, ServiceSummary, read_service_data, summarise
from imheval.services.analysis import shown
from imheval.services.read import template_bytes
from imheval.stats.its import MIN_PERIODS_EACH_SIDE
from imheval.web.organisations.access import FORM, Access, organisation_views
from imheval.web.results.presentation import page_sections
from imheval.web.workforce import planning_pages as pages
from imheval.web.workforce.access import EDIT_WORKFORCE
from imheval.web.workforce.services_data import organisation_service_data
from imheval.web.workforce.services_forms import (
    ServiceFigureForm,
    ServiceImportForm,
    ServiceTrainingForm,
    save_rows,
)
from imheval.web.workforce.services_models import ServiceFigure, ServiceTraining

#: This part's door: the objects its addresses name, each loaded from the member's
#: organisation only (404 otherwise).
services_page = organisation_views(
    {"figure": ServiceFigure, "training": ServiceTraining}, plain_kwargs=("file_format",)
)

#: The import page's columns and what each holds.
COLUMNS = (
    ("service", "The service, for example Health visiting North"),
    ("period", "A month as 2025-04, or a quarter as 2025-Q2 (one or the other per series)"),
    ("measure", "A measure imheval knows (" + ", ".join(CATALOGUE) + "), or your own name"),
    ("value", "The count, the numerator of a proportion, or the mean"),
    ("denominator", "What a proportion is out of, or how many a mean is over (optional)"),
    ("kind", "Your own measure only: count, proportion or mean"),
    ("barr_level", "Your own measure only: 4a or 4b"),
    ("unit", "Your own measure only, optional: for example sessions"),
)
EXAMPLE = (
    "service,period,measure,value,denominator\n"
    "Health visiting North,2025-04,assessments_infant_relationship,42,120\n"
    "Health visiting North,2025-04,referrals_parent_infant,9,"
)


def min_group_size() -> int:
    return EvaluationOptions().min_group_size


def _summary(access: Access) -> tuple[ServiceSummary | None, str]:
    try:
        data = organisation_service_data(access.organisation)
    except DataFormatError as error:  # pragma: no cover - stored figures passed these checks
        return None, str(error)
    return summarise(data, min_group_size=min_group_size()), ""


def _crumbs(access: Access, *more: tuple[str, str]) -> list[tuple[str, str]]:
    return pages.crumbs(access, ("Service data", pages.url("services", access)), *more)


def _series_url(access: Access, service: str, measure: str) -> str:
    from urllib.parse import urlencode

    query = urlencode({"service": service, "measure": measure})
    return f"{pages.url('services_series', access)}?{query}"


@services_page()
def services(request: HttpRequest, access: Access) -> HttpResponse:
    """The service and measure series kept, under Barr 4a and 4b, and the training dates."""
    summary, problem = _summary(access)
    levels = []
    for level in ("4a", "4b"):
        chosen = [s for s in (summary.series if summary else ()) if s.measure.barr_level == level]
        levels.append(
            {
                "name": barr_name(level),
                "series": [
                    {
                        "service": s.service,
                        "measure": s.measure.label,
                        "periods": len(s.figures),
                        "first": s.figures[0].period.label if s.figures else "",
                        "last": s.figures[-1].period.label if s.figures else "",
                        "trained": s.trained,
                        "difference": shown(s.measure, s.difference, signed=True)
                        if s.difference is not None
                        else "not shown",
                        "its": s.regression is not None and s.regression.reason is None,
                        "url": _series_url(access, s.service, s.measure.key),
                    }
                    for s in chosen
                ],
            }
        )
    training = ServiceTraining.objects.in_organisation(access.organisation)  # type: ignore[attr-defined]
    context = {
        "levels": levels,
        "any_series": bool(summary and summary.series),
        "training": list(training),
        "caution": CAUTION,
        "minimum": MIN_PERIODS_EACH_SIDE,
        "problem": problem,
        "may_edit": pages.may_edit(access),
        "crumbs": pages.crumbs(access),
    }
    return render(request, "workforce/services.html", context)


@services_page()
def services_series(request: HttpRequest, access: Access) -> HttpResponse:
    """One service's series of one measure (``?service=...&measure=...``; without them, the
    first series): findings, chart, tables, and its stored figures."""
    service = request.GET.get("service")
    measure = request.GET.get("measure")
    summary, _ = _summary(access)
    series = next(
        (
            s
            for s in (summary.series if summary else ())
            if (service is None and measure is None)
            or (s.service.casefold() == (service or "").casefold() and s.measure.key == measure)
        ),
        None,
    )
    if series is None:
        raise Http404("No such series here")
    report = Report(
        title="Service data",
        subtitle="",
        generated=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sections=(Section("services", "Service data", 4, tuple(series_blocks(series, level=1))),),
    )
    (section,) = page_sections(report)
    stored = ServiceFigure.objects.in_organisation(access.organisation).filter(  # type: ignore[attr-defined]
        service__iexact=series.service
    )
    keys = {series.measure.key, series.measure.label}
    figures = sorted((f for f in stored if f.measure in keys), key=lambda f: f.period)
    context = {
        "series": series,
        "level": barr_name(series.measure.barr_level),
        "blocks": section["blocks"][1:],  # the heading is the page's title
        "figures": figures,
        "may_edit": pages.may_edit(access),
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/services_series.html", context)


@services_page(EDIT_WORKFORCE, methods=FORM)
def services_figure_create(request: HttpRequest, access: Access) -> HttpResponse:
    back = pages.url("services", access)

    def done(row: Any) -> tuple[str, str]:
        return (
            f"{row.service}: {row.measure.label} for {row.period} saved.",
            _series_url(access, row.service, row.measure.key),
        )

    return pages.form_page(
        request,
        ServiceFigureForm(pages.data(request), organisation=access.organisation),
        title="Add a figure",
        intro=(
            "One service's figure for one measure in one month or quarter. A figure already "
            "kept for the same service, measure and period is replaced."
        ),
        submit="Save the figure",
        cancel=back,
        done=done,
        crumbs=_crumbs(access),
    )


@services_page(EDIT_WORKFORCE, methods=FORM)
def services_figure_delete(
    request: HttpRequest, access: Access, figure: ServiceFigure
) -> HttpResponse:
    back = pages.url("services", access)

    def delete() -> tuple[str, str]:
        figure.organisation = access.organisation
        figure.delete()
        return f"{figure.service}: {figure.measure} for {figure.period} deleted.", back

    return pages.confirm_delete(
        request,
        title=f"Delete {figure.service}'s figure for {figure.period}",
        text=[f"The figure {figure.value:g} for {figure.measure} goes."],
        submit="Delete the figure",
        cancel=back,
        trail=_crumbs(access),
        delete=delete,
    )


@services_page(EDIT_WORKFORCE, methods=FORM)
def services_training_create(request: HttpRequest, access: Access) -> HttpResponse:
    back = pages.url("services", access)
    return pages.form_page(
        request,
        ServiceTrainingForm(pages.data(request), organisation=access.organisation),
        title="Set when training began in a service",
        intro=(
            "Periods that begin on or after this date count as after training. Give the first "
            "of the month to count that whole month as after."
        ),
        submit="Save the date",
        cancel=back,
        done=lambda saved: (f"{saved.service}: training began {saved.trained_on}.", back),
        crumbs=_crumbs(access),
    )


@services_page(EDIT_WORKFORCE, methods=FORM)
def services_training_edit(
    request: HttpRequest, access: Access, training: ServiceTraining
) -> HttpResponse:
    back = pages.url("services", access)
    return pages.form_page(
        request,
        ServiceTrainingForm(
            pages.data(request), instance=training, organisation=access.organisation
        ),
        title=f"Change when training began in {training.service}",
        submit="Save the date",
        cancel=back,
        done=lambda saved: (f"{saved.service}: training began {saved.trained_on}.", back),
        crumbs=_crumbs(access),
    )


@services_page(EDIT_WORKFORCE, methods=FORM)
def services_import(request: HttpRequest, access: Access) -> HttpResponse:
    """Upload a service-data file: saved whole when every row is right, else every problem."""
    form = ServiceImportForm(pages.data(request), pages.files(request))
    problems: dict[str, Any] = {}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            data = pages.read_upload(upload, read_service_data)
        except DataFormatError as error:
            problems = pages.problem_lines(error.problems)
        else:
            added, replaced = save_rows(access.organisation, data.rows)
            messages.success(
                request,
                f"Service data imported: {added:,} figure{'' if added == 1 else 's'} added, "
                f"{replaced:,} replaced.",
            )
            return redirect(pages.url("services", access))
    context = {
        "form": form,
        "title": "Import service data",
        "intro": [
            "Upload your service figures as a CSV or XLSX file: one row per service, measure "
            "and month or quarter. A figure already kept for the same service, measure and "
            "period is replaced.",
            "The whole file is checked first. If anything is wrong, nothing is imported and "
            "every problem is listed with its row and column.",
        ],
        "columns": COLUMNS,
        "example": EXAMPLE,
        "submit": "Import the service data",
        "cancel": pages.url("services", access),
        "crumbs": _crumbs(access),
        **problems,
    }
    return render(
        request, "workforce/establishment_upload.html", context, status=400 if problems else 200
    )


@services_page()
def services_template(request: HttpRequest, access: Access, file_format: str) -> HttpResponse:
    """The service-data template (CSV or XLSX)."""
    if file_format not in ("csv", "xlsx"):
        raise Http404("No such format")
    content_type = (
        "text/csv; charset=utf-8"
        if file_format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(
        template_bytes("csv" if file_format == "csv" else "xlsx"), content_type=content_type
    )
    response["Content-Disposition"] = f'attachment; filename="service-data-template.{file_format}"'
    return response
