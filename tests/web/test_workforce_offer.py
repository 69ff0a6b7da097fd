"""Programmes as offers: the programme form's framework level, funder, places, sessions and
completion rule, what the programme page shows, and completions settled again when the rule
changes."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import SessionAttendance, Trainee, WorkforceSettings
from imheval.web.workforce.templatetags.workforce_offer import completion_words, sessions_needed
from imheval.web.workspace.forms import ProgrammeForm
from imheval.web.workspace.models import Programme

pytestmark = pytest.mark.django_db

#: What the programme form posted before programmes were offers.
OLD_FORM = {
    "name": "Anna Freud mentalization",
    "provider": "Anna Freud Centre",
    "level": "advanced",
    "delivery": "blended",
    "duration_value": "1.5",
    "duration_unit": "days",
}
#: Seed 001's 16-week course as an offer.
OFFER = {
    "name": "Solihull 16-week course",
    "provider": "Solihull Approach",
    "level": "intermediate",
    "framework_level": "Skilled",
    "delivery": "face_to_face",
    "duration_value": "16",
    "duration_unit": "weeks",
    "funder": "Health board workforce fund",
    "places_per_year": "120",
    "sessions": "16",
    "completion_rule": "attendance",
    "attendance_threshold": "80",
}


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def _errors(response: Any) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def _summary(page: str) -> dict[str, str]:
    rows = re.findall(
        r'<dt class="nhsuk-summary-list__key">(.*?)</dt> <dd class="nhsuk-summary-list__value">'
        r"(.*?)</dd>",
        page,
    )
    return dict(rows)


# ----------------------------------------------------------------------- the form


def test_programme_is_created_as_an_offer_and_shown_on_its_page(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    response = client.post(_url("programme_create"), OFFER)
    assert response.status_code == 302
    programme = Programme.objects.get(name="Solihull 16-week course")
    assert (
        programme.framework_level,
        programme.funder,
        programme.places_per_year,
        programme.sessions,
        programme.completion_rule,
        programme.attendance_threshold,
    ) == ("Skilled", "Health board workforce fund", 120, 16, "attendance", 80)
    summary = _summary(_text(client.get(response["Location"])))
    assert summary == {
        "Provider": "Solihull Approach",
        "Level": "Intermediate",
        "Level on the workforce framework": "Skilled",
        "Funder": "Health board workforce fund",
        "Places funded per year": "120",
        "Delivery": "Face to face",
        "Length": "16 weeks",
        "Sessions": "16",
        "Completion": "Attending at least 80% of the 16 sessions (13)",
    }
    event = AuditEvent.objects.get(
        object_type="programme", action="created", object_id=programme.pk
    )
    assert event.changes["framework_level"] == [None, "Skilled"]
    assert event.changes["sessions"] == [None, 16]


def test_form_offers_the_organisations_framework_levels_and_none(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    form = client.get(_url("programme_create")).context["form"]
    assert form.fields["framework_level"].choices == [
        ("Informed", "Informed"),
        ("Skilled", "Skilled"),
        ("Enhanced", "Enhanced"),
        ("Specialist", "Specialist"),
        ("", "None: it gives no level on the framework"),
    ]
    WorkforceSettings.objects.create(
        organisation=workspace.organisation,
        framework="custom",
        custom_name="Our ladder",
        custom_levels="Aware\nPractitioner\nExpert",
    )
    page = _text(client.get(_url("programme_create")))
    for level in ("Aware", "Practitioner", "Expert"):
        assert f'value="{level}"' in page
    assert 'value="Skilled"' not in page
    assert "Level it gives on your workforce framework" in page
    assert "Share of sessions to attend (%)" in page
    assert "Only for the attendance rule. For example 80" in page
    assert "The share of sessions below is not used." in page  # the final-session rule's hint


def test_a_level_the_framework_no_longer_has_is_kept_as_a_marked_choice(workspace: Any) -> None:
    programme = workspace.programme
    programme.framework_level = "Skilled"
    programme.save()
    WorkforceSettings.objects.create(organisation=workspace.organisation, framework="aimh")
    form = ProgrammeForm(instance=programme, organisation=workspace.organisation)
    assert form.fields["framework_level"].choices == [
        ("Level 1", "Level 1"),
        ("Level 2", "Level 2"),
        ("Level 3", "Level 3"),
        ("Skilled", "Skilled (not on your current framework)"),
        ("", "None: it gives no level on the framework"),
    ]


def test_a_form_posted_without_the_offer_fields_still_saves_with_defaults(workspace: Any) -> None:
    """A page loaded before programmes were offers posts none of the new fields."""
    client = client_as(workspace.users["evaluator"])
    assert client.post(_url("programme_create"), OLD_FORM).status_code == 302
    programme = Programme.objects.get(name="Anna Freud mentalization")
    assert (
        programme.framework_level,
        programme.funder,
        programme.places_per_year,
        programme.sessions,
        programme.completion_rule,
        programme.attendance_threshold,
    ) == ("", "", None, 1, "attendance", 80)
    # ... and editing with such a page keeps the offer saved since
    programme.framework_level, programme.sessions, programme.places_per_year = "Enhanced", 10, 30
    programme.completion_rule = "final_session"
    programme.save()
    edited = {**OLD_FORM, "provider": "AFC"}
    assert client.post(_url("programme_edit", programme=programme.pk), edited).status_code == 302
    programme.refresh_from_db()
    assert (
        programme.provider,
        programme.framework_level,
        programme.sessions,
        programme.places_per_year,
        programme.completion_rule,
    ) == ("AFC", "Enhanced", 10, 30, "final_session")


SHARE_AS_NUMBER = "Enter the share of sessions as a whole number from 1 to 100, for example 80"
SHARE_RANGE = "Enter a share from 1 to 100, for example 80"
THRESHOLD = "attendance_threshold"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"sessions": "0"}, "sessions", "A programme has at least 1 session"),
        ({"sessions": ""}, "sessions", "Enter the number of sessions, for example 16"),
        (
            {"sessions": "sixteen"},
            "sessions",
            "Enter the number of sessions as a whole number, for example 16",
        ),
        ({"sessions": "201"}, "sessions", "Enter at most 200 sessions"),
        (
            {THRESHOLD: ""},
            THRESHOLD,
            "Enter the share of sessions someone must attend to complete, for example 80",
        ),
        ({THRESHOLD: "0"}, THRESHOLD, SHARE_RANGE),
        ({THRESHOLD: "101"}, THRESHOLD, SHARE_RANGE),
        ({THRESHOLD: "eighty"}, THRESHOLD, SHARE_AS_NUMBER),
        ({THRESHOLD: "８０"}, THRESHOLD, SHARE_AS_NUMBER),
        ({THRESHOLD: "²"}, THRESHOLD, SHARE_AS_NUMBER),
        (
            {"completion_rule": ""},
            "completion_rule",
            "Choose what counts as completing the programme",
        ),
        (
            {"framework_level": "Wizard"},
            "framework_level",
            "Choose a level on your framework, or none",
        ),
        ({"places_per_year": "0"}, "places_per_year", "Enter 1 or more places, or leave it blank"),
        (
            {"places_per_year": "many"},
            "places_per_year",
            "Enter the places funded per year as a whole number, for example 120",
        ),
    ],
)
def test_offer_fields_are_checked_with_plain_messages(
    workspace: Any, changes: dict[str, str], field: str, message: str
) -> None:
    response = client_as(workspace.users["admin"]).post(
        _url("programme_create"), {**OFFER, **changes}
    )
    assert response.status_code == 200
    assert _errors(response) == {field: [message]}
    assert "There is a problem" in _text(response)
    assert not Programme.objects.filter(name=OFFER["name"]).exists()


def test_a_threshold_of_80_percent_written_with_a_percent_sign_is_80(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    data = {**OFFER, "attendance_threshold": " 75% "}
    assert client.post(_url("programme_create"), data).status_code == 302
    assert Programme.objects.get(name=OFFER["name"]).attendance_threshold == 75


def test_with_the_final_session_rule_the_threshold_is_ignored(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    data = {**OFFER, "completion_rule": "final_session", "attendance_threshold": "nonsense"}
    response = client.post(_url("programme_create"), data)
    assert response.status_code == 302
    programme = Programme.objects.get(name=OFFER["name"])
    assert (programme.completion_rule, programme.attendance_threshold) == ("final_session", 80)
    summary = _summary(_text(client.get(response["Location"])))
    assert summary["Completion"] == "Attending the final session (session 16)"


def test_the_programme_page_says_when_no_offer_is_given(workspace: Any) -> None:
    address = _url("programme", programme=workspace.programme.pk)
    summary = _summary(_text(client_as(workspace.users["viewer"]).get(address)))
    assert summary["Level on the workforce framework"] == "Gives no level on the framework"
    assert summary["Funder"] == "Not given"
    assert summary["Places funded per year"] == "Not given"
    assert summary["Sessions"] == "1"
    assert summary["Completion"] == "Attending the session"


@pytest.mark.parametrize(
    ("sessions", "rule", "threshold", "words"),
    [
        (16, "attendance", 80, "Attending at least 80% of the 16 sessions (13)"),
        (16, "attendance", 75, "Attending at least 75% of the 16 sessions (12)"),
        (5, "attendance", 100, "Attending all 5 sessions"),
        (5, "attendance", 81, "Attending all 5 sessions"),  # 81% of 5 is 4.05: all 5
        (3, "attendance", 1, "Attending at least 1% of the 3 sessions (1)"),
        (1, "attendance", 80, "Attending the session"),
        (1, "final_session", 80, "Attending the session"),
        (8, "final_session", 80, "Attending the final session (session 8)"),
    ],
)
def test_completion_in_words(sessions: int, rule: str, threshold: int, words: str) -> None:
    programme = Programme(sessions=sessions, completion_rule=rule, attendance_threshold=threshold)
    assert completion_words(programme) == words


def test_sessions_needed_is_exact_integer_arithmetic() -> None:
    # 80% of 16 = 12.8: 13; 70% of 10 = 7 exactly (no float rounding to 8)
    assert [sessions_needed(16, 80), sessions_needed(10, 70), sessions_needed(3, 67)] == [13, 7, 3]
    assert sessions_needed(100, 29) == 29  # 0.29 * 100 is 28.999... in floating point


# ----------------------------------------------------------------------- completion settled


def _trainee_with(programme: Programme, cohort: Any, present: int) -> Trainee:
    trainee = Trainee.objects.create(
        cohort=cohort, person=f"P{present}", profession="Health visitor", service="HV"
    )
    SessionAttendance.objects.bulk_create(
        SessionAttendance(trainee=trainee, session=number, present=number <= present)
        for number in range(1, programme.sessions + 1)
    )
    return trainee


def test_changing_the_threshold_settles_completions_again(workspace: Any) -> None:
    programme = workspace.programme
    programme.sessions = 16
    programme.save()
    thirteen = _trainee_with(programme, workspace.cohort, 13)
    fifteen = _trainee_with(programme, workspace.cohort, 15)
    client = client_as(workspace.users["evaluator"])
    form = {**OFFER, "name": programme.name, "sessions": "16", "attendance_threshold": "80"}
    # a save that leaves the rule's fields as they were settles nobody
    assert client.post(_url("programme_edit", programme=programme.pk), form).status_code == 302
    thirteen.refresh_from_db()
    assert thirteen.completed_on is None  # nothing changed in the rule: nothing settled
    from imheval.web.workforce.completion import settle_programme

    settle_programme(programme)
    thirteen.refresh_from_db()
    assert thirteen.completed_on == datetime.date(2026, 11, 3)  # the cohort's end date
    form["attendance_threshold"] = "90"
    assert client.post(_url("programme_edit", programme=programme.pk), form).status_code == 302
    thirteen.refresh_from_db()
    fifteen.refresh_from_db()
    assert thirteen.completed_on is None  # 13 x 100 < 90 x 16
    assert fifteen.completed_on == datetime.date(2026, 11, 3)
    form["completion_rule"] = "final_session"
    assert client.post(_url("programme_edit", programme=programme.pk), form).status_code == 302
    thirteen.refresh_from_db()
    assert thirteen.completed_on is None  # absent from session 16


def test_a_change_outside_the_rule_does_not_settle(workspace: Any, monkeypatch: Any) -> None:
    calls: list[Programme] = []
    import imheval.web.workforce.completion as completion

    monkeypatch.setattr(completion, "settle_programme", calls.append)
    client = client_as(workspace.users["evaluator"])
    programme = workspace.programme
    form = {**OFFER, "name": programme.name, "sessions": "1"}
    form["funder"] = "Someone else"
    assert client.post(_url("programme_edit", programme=programme.pk), form).status_code == 302
    assert calls == []
    form["sessions"] = "4"
    assert client.post(_url("programme_edit", programme=programme.pk), form).status_code == 302
    assert [called.pk for called in calls] == [programme.pk]


def test_viewers_and_trainers_cannot_change_the_offer(workspace: Any) -> None:
    for role in ("viewer", "trainer"):
        response = client_as(workspace.users[role]).post(
            _url("programme_edit", programme=workspace.programme.pk),
            {**OFFER, "name": workspace.programme.name},
        )
        assert response.status_code == 403
    workspace.programme.refresh_from_db()
    assert workspace.programme.places_per_year is None


def test_a_new_programmes_form_starts_from_one_session_and_80_percent(workspace: Any) -> None:
    """A browser posts every field it shows: the defaults must be in them, or a person who
    runs a one-day course would have to fill in sessions and a rule (the workspace browser
    test caught this)."""
    page = client_as(workspace.users["evaluator"]).get(_url("programme_create")).content.decode()
    assert re.search(r'name="sessions"[^>]*value="1"', page)
    assert re.search(r'name="attendance_threshold"[^>]*value="80"', page)
    assert re.search(r'value="attendance"[^>]*checked|checked[^>]*value="attendance"', page)
