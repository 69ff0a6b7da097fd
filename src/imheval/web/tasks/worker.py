"""Running the queue's worker: in this process (tests, ``--batch``), or as a child process that
``imheval serve`` and ``imheval demo`` start beside the web server and stop with it.

The worker is django-tasks-db's own (``manage.py db_worker``): it takes the next ready task with
a row lock (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on
SQLite), so any number of workers, on any machines that reach the same database, share the
queue without running a task twice.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass

#: How often an idle worker looks for a new task, in seconds.
POLL_INTERVAL = 1.0
#: How long a stopping worker may finish its task before it is killed, in seconds.
STOP_GRACE = 10.0


def run_pending(max_tasks: int | None = None) -> None:
    """Run the tasks that are ready now in this thread with the real worker, then return.

    For tests and ``imheval worker --batch``; a task's failure is recorded on its row, as in a
    worker process.
    """
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=[DEFAULT_TASK_QUEUE_NAME],
        interval=0,
        batch=True,
        backend_name=DEFAULT_TASK_BACKEND_ALIAS,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="imheval-inline",
        excluded_queue_names=[],
    ).run()


def run_forever() -> None:
    """Run the worker in this process until SIGTERM or Ctrl+C (it finishes its task first)."""
    from django.core.management import call_command

    call_command(
        "db_worker", interval=POLL_INTERVAL, reload=False, verbosity=1, queue_name="default"
    )


def worker_command(batch: bool = False) -> list[str]:
    """The command line of a worker process: ``imheval worker`` with this Python."""
    return [sys.executable, "-m", "imheval", "worker", *(["--batch"] if batch else [])]


@dataclass
class WorkerProcess:
    """A worker running as a child process; :meth:`stop` ends it."""

    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = STOP_GRACE) -> int:
        """Ask the worker to stop (SIGTERM: it finishes its task), kill it after ``grace``
        seconds; its exit code."""
        if self.running():
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait()


def start_worker_process(env: dict[str, str] | None = None) -> WorkerProcess:
    """Start ``imheval worker`` as a child with this environment (the same database and data
    folder as the server); its output goes to this process's."""
    command = worker_command()
    return WorkerProcess(subprocess.Popen(command, env={**os.environ, **(env or {})}))
