"""Importing a CSV or XLSX file of responses into a cohort: preview, confirm, all or nothing.

The workspace's cohort SOL-1 has pre, post and follow-up questionnaires, each imh-core (K1-K6
a-d, R1-R3 yes/no, R4-R8 a-c, S1-S6 ratings 1-5).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from test_paper_entry import client_for, url

from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.django_db

GOOD_CSV = """participant,cohort,timepoint,profession,directorate,K1,K2,R1,S1
ma07be,SOL-1,pre,Midwife,Maternity,b,c,yes,3
JO12DE,SOL-1,pre,GP,Primary care,a,,no,4
MA07BE,SOL-1,post,Midwife,Maternity,B,c,Yes,5
JO12DE,SOL-1,post,GP,Primary care,b,c,no,Completely true of me
"""


def upload(client: Any, workspace: Any, name: str, content: bytes | str) -> Any:
    data = content.encode() if isinstance(content, str) else content
    return client.post(
        url("import_file", workspace, cohort=workspace.cohort.pk),
        {"file": SimpleUploadedFile(name, data)},
    )


def test_a_good_file_is_previewed_then_imported_into_each_timepoints_questionnaire(
    workspace: Any,
) -> None:
    trainer = workspace.users["trainer"]
    client = client_for(trainer)

    response = upload(client, workspace, "sol-1.csv", GOOD_CSV)

    batch = ImportBatch.objects.get()
    assert response["Location"] == url("import_preview", workspace, batch=batch.pk)
    assert not Submission.objects.exists()  # nothing until confirmed
    preview = client.get(response["Location"]).content.decode()
    assert "Check before importing" in preview
    assert (batch.row_count, batch.counts, batch.layout) == (4, {"pre": 2, "post": 2}, "tidy")
    assert '<dt class="nhsuk-summary-list__key">Pre-test</dt>' in preview
    assert "2 responses" in preview
    assert "Item column(s) not in the file, read as blank answers: K3" in preview.replace("\n", " ")
    assert '<td class="nhsuk-table__cell">JO12DE</td>' in preview

    done = client.post(url("import_preview", workspace, batch=batch.pk), follow=True)

    assert "Imported 4 responses from sol-1.csv (2 pre-test, 2 post-test)." in done.content.decode()
    pre = Submission.objects.filter(collection=workspace.pre).order_by("code")
    post = Submission.objects.filter(collection=workspace.post).order_by("code")
    assert [s.code for s in pre] == ["JO12DE", "MA07BE"]
    assert pre[0].answers == {"K1": "a", "R1": "no", "S1": "4"}
    assert post[1].answers == {"K1": "b", "K2": "c", "R1": "yes", "S1": "5"}
    assert post[0].answers["S1"] == "5"  # the scale's label, stored as its number
    assert pre[1].profession == "Midwife" and pre[1].directorate == "Maternity"
    assert {(s.source, s.status, s.entered_by) for s in [*pre, *post]} == {
        ("import", "complete", trainer)
    }
    batch.refresh_from_db()
    assert batch.status == "imported"
    assert batch.rows == []
    assert set(batch.submissions.all()) == {*pre, *post}


def test_a_wide_xlsx_file_is_imported_one_response_per_timepoint(workspace: Any) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["participant", "profession", "pre_K1", "pre_S1", "post_K1", "post_S1"])
    sheet.append(["MA07BE", "Midwife", "a", 2, "b", 4])
    sheet.append(["JO12DE", "GP", "c", 3, None, None])
    content = io.BytesIO()
    book.save(content)
    client = client_for(workspace.users["evaluator"])

    response = upload(client, workspace, "wide.xlsx", content.getvalue())
    batch = ImportBatch.objects.get()
    preview = client.get(response["Location"]).content.decode()
    client.post(url("import_preview", workspace, batch=batch.pk))

    assert "The file has no cohort column: every row is imported into SOL-1." in preview
    assert Submission.objects.filter(collection=workspace.pre).count() == 2
    post = Submission.objects.get(collection=workspace.post)
    assert (post.code, post.answers) == ("MA07BE", {"K1": "b", "S1": "4"})


def test_a_file_with_problems_lists_each_row_and_column_and_imports_nothing(
    workspace: Any,
) -> None:
    Submission.objects.create(collection=workspace.post, code="CD03EF", status="complete")
    bad = """participant,cohort,timepoint,K1,S1
