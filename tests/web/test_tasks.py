"""Background jobs, the worker, housekeeping on a schedule, and the bound on every request.

Jobs are run by the real db worker against the real database (task_worker.run_tasks); the
request watchdog is tested with an injected clock, never by waiting.
"""

from __future__ import annotations

import datetime
import re
import sys
from typing import Any

import pytest
from conftest import Workspace
from django.urls import reverse
from django.utils import timezone
from task_worker import queued, run_tasks
from test_results_pages import client_for, matched_people

from imheval.web import deadline, server
from imheval.web.results import tasks as report_tasks
from imheval.web.tasks import jobs, periodic, worker
from imheval.web.tasks.models import Job, JobState


def start_pdf(workspace: Workspace, role: str = "viewer") -> tuple[Any, str]:
    client = client_for(workspace.users[role])
    url = reverse("results:cohort_report", args=["northern", workspace.cohort.pk])
    started = client.get(url, {"format": "pdf"})
    assert started.status_code == 302
    return client, started["Location"]


# ---------------------------------------------------------------------------- report jobs


def test_a_report_is_written_by_the_worker_not_in_the_request(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    client, job_page = start_pdf(workspace)
    job = Job.objects.get()
    assert (job.state, job.output) == (JobState.QUEUED, None)  # nothing written in the request
    waiting = client.get(job_page).content.decode()
    assert "Waiting to start" in waiting and 'hx-trigger="every 2s"' in waiting
    assert "htmx.min.js" in waiting and "<script>" not in waiting  # no inline script (CSP)
    status = reverse("jobs:status", args=["northern", job.pk])
    assert client.get(status, {"shown": "queued"}).status_code == 204

    [finished] = run_tasks()

    assert finished.status == "SUCCESSFUL"
    ready = client.get(job_page).content.decode()
    assert "Your report is ready" in ready and "northern-SOL-1-report.pdf" in ready
    fragment = client.get(status, {"shown": "queued"}).content.decode()
    assert "<html" not in fragment and "Download northern-SOL-1-report.pdf" in fragment
    download = client.get(reverse("jobs:download", args=["northern", job.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="northern-SOL-1-report.pdf"'
    assert download.content.startswith(b"%PDF")


def test_asking_twice_for_a_report_being_written_queues_one(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    _, first = start_pdf(workspace)
    _, second = start_pdf(workspace)
    assert first == second and Job.objects.count() == 1 and len(queued()) == 1


def test_a_job_is_seen_only_by_its_owner_and_an_outsider_gets_404(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    _, job_page = start_pdf(workspace, "viewer")
    run_tasks()
    job = Job.objects.get()
    addresses = [
        job_page,
        reverse("jobs:status", args=["northern", job.pk]),
        reverse("jobs:download", args=["northern", job.pk]),
    ]
    for user in (workspace.outsider, workspace.users["admin"]):
        client = client_for(user)
        for url in addresses:
            assert client.get(url).status_code == 404, (user, url)
    # the outsider's own organisation's address with northern's job: nothing there either
    southern = job_page.replace("/o/northern/", "/o/southern/")
    assert client_for(workspace.outsider).get(southern).status_code == 404


def test_a_failed_job_shows_a_plain_message_and_no_traceback(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    matched_people(workspace, 6)

    def broken(scope: Any, kind: str) -> bytes:
        raise KeyError("secret internals /srv/imheval")

    monkeypatch.setattr(report_tasks, "report_file", broken)
    client, job_page = start_pdf(workspace)
    run_tasks()
    job = Job.objects.get()
    assert job.state == JobState.FAILED and job.output is None
    page = client.get(job_page).content.decode()
    assert "This could not be finished" in page and jobs.UNEXPECTED in page
    assert "secret internals" not in page and "Traceback" not in page
    assert client.get(reverse("jobs:download", args=["northern", job.pk])).status_code == 404


def test_a_job_whose_worker_died_is_shown_as_failed_after_the_timeout(
    workspace: Workspace,
) -> None:
    matched_people(workspace, 6)
    client, job_page = start_pdf(workspace)
    job = Job.objects.get()
    assert jobs.state_of(job) == JobState.QUEUED
    later = job.created_at + jobs.JOB_TIMEOUT + datetime.timedelta(seconds=1)
    assert jobs.state_of(job, now=later) == JobState.FAILED
    Job.objects.update(created_at=timezone.now() - jobs.JOB_TIMEOUT - datetime.timedelta(1))
    page = client.get(job_page).content.decode()
    assert "took too long and was stopped" in page


# ---------------------------------------------------------------------------- housekeeping


def test_housekeeping_runs_every_periodic_job_and_queues_the_next_one(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []
    module = type(sys)("fake_housekeeping")
    module.purge = lambda: ran.append("purged") or 3  # type: ignore[attr-defined]
    module.broken = lambda: 1 / 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_housekeeping", module)
    monkeypatch.setattr(
        periodic,
        "PERIODIC",
        {
            "broken": "fake_housekeeping.broken",
            "purge": "fake_housekeeping.purge",
            "missing": "no_such_module.purge",
        },
    )
    assert periodic.schedule() is True
    assert periodic.schedule() is False  # one waiting is enough, however many workers start
    [finished] = run_tasks()
    assert finished.status == "SUCCESSFUL"
    assert finished.return_value == {"broken": "failed", "purge": "3", "missing": "not installed"}
    assert ran == ["purged"]
    [next_run] = periodic.waiting_housekeeping()
    assert next_run > timezone.now() + periodic.EVERY - datetime.timedelta(minutes=5)


def test_the_registered_housekeeping_includes_the_capture_purge_and_old_jobs() -> None:
    assert periodic.PERIODIC["stale drafts and expired sessions"] == (
        "imheval.web.capture.housekeeping.purge_stale"
    )
    from django.utils.module_loading import import_string

    for path in periodic.PERIODIC.values():
        assert callable(import_string(path)), path


def test_old_jobs_and_their_files_are_forgotten(workspace: Workspace) -> None:
    matched_people(workspace, 6)
    start_pdf(workspace)
    run_tasks()
    assert jobs.forget_old_jobs() == 0
    assert jobs.forget_old_jobs(now=timezone.now() + jobs.JOB_LIFETIME * 2) == 1
    assert Job.objects.count() == 0


# ---------------------------------------------------------------------------- server and worker


def test_the_worker_process_is_imheval_worker_with_this_python() -> None:
    assert worker.worker_command() == [sys.executable, "-m", "imheval", "worker"]


def test_gunicorn_is_given_the_request_time_limit_hooks() -> None:
    options = server.gunicorn_options("127.0.0.1", 8000, 2, 4)
    assert options["worker_class"] == "gthread"
    assert {"post_worker_init", "pre_request", "post_request"} <= set(options)
    assert options["graceful_timeout"] == deadline.GRACE
    assert deadline.REQUEST_TIME_LIMIT == 60
    from gunicorn.config import Config

    config = Config()
    for key, value in options.items():
        config.set(key, value)  # gunicorn's own validation of every setting
    assert config.graceful_timeout == deadline.GRACE and config.threads == 4


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_request_over_the_time_limit_stops_its_worker_once() -> None:
    clock = Clock()
    stopped: list[str] = []
    watchdog = deadline.RequestWatchdog(stopped.append, limit=60, clock=clock)
    watchdog.started(1, "POST /o/northern/paper/cohorts/1/import/")
    watchdog.started(2, "GET /o/northern/results/")
    clock.now += 30
    watchdog.finished(2)
    assert watchdog.check() is False and stopped == []
    clock.now += 30  # exactly the limit: not over it
    assert watchdog.check() is False
    clock.now += 1
    assert watchdog.check() is True
    assert stopped == ["POST /o/northern/paper/cohorts/1/import/ ran 61 s (the limit is 60 s)"]
    clock.now += 100
    assert watchdog.check() is True and len(stopped) == 1  # asked once


def test_the_watchdog_hooks_track_requests_by_thread() -> None:
    hooks = deadline.gunicorn_hooks(limit=60)

    class Request:
        method, path = "GET", "/healthz"

    class FakeWorker:
        pass

    fake = FakeWorker()
    fake.imheval_watchdog = deadline.RequestWatchdog(lambda reason: None)  # type: ignore[attr-defined]
    hooks["pre_request"](fake, Request())
    assert len(fake.imheval_watchdog._running) == 1  # type: ignore[attr-defined]
    hooks["post_request"](fake, Request(), {}, None)
    assert fake.imheval_watchdog._running == {}  # type: ignore[attr-defined]
    assert re.match(r"^\w", deadline.__doc__ or "")


@pytest.mark.django_db(transaction=True)
def test_a_job_works_outside_any_transaction(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a transaction holds the only write lock from its start: a job that worked
    inside one stopped every sign-in and every participant's answer while it ran."""
    from django.db import connection

    inside: list[bool] = []

    def spy(scope: Any, kind: str) -> bytes:
        inside.append(connection.in_atomic_block)
        return b"%PDF-1.7 spy"

    monkeypatch.setattr(report_tasks, "report_file", spy)
    matched_people(workspace, 6)
    start_pdf(workspace)

    run_tasks()

    assert inside == [False]
    assert Job.objects.get().state == JobState.DONE
