"""The workforce settings page: built-in and own frameworks, the planning figures, a framework
change refused while levels in use would not fit it, roles and tenancy."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import EarlierTraining, LevelRequirement, WorkforceSettings

URL = reverse("workforce:settings", kwargs={"org": "northern"})


def _form(**values: str) -> dict[str, str]:
    data = {
        "framework": "nes",
        "custom_name": "",
        "custom_levels": "",
        "cohort_size": "12",
        "turnover_percent": "0",
    }
    data.update(values)
    return data


def test_the_defaults_are_shown_until_someone_saves(workspace: Any) -> None:
    response = client_as(workspace.users["viewer"]).get(URL)
    assert response.status_code == 200
    assert response.context["ladder"].levels == ("Informed", "Skilled", "Enhanced", "Specialist")
    assert response.context["cohort_size"] == 12
    assert response.context["turnover"] == "0"
    assert response.context["form"] is None
    assert "Your organisation's admins and evaluators change these settings." in (
        response.content.decode()
    )


def test_an_own_framework_and_the_planning_figures_are_saved_and_audited(workspace: Any) -> None:
    client = client_as(workspace.users["evaluator"])
    response = client.post(
        URL,
        _form(
            framework="custom",
            custom_name=" Our Trust's framework ",
            custom_levels="Aware\n\n  Practitioner \nLead\n",
            cohort_size="16",
            turnover_percent="8.5",
        ),
    )
    assert response.status_code == 302
    saved = WorkforceSettings.objects.get(organisation=workspace.organisation)
    assert saved.ladder().levels == ("Aware", "Practitioner", "Lead")
    assert saved.ladder().name == "Our Trust's framework"
    assert (saved.cohort_size, saved.turnover_percent) == (16, Decimal("8.50"))
    event = AuditEvent.objects.get(object_type="workforce settings")
    assert event.actor_label == "evaluator-north"
    assert event.changes["custom_levels"] == [None, "Aware\nPractitioner\nLead"]
    page = client.get(URL).content.decode()
    assert "8.5%" in page
    assert "<li>Practitioner</li>" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"framework": "custom", "custom_levels": ""}, "Enter your framework&#x27;s levels"),
        (
            {"framework": "custom", "custom_levels": "Aware\naware"},
            "The level &#x27;aware&#x27; is named twice",
        ),
        ({"framework": "custom", "custom_levels": "x" * 101}, "at most 100 characters"),
        ({"cohort_size": "0"}, "The cohort size must be at least 1"),
        ({"turnover_percent": "120"}, "The turnover must be at most 100"),
        ({"turnover_percent": "ten"}, "Enter the turnover as a number, for example 8.5"),
        ({"framework": "other"}, "Select a valid choice"),
    ],
)
def test_bad_settings_are_refused_plainly(
    workspace: Any, values: dict[str, str], message: str
) -> None:
    response = client_as(workspace.users["admin"]).post(URL, _form(**values))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not WorkforceSettings.objects.exists()


def test_a_framework_whose_levels_do_not_fit_what_is_in_use_is_refused(workspace: Any) -> None:
    workspace.programme.framework_level = "Skilled"
    workspace.programme.save()
    LevelRequirement.objects.create(
        organisation=workspace.organisation,
        service="HV",
        profession="Health visitor",
        level="Enhanced",
        target_percent=90,
        by_date=datetime.date(2027, 3, 31),
    )
    for person in ("A1", "A2"):
        EarlierTraining.objects.create(
            organisation=workspace.organisation,
            person=person,
            profession="Midwife",
            service="Maternity",
            level="Informed",
            completed_on=datetime.date(2025, 6, 1),
        )
    client = client_as(workspace.users["admin"])
    response = client.post(URL, _form(framework="seed000", cohort_size="20"))
    assert response.status_code == 200
    errors = list(response.context["form"].non_field_errors())
    where = "which is not a level of Seed 000 (beginner, intermediate, advanced)"
    assert errors == [
        "Nothing was saved: with this framework, what follows would no longer fit. Change it "
        "first, or choose a framework that has these levels.",
        f"The programme Solihull Approach foundation gives Skilled, {where}",
        f"The required level for Health visitor in HV is Enhanced, {where}",
        f"2 earlier training records are at Informed, {where}",
    ]
    assert not WorkforceSettings.objects.exists()
    # an own framework with the same levels (another spelling) fits
    fits = client.post(
        URL,
        _form(framework="custom", custom_levels="informed\nSKILLED\nEnhanced\nSpecialist"),
    )
    assert fits.status_code == 302
    assert WorkforceSettings.objects.get().framework == "custom"


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_cannot_change_the_settings(workspace: Any, role: str) -> None:
    response = client_as(workspace.users[role]).post(URL, _form(cohort_size="30"))
    assert response.status_code == 403
    assert not WorkforceSettings.objects.exists()


def test_another_organisations_member_cannot_reach_the_settings(workspace: Any) -> None:
    client = client_as(workspace.outsider)
    assert client.get(URL).status_code == 404
    assert client.post(URL, _form(cohort_size="30")).status_code == 404
    assert not WorkforceSettings.objects.exists()
