"""The outcomes' refresh in the background: queued by the outcomes page when its kept rows may
be out of date, run by a worker (``imheval worker``), like the results pages' refresh.

Only one refresh of an organisation waits or runs at a time: the page queues none while one
queued less than :data:`REFRESH_TIMEOUT` ago is still waiting or running (a worker killed while
refreshing blocks nothing for longer), nor for :data:`RETRY_AFTER` after one failed. Two pages
queueing at the same instant may queue two: the second finds nothing left to compute.
"""

from __future__ import annotations

import datetime
import logging
from typing import Literal

from django.db import DatabaseError
from django.utils import timezone
from django_tasks import TaskResultStatus, task

from imheval.web.organisations.models import Organisation
from imheval.web.results import snapshots
from imheval.web.workforce.outcomes import refresh_outcomes

logger = logging.getLogger(__name__)

#: A refresh queued longer ago than this and not finished is taken to have died.
REFRESH_TIMEOUT = snapshots.REFRESH_TIMEOUT
#: After a refresh failed, the next one is queued no sooner than this.
RETRY_AFTER = snapshots.RETRY_AFTER

Started = Literal["queued", "waiting", "failed", "inline"]


@task()
def refresh_outcomes_task(organisation_id: int) -> None:
    """The queued refresh: :func:`~.outcomes.refresh_outcomes` of the organisation, if it still
    exists. An error fails the task (the worker logs it) and the last rows stay."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        logger.info("outcomes refresh skipped: organisation %s was deleted", organisation_id)
        return
    refresh_outcomes(organisation)


def _recent(organisation: Organisation) -> tuple[bool, bool]:
    """(a refresh of ``organisation`` is waiting or running, the last one failed lately)."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    since = now - max(REFRESH_TIMEOUT, RETRY_AFTER)
    rows = DBTaskResult.objects.filter(
        task_path=refresh_outcomes_task.module_path, enqueued_at__gte=since
    ).values_list("args_kwargs", "status", "enqueued_at", "finished_at")
    waiting = failed = False
    for args_kwargs, status, enqueued_at, finished_at in rows:
        if list(args_kwargs.get("args", [])) != [organisation.pk]:
            continue
        if status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            waiting = waiting or enqueued_at >= now - REFRESH_TIMEOUT
        elif status == TaskResultStatus.FAILED:
            at: datetime.datetime = finished_at or enqueued_at
            failed = failed or at >= now - RETRY_AFTER
    return waiting, failed


def start_refresh(organisation: Organisation) -> Started:
    """Bring ``organisation``'s outcomes up to date: in the background mode (see
    :func:`imheval.web.results.snapshots.refresh_in_background`) queue the refresh unless one
    is waiting ("waiting") or failed lately ("failed"); otherwise refresh now, in this request
    ("inline")."""
    if not snapshots.refresh_in_background():
        refresh_outcomes(organisation)
        return "inline"
    try:
        waiting, failed = _recent(organisation)
        if waiting:
            return "waiting"
        if failed:
            return "failed"
        refresh_outcomes_task.enqueue(organisation.pk)
    except DatabaseError as error:  # SQLite busy: the next visit queues it
        logger.warning("outcomes refresh of %s not queued: %s", organisation.slug, error)
        return "waiting"
    return "queued"
