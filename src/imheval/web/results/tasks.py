"""Report files written by a worker: the HTML, PDF and Word downloads of an evaluation page.

A large organisation's report takes a while (the evaluation, then WeasyPrint or python-docx),
so the download link starts a job (:func:`start_report`) and the person waits on its progress
page, which ends with the file. The report is the same one the page shows: the same scope, the
same suppression of small groups.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django_tasks import task

from imheval import ImhevalError
from imheval.reports import build_report, write_report
from imheval.reports.html import render_html
from imheval.web.results.analysis import Scope, UnavailableError, analyse
from imheval.web.results.snapshots import scope_of
from imheval.web.tasks import jobs
from imheval.web.tasks.models import Job, JobKind

#: Report formats: (file extension, content type).
REPORT_FORMATS: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "pdf": (".pdf", "application/pdf"),
    "docx": (
        ".docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
}
REPORT_LABELS = {"html": "Web page (HTML)", "pdf": "PDF", "docx": "Word (.docx)"}


def report_file(scope: Scope, kind: str) -> bytes:
    """The report of ``scope`` as a ``kind`` file (a key of :data:`REPORT_FORMATS`).

    Raises :class:`~.analysis.UnavailableError` when there is nothing to report, or a plain
    ImhevalError when the report cannot be written.
    """
    extension, _ = REPORT_FORMATS[kind]
    analysis = analyse(scope)
    if analysis.evaluation is None:
        raise UnavailableError(analysis.problem)
    try:
        from imheval.web.qualitative.outputs import evaluation_sections

        report = build_report(
            analysis.evaluation,
            title=scope.report_title,
            qualitative=evaluation_sections(scope, analysis.evaluation),
        )
        if kind == "html":
            return render_html(report).encode("utf-8")
        with tempfile.TemporaryDirectory(prefix="imheval-report-") as folder:
            return write_report(report, Path(folder) / f"report{extension}").read_bytes()
    except UnavailableError:
        raise
    except ImhevalError as error:
        raise UnavailableError(f"The report could not be written: {error}") from None


def start_report(scope: Scope, kind: str, user: Any, back_url: str) -> Job:
    """Queue the writing of ``scope``'s report as ``kind`` for ``user``: the job to wait on.

    The same report asked for again while the first is still being written leads to that one
    (a double click, or a reload, queues no second copy)."""
    return jobs.start_once(
        scope.organisation,
        user,
        str(JobKind.REPORT),
        {"scope": scope.key, "format": kind},
        write_report_task,
        title=f"Report ({REPORT_LABELS[kind]}) for {scope.name}",
        back_url=back_url,
    )


@task()
def write_report_task(job_id: int) -> None:
    """The queued report: the file kept on the job (see :func:`imheval.web.tasks.jobs.run`)."""
    jobs.run(job_id, _write)


def _write(job: Job) -> None:
    scope = scope_of(job.organisation_id, job.params["scope"])
    kind = job.params["format"]
    extension, content_type = REPORT_FORMATS[kind]
    try:
        job.output = report_file(scope, kind)
    except UnavailableError as reason:
        raise jobs.JobError(str(reason)) from None
    job.content_type = content_type
    job.file_name = scope.file_name("report", extension)
