"""Large imports run by the background worker: a big file is checked, and a big preview
imported, by the real db worker (task_worker.run_tasks), never in the request.

The thresholds are lowered for each test so that a four-row file counts as large; the work
itself is exactly the import page's (importing.check_file and importing.confirm).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from task_worker import queued, run_tasks
from test_paper_entry import client_for, url
from test_paper_import import GOOD_CSV, upload

from imheval.web.capture.models import Submission
from imheval.web.organisations.models import AuditEvent
from imheval.web.paper import importing
from imheval.web.paper.models import ImportBatch
from imheval.web.tasks.models import Job, JobState

pytestmark = pytest.mark.django_db

BAD_CSV = "participant,cohort,timepoint,K1,S1\nMA07BE,SOL-1,pre,e,3\nJO12DE,SOL-1,pre,a,9\n"


@pytest.fixture
def large_files(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file counts as large, so its check goes to the worker."""
    monkeypatch.setattr(importing, "BACKGROUND_CHECK_BYTES", 10)


@pytest.fixture
def large_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every preview of more than one response counts as large, so its import goes to the
    worker."""
    monkeypatch.setattr(importing, "BACKGROUND_CONFIRM_ROWS", 1)


def job_address(workspace: Any, job: Job) -> str:
    return reverse("jobs:job", args=[workspace.organisation.slug, job.pk])


def test_a_large_file_is_checked_by_the_worker_then_leads_to_its_preview(
    workspace: Any, large_files: None
) -> None:
    client = client_for(workspace.users["trainer"])

    started = upload(client, workspace, "big.csv", GOOD_CSV)

    job = Job.objects.get()
    assert started["Location"] == job_address(workspace, job)
    assert (job.state, job.kind, job.params["step"]) == (JobState.QUEUED, "import", "check")
    assert bytes(job.upload) == GOOD_CSV.encode()
    assert not ImportBatch.objects.exists()  # nothing read in the request
    waiting = client.get(started["Location"]).content.decode()
    assert "Checking big.csv for cohort SOL-1" in waiting and "Waiting to start" in waiting

    [finished] = run_tasks()

    assert finished.status == "SUCCESSFUL"
    batch = ImportBatch.objects.get()
    job.refresh_from_db()
    assert (job.state, job.upload) == (JobState.DONE, None)  # the file is not kept
    preview_url = url("import_preview", workspace, batch=batch.pk)
    assert client.get(started["Location"])["Location"] == preview_url
    status = reverse("jobs:status", args=[workspace.organisation.slug, job.pk])
    assert client.get(status, {"shown": "queued"})["HX-Redirect"] == preview_url
    assert (batch.row_count, batch.counts) == (4, {"pre": 2, "post": 2})
    assert not Submission.objects.exists()  # a preview, still nothing imported


def test_a_large_file_with_problems_lists_them_on_its_job_page_and_imports_nothing(
    workspace: Any, large_files: None
) -> None:
    client = client_for(workspace.users["trainer"])

    started = upload(client, workspace, "bad.csv", BAD_CSV)
    run_tasks()

    job = Job.objects.get()
    assert (job.state, job.upload) == (JobState.FAILED, None)
    assert job.problem == (
        "The file has 2 problems, so nothing was imported: correct them and upload the file again."
    )
    assert [(p["row"], p["column"]) for p in job.problems] == [(2, "K1"), (3, "S1")]
    page = client.get(started["Location"]).content.decode()
    assert "This could not be finished" in page
    assert "The file has 2 problems, so nothing was imported" in page
    assert "&#x27;e&#x27; is not one of the answers: use a, b, c or d" in page
    assert "Traceback" not in page
    back = url("import_file", workspace, cohort=workspace.cohort.pk)
    assert f'<a href="{back}">Go back and try again</a>' in page
    assert not ImportBatch.objects.exists() and not Submission.objects.exists()


def xlsx_unzipping_large(strings_bytes: int) -> bytes:
    """GOOD_CSV as a workbook whose shared strings part is padded with "ab" to ``strings_bytes``
    (the shape of the attack: 520 KB that unzip to 48 MB and take 22 s to open)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in GOOD_CSV.splitlines():
        sheet.append(line.split(","))
    plain, padded = io.BytesIO(), io.BytesIO()
    workbook.save(plain)
    strings = b"<sst>" + b"<si><t>ab</t></si>" * (strings_bytes // 18) + b"</sst>"
    listed = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    with (
        zipfile.ZipFile(plain) as original,
        zipfile.ZipFile(padded, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for entry in original.infolist():
            data = original.read(entry.filename)
            if entry.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", listed)
            out.writestr(entry.filename, data)
        out.writestr("xl/sharedStrings.xml", strings)
    return padded.getvalue()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the import reads (in the request or the worker)."""
    read_file = importing.read_file
    names: list[str] = []

    def recorded(name: str, *args: Any) -> Any:
        names.append(name)
        return read_file(name, *args)

    monkeypatch.setattr(importing, "read_file", recorded)
    return names


def test_a_small_xlsx_that_unzips_large_is_checked_by_the_worker_not_the_request(
    workspace: Any, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    monkeypatch.setattr(importing, "BACKGROUND_CHECK_BYTES", 200_000)
    data = xlsx_unzipping_large(strings_bytes=900_000)
    assert len(data) < 20_000  # far under the limit as uploaded
    client = client_for(workspace.users["trainer"])

    started = upload(client, workspace, "small.xlsx", data)

    job = Job.objects.get()
    assert started["Location"] == job_address(workspace, job)
    assert (job.state, job.params["step"]) == (JobState.QUEUED, "check")
    assert reads == [] and not ImportBatch.objects.exists()  # nothing read in the request

    [finished] = run_tasks()

    assert finished.status == "SUCCESSFUL" and reads == ["small.xlsx"]
    assert ImportBatch.objects.get().counts == {"pre": 2, "post": 2}


def test_an_xlsx_whose_size_cannot_be_measured_is_refused_in_the_request_unparsed(
    workspace: Any, monkeypatch: pytest.MonkeyPatch, reads: list[str]
) -> None:
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", None)  # any parsing would fail loudly
    client = client_for(workspace.users["trainer"])

    page = upload(client, workspace, "damaged.xlsx", xlsx_unzipping_large(1_000)[:-200])

    assert reads == ["damaged.xlsx"] and not Job.objects.exists()
    assert "Cannot be read as an Excel workbook: not a valid .xlsx (zip) file" in (
        page.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_the_reader_stops_at_the_import_limit(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    client = client_for(workspace.users["trainer"])

    page = upload(client, workspace, "long.csv", GOOD_CSV).content.decode()

    assert "the file has more than 3 rows below the header" in page.lower()
    assert not ImportBatch.objects.exists()


def test_a_large_preview_is_imported_by_the_worker_then_leads_to_the_import_page(
    workspace: Any, large_previews: None
) -> None:
    trainer = workspace.users["trainer"]
    client = client_for(trainer)
    upload(client, workspace, "sol-1.csv", GOOD_CSV)
    batch = ImportBatch.objects.get()

    started = client.post(url("import_preview", workspace, batch=batch.pk))
    again = client.post(url("import_preview", workspace, batch=batch.pk))

    job = Job.objects.get()  # the second click leads to the same job
    assert started["Location"] == again["Location"] == job_address(workspace, job)
    assert len(queued()) == 1
    assert not Submission.objects.exists()  # nothing imported in the request

    run_tasks()

    job.refresh_from_db()
    batch.refresh_from_db()
    assert job.state == JobState.DONE and batch.status == "imported"
    assert Submission.objects.filter(source="import", entered_by=trainer).count() == 4
    # each response is in the audit log, as the trainer's, as an import in the request logs it
    logged = AuditEvent.objects.filter(object_type="submission", action="created")
    assert sorted(int(e.object_id) for e in logged) == sorted(
        Submission.objects.values_list("pk", flat=True)
    )
    assert {(e.actor, e.actor_label) for e in logged} == {(trainer, "trainer-north")}
    assert {tuple(sorted(e.changes)) for e in logged} == {
        ("answers", "code", "directorate", "profession", "source", "status")
    }
    assert all(set(e.changes.values()) == {"changed"} for e in logged)  # never the answers
    import_page = url("import_file", workspace, cohort=workspace.cohort.pk)
    assert client.get(started["Location"])["Location"] == import_page
    assert "2 pre-test, 2 post-test" in client.get(import_page).content.decode()


def test_a_large_preview_whose_codes_were_used_meanwhile_imports_nothing_and_is_forgotten(
    workspace: Any, large_previews: None
) -> None:
    client = client_for(workspace.users["trainer"])
    upload(client, workspace, "late.csv", GOOD_CSV)
    batch = ImportBatch.objects.get()
    started = client.post(url("import_preview", workspace, batch=batch.pk))
    Submission.objects.create(collection=workspace.post, code="JO12DE", status="complete")

    run_tasks()

    job = Job.objects.get()
    assert job.state == JobState.FAILED
    assert job.problems[0]["column"] == "participant"
    assert "saved after the file was checked" in job.problems[0]["message"]
    assert "saved after the file was checked" in client.get(started["Location"]).content.decode()
    assert Submission.objects.count() == 1  # only the one saved meanwhile
    assert not ImportBatch.objects.exists()  # cannot be confirmed again


def test_an_import_job_is_seen_only_by_the_member_who_started_it(
    workspace: Any, large_files: None
) -> None:
    started = upload(client_for(workspace.users["trainer"]), workspace, "big.csv", GOOD_CSV)
    run_tasks()

    for user in (workspace.users["admin"], workspace.outsider):
        assert client_for(user).get(started["Location"]).status_code == 404
    assert ImportBatch.objects.count() == 1
