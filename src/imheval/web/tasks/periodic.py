"""Housekeeping on a schedule: jobs the worker runs every so often, without cron.

:data:`PERIODIC` names each periodic job by the dotted path of a function taking no arguments
(imported when it runs, so a job whose module is missing is skipped with a warning rather than
stopping the others). :func:`housekeeping` is one queued task that runs them all and queues
itself again :data:`EVERY` later; :func:`schedule` (called by every ``imheval worker`` as it
starts) queues it unless one is already waiting, so however many workers run, one housekeeping
is queued at a time, and a worker killed mid-run is made good by the next worker to start.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus, task

logger = logging.getLogger(__name__)

#: How often the housekeeping runs.
EVERY = datetime.timedelta(hours=1)
#: Finished task rows kept this long, for an operator to look at (see docs/deployment.md).
TASK_RESULTS_KEPT = datetime.timedelta(days=7)

#: Name -> dotted path of a function with no arguments, run by every housekeeping.
PERIODIC: dict[str, str] = {
    "stale drafts and expired sessions": "imheval.web.capture.housekeeping.purge_stale",
    "finished jobs and their files": "imheval.web.tasks.jobs.forget_old_jobs",
    "old task results": "imheval.web.tasks.periodic.prune_task_results",
    "follow-ups due today": "imheval.web.workspace.cohort_setup.open_due_followups",
}


def prune_task_results(now: datetime.datetime | None = None) -> int:
    """Delete the queue's rows of tasks that finished more than :data:`TASK_RESULTS_KEPT` ago."""
    from django_tasks_db.models import DBTaskResult

    cutoff = (now or timezone.now()) - TASK_RESULTS_KEPT
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def run_periodic() -> dict[str, str]:
    """Run every job of :data:`PERIODIC`; what each returned, or why it did not run.

    Each runs on its own: one that fails (or cannot be imported) is logged and the rest run.
    """
    outcome: dict[str, str] = {}
    for name, path in PERIODIC.items():
        try:
            function = import_string(path)
        except ImportError:
            logger.warning("housekeeping: %s skipped, %s cannot be imported", name, path)
            outcome[name] = "not installed"
            continue
        try:
            outcome[name] = repr(function())
        except Exception:
            logger.exception("housekeeping: %s failed", name)
            outcome[name] = "failed"
    return outcome


@task()
def housekeeping() -> dict[str, str]:
    """Run the periodic jobs, then queue the next housekeeping :data:`EVERY` from now."""
    try:
        return run_periodic()
    finally:
        schedule(after=EVERY)


def schedule(after: datetime.timedelta = datetime.timedelta(0)) -> bool:
    """Queue :func:`housekeeping` to run ``after`` from now unless one is already waiting;
    whether one was queued. The check and the insert hold a lock on SQLite (one writer) and
    may, on PostgreSQL, race with a worker starting at the same instant: two queued
    housekeepings run the purges twice, which is harmless."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(
        task_path=housekeeping.module_path, status=TaskResultStatus.READY
    )
    try:
        with transaction.atomic():
            if waiting.exists():
                return False
            housekeeping.using(run_after=timezone.now() + after).enqueue()
    except DatabaseError as error:  # SQLite busy: the next worker to start schedules it
        logger.warning("housekeeping not scheduled: %s", error)
        return False
    return True


def waiting_housekeeping() -> list[Any]:
    """When the queued housekeepings will run (for tests and the operator)."""
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path=housekeeping.module_path, status=TaskResultStatus.READY
        ).values_list("run_after", flat=True)
    )
