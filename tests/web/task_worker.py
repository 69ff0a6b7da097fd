"""Running the queue's real worker in tests: all ready tasks now, or a worker thread beside a
live server (import the ``task_worker`` fixture into a test module to use it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

#: Long enough for a small workspace's task on a busy machine; never a timing assertion.
WORKER_TIMEOUT = 120


def run_tasks() -> list[Any]:
    """Run every ready task with the real db worker in this thread; the rows of the tasks
    that finished, oldest first.

    Inside a test's transaction the worker must not recycle the connection as it does between
    tasks (on PostgreSQL that would close the test's transaction); with its own transaction
    (``transaction=True`` tests) it does, as in a worker process.
    """
    from django.db import connection
    from django_tasks_db.management.commands import db_worker
    from django_tasks_db.models import DBTaskResult

    from imheval.web.tasks.worker import run_pending

    real = db_worker.close_old_connections
    if connection.in_atomic_block:
        db_worker.close_old_connections = lambda: None  # type: ignore[assignment]
    try:
        run_pending()
    finally:
        db_worker.close_old_connections = real  # type: ignore[assignment]
    return list(DBTaskResult.objects.finished().order_by("finished_at"))


def queued() -> list[Any]:
    """The rows of the tasks waiting to run."""
    from django_tasks_db.models import DBTaskResult

    return list(DBTaskResult.objects.ready())


@pytest.fixture
def task_worker() -> Iterator[None]:
    """The real db worker in a thread of this process (its own database connection), woken
    when a task is queued, for tests with a live server; stopped at the end of the test.

    It runs the queue only when told a task was queued, rather than polling: the in-memory
    SQLite test database has no busy timeout, so a poll's exclusive transaction could make a
    write of the test's own fail with "database table is locked".
    """
    from django.db import connections
    from django_tasks.signals import task_enqueued

    from imheval.web.tasks.worker import run_pending

    wake = threading.Event()
    stop = threading.Event()
    failures: list[BaseException] = []

    def on_enqueued(**kwargs: Any) -> None:
        wake.set()

    def run() -> None:
        try:
            while not stop.is_set():
                if wake.wait(0.2):
                    wake.clear()
                    run_pending()
        except BaseException as error:  # reported in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    task_enqueued.connect(on_enqueued, weak=False)
    thread = threading.Thread(target=run, name="test task worker", daemon=True)
    thread.start()
    try:
        yield None
    finally:
        task_enqueued.disconnect(on_enqueued)
        stop.set()
        thread.join(WORKER_TIMEOUT)
        assert not thread.is_alive(), "the task worker did not stop"
        assert failures == []
