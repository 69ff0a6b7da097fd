"""Large imports from another system go through the background worker as large file imports
do: the converted table's check, and the import of a large preview (task_worker.run_tasks, the
real db worker). The thresholds are lowered so that a small export counts as large; one test
takes a real 20,000-row REDCap export through the worker at the real thresholds.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.urls import reverse
from task_worker import run_tasks
from test_interop_import import IDENTIFYING, REDCAP_EVENTS, cells, post_files, stored_text
from test_paper_entry import client_for, url

from imheval.web.capture.models import Submission
from imheval.web.paper import importing
from imheval.web.paper.models import ImportBatch
from imheval.web.tasks.models import Job, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every converted table is checked, and every preview of two or more responses imported,
    by the worker."""
    monkeypatch.setattr(importing, "BACKGROUND_CHECK_BYTES", 10)
    monkeypatch.setattr(importing, "BACKGROUND_CONFIRM_ROWS", 1)


def job_address(workspace: Any, job: Job) -> str:
    return reverse("jobs:job", args=[workspace.organisation.slug, job.pk])


def test_a_large_export_is_checked_then_imported_by_the_worker(workspace: Any, large: None) -> None:
    client = client_for(workspace.users["trainer"])

    started = post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})

    job = Job.objects.get()
    assert started["Location"] == job_address(workspace, job)
    assert (job.state, job.params["step"]) == (JobState.QUEUED, "interop-check")
    assert job.title == "Checking project.csv (REDCap) for cohort SOL-1"
    assert not ImportBatch.objects.exists()  # not checked in the request
    waiting = stored_text()
    for value in IDENTIFYING:  # the job keeps the converted table, never the export
        assert value not in waiting
    assert "ma07be,SOL-1,,pre," in bytes(job.upload).decode()

    run_tasks()

    job.refresh_from_db()
    batch = ImportBatch.objects.get()
    preview_url = url("interop_preview", workspace, batch=batch.pk)
    assert (job.state, job.upload, job.next_url) == (JobState.DONE, None, preview_url)
    assert "origins" not in str(job.params)  # only what the preview shows is kept
    assert (batch.row_count, batch.counts) == (3, {"pre": 2, "post": 1})
    # the mapping is shown from the job, in a browser session that did not upload the files
    other_session = client_for(workspace.users["evaluator"])
    preview = cells(other_session.get(preview_url).content.decode())
    assert "Identifying columns dropped record_id , email , first_name" in preview
    assert "k1 Question 1 (K1)" in preview

    confirming = client.post(preview_url)

    [confirm_job] = Job.objects.filter(params__step="interop-confirm")
    assert confirming["Location"] == job_address(workspace, confirm_job)
    assert not Submission.objects.exists()
    run_tasks()
    confirm_job.refresh_from_db()
    assert confirm_job.state == JobState.DONE
    assert Submission.objects.count() == 3
    assert Submission.objects.get(collection=workspace.post).answers == {
        "K1": "a",
        "K2": "c",
        "R1": "no",
        "S1": "5",
    }
    for value in IDENTIFYING:
        assert value not in stored_text()


def test_a_large_export_with_problems_lists_them_on_the_job_page_by_file_and_row(
    workspace: Any, large: None
) -> None:
    pre = "record_id,code,k1,s1,imh_core_complete\n1,MA07BE,b,3,2\n2,JO12DE,e,4,2\n"
    post = "record_id,code,k1,s1,imh_core_complete\n7,MA07BE,a,9,2\n"
    client = client_for(workspace.users["trainer"])

    started = post_files(
        client,
        workspace,
        files={"files_pre": [("pre.csv", pre)], "files_post": [("post.csv", post)]},
    )
    run_tasks()

    job = Job.objects.get()
    assert (job.state, job.upload) == (JobState.FAILED, None)
    assert [(p["row"], p["column"]) for p in job.problems] == [(3, "k1"), (2, "s1")]
    page = cells(client.get(started["Location"]).content.decode())
    assert "This could not be finished" in page
    assert "The file has 2 problems, so nothing was imported" in page
    assert "3 k1 In pre.csv: Question 1 (K1): 'e' is not one of the answers" in page
    assert "2 s1 In post.csv: Question 15 (S1): '9' is not one of the answers" in page
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


def test_codes_saved_before_the_worker_imports_stop_it_naming_the_original_row(
    workspace: Any, large: None
) -> None:
    client = client_for(workspace.users["trainer"])
    post_files(client, workspace, files={"files": [("project.csv", REDCAP_EVENTS)]})
    run_tasks()
    batch = ImportBatch.objects.get()
    client.post(url("interop_preview", workspace, batch=batch.pk))
    Submission.objects.create(collection=workspace.pre, code="JO12DE", status="complete")

    run_tasks()

    job = Job.objects.get(params__step="interop-confirm")
    assert job.state == JobState.FAILED
    assert [(p["row"], p["column"]) for p in job.problems] == [(4, "the self-generated code")]
    assert not ImportBatch.objects.exists()
    assert Submission.objects.count() == 1


def redcap_records(records: int) -> str:
    """A longitudinal REDCap export of ``records`` records, each with a pre and a post event,
    with an email column (dropped) and every question of imh-core 1.0.0 answered."""
    items = [f"k{i}" for i in range(1, 7)] + [f"r{i}" for i in range(1, 9)]
    items += [f"s{i}" for i in range(1, 7)]
    lines = ["record_id,redcap_event_name,email,code," + ",".join(items) + ",imh_core_complete"]
    for record in range(1, records + 1):
        code = f"A{record:05d}"
        for event, answers in (("pre_arm_1", "a"), ("post_arm_1", "b")):
            keyed = [answers] * 6 + ["yes"] * 3 + ["a"] * 5
            rating = [str(1 + record % 5)] * 6
            lines.append(
                f"{record},{event},person{record}@example.org,{code},"
                + ",".join(keyed + rating)
                + ",2"
            )
    return "\n".join(lines) + "\n"


def test_a_20000_row_redcap_export_goes_through_the_worker(workspace: Any) -> None:
    export = redcap_records(10_000)
    client = client_for(workspace.users["trainer"])

    began = time.perf_counter()
    started = post_files(client, workspace, files={"files": [("big.csv", export)]})
    in_request = time.perf_counter() - began

    job = Job.objects.get()
    assert started["Location"] == job_address(workspace, job)
    assert not ImportBatch.objects.exists()
    run_tasks()
    batch = ImportBatch.objects.get()
    assert (batch.row_count, batch.counts) == (20_000, {"pre": 10_000, "post": 10_000})
    assert batch.rows[-1]["file"] == "big.csv" and batch.rows[-1]["line"] == 20_001
    confirming = client.post(url("interop_preview", workspace, batch=batch.pk))
    assert "/jobs/" in confirming["Location"]  # 20,000 responses are imported by the worker
    run_tasks()
    assert Submission.objects.filter(collection=workspace.post).count() == 10_000
    assert "person1@example.org" not in stored_text()
    print(f"converting 20,000 rows in the request took {in_request:.1f} s")


def test_exports_of_more_rows_than_an_import_reads_are_refused_before_reading(
    workspace: Any,
) -> None:
    export = redcap_records(20_001)  # 40,002 rows
    client = client_for(workspace.users["trainer"])

    page = cells(
        post_files(client, workspace, files={"files": [("huge.csv", export)]}).content.decode()
    )

    assert (
        "The exports have 40,002 rows (huge.csv: 40,002); imheval reads at most 40,000 at a time "
        "and imports at most 20,000 responses" in page
    )
    assert not Job.objects.exists() and not ImportBatch.objects.exists()
