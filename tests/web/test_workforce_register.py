"""The training register pages: people added, changed and removed; the attendance grid saved in
one POST in a constant number of queries; completion shown and set by hand; downloads; roles."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from conftest import client_as
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import SessionAttendance, Trainee

END = datetime.date(2026, 11, 3)


def _url(name: str, workspace: Any, **more: Any) -> str:
    return reverse(
        f"workforce:{name}", kwargs={"org": "northern", "cohort": workspace.cohort.pk, **more}
    )


def _sixteen_weeks(workspace: Any, threshold: int = 80, rule: str = "attendance") -> None:
    programme = workspace.programme
    programme.sessions = 16
    programme.attendance_threshold = threshold
    programme.completion_rule = rule
    programme.save()


def _people(workspace: Any, count: int) -> list[Trainee]:
    return [
        Trainee.objects.create(
            cohort=workspace.cohort,
            person=f"E{100 + n}",
            profession="Health visitor",
            service="0-19 Children's Services",
        )
        for n in range(count)
    ]


def _grid(trainees: list[Trainee], present: dict[int, set[int]]) -> dict[str, Any]:
    data: dict[str, Any] = {"people": [str(t.pk) for t in trainees]}
    for trainee in trainees:
        for number in present.get(trainee.pk, set()):
            data[f"present-{trainee.pk}-{number}"] = "yes"
    return data


def test_grid_saves_attendance_and_settles_completion(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    thirteen, eleven = _people(workspace, 2)
    client = client_as(workspace.users["trainer"])
    response = client.post(
        _url("register", workspace),
        _grid([thirteen, eleven], {thirteen.pk: set(range(1, 14)), eleven.pk: set(range(1, 12))}),
    )
    assert response.status_code == 302
    thirteen.refresh_from_db()
    eleven.refresh_from_db()
    assert thirteen.completed_on == END
    assert eleven.completed_on is None
    assert SessionAttendance.objects.filter(trainee=thirteen, present=True).count() == 13
    page = client.get(_url("register", workspace)).content.decode()
    assert "Completed 3 November 2026" in page
    assert "Not completed: 11 of 16 sessions, needs 13" in page
    assert "1 of 2 people" in page
    assert "Attending at least 80% of the 16 sessions (13 sessions)." in page


def test_unticking_marks_absent_and_withdraws_completion(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    (person,) = _people(workspace, 1)
    client = client_as(workspace.users["evaluator"])
    client.post(_url("register", workspace), _grid([person], {person.pk: set(range(1, 17))}))
    person.refresh_from_db()
    assert person.completed_on == END
    client.post(_url("register", workspace), _grid([person], {person.pk: set(range(5, 17))}))
    person.refresh_from_db()
    assert person.completed_on is None
    marks = dict(SessionAttendance.objects.filter(trainee=person).values_list("session", "present"))
    assert marks == {n: n >= 5 for n in range(1, 17)}


def test_grid_logs_one_audit_entry_naming_what_changed(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    people = _people(workspace, 3)
    before = AuditEvent.objects.count()
    client_as(workspace.users["trainer"]).post(
        _url("register", workspace), _grid(people, {people[0].pk: set(range(1, 17))})
    )
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.object_type == "training register"
    assert event.actor == workspace.users["trainer"]
    assert event.changes == {
        "sessions attended by E100": ["none", ", ".join(str(n) for n in range(1, 17))],
        "completion of E100": [None, "2026-11-03"],
    }
    # Saving the same grid again changes nothing and logs nothing.
    client_as(workspace.users["trainer"]).post(
        _url("register", workspace), _grid(people, {people[0].pk: set(range(1, 17))})
    )
    assert AuditEvent.objects.count() == before + 1


def test_person_added_while_grid_open_is_not_marked(workspace: Any) -> None:
    """Only people the grid was shown with are changed: a later addition keeps their marks."""
    _sixteen_weeks(workspace)
    shown = _people(workspace, 1)
    later = Trainee.objects.create(
        cohort=workspace.cohort, person="Late", profession="Nurse", service="HV"
    )
    SessionAttendance.objects.create(trainee=later, session=1, present=True)
    client_as(workspace.users["trainer"]).post(
        _url("register", workspace), _grid(shown, {shown[0].pk: {1}})
    )
    assert SessionAttendance.objects.get(trainee=later, session=1).present is True


def test_grid_cannot_reach_another_cohorts_trainee(workspace: Any) -> None:
    other = Trainee.objects.create(
        cohort=workspace.other_cohort, person="S1", profession="Nurse", service="HV"
    )
    client_as(workspace.users["admin"]).post(
        _url("register", workspace), {"people": [str(other.pk)], f"present-{other.pk}-1": "yes"}
    )
    assert not SessionAttendance.objects.filter(trainee=other).exists()


def test_grid_ignores_nonsense_people_values(workspace: Any) -> None:
    (person,) = _people(workspace, 1)
    response = client_as(workspace.users["admin"]).post(
        _url("register", workspace), {"people": ["²", "x", "-1", "9" * 40, str(person.pk)]}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("role", ["admin", "evaluator", "trainer"])
def test_editors_see_the_grid(workspace: Any, role: str) -> None:
    _people(workspace, 1)
    page = client_as(workspace.users[role]).get(_url("register", workspace)).content.decode()
    assert 'id="attendance"' in page and "Add a person" in page


def test_viewers_read_but_cannot_change(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    (person,) = _people(workspace, 1)
    viewer = client_as(workspace.users["viewer"])
    page = viewer.get(_url("register", workspace))
    assert page.status_code == 200
    text = page.content.decode()
    assert "E100" in text and 'id="attendance"' not in text and "Add a person" not in text
    assert (
        viewer.post(_url("register", workspace), _grid([person], {person.pk: {1}})).status_code
        == 403
    )
    assert not SessionAttendance.objects.exists()
    for name, more in [
        ("register_add", {}),
        ("register_import", {}),
        ("register_edit", {"trainee": person.pk}),
        ("register_remove", {"trainee": person.pk}),
        ("register_completion", {"trainee": person.pk}),
        ("register_download", {"file_format": "csv"}),
    ]:
        assert viewer.get(_url(name, workspace, **more)).status_code == 403, name
        assert viewer.post(_url(name, workspace, **more)).status_code == 403, name
    assert Trainee.objects.filter(pk=person.pk).exists()


def test_add_change_and_remove_a_person(workspace: Any) -> None:
    client = client_as(workspace.users["trainer"])
    before = AuditEvent.objects.count()
    response = client.post(
        _url("register_add", workspace),
        {"person": "  Sam   Okafor ", "profession": "Health visitor", "service": "0-19"},
    )
    assert response.status_code == 302
    person = Trainee.objects.get(cohort=workspace.cohort)
    assert person.person == "Sam Okafor" and person.employer == ""
    response = client.post(
        _url("register_edit", workspace, trainee=person.pk),
        {
            "person": "Sam Okafor",
            "profession": "Nursery nurse",
            "service": "0-19",
            "employer": "Northern Council",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.profession, person.employer) == ("Nursery nurse", "Northern Council")
    SessionAttendance.objects.create(trainee=person, session=1, present=True)
    assert client.get(_url("register_remove", workspace, trainee=person.pk)).status_code == 200
    assert client.post(_url("register_remove", workspace, trainee=person.pk)).status_code == 302
    assert not Trainee.objects.exists() and not SessionAttendance.objects.exists()
    actions = list(
        AuditEvent.objects.filter(pk__gt=0).order_by("id").values_list("action", "object_type")
    )[before:]
    assert ("created", "trainee") in actions
    assert ("updated", "trainee") in actions
    assert ("deleted", "trainee") in actions
    assert ("deleted", "session attendance") in actions


def test_the_same_person_twice_is_refused_whatever_the_case(workspace: Any) -> None:
    _people(workspace, 1)
    response = client_as(workspace.users["admin"]).post(
        _url("register_add", workspace),
        {"person": "e100", "profession": "Health visitor", "service": "0-19"},
    )
    assert response.status_code == 200
    assert "E100 is already on this cohort&#x27;s register" in response.content.decode()
    assert Trainee.objects.count() == 1


def test_blank_fields_are_named(workspace: Any) -> None:
    response = client_as(workspace.users["admin"]).post(_url("register_add", workspace), {})
    text = response.content.decode()
    assert "There is a problem" in text
    assert "Enter their staff identifier or name" in text
    assert "Enter their profession" in text and "Enter their service" in text


def test_a_trainee_of_another_cohort_is_404_under_this_cohort(workspace: Any) -> None:
    from imheval.web.workspace.models import Cohort

    second = Cohort.objects.create(
        programme=workspace.programme, name="SOL-2", start_date=datetime.date(2027, 1, 5)
    )
    stranger = Trainee.objects.create(cohort=second, person="X", profession="P", service="S")
    client = client_as(workspace.users["admin"])
    for name in ("register_edit", "register_remove", "register_completion"):
        url = _url(name, workspace, trainee=stranger.pk)
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
    assert Trainee.objects.filter(pk=stranger.pk).exists()


def test_completion_set_by_hand_and_back_to_the_rule(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    (person,) = _people(workspace, 1)
    client = client_as(workspace.users["trainer"])
    url = _url("register_completion", workspace, trainee=person.pk)
    page = client.get(url).content.decode()
    assert "Not completed: 0 of 16 sessions, needs 13" in page
    response = client.post(
        url,
        {
            "status": "completed",
            "completed_on-day": "31",
            "completed_on-month": "3",
            "completed_on-year": "2027",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.completion_by_hand and person.completed_on == datetime.date(2027, 3, 31)
    # The grid leaves a completion set by hand alone.
    client.post(_url("register", workspace), _grid([person], {}))
    person.refresh_from_db()
    assert person.completed_on == datetime.date(2027, 3, 31)
    text = client.get(_url("register", workspace)).content.decode()
    assert "Completed 31 March 2027 (set by hand)" in text
    client.post(url, {"status": "not_completed"})
    person.refresh_from_db()
    assert person.completion_by_hand and person.completed_on is None
    assert "Not completed (set by hand)" in client.get(_url("register", workspace)).content.decode()
    SessionAttendance.objects.bulk_create(
        SessionAttendance(trainee=person, session=n, present=True) for n in range(1, 17)
    )
    client.post(url, {"status": "rule"})
    person.refresh_from_db()
    assert not person.completion_by_hand and person.completed_on == END


def test_completed_by_hand_needs_a_date(workspace: Any) -> None:
    (person,) = _people(workspace, 1)
    response = client_as(workspace.users["admin"]).post(
        _url("register_completion", workspace, trainee=person.pk), {"status": "completed"}
    )
    assert response.status_code == 200
    assert "Enter the date they completed" in response.content.decode()
    person.refresh_from_db()
    assert not person.completion_by_hand


def test_final_session_rule_status(workspace: Any) -> None:
    _sixteen_weeks(workspace, rule="final_session")
    (person,) = _people(workspace, 1)
    client = client_as(workspace.users["admin"])
    client.post(_url("register", workspace), _grid([person], {person.pk: set(range(1, 16))}))
    text = client.get(_url("register", workspace)).content.decode()
    assert "Not completed: 15 of 16 sessions, not at the final session" in text
    assert "Attending the final session (session 16)." in text


def test_download_has_attendance_and_completion(workspace: Any) -> None:
    _sixteen_weeks(workspace)
    people = _people(workspace, 2)
    client = client_as(workspace.users["trainer"])
    client.post(_url("register", workspace), _grid(people, {people[0].pk: set(range(1, 17))}))
    response = client.get(_url("register_download", workspace, file_format="csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["person", "profession", "service", "employer", "session 1"]
    assert rows[0][-3:] == ["sessions attended", "completion date", "completion set by hand"]
    assert rows[1][0] == "E100" and rows[1][4:20] == ["yes"] * 16
    assert rows[1][-3:] == ["16", "2026-11-03", ""]
    assert rows[2][-3:] == ["0", "", ""]
    xlsx = client.get(_url("register_download", workspace, file_format="xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(_url("register_download", workspace, file_format="pdf")).status_code == 404


def test_cohort_page_links_to_the_register(workspace: Any) -> None:
    url = reverse("workspace:cohort", kwargs={"org": "northern", "cohort": workspace.cohort.pk})
    page = client_as(workspace.users["viewer"]).get(url).content.decode()
    assert f'href="{_url("register", workspace)}"' in page


# ----------------------------------------------------------------------- queries


def _thirty_by_sixteen(workspace: Any) -> list[Trainee]:
    _sixteen_weeks(workspace)
    people = _people(workspace, 30)
    SessionAttendance.objects.bulk_create(
        SessionAttendance(trainee=t, session=n, present=n % 3 != 0)
        for t in people
        for n in range(1, 17)
    )
    return people


@pytest.mark.parametrize("people", [3, 30])
def test_register_page_queries_are_constant(workspace: Any, people: int) -> None:
    _sixteen_weeks(workspace)
    _people(workspace, people)
    client = client_as(workspace.users["trainer"])
    client.get(_url("register", workspace))  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url("register", workspace))
    assert response.status_code == 200
    assert len(queries) == REGISTER_PAGE_QUERIES, [q["sql"] for q in queries.captured_queries]


#: Session and user (2), membership (1), cohort (1), programme (1), people (1), attendance (1).
REGISTER_PAGE_QUERIES = 7


def test_thirty_by_sixteen_page_and_post_queries(workspace: Any) -> None:
    people = _thirty_by_sixteen(workspace)
    client = client_as(workspace.users["trainer"])
    client.get(_url("register", workspace))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(_url("register", workspace))
    assert page.status_code == 200
    assert len(queries) == REGISTER_PAGE_QUERIES
    assert page.content.decode().count('type="checkbox"') == 30 * 16
    # Everyone now attends every session: 160 marks change, 30 completions are settled.
    everything = _grid(people, {t.pk: set(range(1, 17)) for t in people})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_url("register", workspace), everything)
    assert response.status_code == 302
    assert len(queries) == GRID_POST_QUERIES, [q["sql"][:90] for q in queries.captured_queries]
    assert Trainee.objects.filter(completed_on=END).count() == 30
    assert SessionAttendance.objects.filter(present=True).count() == 480


#: Session and user (2), membership (1), cohort (1), programme (1), people (1), savepoint
#: and its release (2), marks read (1), one update (1), settle: read (1) and update (1),
#: audit entry (1), session save for the message (1). Measured 13, the same on PostgreSQL.
GRID_POST_QUERIES = 13


def test_first_grid_of_thirty_by_sixteen_inserts_in_bulk(workspace: Any) -> None:
    """No marks yet: 480 new marks are inserted in bulk (one statement on PostgreSQL; SQLite
    splits them in two, at 999 parameters a statement)."""
    _sixteen_weeks(workspace)
    people = _people(workspace, 30)
    client = client_as(workspace.users["trainer"])
    client.get(_url("register", workspace))
    everything = _grid(people, {t.pk: set(range(1, 17)) for t in people})
    with CaptureQueriesContext(connection) as queries:
        response = client.post(_url("register", workspace), everything)
    assert response.status_code == 302
    inserts = 2 if connection.vendor == "sqlite" else 1
    assert len(queries) == GRID_POST_QUERIES + inserts - 1
    assert SessionAttendance.objects.filter(present=True).count() == 480
