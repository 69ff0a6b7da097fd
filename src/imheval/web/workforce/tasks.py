"""The coverage report written by a worker: HTML, PDF or Word from the core's
:func:`imheval.reports.coverage.coverage_report`, the same figures as the coverage page.

A PDF or Word file with a heat map chart per organisation takes longer than a page should
wait, so the page starts a job (:func:`start_coverage_report`) and the person waits on the
job's progress page (``imheval.web.tasks``), which ends with the file.
"""

from __future__ import annotations

import datetime
import tempfile
from pathlib import Path
from typing import Any

from django_tasks import task

from imheval.reports import write_report
from imheval.reports.coverage import coverage_report
from imheval.reports.html import render_html
from imheval.web.organisations.models import Organisation
from imheval.web.results.analysis import safe_file_part
from imheval.web.tasks import jobs
from imheval.web.tasks.models import Job, JobKind
from imheval.web.workforce.adapter import organisation_coverage

#: Report formats: (file extension, content type).
REPORT_FORMATS: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "pdf": (".pdf", "application/pdf"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
}
REPORT_LABELS = {"html": "Web page (HTML)", "pdf": "PDF", "docx": "Word (.docx)"}


def coverage_report_file(organisation: Organisation, as_of: datetime.date, kind: str) -> bytes:
    """The organisation's coverage report on ``as_of`` as a ``kind`` file (a key of
    :data:`REPORT_FORMATS`). Raises :class:`~imheval.errors.CoverageError` when coverage cannot
    be counted, :class:`~imheval.web.tasks.jobs.JobError` when there is nothing to report."""
    extension, _ = REPORT_FORMATS[kind]
    result = organisation_coverage(organisation, as_of)
    if not result.rows:
        reason = " ".join(result.notes) or (
            "No required level matches a team (service and profession) of the establishment."
        )
        raise jobs.JobError(f"There is nothing to report on {as_of.day} {as_of:%B %Y}. {reason}")
    report = coverage_report(
        result, title=f"Workforce coverage: {organisation.name}", organisation=organisation.name
    )
    if kind == "html":
        return render_html(report).encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="imheval-coverage-") as folder:
        return write_report(report, Path(folder) / f"coverage{extension}").read_bytes()


def start_coverage_report(
    organisation: Organisation, as_of: datetime.date, kind: str, user: Any, back_url: str
) -> Job:
    """Queue the coverage report on ``as_of`` as ``kind`` for ``user``: the job to wait on
    (the same report asked for again while it is being written leads to the first job)."""
    return jobs.start_once(
        organisation,
        user,
        str(JobKind.REPORT),
        {"coverage": as_of.isoformat(), "format": kind},
        write_coverage_report_task,
        title=f"Coverage report ({REPORT_LABELS[kind]}) on {as_of.day} {as_of:%B %Y}",
        back_url=back_url,
    )


@task()
def write_coverage_report_task(job_id: int) -> None:
    """The queued report: the file kept on the job (see :func:`imheval.web.tasks.jobs.run`)."""
    jobs.run(job_id, _write)


def _write(job: Job) -> None:
    kind = job.params["format"]
    as_of = datetime.date.fromisoformat(job.params["coverage"])
    extension, content_type = REPORT_FORMATS[kind]
    # A CoverageError or AnalysisError says plainly what is wrong; jobs.run shows it.
    job.output = coverage_report_file(job.organisation, as_of, kind)
    job.content_type = content_type
    job.file_name = safe_file_part(f"coverage {job.organisation.slug} {as_of.isoformat()}") + (
        extension
    )
