"""Large imports done by a worker: checking a big file, and importing a big preview.

A file whose reading parses more than :data:`~.importing.BACKGROUND_CHECK_BYTES` (an XLSX's
unzipped size, not its upload size) is kept on a job and checked by a worker
(:func:`start_check`); the job then leads to the preview, or lists the file's problems exactly
as the import page does. A preview of more than :data:`~.importing.BACKGROUND_CONFIRM_ROWS`
responses is imported by a worker (:func:`start_confirm`); the job then leads back to the
cohort's import page, which lists the import. Either way the work runs in one transaction with
the job's outcome (:func:`imheval.web.tasks.jobs.run`), so a refused file or a failed import
leaves nothing behind, and the person waits on the job's progress page, never on the request.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django_tasks import task

from imheval.errors import DataFormatError
from imheval.web.organisations.audit import acting_as
from imheval.web.paper import importing
from imheval.web.paper.models import ImportBatch, ImportStatus
from imheval.web.tasks import jobs
from imheval.web.tasks.models import Job, JobKind, JobState
from imheval.web.workspace.models import Cohort


class ImportRefused(jobs.JobError):
    """Raised by a background check or import when the file has problems (they are listed)."""

    def __init__(self, error: DataFormatError) -> None:
        self.problems = error.problems
        super().__init__(importing.refusal(len(error.problems)) + ".")


def start_check(cohort: Cohort, upload: UploadedFile, user: Any, back_url: str) -> Job:
    """Keep ``upload`` on a job and queue its check; the job to wait on."""
    name = importing.upload_name(upload)
    job = Job.objects.create(
        organisation=cohort.programme.organisation,
        requested_by=user,
        kind=JobKind.IMPORT,
        title=f"Checking {name} for cohort {cohort.name}",
        params={"step": "check", "cohort": cohort.pk},
        upload=b"".join(upload.chunks()),
        file_name=name,
        back_url=back_url,
    )
    return jobs.start(job, check_import_task)


def start_confirm(batch: ImportBatch, user: Any, back_url: str) -> Job:
    """Queue the import of the preview ``batch``; the job to wait on (the same one again if
    this person's import of it is already waiting or running: a second click queues nothing)."""
    organisation = batch.cohort.programme.organisation
    params = {"step": "confirm", "batch": batch.pk}
    waiting = jobs.unfinished(organisation, user, "import", params)
    if waiting is not None:
        return waiting
    job = Job.objects.create(
        organisation=organisation,
        requested_by=user,
        kind=JobKind.IMPORT,
        title=f"Importing {batch.row_count:,} responses from {batch.file_name}",
        params=params,
        file_name=batch.file_name,
        back_url=back_url,
        next_url=back_url,
    )
    return jobs.start(job, confirm_import_task)


@task()
def check_import_task(job_id: int) -> None:
    """The queued check of a large file (see :func:`imheval.web.tasks.jobs.run`)."""
    jobs.run(job_id, _as_requester(_check))


@task()
def confirm_import_task(job_id: int) -> None:
    """The queued import of a large preview; a preview that could not be imported is deleted,
    as the import page does, so it cannot be confirmed again."""
    jobs.run(job_id, _as_requester(_confirm))
    job = Job.objects.filter(pk=job_id, state=JobState.FAILED).first()
    if job is not None:
        ImportBatch.objects.filter(pk=job.params["batch"], status=ImportStatus.PREVIEW).delete()


def _as_requester(work: Callable[[Job], None]) -> Callable[[Job], None]:
    """``work`` with its changes logged in the audit log as the member's who asked for it."""

    def logged(job: Job) -> None:
        with acting_as(job.requested_by):
            work(job)

    return logged


def _cohort(job: Job) -> Cohort:
    cohort = (
        Cohort.objects.in_organisation(job.organisation).filter(pk=job.params["cohort"]).first()
    )
    if cohort is None:
        raise jobs.JobError("The cohort was deleted while the file waited to be checked.")
    return cohort


def _check(job: Job) -> None:
    cohort = _cohort(job)
    try:
        batch = importing.check_file(
            cohort, job.file_name, [bytes(job.upload or b"")], job.requested_by
        )
    except DataFormatError as error:
        raise ImportRefused(error) from None
    job.next_url = reverse("paper:import_preview", args=[job.organisation.slug, batch.pk])


def _confirm(job: Job) -> None:
    batch = (
        ImportBatch.objects.in_organisation(job.organisation).filter(pk=job.params["batch"]).first()
    )
    if batch is None:
        raise jobs.JobError("The preview was cancelled or deleted before it could be imported.")
    try:
        done = importing.confirm(batch, job.requested_by)
    except DataFormatError as error:
        raise ImportRefused(error) from None
    if done.status != ImportStatus.IMPORTED:
        raise jobs.JobError("The preview was cancelled before it could be imported.")
