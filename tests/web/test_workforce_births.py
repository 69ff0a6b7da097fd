"""The births page: years added, changed and deleted (audited), one figure a year, seed 004's
rule in words and whether it applies to the latest year, roles and tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import client_as
from django.urls import reverse

from imheval.web.organisations.models import AuditEvent
from imheval.web.workforce.models import BirthsYear


def _url(name: str, **kwargs: Any) -> str:
    return reverse(f"workforce:{name}", kwargs={"org": "northern", **kwargs})


def test_years_are_added_changed_and_deleted_with_an_audit_trail(workspace: Any) -> None:
    client = client_as(workspace.users["admin"])
    assert client.post(_url("births_create"), {"year": "2024", "births": "2950"}).status_code == 302
    assert client.post(_url("births_create"), {"year": "2025", "births": "3200"}).status_code == 302
    page = client.get(_url("births"))
    assert [(line["year"].year, line["births"]) for line in page.context["years"]] == [
        (2025, "3,200"),
        (2024, "2,950"),
    ]
    later = BirthsYear.objects.get(year=2025)
    change = client.post(_url("births_edit", births=later.pk), {"year": "2025", "births": "3100"})
    assert change.status_code == 302
    assert AuditEvent.objects.get(object_type="births year", action="updated").changes == {
        "births": [3200, 3100]
    }
    assert client.post(_url("births_delete", births=later.pk)).status_code == 302
    assert list(BirthsYear.objects.values_list("year", "births")) == [(2024, 2950)]


def test_the_rule_applies_above_3000_births_in_the_latest_year(workspace: Any) -> None:
    client = client_as(workspace.users["viewer"])
    page = client.get(_url("births")).content.decode()
    assert (
        "More than 3,000 births a year: specialist infant mental health practitioners in " in page
    )
    assert "No births figures yet" in page
    BirthsYear.objects.create(organisation=workspace.organisation, year=2024, births=3400)
    latest = BirthsYear.objects.create(organisation=workspace.organisation, year=2025, births=3000)
    page = client.get(_url("births")).content.decode()
    assert "With 3,000 births in 2025, the rule does not apply to you" in page
    latest.births = 3001
    latest.save()
    page = client.get(_url("births")).content.decode()
    assert "With 3,001 births in 2025, the rule applies to you" in page


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"year": "2025", "births": "100"}, "2025 already has a figure: change that one instead"),
        ({"year": "1999", "births": "100"}, "Enter a year from 2000 to 2100"),
        ({"year": "2026", "births": "-4"}, "The number of births must be 0 or more"),
        (
            {"year": "2026", "births": "lots"},
            "Enter the births as a whole number, for example 3200",
        ),
    ],
)
def test_bad_figures_are_refused_plainly(
    workspace: Any, values: dict[str, str], message: str
) -> None:
    BirthsYear.objects.create(organisation=workspace.organisation, year=2025, births=3200)
    response = client_as(workspace.users["evaluator"]).post(_url("births_create"), values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert BirthsYear.objects.count() == 1


@pytest.mark.parametrize("role", ["trainer", "viewer"])
def test_trainers_and_viewers_read_births_but_change_nothing(workspace: Any, role: str) -> None:
    year = BirthsYear.objects.create(organisation=workspace.organisation, year=2025, births=3200)
    client = client_as(workspace.users[role])
    page = client.get(_url("births"))
    assert page.status_code == 200
    assert "Add a year" not in page.content.decode()
    data = {"year": "2026", "births": "1"}
    assert client.post(_url("births_create"), data).status_code == 403
    assert client.post(_url("births_edit", births=year.pk), data).status_code == 403
    assert client.post(_url("births_delete", births=year.pk)).status_code == 403
    assert list(BirthsYear.objects.values_list("year", "births")) == [(2025, 3200)]


def test_another_organisation_neither_sees_nor_changes_these_births(workspace: Any) -> None:
    year = BirthsYear.objects.create(organisation=workspace.organisation, year=2025, births=3200)
    client = client_as(workspace.outsider)
    assert client.get(_url("births")).status_code == 404
    own = reverse("workforce:births_delete", kwargs={"org": "southern", "births": year.pk})
    assert client.post(own).status_code == 404
    assert BirthsYear.objects.count() == 1
