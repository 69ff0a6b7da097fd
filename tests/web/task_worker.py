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
def task_worker() -> Iterator[Any]:
    """The real db worker polling in a thread of this process (its own database connection),
    for tests with a live server; stopped at the end of the test."""
    from django.db import connections
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(
        queue_names=["default"],
        interval=0.2,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-thread",
        excluded_queue_names=[],
    )

    def run() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="test task worker", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.running = False
        thread.join(WORKER_TIMEOUT)
        assert not thread.is_alive(), "the task worker did not stop"
