"""Importing a cohort's register from CSV or XLSX: all or nothing, every problem named with
file, row and column, duplicates refused unless the register is replaced, one audit entry."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

from conftest import client_as
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import SessionAttendance, Trainee

DATA = Path(__file__).parent / "data" / "workforce"
END = datetime.date(2026, 11, 3)


def _four_sessions(workspace: Any, threshold: int = 75) -> None:
    programme = workspace.programme
    programme.sessions = 4
    programme.attendance_threshold = threshold
    programme.save()


def _upload(workspace: Any, name: str, content: bytes, role: str = "trainer", **more: Any) -> Any:
    url = reverse(
        "workforce:register_import", kwargs={"org": "northern", "cohort": workspace.cohort.pk}
    )
    return client_as(workspace.users[role]).post(
        url, {"file": SimpleUploadedFile(name, content), **more}
    )


def _problems(response: Any) -> list[tuple[str, str, str]]:
    """(row, column, problem) of each line of the page's problems table."""
    import re

    html = response.content.decode()
    body = html[html.index('id="problems"') :]
    body = body[: body.index("</table>")]
    cells = re.findall(r'<td class="nhsuk-table__cell[^"]*">(.*?)</td>', body, re.S)
    return [tuple(cells[i : i + 3]) for i in range(0, len(cells), 3)]  # type: ignore[misc]


def test_a_good_file_is_imported_with_attendance_and_completion(workspace: Any) -> None:
    _four_sessions(workspace)
    before = AuditEvent.objects.count()
    response = _upload(workspace, "register_sol1.csv", (DATA / "register_sol1.csv").read_bytes())
    assert response.status_code == 302, response.content.decode()[-3000:]
    people = {t.person: t for t in Trainee.objects.filter(cohort=workspace.cohort)}
    assert set(people) == {"E104523", "E104524", "E104525", "E104526"}
    assert people["E104525"].employer == "Northern Council"
    assert people["E104523"].completed_on == END  # 4 of 4
    assert people["E104524"].completed_on is None  # 2 of 4 (one blank): 3 needed
    assert people["E104525"].completed_on == END  # 3 of 4
    assert people["E104526"].completion_by_hand  # a date in completed_on
    assert people["E104526"].completed_on == datetime.date(2027, 3, 31)
    marks = SessionAttendance.objects.filter(trainee=people["E104524"])
    assert dict(marks.values_list("session", "present")) == {1: True, 2: False, 3: True}
    assert SessionAttendance.objects.count() == 4 + 3 + 4 + 2
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.object_type) == ("created", "training register")
    assert event.changes["file"] == "register_sol1.csv"
    assert event.changes["people added"] == ["E104523", "E104524", "E104525", "E104526"]
    assert event.changes["attendance marks"] == 13
    assert event.changes["completions set by hand"] == 1


