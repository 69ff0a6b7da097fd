"""Large imports from another system, done by a worker like large file imports
(:mod:`imheval.web.paper.tasks`).

The files are converted in the request (the readers drop identifying columns there, so only
the converted, non-identifying table is ever written to the database); a converted table larger
than :data:`~imheval.web.paper.importing.BACKGROUND_CHECK_BYTES` is kept on a job and checked
by a worker (:func:`start_check`), exactly as a file of that size would be. A preview of more
than :data:`~imheval.web.paper.importing.BACKGROUND_CONFIRM_ROWS` responses is imported by a
worker (:func:`start_confirm`). Either way every problem names the person's own file and row.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django_tasks import task

from imheval.errors import DataFormatError
from imheval.web.paper import interop_import
from imheval.web.paper.models import ImportBatch, ImportStatus
from imheval.web.paper.tasks import ImportRefused, _as_requester, _cohort
from imheval.web.tasks import jobs
from imheval.web.tasks.models import Job, JobKind, JobState
from imheval.web.workspace.models import Cohort

#: The job step of a converted table's check, and of a converted preview's import.
CHECK_STEP = "interop-check"
CONFIRM_STEP = "interop-confirm"


def start_check(cohort: Cohort, prepared: interop_import.Prepared, user: Any, back_url: str) -> Job:
    """Keep the converted table on a job and queue its check; the job to wait on."""
    job = Job.objects.create(
        organisation=cohort.programme.organisation,
        requested_by=user,
        kind=JobKind.IMPORT,
        title=f"Checking {prepared.name} for cohort {cohort.name}"[:300],
        params={"step": CHECK_STEP, "cohort": cohort.pk, "prepared": prepared.to_params()},
        upload=prepared.table,
        file_name=prepared.name[:200],
        back_url=back_url,
    )
    return jobs.start(job, interop_check_task)


def start_confirm(batch: ImportBatch, user: Any, back_url: str) -> Job:
    """Queue the import of the preview ``batch``; the job to wait on (the one already waiting,
    if this person asked twice)."""
    organisation = batch.cohort.programme.organisation
    params = {"step": CONFIRM_STEP, "batch": batch.pk}
    waiting = jobs.unfinished(organisation, user, str(JobKind.IMPORT), params)
    if waiting is not None:
        return waiting
    job = Job.objects.create(
        organisation=organisation,
        requested_by=user,
        kind=JobKind.IMPORT,
        title=f"Importing {batch.row_count:,} responses from {batch.file_name}"[:300],
        params=params,
        file_name=batch.file_name[:200],
        back_url=back_url,
        next_url=back_url,
    )
    return jobs.start(job, interop_confirm_task)


def mapping_from_job(batch: ImportBatch) -> dict[str, Any] | None:
    """The mapping a worker's check kept for the preview ``batch``, if a worker checked it."""
    job = (
        Job.objects.in_organisation(batch.cohort.programme.organisation)
        .filter(kind=JobKind.IMPORT, params__step=CHECK_STEP, params__batch=batch.pk)
        .first()
    )
    if job is None:
        return None
    mapping = job.params.get("mapping")
    return dict(mapping) if isinstance(mapping, dict) else None


@task()
def interop_check_task(job_id: int) -> None:
    """The queued check of a large converted table (see :func:`jobs.run`)."""
    jobs.run(job_id, _as_requester(_check))


@task()
def interop_confirm_task(job_id: int) -> None:
    """The queued import of a large converted preview; a preview that could not be imported
    is deleted, as the page does, so it cannot be confirmed again."""
    jobs.run(job_id, _as_requester(_confirm))
    job = Job.objects.filter(pk=job_id, state=JobState.FAILED).first()
    if job is not None:
        ImportBatch.objects.filter(pk=job.params["batch"], status=ImportStatus.PREVIEW).delete()


def _check(job: Job) -> None:
    cohort = _cohort(job)
    prepared = interop_import.Prepared.from_params(job.params["prepared"], bytes(job.upload or b""))
    try:
        batch = interop_import.check(cohort, prepared, job.requested_by)
    except DataFormatError as error:
        raise ImportRefused(
            interop_import.for_job_page(error.problems, len(prepared.files) > 1)
        ) from None
    # The origins were needed to name the rows; the preview needs only the mapping.
    job.params = {
        "step": CHECK_STEP,
        "cohort": cohort.pk,
        "batch": batch.pk,
        "mapping": dict(prepared.mapping),
    }
    job.next_url = reverse("paper:interop_preview", args=[job.organisation.slug, batch.pk])


def _confirm(job: Job) -> None:
    batch = (
        ImportBatch.objects.in_organisation(job.organisation).filter(pk=job.params["batch"]).first()
    )
    if batch is None:
        raise jobs.JobError("The preview was cancelled or deleted before it could be imported.")
    several = len({row.get("file") for row in batch.rows}) > 1
    try:
        done = interop_import.confirm(batch, job.requested_by)
    except DataFormatError as error:
        raise ImportRefused(interop_import.for_job_page(error.problems, several)) from None
    if done.status != ImportStatus.IMPORTED:
        raise jobs.JobError("The preview was cancelled before it could be imported.")
