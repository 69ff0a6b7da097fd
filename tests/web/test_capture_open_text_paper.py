"""Open questions on paper (ruled lines on the printed form, a text box when keying it in) and in
the responses downloads (a column per question, formula-safe)."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pyreadstat
import pytest
from conftest import Workspace
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from test_capture_open_text import reflection_collection
from test_paper_entry import client_for, form_data
from test_results_pages import respond

from imheval.web.capture.models import Submission
from imheval.web.paper.printing import form_context, form_html

pytestmark = pytest.mark.django_db


def enter_url(workspace: Workspace, collection: Any) -> str:
    return reverse(
        "paper:enter", kwargs={"org": workspace.organisation.slug, "collection": collection.pk}
    )


def test_the_keying_page_has_a_text_box_for_each_open_question(workspace: Workspace) -> None:
    collection = reflection_collection(workspace)

    page = client_for(workspace.users["trainer"]).get(enter_url(workspace, collection))

    html = page.content.decode()
    assert page.status_code == 200
    assert '<textarea class="nhsuk-textarea" id="id_q_RK1why" name="q_RK1why" rows="3"' in html
    assert '<textarea class="nhsuk-textarea" id="id_q_learned" name="q_learned"' in html
    assert "The words written, up to 40 characters" in html
    assert 'name="q_RK1" type="text"' in html  # the keyed question keeps its small box


def test_a_keyed_open_answer_is_stored_as_written(workspace: Workspace) -> None:
    collection = reflection_collection(workspace)
    typed = form_data(1, RK1="B", RK1why="  Felt right\r\nto me ", learned="Name the feeling")

    response = client_for(workspace.users["trainer"]).post(enter_url(workspace, collection), typed)

    assert response.status_code == 302
    submission = Submission.objects.get(collection=collection)
    assert submission.answers == {
        "RK1": "b",
        "RK1why": "Felt right\nto me",
        "learned": "Name the feeling",
    }


def test_a_keyed_open_answer_over_the_limit_is_refused_naming_the_question(
    workspace: Workspace,
) -> None:
    collection = reflection_collection(workspace)
    typed = form_data(1, RK1why="x" * 41)

    response = client_for(workspace.users["trainer"]).post(enter_url(workspace, collection), typed)

    assert response.status_code == 200
    assert (
        "Question 2 (RK1why): the answer is 41 characters; type at most 40"
        in response.content.decode()
    )
    assert not Submission.objects.filter(collection=collection).exists()


def test_the_printed_form_gives_ruled_lines_for_an_open_question(workspace: Workspace) -> None:
    collection = reflection_collection(workspace)

    pages = form_context(collection)["pages"]
    html = form_html(collection)

    assert [page["title"] for page in pages] == ["What you know", "In your own words"]
    assert [len(rule.lines) for rule in pages[0]["rules"]] == [0, 3]
    assert [len(rule.lines) for rule in pages[1]["rules"]] == [8]  # 1,000 characters
    assert html.count('<div class="line"></div>') == 3 + 8
    assert (
        html.count("Write your answer on the lines. Do not write names of people or places.") == 2
    )


def _export(workspace: Workspace, kind: str) -> bytes:
    url = reverse("results:cohort_export", args=["northern", workspace.cohort.pk])
    response = client_for(workspace.users["trainer"]).get(url, {"format": kind})
    assert response.status_code == 200, response.content[:300]
    return bytes(response.content)


def _answered(workspace: Workspace) -> None:
    collection = reflection_collection(workspace)
    respond(collection, "AB01CD", {"RK1": "b", "learned": '=HYPERLINK("x")\nsecond line'})
    respond(collection, "EF02GH", {"RK1": "a", "RK1why": "A guess"})


def test_the_responses_csv_has_a_formula_safe_column_per_open_question(
    workspace: Workspace,
) -> None:
    _answered(workspace)

    rows = list(csv.DictReader(io.StringIO(_export(workspace, "csv").decode("utf-8-sig"))))

    assert [(r["participant"], r["RK1"], r["RK1why"], r["learned"]) for r in rows] == [
        ("AB01CD", "b", "", '\'=HYPERLINK("x")\nsecond line'),
        ("EF02GH", "a", "A guess", ""),
    ]


def test_the_responses_xlsx_has_the_open_answers_as_text_cells(workspace: Workspace) -> None:
    _answered(workspace)

    sheet = openpyxl.load_workbook(io.BytesIO(_export(workspace, "xlsx")))["responses"]

    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    learned = [row[header.index("learned")] for row in rows[1:]]
    assert learned == ['=HYPERLINK("x")\nsecond line', None]
    assert sheet.cell(row=2, column=header.index("learned") + 1).data_type == "s"


def test_an_imported_file_brings_its_open_answers_as_text(workspace: Workspace) -> None:
    collection = reflection_collection(workspace)
    client = client_for(workspace.users["trainer"])
    rows = (
        "participant,cohort,timepoint,RK1,RK1why,learned\r\n"
        'AB01CD,SOL-1,post,b,,"Two lines\nof text"\r\n'
        "EF02GH,SOL-1,post,a,A guess,\r\n"
    )
    upload = SimpleUploadedFile("reflect.csv", rows.encode())

    response = client.post(
        reverse("paper:import_file", kwargs={"org": "northern", "cohort": workspace.cohort.pk}),
        {"file": upload},
    )
    done = client.post(response["Location"], follow=True)

    assert "Imported 2 responses from reflect.csv" in done.content.decode()
    imported = Submission.objects.filter(collection=collection).order_by("code")
    assert [s.answers for s in imported] == [
        {"RK1": "b", "learned": "Two lines\nof text"},
        {"RK1": "a", "RK1why": "A guess"},
    ]


def test_an_imported_answer_over_the_limit_is_refused_naming_row_and_question(
    workspace: Workspace,
) -> None:
    reflection_collection(workspace)
    rows = "participant,cohort,timepoint,RK1why\r\nAB01CD,SOL-1,post," + "x" * 41 + "\r\n"

    response = client_for(workspace.users["trainer"]).post(
        reverse("paper:import_file", kwargs={"org": "northern", "cohort": workspace.cohort.pk}),
        {"file": SimpleUploadedFile("reflect.csv", rows.encode())},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Question 2 (RK1why): the answer is 41 characters; type at most 40" in page
    assert not Submission.objects.exists()


def test_the_spss_file_carries_an_open_answer_as_text(workspace: Workspace, tmp_path: Any) -> None:
    _answered(workspace)
    path = tmp_path / "responses.sav"
    path.write_bytes(_export(workspace, "sav"))

    frame, _ = pyreadstat.read_sav(str(path))

    assert list(frame["RK1why"]) == ["", "A guess"]
