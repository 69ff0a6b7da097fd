"""The regional report (HTML, PDF, Word), written by a worker.

Writing it takes seconds to tens of seconds for a region of 12 organisations (the heat-map
charts), too long for a request, and a :class:`~imheval.web.tasks.models.Job` belongs to an
organisation, so a region's report has its own row, :class:`RegionalReport`: someone with a
role in the region asks for it (:func:`start_report`), a worker writes it
(:func:`write_regional_report_task`), and the progress page ends with the file.

- **Who.** Any role in the region may ask for a report and read or download any of the
  region's reports: a report holds only what the region's pages show (aggregates of the sharing
  organisations with the small-group rule across the region), so it is no more than every
  regional lead and viewer may read. Asking changes no data, so it is not audited.
- **Once.** The same format asked for again while one is being written leads to the first.
- **Sharing.** A report keeps the keys of the organisations whose figures it holds; once one of
  them stops sharing (or leaves the region) the report is withdrawn: it is no longer served, as
  every regional page stops showing the organisation at once.
- **Kept.** A region keeps its latest :data:`KEEP_REPORTS` reports; older ones are deleted when
  a new one is asked for, so files do not pile up.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import tempfile
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task

from imheval.errors import ImhevalError
from imheval.reports import write_report
from imheval.reports.html import render_html
from imheval.reports.model import Report
from imheval.reports.regional import RegionalFacts, regional_report
from imheval.web.organisations.models import Organisation
from imheval.web.tasks.jobs import JOB_TIMEOUT, UNEXPECTED
from imheval.web.workforce.models import Region, RegionalReport, RegionalReportState
from imheval.web.workforce.places_data import financial_year_of
from imheval.web.workforce.regional import KEEP_SECONDS, coverage_view, outcomes_view, places_view

logger = logging.getLogger(__name__)

#: Report formats: (file extension, content type).
REPORT_FORMATS: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "pdf": (".pdf", "application/pdf"),
    "docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
#: How each format is named on the pages.
REPORT_LABELS = {"html": "web page", "pdf": "PDF", "docx": "Word"}
#: The policy for the HTML report shown in the browser: its own inline CSS and data: images.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'none'"
)
#: How many reports a region keeps (the latest).
KEEP_REPORTS = 20


def report_bytes(report: Report, report_format: str) -> bytes:
    """``report`` as a ``report_format`` file."""
    extension, _ = REPORT_FORMATS[report_format]
    if report_format == "html":
        return render_html(report).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="imheval-regional-") as folder:
        return write_report(report, Path(folder) / f"report{extension}").read_bytes()


def regional_report_bytes(
    region: Region, report_format: str, today: datetime.date | None = None
) -> tuple[bytes, list[int]]:
    """The region's report as a ``report_format`` file, from the same values as its pages
    (coverage on ``today``, places of the financial year ``today`` falls in, outcomes as
    stored), and the keys of the organisations whose figures it holds. The file is kept under
    a hash of those values (the charts take most of the time), so the same figures asked for
    again are written at once."""
    today = today or timezone.localdate()
    coverage = coverage_view(region, today)
    outcomes = outcomes_view(region)
    year = financial_year_of(today)
    places = places_view(region, year)
    organisations = sorted(
        {
            organisation.pk
            for view in (coverage.view, outcomes.view, places.view)
            for organisation in view.organisations
        }
    )
    facts = RegionalFacts(
        region.name,
        len(coverage.view.organisations),
        coverage.view.not_sharing,
        other_framework=len(coverage.other_framework),
        not_counted=len(coverage.not_counted),
    )
    values = (
        report_format,
        facts,
        coverage.coverage,
        outcomes.groups,
        coverage.problem,
        year,
        places.groups,
    )
    key = "regional-report:" + hashlib.sha256(repr(values).encode()).hexdigest()
    kept: bytes | None = cache.get(key)
    if kept is None:
        report = regional_report(
            facts,
            coverage.coverage,
            outcomes.groups,
            coverage_problem=coverage.problem,
            places=places.groups,
            places_year=year,
        )
        kept = report_bytes(report, report_format)
        cache.set(key, kept, KEEP_SECONDS)
    return kept, organisations


def unfinished(region: Region, report_format: str) -> RegionalReport | None:
    """The region's report in ``report_format`` still being written (and not yet taken to have
    died), if any."""
    return (
        RegionalReport.objects.filter(
            region=region,
            format=report_format,
            state__in=[RegionalReportState.QUEUED, RegionalReportState.RUNNING],
            created_at__gte=timezone.now() - JOB_TIMEOUT,
        )
        .order_by("created_at", "id")
        .first()
    )


def start_report(region: Region, report_format: str, user: Any) -> RegionalReport:
    """Queue the region's report in ``report_format`` for ``user``: the report to wait on (the
    one already being written in that format, if any). Older reports beyond the latest
    :data:`KEEP_REPORTS` are deleted. Raises KeyError for an unknown format."""
    if report_format not in REPORT_FORMATS:
        raise KeyError(report_format)
    waiting = unfinished(region, report_format)
    if waiting is not None:
        return waiting
    with transaction.atomic():
        report = RegionalReport.objects.create(
            region=region, requested_by=user, format=report_format
        )
        old = list(
            RegionalReport.objects.filter(region=region)
            .order_by("-created_at", "-id")
            .values_list("pk", flat=True)[KEEP_REPORTS:]
        )
        if old:
            RegionalReport.objects.filter(pk__in=old).delete()
    result = write_regional_report_task.enqueue(report.pk)
    RegionalReport.objects.filter(pk=report.pk).update(task_id=str(result.id))
    report.task_id = str(result.id)
    return report


@task()
def write_regional_report_task(report_id: int) -> None:
    """The queued report: written and kept on its row (see :func:`run_report`)."""
    run_report(report_id)


def run_report(report_id: int) -> None:
    """Write the report ``report_id`` and record how it ended: done with its file, or failed
    with a plain message (an unexpected error is logged with its traceback for the operator,
    and the person reads only that it failed). Never raises; a report deleted meanwhile, or
    already taken by another worker, is skipped."""
    started = RegionalReport.objects.filter(pk=report_id, state=RegionalReportState.QUEUED).update(
        state=RegionalReportState.RUNNING
    )
    if not started:
        logger.warning("regional report %s is gone or already ran; skipped", report_id)
        return
    report = RegionalReport.objects.select_related("region").get(pk=report_id)
    try:
        content, organisations = regional_report_bytes(report.region, report.format)
    except ImhevalError as error:
        _fail(report_id, str(error))
        return
    except Exception:
        logger.exception("regional report %s of %s failed", report_id, report.region.slug)
        _fail(report_id, UNEXPECTED)
        return
    extension, content_type = REPORT_FORMATS[report.format]
    stem = slugify(report.region.slug) or "region"
    RegionalReport.objects.filter(pk=report_id).update(
        state=RegionalReportState.DONE,
        output=content,
        content_type=content_type,
        file_name=f"{stem}-regional-report-{timezone.localdate().isoformat()}{extension}",
        organisations=organisations,
        finished_at=timezone.now(),
    )


def _fail(report_id: int, problem: str) -> None:
    RegionalReport.objects.filter(pk=report_id).update(
        state=RegionalReportState.FAILED,
        problem=problem,
        output=None,
        finished_at=timezone.now(),
    )


def state_of(report: RegionalReport, now: datetime.datetime | None = None) -> str:
    """The state the progress page shows: the report's own, or "failed" once it has waited
    longer than the jobs' timeout (its worker died, or no worker runs)."""
    now = now or timezone.now()
    if not report.finished and report.created_at < now - JOB_TIMEOUT:
        return str(RegionalReportState.FAILED)
    return str(report.state)


def withdrawn(report: RegionalReport) -> bool:
    """True when an organisation whose figures ``report`` holds no longer shares with its
    region (one query): the report must not be served."""
    included = {int(pk) for pk in report.organisations}
    if not included:
        return False
    still = Organisation.objects.filter(
        pk__in=included,
        region_memberships__region=report.region_id,  # type: ignore[attr-defined]
        region_memberships__shares=True,
    ).count()
    return still != len(included)