MA07BE,SOL-1,pre,e,3
JO12DE,SOL-2,pre,a,3
AB01CD,SOL-1,post,a,9
CD03EF,SOL-1,post,b,2
GH04IJ,SOL-1,pre,,
"""
    client = client_for(workspace.users["trainer"])

    response = upload(client, workspace, "bad.csv", bad)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Import responses" in page
    assert "The file has 4 problems, so nothing was imported" in page
    for row, column, problem in (
        (2, "K1", "Question 1 (K1): &#x27;e&#x27; is not one of the answers: use a, b, c or d"),
        (3, "cohort", "The row is for cohort &#x27;SOL-2&#x27;, but this file is being imported"),
        (4, "S1", "Question 15 (S1): &#x27;9&#x27; is not one of the answers"),
        (5, "participant", "The code CD03EF already has a response to this questionnaire"),
    ):
        assert (
            f'<td class="nhsuk-table__cell">{row}</td>\n'
            f'      <td class="nhsuk-table__cell">{column}</td>\n'
            f'      <td class="nhsuk-table__cell">{problem}'
        ) in page
    assert not ImportBatch.objects.exists()
    assert Submission.objects.count() == 1


def test_the_readers_own_problems_are_listed_with_row_and_column(workspace: Any) -> None:
    bad = "participant,timepoint,K1\nMA07BE,later,a\n,pre,b\nJO12DE,pre,a\nJO12DE,pre,b\n"
    client = client_for(workspace.users["trainer"])

    page = upload(client, workspace, "reader.csv", bad).content.decode()

    assert "Unknown timepoint &#x27;later&#x27;" in page
    assert (
        '<td class="nhsuk-table__cell">3</td>\n      <td class="nhsuk-table__cell">participant</td>'
        in page
    )
    assert "Participant code &#x27;JO12DE&#x27; appears more than once" in page
    assert not Submission.objects.exists()


def test_rows_for_a_timepoint_without_a_questionnaire_are_refused(workspace: Any) -> None:
    workspace.followup.delete()
    client = client_for(workspace.users["trainer"])

    page = upload(client, workspace, "f.csv", "participant,timepoint,K1\nMA07BE,follow-up,a\n")

    assert "Cohort SOL-1 has no follow-up questionnaire" in page.content.decode()
    assert not Submission.objects.exists()


def test_the_wrong_kind_of_file_is_refused_before_reading(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])

    page = upload(client, workspace, "answers.xls", b"old excel").content.decode()

    assert '<a href="#id_file">The file must be a CSV or XLSX file' in page
    assert "Save it from your spreadsheet as .xlsx or .csv." in page


def test_a_cancelled_preview_imports_nothing_and_an_import_can_be_deleted(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])
    upload(client, workspace, "first.csv", GOOD_CSV)
    first = ImportBatch.objects.get()
    client.post(url("import_cancel", workspace, batch=first.pk))
    assert not ImportBatch.objects.exists()
    assert not Submission.objects.exists()

    upload(client, workspace, "second.csv", GOOD_CSV)
    second = ImportBatch.objects.get()
    client.post(url("import_preview", workspace, batch=second.pk))
    assert Submission.objects.count() == 4
    listing = client.get(url("import_file", workspace, cohort=workspace.cohort.pk))
    assert "2 pre-test, 2 post-test" in listing.content.decode()
    client.post(url("import_undo", workspace, batch=second.pk))

    assert not Submission.objects.exists()
    assert not ImportBatch.objects.exists()


def test_codes_saved_between_preview_and_confirm_stop_the_whole_import(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    upload(client, workspace, "late.csv", GOOD_CSV)
    batch = ImportBatch.objects.get()
    Submission.objects.create(collection=workspace.post, code="JO12DE", status="complete")

    page = client.post(url("import_preview", workspace, batch=batch.pk)).content.decode()

    assert "Nothing was imported" in page
    assert "saved after the file was checked" in page
    assert Submission.objects.count() == 1


def test_viewers_cannot_import_and_outsiders_cannot_see_a_preview(workspace: Any) -> None:
    upload(client_for(workspace.users["trainer"]), workspace, "a.csv", GOOD_CSV)
    batch = ImportBatch.objects.get()
    viewer = client_for(workspace.users["viewer"])

    assert upload(viewer, workspace, "b.csv", GOOD_CSV).status_code == 403
    assert viewer.post(url("import_preview", workspace, batch=batch.pk)).status_code == 403
    outsider = client_for(workspace.outsider)
    preview = reverse_for_other(workspace, batch)
    assert outsider.get(preview).status_code == 404
    assert ImportBatch.objects.count() == 1
    assert not Submission.objects.exists()


def reverse_for_other(workspace: Any, batch: ImportBatch) -> str:
    """The preview's address as an outsider would try it, under their own organisation."""
    from django.urls import reverse

    return reverse(
        "paper:import_preview", kwargs={"org": workspace.other_organisation.slug, "batch": batch.pk}
    )
