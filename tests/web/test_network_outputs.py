"""The group report (HTML, PDF, Word), the register exports and CPD statements: who gets them,
and what is (and is not) in them."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from conftest import client_as
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from test_network_member_link import days, link_for, make_group

from imheval.web.network.models import MeetingReading, Reading

pytestmark = pytest.mark.django_db


def _url(name: str, made: Any, **more: Any) -> str:
    return reverse(f"network:{name}", kwargs={"org": "northern", "group": made.group.pk, **more})


def _with_reading(made: Any) -> Reading:
    reading = Reading.objects.create(
        organisation=made.group.organisation,
        authors="Fraiberg, S., Adelson, E., & Shapiro, V.",
        year=1975,
        title="Ghosts in the nursery",
        source="Journal of the American Academy of Child Psychiatry",
        doi="10.1016/S0002-7138(09)61442-4",
        competencies=["aimh-uk-imhcf:relationship_based_practice"],
    )
    MeetingReading.objects.create(meeting=made.meetings[0], reading=reading, sent_on=days(-70))
    return reading


def test_tidy_csv_has_one_row_per_member_per_meeting_exactly(workspace: Any) -> None:
    made = make_group(workspace)
    response = client_as(workspace.users["trainer"]).get(
        _url("register_export", made) + "?format=csv"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="perinatal-imh-network')
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    topics = [
        (days(-60), "Ghosts in the nursery"),
        (days(-30), "Reflective functioning"),
        (days(30), "Video feedback"),
        (days(60), "Fathers in the perinatal period"),
    ]
    expected = [["member", "profession", "service", "date", "topic", "duration_minutes", "status"]]
    for name, profession, statuses in (
        ("Aoife Byrne", "Psychology", ("present", "late")),
        ("Brendan Cole", "Nursing", ("absent", "present")),
        ("Ciara Doyle", "Social work", ("present", "present")),
    ):
        for (day, topic), status in zip(topics, (*statuses, "planned", "planned"), strict=True):
            expected.append([name, profession, "", day.isoformat(), topic, "90", status])
    assert rows == expected


def test_wide_xlsx_has_a_row_per_member_and_no_questionnaire_data(workspace: Any) -> None:
    made = make_group(workspace)
    response = client_as(workspace.users["admin"]).get(
        _url("register_export", made) + "?format=xlsx"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["register", "about"]
    rows = list(book["register"].iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["member", "Aoife Byrne", "Brendan Cole", "Ciara Doyle"]
    assert rows[1][3:5] == ("present", "late")
    text = " ".join(str(cell) for row in rows for cell in row if cell is not None).lower()
    for questionnaire_word in ("code", "pre-test", "answer", "imh-core", "profile"):
        assert questionnaire_word not in text


def test_exports_only_for_facilitators_admins_and_evaluators(workspace: Any) -> None:
    made = make_group(workspace, facilitator_role="trainer")
    url = _url("register_export", made) + "?format=csv"
    assert client_as(workspace.users["viewer"]).get(url).status_code == 403
    assert client_as(workspace.users["evaluator"]).get(url).status_code == 200
    assert client_as(workspace.outsider).get(url).status_code == 404
    assert client_as(workspace.users["admin"]).get(url[:-3] + "sav").status_code == 404
    made.group.facilitators.clear()
    assert client_as(workspace.users["trainer"]).get(url).status_code == 403


def test_group_report_html_names_no_member_and_has_each_part(workspace: Any) -> None:
    made = make_group(workspace)
    _with_reading(made)
    response = client_as(workspace.users["viewer"]).get(_url("group_report", made) + "?format=html")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    policy = response["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script" not in policy
    page = response.content.decode()
    for name in ("Aoife", "Brendan", "Ciara"):
        assert name not in page
    assert "Perinatal IMH network: network group report" in page
    assert (
        "The group has met 2 times so far this attendance year; 2 more meetings are planned."
        in page
    )
    # 3 expected at each meeting; present 2 + late 0 / present 2 + late 1
    assert "Attendance at each meeting held" in page
    assert "5 of 6 places" in page
    # three members in a state: under 5, hidden
    assert "Members by standing" in page and "hidden" in page
    assert "Fraiberg, S., Adelson, E., &amp; Shapiro, V. (1975). Ghosts in the nursery." in page
    assert "https://doi.org/10.1016/S0002-7138(09)61442-4" in page


def test_group_report_as_pdf_and_word(workspace: Any) -> None:
    made = make_group(workspace)
    client = client_as(workspace.users["viewer"])
    pdf = client.get(_url("group_report", made) + "?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    word = client.get(_url("group_report", made) + "?format=docx")
    assert word.status_code == 200
    document = zipfile.ZipFile(io.BytesIO(word.content)).read("word/document.xml").decode()
    assert "network group report" in document and "Aoife" not in document
    assert client.get(_url("group_report", made) + "?format=odt").status_code == 404
    assert client_as(workspace.outsider).get(_url("group_report", made)).status_code == 404


def test_outputs_page_offers_downloads_by_role(workspace: Any) -> None:
    made = make_group(workspace, facilitator_role="trainer")
    link_for(made.members["Ciara Doyle"])
    page = client_as(workspace.users["trainer"]).get(_url("group_report", made)).content.decode()
    assert "?format=pdf" in page and "?format=docx" in page
    assert 'id="register-downloads"' in page
    table = page.split('id="member-outputs"')[1].split("</table>")[0]
    assert table.count("Working") == 1 and table.count("CPD statement</span>") == 3
    viewer = client_as(workspace.users["viewer"]).get(_url("group_report", made)).content.decode()
    assert 'id="register-downloads"' not in viewer and "CPD statement</span>" not in viewer


def test_cpd_statement_for_facilitators_and_from_the_members_own_link(workspace: Any) -> None:
    made = make_group(workspace)
    _with_reading(made)
    member = made.members["Aoife Byrne"]
    url = _url("member_cpd_statement", made, group_member=member.pk)
    response = client_as(workspace.users["trainer"]).get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "cpd-aoife-byrne" in response["Content-Disposition"]
    assert client_as(workspace.users["viewer"]).get(url).status_code == 403
    own = link_for(member) + "cpd.pdf"
    mine = Client().get(own)
    assert mine.status_code == 200 and mine.content.startswith(b"%PDF")
    assert "no-store" in mine["Cache-Control"]
    assert Client().get("/m/" + "z" * 43 + "/cpd.pdf").status_code == 404


def test_on_a_meeting_morning_files_are_dated_today_and_the_meeting_is_still_to_come(
    workspace: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime

    from django.utils import timezone

    from imheval.web.network.models import Meeting

    made = make_group(workspace)
    today = days(0)
    Meeting.objects.create(
        group=made.group, date=today, start_time=datetime.time(14, 0), duration_minutes=90
    )
    morning = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
    monkeypatch.setattr(timezone, "now", lambda: morning)
    trainer = client_as(workspace.users["trainer"])
    member = made.members["Aoife Byrne"]
    cpd = trainer.get(_url("member_cpd_statement", made, group_member=member.pk))
    assert f"cpd-aoife-byrne-{today.isoformat()}.pdf" in cpd["Content-Disposition"]
    report = trainer.get(_url("group_report", made) + "?format=pdf")
    assert f"-report-{today.isoformat()}.pdf" in report["Content-Disposition"]
    export = trainer.get(_url("register_export", made) + "?format=csv")
    assert f"-register-{today.isoformat()}.csv" in export["Content-Disposition"]
    # The figures are as of yesterday: today's 14:00 meeting has not started, so the register
    # lists it as planned for each member, not as missed ("not recorded").
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    todays = [row for row in rows if row["date"] == today.isoformat()]
    assert [row["status"] for row in todays] == ["planned"] * 3
