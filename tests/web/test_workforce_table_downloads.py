"""The births and earlier-training tables as CSV/XLSX: in the command line's shapes, so that
``imheval coverage --births`` and the TRAINING file read them back."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

from conftest import client_as
from django.urls import reverse
from openpyxl import load_workbook

from imheval.web.workforce.models import BirthsYear, EarlierTraining
from imheval.workforce import BUILT_IN, read_births, read_training


def _url(name: str, file_format: str) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern", "file_format": file_format})


def test_births_download_reads_back_as_the_clis_births_file(workspace: Any, tmp_path: Path) -> None:
    BirthsYear.objects.create(organisation=workspace.organisation, year=2024, births=3100)
    BirthsYear.objects.create(organisation=workspace.organisation, year=2025, births=3200)
    response = client_as(workspace.users["viewer"]).get(_url("births_download", "csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="births-northern.csv"'
    text = response.content.decode("utf-8-sig")
    name = workspace.organisation.name
    assert text.splitlines() == [
        "organisation,year,births_per_year",
        f"{name},2025,3200",
        f"{name},2024,3100",
    ]
    path = tmp_path / "births.csv"
    path.write_bytes(response.content)
    # the command line takes each organisation's latest year
    assert [(b.organisation, b.births_per_year) for b in read_births(path)] == [(name, 3200)]
    page = client_as(workspace.users["viewer"]).get(
        reverse("workforce:births", kwargs={"org": "northern"})
    )
    assert _url("births_download", "xlsx") in page.content.decode()


def test_earlier_training_download_reads_back_as_a_training_file(
    workspace: Any, tmp_path: Path
) -> None:
    EarlierTraining.objects.create(
        organisation=workspace.organisation,
        person="=HYPERLINK(1)",
        service="Health visiting",
        profession="Health visitor",
        level="Skilled",
        completed_on=datetime.date(2024, 5, 1),
        programme="Solihull",
    )
    client = client_as(workspace.users["evaluator"])
    response = client.get(_url("earlier_download", "xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:6] == [
        "person",
        "organisation",
        "service",
        "profession",
        "level",
        "completed_on",
    ]
    assert rows[1][0] == "=HYPERLINK(1)"
    assert sheet["A2"].data_type == "s"  # text, never a formula
    path = tmp_path / "training.xlsx"
    path.write_bytes(response.content)
    (record,) = read_training(path, BUILT_IN["nes"])
    assert (record.person, record.level, record.completed_on) == (
        "=HYPERLINK(1)",
        "Skilled",
        datetime.date(2024, 5, 1),
    )
    # a staff training record: viewers may not download it
    assert (
        client_as(workspace.users["viewer"]).get(_url("earlier_download", "csv")).status_code == 403
    )
    assert client.get(_url("earlier_download", "pdf")).status_code == 404
