"""Template files on the import page: each questionnaire's columns and one sample row, as CSV
and XLSX, which import back as one response; never another organisation's.

The workspace's cohort SOL-1 has pre, post and follow-up questionnaires, each imh-core.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from test_paper_entry import client_for, url
from test_paper_import import upload

from imheval.instruments import resolve_instrument
from imheval.io.templates import SAMPLE_CODE
from imheval.web.capture.models import Submission
from imheval.web.paper.models import ImportBatch

pytestmark = pytest.mark.django_db

CORE_ITEMS = [item.id for item in resolve_instrument("imh-core@1.0.0").items]  # as pinned


def template_url(workspace: Any, collection: Any, kind: str) -> str:
    return url(f"import_template_{kind}", workspace, collection=collection.pk)


def test_the_import_page_links_a_csv_and_an_xlsx_template_per_questionnaire(
    workspace: Any,
) -> None:
    client = client_for(workspace.users["trainer"])
    page = client.get(url("import_file", workspace, cohort=workspace.cohort.pk)).content.decode()
    assert "Templates to fill in" in page
    for collection in (workspace.pre, workspace.post):
        assert f'href="{template_url(workspace, collection, "csv")}"' in page
        assert f'href="{template_url(workspace, collection, "xlsx")}"' in page


def test_the_csv_template_has_the_questionnaires_columns_and_imports_back(workspace: Any) -> None:
    client = client_for(workspace.users["trainer"])
    response = client.get(template_url(workspace, workspace.post, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"imheval-template-{workspace.cohort.pk}-post.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    header, sample = response.content.decode("utf-8-sig").splitlines()
    reserved = "participant,cohort,programme,timepoint,directorate,profession"
    assert header == reserved + "," + ",".join(CORE_ITEMS)
    programme = workspace.cohort.programme.name
    assert sample.startswith(f"{SAMPLE_CODE},SOL-1,{programme},post,,,a,")

    imported = upload(client, workspace, name, response.content)
    batch = ImportBatch.objects.get()
    assert imported["Location"] == url("import_preview", workspace, batch=batch.pk)
    assert (batch.counts, batch.ignored_columns, batch.warnings) == ({"post": 1}, [], [])
    client.post(url("import_preview", workspace, batch=batch.pk))
    response_made = Submission.objects.get()
    assert response_made.collection == workspace.post
    assert response_made.answers["K1"] == "a" and response_made.answers["S1"] == "3"


def test_the_xlsx_template_opens_in_a_spreadsheet(workspace: Any) -> None:
    client = client_for(workspace.users["evaluator"])
    response = client.get(template_url(workspace, workspace.pre, "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:7] == [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        "K1",
    ]
    assert rows[1][:4] == [SAMPLE_CODE, "SOL-1", workspace.cohort.programme.name, "pre"]
    assert len(rows) == 2


def test_templates_are_never_another_organisations(workspace: Any) -> None:
    outsider = client_for(workspace.outsider)
    theirs = reverse(
        "paper:import_template_csv",
        kwargs={"org": workspace.other_organisation.slug, "collection": workspace.pre.pk},
    )
    assert outsider.get(theirs).status_code == 404
    assert outsider.get(template_url(workspace, workspace.pre, "csv")).status_code == 404
