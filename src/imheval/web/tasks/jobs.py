"""Starting a job, running it in a worker, and what its progress page shows.

A view creates a :class:`~.models.Job` and calls :func:`start`, which puts a task on the queue
(django-tasks' database backend) naming the job. A worker (``imheval worker``, started by
``imheval serve`` and ``imheval demo``) runs the task, which calls :func:`run` with the work to
do: the job is marked running, the work fills it in, and it ends done, or failed with a plain
message. An error the work did not expect is logged with its traceback (for the operator) and
the person is told only that it failed. A job still unfinished after :data:`JOB_TIMEOUT` (its
worker was killed) is shown as failed, so no page waits for ever.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from imheval.errors import ImhevalError
from imheval.web.tasks.models import Job, JobState

logger = logging.getLogger(__name__)

#: A job that has not finished this long after it was started is taken to have died.
JOB_TIMEOUT = datetime.timedelta(minutes=30)
#: Finished jobs (and their files) are deleted by the housekeeping after this long.
JOB_LIFETIME = datetime.timedelta(days=1)

#: What the person reads when a job failed for a reason the work did not foresee.
UNEXPECTED = (
    "Something went wrong on the server, so this could not be finished. Nothing was changed. "
    "Try again; if it fails again, tell whoever runs imheval for your organisation."
)


class JobError(ImhevalError, RuntimeError):
    """Raised by a job's work with a plain message the person can act on (shown as it is)."""


def start(job: Job, task: Any) -> Job:
    """Queue ``task`` (a django-tasks task taking the job's id) for ``job``; the job, with the
    task's id kept. A database error propagates (the view shows its error page)."""
    result = task.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.task_id = str(result.id)
    return job


def unfinished(organisation: Any, user: Any, kind: str, params: dict[str, Any]) -> Job | None:
    """``user``'s job of this kind and params that is still queued or running (and not yet
    taken to have died), if any."""
    return (
        Job.objects.in_organisation(organisation)
        .filter(
            requested_by=user,
            kind=kind,
            params=params,
            state__in=[JobState.QUEUED, JobState.RUNNING],
            created_at__gte=timezone.now() - JOB_TIMEOUT,
        )
        .first()
    )


def start_once(
    organisation: Any,
    user: Any,
    kind: str,
    params: dict[str, Any],
    task: Any,
    *,
    title: str,
    back_url: str,
) -> Job:
    """``user``'s unfinished job of this kind and params if there is one (a double click or a
    reload queues no second copy), else a new job for ``task``, queued (:func:`start`)."""
    waiting = unfinished(organisation, user, kind, params)
    if waiting is not None:
        return waiting
    job = Job.objects.create(
        organisation=organisation,
        requested_by=user,
        kind=kind,
        title=title,
        params=params,
        back_url=back_url,
    )
    return start(job, task)


def run(job_id: int, work: Callable[[Job], None]) -> None:
    """Run ``work`` on the job ``job_id`` in a worker, and record how it ended.

    ``work`` fills in the job (its file, its next page, or its problems) and may raise an
    :class:`~imheval.errors.ImhevalError` whose message the person can act on. Never raises:
    a job that no longer exists (deleted meanwhile) is skipped.

    ``work`` runs outside any transaction: on SQLite a transaction holds the database's one
    write lock from its start, so wrapping minutes of reading or report writing in one would
    stop every sign-in and every participant's answer for as long. Each ``work`` keeps its own
    writes all-or-nothing instead (an import check saves its preview in one step at the end,
    an import's responses are created in one transaction), and a failure before them leaves
    nothing behind.
    """
    updated = Job.objects.filter(pk=job_id, state=JobState.QUEUED).update(state=JobState.RUNNING)
    if not updated:
        logger.warning("job %s is gone or already ran; skipped", job_id)
        return
    job = Job.objects.get(pk=job_id)
    try:
        work(job)
        job.state = JobState.DONE
        job.upload = None
        job.finished_at = timezone.now()
        job.save()
    except ImhevalError as error:
        _fail(job_id, str(error), getattr(error, "problems", ()))
    except Exception:
        logger.exception("job %s (%s) failed", job_id, job.title)
        _fail(job_id, UNEXPECTED, ())


def _fail(job_id: int, problem: str, problems: Any) -> None:
    Job.objects.filter(pk=job_id).update(
        state=JobState.FAILED,
        problem=problem,
        problems=[
            {"row": p.row, "column": p.column or "", "message": p.message}
            for p in list(problems)[:200]
        ],
        hidden_problems=max(0, len(list(problems)) - 200),
        upload=None,
        output=None,
        finished_at=timezone.now(),
    )


def state_of(job: Job, now: datetime.datetime | None = None) -> str:
    """The state the progress page shows: the job's own, or "failed" once it has waited
    longer than :data:`JOB_TIMEOUT` (its worker died, or no worker is running)."""
    now = now or timezone.now()
    if not job.finished and job.created_at < now - JOB_TIMEOUT:
        return "failed"
    return str(job.state)


def forget_old_jobs(now: datetime.datetime | None = None) -> int:
    """Delete jobs (and their files) older than :data:`JOB_LIFETIME`; how many went."""
    now = now or timezone.now()
    deleted, _ = Job.objects.filter(created_at__lt=now - JOB_LIFETIME).delete()
    return deleted


def job_url(job: Job) -> str:
    """The job's progress page."""
    return reverse("jobs:job", args=[job.organisation.slug, job.pk])
