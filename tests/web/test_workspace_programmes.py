"""The workspace's organisation, programme and cohort pages: lists, create and edit flows."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent, Membership, Organisation
from imheval.web.workspace.models import Cohort, Programme

PROGRAMME = {
    "name": "Anna Freud mentalization",
    "provider": "Anna Freud Centre",
    "level": "advanced",
    "delivery": "blended",
    "duration_value": "1.5",
    "duration_unit": "days",
}
COHORT = {
    "name": "SOL-2",
    "start_date-day": "7",
    "start_date-month": "12",
    "start_date-year": "2026",
    "end_date-day": "8",
    "end_date-month": "12",
    "end_date-year": "2026",
    "trainer": "Dr B Trainer",
    "venue": "Causeway Hospital",
    # the one-step form's questionnaires (cohort_setup.NewCohortForm)
    "pre_refs": ["imh-core"],
    "post_refs": ["imh-core"],
    "followup_refs": ["imh-core"],
    "follow_up_weeks": "12",
    "open_pre_now": "on",
}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workspace:{name}", kwargs={"org": "northern", **kwargs})


def _text(response: Any) -> str:
    return response.content.decode()


# ----------------------------------------------------------------------- home


def test_home_sends_a_member_of_one_organisation_straight_to_it(workspace: Any) -> None:
    response = _client(workspace.users["viewer"]).get(reverse("workspace:home"))
    assert response.status_code == 302
    assert response["Location"] == "/o/northern/"


def test_home_lists_every_organisation_of_a_member_of_several(workspace: Any) -> None:
    Membership.objects.create(
        user=workspace.users["trainer"], organisation=workspace.other_organisation, role="viewer"
    )
    response = _client(workspace.users["trainer"]).get(reverse("workspace:home"))
    assert response.status_code == 200
    page = _text(response)
    assert 'href="/o/northern/"' in page and 'href="/o/southern/"' in page
    assert "Northern HSC Trust</a> (Trainer)" in page
    assert "Southern HSC Trust</a> (Viewer)" in page


def test_home_explains_what_to_do_to_a_user_with_no_organisation(workspace: Any) -> None:
    from django.contrib.auth import get_user_model

    loner = get_user_model().objects.create_user(username="new-starter", password="x" * 12)
    response = _client(loner).get(reverse("workspace:home"))
    assert response.status_code == 200
    page = _text(response)
    assert "not a member of any organisation yet" in page
    assert "<strong>new-starter</strong>" in page


# ----------------------------------------------------------------------- organisation page


def test_organisation_page_lists_programmes_with_level_delivery_length_and_cohorts(
    workspace: Any,
) -> None:
    Programme.objects.create(
        organisation=workspace.organisation,
        name="Think Family",
        level="beginner",
        delivery="online",
        duration_value=Decimal("2"),
        duration_unit="hours",
    )
    response = _client(workspace.users["viewer"]).get(_url("organisation"))
    assert response.status_code == 200
    rows = [(p.name, p.cohort_count) for p in response.context["programmes"]]
    assert rows == [("Solihull Approach foundation", 1), ("Think Family", 0)]
    page = _text(response)
    for text in ("Intermediate", "Face to face", "2 days", "Beginner", "Online", "2 hours"):
        assert text in page
    assert "Think Family" in page and "Southern" not in page


@pytest.mark.parametrize(("role", "shown"), [("evaluator", True), ("admin", True)])
def test_add_a_programme_button_is_shown_to_roles_that_may(
    workspace: Any, role: str, shown: bool
) -> None:
    page = _text(_client(workspace.users[role]).get(_url("organisation")))
    assert ("Add a programme" in page) is shown


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_add_a_programme_button_is_hidden_from_roles_that_may_not(
    workspace: Any, role: str
) -> None:
    page = _text(_client(workspace.users[role]).get(_url("organisation")))
    assert "Add a programme" not in page
    assert _url("programme_create") not in page


# ----------------------------------------------------------------------- programmes


def test_evaluator_creates_a_programme_and_the_audit_log_names_them(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    response = client.post(_url("programme_create"), PROGRAMME)
    programme = Programme.objects.get(name="Anna Freud mentalization")
    assert response.status_code == 302
    assert response["Location"] == _url("programme", programme=programme.pk)
    assert programme.organisation == workspace.organisation
    assert (programme.provider, programme.level, programme.delivery) == (
        "Anna Freud Centre",
        "advanced",
        "blended",
    )
    assert programme.duration_value == Decimal("1.5") and programme.duration_unit == "days"
    event = AuditEvent.objects.get(object_type="programme", object_id=str(programme.pk))
    assert event.action == "created"
    assert event.actor == workspace.users["evaluator"]
    assert event.actor_label == "evaluator-north"
    assert event.organisation == workspace.organisation
    detail = _text(client.get(response["Location"]))
    assert "Anna Freud mentalization" in detail and "1.5 days" in detail


def test_programme_form_lists_each_missing_answer_in_an_error_summary(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    response = client.post(_url("programme_create"), {"name": ""})
    assert response.status_code == 200
    page = _text(response)
    assert "<title>Error: Add a programme" in page
    assert 'class="nhsuk-error-summary"' in page
    for anchor, message in [
        ("#id_name", "Enter the programme&#x27;s name"),
        ("#id_level_0", "Choose the programme&#x27;s level"),
        ("#id_delivery_0", "Choose how the programme is delivered"),
        ("#id_duration_value", "Enter how long the programme is"),
        ("#id_duration_unit_0", "Choose hours, days or weeks"),
    ]:
        assert f'<a href="{anchor}">{message}</a>' in page
    assert Programme.objects.count() == 2  # the fixture's two


def test_programme_name_must_be_new_in_the_organisation(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    taken = {**PROGRAMME, "name": "solihull approach FOUNDATION"}
    response = client.post(_url("programme_create"), taken)
    assert response.status_code == 200
    assert "There is already a programme with this name" in _text(response)
    assert Programme.objects.in_organisation(workspace.organisation).count() == 1


def test_a_name_used_by_another_organisation_is_free(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    response = client.post(_url("programme_create"), {**PROGRAMME, "name": "Think Family"})
    assert response.status_code == 302
    assert Programme.objects.filter(name="Think Family").count() == 2


def test_programme_length_must_be_a_positive_number(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    for value, message in [
        ("two", "Enter the length as a number, for example 2"),
        ("0", "The length must be more than 0"),
        ("1.25", "Enter the length with at most 1 decimal place"),
    ]:
        response = client.post(_url("programme_create"), {**PROGRAMME, "duration_value": value})
        assert message in _text(response), value
    assert not Programme.objects.filter(name=PROGRAMME["name"]).exists()


def test_evaluator_edits_a_programme_and_the_audit_log_records_old_and_new(
    workspace: Any,
) -> None:
    client = _client(workspace.users["evaluator"])
    url = _url("programme_edit", programme=workspace.programme.pk)
    form = client.get(url)
    assert 'value="2"' in _text(form)  # the saved length, shown as typed (not 2.0)
    changed = {**PROGRAMME, "name": "Solihull Approach foundation", "duration_value": "3"}
    response = client.post(url, changed)
    assert response.status_code == 302
    workspace.programme.refresh_from_db()
    assert workspace.programme.duration_value == Decimal("3")
    assert workspace.programme.level == "advanced"
    event = AuditEvent.objects.filter(object_type="programme", action="updated").get()
    assert event.actor == workspace.users["evaluator"]
    old, new = event.changes["duration_value"]
    assert (Decimal(old), Decimal(new)) == (Decimal("2"), Decimal("3"))
    assert event.changes["level"] == ["intermediate", "advanced"]
    assert "name" not in event.changes


def test_programme_page_lists_its_cohorts(workspace: Any) -> None:
    response = _client(workspace.users["viewer"]).get(
        _url("programme", programme=workspace.programme.pk)
    )
    page = _text(response)
    assert [c.name for c in response.context["cohorts"]] == ["SOL-1"]
    assert "2 November 2026 to 3 November 2026" in page
    assert "Dr A Trainer" in page and "Antrim Area Hospital" in page
    assert "Add a cohort" not in page and "Change programme details" not in page


# ----------------------------------------------------------------------- cohorts


def test_trainer_creates_a_cohort_with_nhs_date_inputs(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    url = _url("cohort_create", programme=workspace.programme.pk)
    form = _text(client.get(url))
    assert 'name="start_date-day"' in form and 'name="start_date-year"' in form
    assert 'for="id_start_date-month"' in form
    response = client.post(url, COHORT)
    cohort = Cohort.objects.get(name="SOL-2")
    assert response.status_code == 302
    assert response["Location"] == _url("cohort", cohort=cohort.pk)
    assert cohort.programme == workspace.programme
    assert cohort.start_date == datetime.date(2026, 12, 7)
    assert cohort.end_date == datetime.date(2026, 12, 8)
    assert (cohort.trainer, cohort.venue) == ("Dr B Trainer", "Causeway Hospital")
    event = AuditEvent.objects.get(object_type="cohort", object_id=str(cohort.pk))
    assert (event.action, event.actor) == ("created", workspace.users["trainer"])


def test_cohort_name_must_be_new_in_its_programme(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    url = _url("cohort_create", programme=workspace.programme.pk)
    response = client.post(url, {**COHORT, "name": "SOL-1"})
    assert response.status_code == 200
    page = _text(response)
    assert '<a href="#id_name">This programme already has a cohort called SOL-1.' in page
    assert 'nhsuk-form-group--error">\n  <label class="nhsuk-label" for="id_name">' in page
    assert workspace.programme.cohorts.count() == 1


def test_cohort_end_date_before_start_date_is_refused(workspace: Any) -> None:
    client = _client(workspace.users["trainer"])
    url = _url("cohort_create", programme=workspace.programme.pk)
    response = client.post(url, {**COHORT, "end_date-day": "1"})
    page = _text(response)
    assert '<a href="#id_end_date-day">The end date must be on or after the start date.' in page
    assert 'value="1"' in page  # what was typed is kept
    assert not Cohort.objects.filter(name="SOL-2").exists()


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("", "", "", "Enter the start date"),
        ("31", "2", "2026", "Start date must be a real date"),
        ("7", "", "2026", "Start date must include a month"),
        ("7", "12", "26", "Year must include 4 numbers"),
        ("7th", "12", "2026", "Start date must be a real date, in numbers"),
    ],
)
def test_cohort_start_date_errors_say_what_is_wrong(
    workspace: Any, day: str, month: str, year: str, message: str
) -> None:
    client = _client(workspace.users["trainer"])
    dates = {"start_date-day": day, "start_date-month": month, "start_date-year": year}
    response = client.post(
        _url("cohort_create", programme=workspace.programme.pk), {**COHORT, **dates}
    )
    assert f'<a href="#id_start_date-day">{message}' in _text(response)
    assert not Cohort.objects.filter(name="SOL-2").exists()


def test_cohort_edit_shows_saved_dates_and_saves_changes(workspace: Any) -> None:
    client = _client(workspace.users["evaluator"])
    url = _url("cohort_edit", cohort=workspace.cohort.pk)
    form = _text(client.get(url))
    assert 'name="start_date-day" type="text" inputmode="numeric" value="2"' in form
    assert 'name="start_date-year" type="text" inputmode="numeric" value="2026"' in form
    no_end = {"end_date-day": "", "end_date-month": "", "end_date-year": ""}
    response = client.post(url, {**COHORT, **no_end, "name": "SOL-1"})
    assert response.status_code == 302
    workspace.cohort.refresh_from_db()
    assert workspace.cohort.end_date is None  # blank end date: one-day course
    assert workspace.cohort.start_date == datetime.date(2026, 12, 7)
    event = AuditEvent.objects.get(object_type="cohort", action="updated")
    assert event.changes["start_date"] == ["2026-11-02", "2026-12-07"]
    assert event.actor_label == "evaluator-north"


def test_organisation_slug_in_address_must_match_the_programme(workspace: Any) -> None:
    # A southern member using their own organisation's address with a northern programme.
    client = _client(workspace.outsider)
    url = reverse(
        "workspace:programme", kwargs={"org": "southern", "programme": workspace.programme.pk}
    )
    assert client.get(url).status_code == 404
    assert Organisation.objects.count() == 2