def test_an_xlsx_file_with_short_session_names(workspace: Any) -> None:
    from openpyxl import Workbook

    _four_sessions(workspace, threshold=100)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["person", "profession", "service", "s1", "s2", "s3", "s4", "completed_on"])
    sheet.append(["A1", "Health visitor", "HV", 1, 1, 1, 1, None])
    sheet.append(["A2", "Health visitor", "HV", True, "present", "Yes", 0, None])
    sheet.append(["A3", "Midwife", "Maternity", None, None, None, None, datetime.date(2026, 12, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(workspace, "register.xlsx", buffer.getvalue())
    assert response.status_code == 302, response.content.decode()[-3000:]
    found = dict(Trainee.objects.values_list("person", "completed_on"))
    assert found == {"A1": END, "A2": None, "A3": datetime.date(2026, 12, 1)}


def test_every_problem_is_listed_and_nothing_is_imported(workspace: Any) -> None:
    _four_sessions(workspace)
    before = AuditEvent.objects.count()
    response = _upload(
        workspace, "register_problems.csv", (DATA / "register_problems.csv").read_bytes()
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Nothing was imported from register_problems.csv: it has 6 problems" in text
    assert _problems(response) == [
        (
            "–",
            "s5",
            "There is no session 5: the programme has 4 sessions (change its sessions "
            "first, or remove this column)",
        ),
        (
            "2",
            "s2",
            "&#x27;maybe&#x27; is not an attendance mark: write yes or no (or 1 or 0, "
            "present or absent), or leave it blank",
        ),
        ("3", "person", "The person is blank"),
        ("4", "profession", "The profession is blank"),
        (
            "4",
            "completed_on",
            "&#x27;31/02/2027&#x27; is not a date (write it as 2026-03-31 or 31/03/2026)",
        ),
        ("5", "person", "Listed twice: row 2 has the same person (E1)"),
    ]
    assert not Trainee.objects.exists() and not SessionAttendance.objects.exists()
    assert AuditEvent.objects.count() == before


def test_a_missing_column_is_named(workspace: Any) -> None:
    response = _upload(workspace, "r.csv", b"person,service\nE1,HV\n")
    assert response.status_code == 400
    assert _problems(response) == [("–", "profession", "This column is missing")]


def test_a_file_that_is_not_a_table_is_refused_by_name(workspace: Any) -> None:
    response = _upload(workspace, "register.pdf", b"%PDF-1.7")
    assert response.status_code == 400
    assert "register.pdf" in response.content.decode()
    assert not Trainee.objects.exists()


def test_someone_already_on_the_register_is_a_problem(workspace: Any) -> None:
    _four_sessions(workspace)
    Trainee.objects.create(
        cohort=workspace.cohort, person="e104524", profession="Health visitor", service="HV"
    )
    response = _upload(workspace, "register_sol1.csv", (DATA / "register_sol1.csv").read_bytes())
    assert response.status_code == 400
    assert _problems(response) == [
        (
            "3",
            "Person",
            "Already on this cohort&#x27;s register (as e104524): remove them from the file, or "
            "choose to replace the register",
        )
    ]
    assert Trainee.objects.count() == 1


def test_replacing_the_register_removes_everyone_first(workspace: Any) -> None:
    _four_sessions(workspace)
    old = Trainee.objects.create(
        cohort=workspace.cohort, person="E104524", profession="Nurse", service="HV"
    )
    gone = Trainee.objects.create(cohort=workspace.cohort, person="Z9", profession="N", service="S")
    SessionAttendance.objects.create(trainee=gone, session=1, present=True)
    response = _upload(
        workspace,
        "register_sol1.csv",
        (DATA / "register_sol1.csv").read_bytes(),
        replace="on",
    )
    assert response.status_code == 302
    assert sorted(Trainee.objects.values_list("person", flat=True)) == [
        "E104523",
        "E104524",
        "E104525",
        "E104526",
    ]
    assert not Trainee.objects.filter(pk__in=[old.pk, gone.pk]).exists()
    deleted = AuditEvent.objects.filter(action="deleted")
    assert set(deleted.values_list("object_type", flat=True)) == {"trainee", "session attendance"}
    assert deleted.filter(object_type="trainee").count() == 2
    event = AuditEvent.objects.filter(object_type="training register").latest("id")
    assert event.changes["people removed first"] == ["E104524", "Z9"]


def test_import_does_not_touch_another_cohort(workspace: Any) -> None:
    _four_sessions(workspace)
    other = Trainee.objects.create(
        cohort=workspace.other_cohort, person="E104523", profession="N", service="S"
    )
    response = _upload(
        workspace, "register_sol1.csv", (DATA / "register_sol1.csv").read_bytes(), replace="on"
    )
    assert response.status_code == 302
    assert Trainee.objects.filter(pk=other.pk).exists()


def test_viewers_cannot_import(workspace: Any) -> None:
    response = _upload(
        workspace, "register_sol1.csv", (DATA / "register_sol1.csv").read_bytes(), role="viewer"
    )
    assert response.status_code == 403
    assert not Trainee.objects.exists()


def test_no_file_chosen_is_named(workspace: Any) -> None:
    url = reverse(
        "workforce:register_import", kwargs={"org": "northern", "cohort": workspace.cohort.pk}
    )
    response = client_as(workspace.users["admin"]).post(url, {})
    assert response.status_code == 200
    assert "Choose the file to import" in response.content.decode()


def test_the_download_reads_back_as_an_import(workspace: Any) -> None:
    _four_sessions(workspace)
    _upload(workspace, "register_sol1.csv", (DATA / "register_sol1.csv").read_bytes())
    url = reverse(
        "workforce:register_download",
        kwargs={"org": "northern", "cohort": workspace.cohort.pk, "file_format": "xlsx"},
    )
    exported = client_as(workspace.users["admin"]).get(url).content
    attended = dict(
        SessionAttendance.objects.filter(present=True)
        .values_list("trainee__person", "session")
        .order_by()
    )
    response = _upload(workspace, "again.xlsx", exported, replace="on")
    assert response.status_code == 302, response.content.decode()[-2000:]
    again = dict(
        SessionAttendance.objects.filter(present=True)
        .values_list("trainee__person", "session")
        .order_by()
    )
    assert again == attended
    assert dict(Trainee.objects.values_list("person", "completed_on"))["E104523"] == END


def test_impossible_completion_dates_are_refused(workspace: Any) -> None:
    content = (
        b"person,profession,service,completed_on\n"
        b"E1,Health visitor,HV,0001-01-01\n"
        b"E2,Health visitor,HV,9999-12-31\n"
        b"E3,Health visitor,HV,2026-11-03\n"
    )
    response = _upload(workspace, "r.csv", content)
    assert response.status_code == 400
    problems = _problems(response)
    assert [(row, column) for row, column, _ in problems] == [
        ("2", "completed_on"),
        ("3", "completed_on"),
    ]
    assert problems[0][2] == (
        "&#x27;0001-01-01&#x27; cannot be a completion date: give a day from 1950 to a year "
        "from today"
    )
    assert not Trainee.objects.exists()
