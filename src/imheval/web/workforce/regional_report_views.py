"""The regional report's pages: asking for it, its progress, and its file.

``r/<region>/report.<report_format>``: a GET shows the form and the region's latest reports; a
POST asks a worker to write the report (:func:`~.regional_reports.start_report`) and leads to
its progress page, ``r/<region>/reports/<regional_report>/``, which asks every 2 seconds with
htmx (``status/``, or "Check again" without JavaScript) and ends with the file
(``file``). Any role in the region may do all of it (see :mod:`.regional_reports`).

Every address goes through :func:`~imheval.web.workforce.region_access.region_page` (signed
in, a role in the region, or 404), and a report is loaded from the region in the address, so
another region's report is 404 whatever the method, before the method is checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from imheval.web.organisations.access import FORM, READ
from imheval.web.workforce.models import RegionalReport, RegionalReportState
from imheval.web.workforce.region_access import RegionAccess, region_page
from imheval.web.workforce.regional_reports import (
    KEEP_REPORTS,
    REPORT_CSP,
    REPORT_FORMATS,
    REPORT_LABELS,
    start_report,
    state_of,
    withdrawn,
)

#: The state of a finished report (as state_of gives it).
DONE = str(RegionalReportState.DONE)

ReportView = Callable[[HttpRequest, RegionAccess, RegionalReport], HttpResponse]


def report_page(view: ReportView) -> Callable[..., HttpResponse]:
    """``region_page``, then the report named in the address (``regional_report``) loaded from
    the region's own reports (404 for another region's), then the method (GET or HEAD)."""

    @functools.wraps(view)
    def wrapper(
        request: HttpRequest, region: str, regional_report: int, **kwargs: Any
    ) -> HttpResponse:
        @region_page(methods=(*FORM, "PUT", "PATCH", "DELETE"))
        def load(request: HttpRequest, access: RegionAccess) -> HttpResponse:
            report = get_object_or_404(
                RegionalReport.objects.filter(region=access.region).defer("output"),
                pk=regional_report,
            )
            if request.method not in READ:
                return HttpResponseNotAllowed(READ)
            return view(request, access, report)

        return load(request, region=region)

    return wrapper


def _crumbs(access: RegionAccess) -> list[tuple[str, str]]:
    slug = access.region.slug
    return [
        ("Your organisations and regions", reverse("workspace:home")),
        (access.region.name, reverse("workforce:region", kwargs={"region": slug})),
    ]


def _report_url(name: str, access: RegionAccess, report: RegionalReport) -> str:
    return reverse(
        f"workforce:{name}", kwargs={"region": access.region.slug, "regional_report": report.pk}
    )


@region_page(methods=FORM)
def regional_report(request: HttpRequest, access: RegionAccess, report_format: str) -> HttpResponse:
    """GET: what the report holds, the form, and the region's latest reports. POST: ask for the
    report in ``report_format`` (the one being written already, if any) and go to its progress
    page. 404 for another format."""
    if report_format not in REPORT_FORMATS:
        raise Http404("No such report format")
    if request.method == "POST":
        report = start_report(access.region, report_format, request.user)
        return redirect(_report_url("regional_report_progress", access, report))
    reports = list(
        RegionalReport.objects.filter(region=access.region)
        .select_related("requested_by")
        .defer("output")[:KEEP_REPORTS]
    )
    context = {
        "region": access.region,
        "access": access,
        "report_format": report_format,
        "label": REPORT_LABELS[report_format],
        "reports": [
            {
                "report": report,
                "label": REPORT_LABELS.get(report.format, report.format),
                "state": state_of(report),
                "url": _report_url("regional_report_progress", access, report),
            }
            for report in reports
        ],
        "keep": KEEP_REPORTS,
        "crumbs": _crumbs(access),
    }
    return render(request, "workforce/regional_report_request.html", context)


def _context(access: RegionAccess, report: RegionalReport) -> dict[str, Any]:
    state = state_of(report)
    return {
        "region": access.region,
        "access": access,
        "report": report,
        "label": REPORT_LABELS.get(report.format, report.format),
        "state": state,
        "withdrawn": state == DONE and withdrawn(report),
        "status_url": _report_url("regional_report_status", access, report),
        "page_url": _report_url("regional_report_progress", access, report),
        "download_url": _report_url("regional_report_download", access, report),
        "again_url": reverse(
            "workforce:regional_report",
            kwargs={"region": access.region.slug, "report_format": report.format},
        ),
        "crumbs": _crumbs(access),
    }


@report_page
def regional_report_progress(
    request: HttpRequest, access: RegionAccess, report: RegionalReport
) -> HttpResponse:
    """The report's progress page: waiting, being written, failed (why, plainly), withdrawn
    (an organisation stopped sharing) or ready, with its file."""
    response = render(request, "workforce/regional_report_progress.html", _context(access, report))
    response["Cache-Control"] = "no-store"
    return response


@report_page
def regional_report_status(
    request: HttpRequest, access: RegionAccess, report: RegionalReport
) -> HttpResponse:
    """The fragment htmx swaps in: 204 while the state is the one shown (``?shown=``), else
    the new state."""
    context = _context(access, report)
    if context["state"] == request.GET.get("shown"):
        response = HttpResponse(status=204)
    else:
        response = render(request, "workforce/regional_report_status.html", context)
    response["Cache-Control"] = "no-store"
    return response


@report_page
def regional_report_download(
    request: HttpRequest, access: RegionAccess, report: RegionalReport
) -> HttpResponse:
    """The finished report's file: HTML shown in the browser (under its own strict policy), PDF
    and Word as attachments. 404 until it is ready; 410 once withdrawn."""
    if state_of(report) != DONE:
        raise Http404("The report is not ready")
    if withdrawn(report):
        context = _context(access, report)
        return render(request, "workforce/regional_report_progress.html", context, status=410)
    output = RegionalReport.objects.filter(pk=report.pk).values_list("output", flat=True).first()
    if output is None:
        raise Http404("The report is not ready")
    response = HttpResponse(bytes(output), content_type=report.content_type)
    disposition = "inline" if report.format == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{report.file_name}"'
    response["Cache-Control"] = "no-store"
    if report.format == "html":
        response["Content-Security-Policy"] = REPORT_CSP
    return response
