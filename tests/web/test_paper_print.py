"""Printable paper questionnaires: a real PDF with the questions and a number on every page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from test_paper_entry import client_for, url

from imheval.web.paper.models import PaperSetup

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes, folder: Path) -> tuple[list[str], int]:
    """The text of each page (pdftotext) and the page count (pdfinfo)."""
    path = folder / "forms.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.MULTILINE).group(1))  # type: ignore[union-attr]
    return text.split("\f")[:pages], pages


def test_printed_forms_hold_the_cohort_every_question_and_a_number_on_each_page(
    workspace: Any, tmp_path: Path
) -> None:
    client = client_for(workspace.users["trainer"])
    collection = workspace.post

    response = client.get(
        url("print", workspace, collection=collection.pk), {"first": 5, "copies": 3}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"imheval-forms-{collection.pk}-005-to-007.pdf" in response["Content-Disposition"]
    pages, count = pdf_text(response.content, tmp_path)
    assert count % 3 == 0
    per_form = count // 3
    assert 2 <= per_form <= 8
    labels = [f"{collection.pk}-{n:03d}" for n in (5, 6, 7)]
    for index, page in enumerate(pages):
        form = labels[index // per_form]
        assert form in page, f"page {index + 1} lacks its form number {form}"
        assert f"Page {index % per_form + 1} of {per_form}" in page
    first_form = " ".join(" ".join(pages[:per_form]).split())
    assert "Solihull Approach foundation" in first_form
    assert "Cohort SOL-1 · Post-test" in first_form
    assert "Questionnaire at the end of the training" in first_form
    assert "I have read this and I agree to take part" in first_form
    assert "The first 2 letters of your mother's first name" in first_form
    assert "1 Health visitor" in first_form
    assert "6 Other" in first_form  # the last directorate
    # every question, with the answers a trainer types when keying it in
    assert "1. A 10-month-old falls over and screams." in first_form
    assert "7. You visit a mother who has been low in mood since the birth." in first_form
    assert "20. " in first_form and "21. " not in first_form  # imh-core has 20 questions
    assert "a Showing her that falls are nothing to cry about" in first_form
    assert "Not at all true of me" in first_form  # the rating scale's labels head its table
    assert "Completely" in first_form
    # each page's instruction fits its answers, as on the phone: a scale of how true of you
    assert "Choose the one best answer to each question." in first_form
    assert "Say how true each statement is of you." in first_form
    assert PaperSetup.objects.get(collection=collection).last_printed == 7


def test_the_print_page_offers_numbers_after_the_last_forms_printed(workspace: Any) -> None:
    PaperSetup.objects.create(collection=workspace.pre, last_printed=30)
    client = client_for(workspace.users["trainer"])

    page = client.get(url("print", workspace, collection=workspace.pre.pk)).content.decode()
    wrong = client.get(
        url("print", workspace, collection=workspace.pre.pk), {"first": "1", "copies": "500"}
    )

    assert 'name="first" type="text" inputmode="numeric" value="31"' in page
    assert wrong["Content-Type"].startswith("text/html")
    assert '<a href="#id_copies">Print at most 100 forms at a time</a>' in wrong.content.decode()
