"""The board pack page: a year, a line on each delivery-plan action, and the pack as Word or PDF
written by a worker, on the hand-worked data of test_workforce_adapter (financial year 2025/26,
so coverage is counted on 31 March 2026 whatever today is)."""

from __future__ import annotations

import datetime
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from docx import Document
from tests.web.conftest import client_as
from tests.web.task_worker import run_tasks
from tests.web.test_workforce_adapter import build_northern

from imheval.reports.coverage import percent_text

YEAR = "2025"


@pytest.fixture
def northern(workspace: Any) -> Any:
    from imheval.web.workforce.models import PlacesYear
    from imheval.web.workspace.models import Programme

    build_northern(workspace.organisation)
    skilled = Programme.objects.get(organisation=workspace.organisation, name="Skilled course")
    PlacesYear.objects.create(programme=skilled, year=2025, funded=12, offered=10)
    return workspace


def _url() -> str:
    return reverse("workforce:board_pack", kwargs={"org": "northern"})


def _write(workspace: Any, kind: str, **fields: str) -> Any:
    from imheval.web.tasks.models import Job

    client = client_as(workspace.users["viewer"])
    response = client.post(_url(), {"year": YEAR, "format": kind, **fields})
    job = Job.objects.latest("created_at")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job", args=["northern", job.pk])
    run_tasks()
    job.refresh_from_db()
    assert job.state == "done", job.problem
    return job


def _cells(job: Any) -> list[list[str]]:
    document = Document(io.BytesIO(bytes(job.output)))
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_the_form_offers_the_years_with_data_and_both_formats(northern: Any) -> None:
    page = client_as(northern.users["viewer"]).get(_url()).content.decode()
    # cohorts started in 2022/23 (E-1), 2025/26 and 2026/27; places recorded for 2025/26
    for label in ("2026/27", "2025/26", "2022/23"):
        assert f">{label}</option>" in page
    assert "Word (.docx)" in page and ">PDF<" in page
    assert "Training and workforce development" in page
    assert "Evaluation of impact" in page


def test_word_pack_holds_the_years_places_and_the_commentary(northern: Any) -> None:
    job = _write(
        northern,
        "docx",
        training="Two more Skilled cohorts booked for May.",
        evaluation="Follow-up at 6 months starts in June.",
    )
    assert job.file_name == "board-pack-northern-2025-26.docx"
    cells = _cells(job)
    # 2025/26 cohorts: S-0 (mover), E-2 (hv4, pmh2), I-1 (hv1, hv3), T-1 (taster); every one
    # of them completed. The Skilled course had 12 places funded and 10 offered: 1 taken.
    assert [
        "Skilled course",
        "Skilled",
        "\u2013",
        "12",
        "10",
        "1",
        "1",
        percent_text(100 / 12),
        "100%",
    ] in cells
    assert ["Health visitor", "5", "5", "100%"] in cells  # mover, hv4, hv1, hv3, taster
    assert ["Nurse", "1", "1", "100%"] in cells  # pmh2
    text = " ".join(p.text for p in Document(io.BytesIO(bytes(job.output))).paragraphs)
    assert "Two more Skilled cohorts booked for May." in text
    assert "Follow-up at 6 months starts in June." in text
    assert "Delivery plan actions" in text


def test_the_packs_coverage_is_the_coverage_pages_on_the_years_last_day(northern: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    result = organisation_coverage(northern.organisation, datetime.date(2026, 3, 31))
    met = sum(1 for row in result.rows if row.status == "met")
    job = _write(northern, "docx")
    text = " ".join(p.text for p in Document(io.BytesIO(bytes(job.output))).paragraphs)
    assert f"{met} of {len(result.rows)} training targets met on 31 March 2026." in text


def test_pdf_pack(northern: Any) -> None:
    job = _write(northern, "pdf")
    assert bytes(job.output)[:5] == b"%PDF-"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.pdf"
        path.write_bytes(bytes(job.output))
        text = subprocess.run(
            ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
        ).stdout
    text = " ".join(text.split())
    assert "Summary for the board" in text
    assert "12 places funded on 4 programmes" in text


def test_a_bad_year_or_format_is_a_form_error_not_a_job(northern: Any) -> None:
    from imheval.web.tasks.models import Job

    client = client_as(northern.users["viewer"])
    response = client.post(_url(), {"year": "1999", "format": "docx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(_url(), {"year": YEAR, "format": "exe"})
    assert response.status_code == 400
    assert not Job.objects.exists()


def test_outsiders_get_404_and_visitors_sign_in(northern: Any) -> None:
    from django.test import Client

    assert Client().get(_url()).status_code == 302
    from django.contrib.auth import get_user_model

    stranger = get_user_model().objects.create_user("stranger", password="x" * 16)
    assert client_as(stranger).get(_url()).status_code == 404


def test_the_workforce_home_links_to_the_board_pack(northern: Any) -> None:
    home = client_as(northern.users["viewer"]).get(
        reverse("workforce:home", kwargs={"org": "northern"})
    )
    assert f'href="{_url()}"' in home.content.decode()


def test_the_workforce_home_leads_to_the_cohorts_and_their_registers(northern: Any) -> None:
    home = client_as(northern.users["viewer"]).get(
        reverse("workforce:home", kwargs={"org": "northern"})
    )
    cohorts = reverse("workspace:cohorts", kwargs={"org": "northern"})
    assert f'<a href="{cohorts}">choose a cohort</a>' in home.content.decode()


def test_the_workforce_home_links_to_the_guide_and_the_anchor_exists(northern: Any) -> None:
    home = client_as(northern.users["viewer"]).get(
        reverse("workforce:home", kwargs={"org": "northern"})
    )
    guide = reverse("guides:guide", args=["coverage"])
    assert f'href="{guide}#getting-started-in-the-web-app"' in home.content.decode()
    page = client_as(northern.users["viewer"]).get(guide).content.decode()
    assert 'id="getting-started-in-the-web-app"' in page
    assert 'id="the-board-pack"' in page
