"""The planning page (/o/<org>/plan/): members only, a GET form checked field by field, the
answer in words and tables, the chart with its text alternative, nothing stored."""

from __future__ import annotations

import math
from typing import Any

import pytest
from conftest import Workspace, client_as
from django.urls import reverse
from scipy import stats

pytestmark = pytest.mark.django_db


def plan_url(workspace: Workspace, **query: Any) -> str:
    url = reverse("workspace:plan", kwargs={"org": workspace.organisation.slug})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def pairs_by_hand(effect: float, target: float, alpha: float = 0.05) -> int:
    """The smallest n whose two-sided paired t-test power (noncentral t) reaches ``target``."""
    n = 2
    while True:
        df = n - 1
        critical = stats.t.ppf(1 - alpha / 2, df)
        ncp = effect * math.sqrt(n)
        if stats.nct.sf(critical, df, ncp) + stats.nct.cdf(-critical, df, ncp) >= target:
            return n
        n += 1


@pytest.mark.parametrize("role", ["admin", "evaluator", "trainer", "viewer"])
def test_every_member_sees_the_empty_form(workspace: Workspace, role: str) -> None:
    response = client_as(workspace.users[role]).get(plan_url(workspace))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Plan a study" in text and 'name="effect"' in text
    assert "People needed" not in text and "There is a problem" not in text


def test_outsiders_get_404_and_visitors_go_to_sign_in(workspace: Workspace) -> None:
    assert client_as(workspace.outsider).get(plan_url(workspace)).status_code == 404
    response = client_as().get(plan_url(workspace))
    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_the_home_page_links_to_the_planning_page(workspace: Workspace) -> None:
    home = reverse("workspace:organisation", kwargs={"org": workspace.organisation.slug})
    response = client_as(workspace.users["viewer"]).get(home)
    assert plan_url(workspace) in response.content.decode()


def test_people_needed_in_words_and_figures(workspace: Workspace) -> None:
    client = client_as(workspace.users["trainer"])
    response = client.get(
        plan_url(workspace, effect="0.5", power="0.8", cohort_size="10", attrition="15")
    )
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    n = pairs_by_hand(0.5, 0.8)
    needed = math.ceil(n / 0.85)
    assert (
        f"you need {n} people analysed; enrol {needed} to allow for 15% not returning: "
        f"{math.ceil(needed / 10)} cohorts of 10"
    ) in text
    # the chart, with its text alternative and its table
    assert "<svg" in text and 'role="img"' in text
    assert "Line chart of power against the number of cohorts of 10" in text
    assert (
        "The paired t-test on cohort means (the seed&#x27;s method) needs 6 cohorts of 10" in text
    )
    assert "The chart as a table" in text


def test_ninety_percent_power_needs_more_people(workspace: Workspace) -> None:
    client = client_as(workspace.users["viewer"])
    response = client.get(plan_url(workspace, effect="0.5", power="0.9"))
    text = " ".join(response.content.decode().split())
    assert f"you need {pairs_by_hand(0.5, 0.9)} people analysed" in text
    assert "<svg" not in text  # no cohort size, no chart


def test_a_design_shows_each_analysis_and_the_smallest_effect(workspace: Workspace) -> None:
    client = client_as(workspace.users["evaluator"])
    response = client.get(
        plan_url(workspace, effect="0.8", power="0.8", cohort_size="12", icc="0.05", cohorts="5")
    )
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "What 5 cohorts of 12 can detect" in text
    assert "Paired t-test on cohort means (the seed&#x27;s method)" in text
    assert "Smallest d_z detected with 80% power" in text


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"effect": ""}, "effect", "Enter the expected change"),
        ({"effect": "big"}, "effect", "Enter the expected change as a number"),
        ({"effect": "0"}, "effect", "above 0"),
        ({"effect": "0.5", "power": "0.7"}, "power", "Choose 80% or 90%"),
        ({"effect": "0.5", "icc": "0.05"}, "icc", "give the cohort size with it"),
        ({"effect": "0.5", "attrition": "150"}, "attrition", "Enter at most 95%"),
        ({"effect": "0.5", "cohorts": "5"}, "cohort_size", "Give the cohort size"),
        ({"effect": "0.5", "cohorts": "1", "cohort_size": "9"}, "cohorts", "Enter 2 or more"),
        ({"effect": "0.5", "simulate": "10"}, "simulate", "Simulation is for a design"),
        ({"effect": "0.5", "cohorts": "3", "cohort_size": "9", "simulate": "5000"}, "simulate",
         "Enter at most 25"),
        ({"effect": "0.5", "cohorts": "30", "cohort_size": "20", "simulate": "10"}, "simulate",
         "up to 200 people"),
        ({"effect": "0.5", "cohorts": "11", "cohort_size": "20", "simulate": "10"}, "simulate",
         "up to 200 people"),
    ],
)  # fmt: skip
def test_bad_inputs_are_field_errors_with_a_summary(
    workspace: Workspace, query: dict[str, str], field: str, message: str
) -> None:
    client = client_as(workspace.users["viewer"])
    response = client.get(plan_url(workspace, **({"power": "0.8"} | query)))
    assert response.status_code == 200
    text = " ".join(response.content.decode().split())
    assert "There is a problem" in text
    assert f'href="#id_{field}' in text
    assert message in text
    assert "<title>Error: Plan a study" in text
    assert "People needed" not in text


def test_a_small_simulation_gives_the_mixed_model_power_with_its_error(
    workspace: Workspace,
) -> None:
    query = {"effect": "0.8", "power": "0.8", "cohort_size": "5", "cohorts": "3"}
    client = client_as(workspace.users["viewer"])
    closed = " ".join(client.get(plan_url(workspace, **query)).content.decode().split())
    assert "Mixed model with a random effect of cohort: not computed" in closed
    response = client.get(plan_url(workspace, **query, simulate="4", seed="2"))
    text = " ".join(response.content.decode().split())
    assert "Mixed model with a random effect of cohort: not computed" not in text
    assert "simulation" in text and "(SE " in text


def test_the_simulation_shows_the_false_positive_rate_beside_the_mixed_model_power(
    workspace: Workspace,
) -> None:
    query = {"effect": "0.5", "power": "0.8", "cohort_size": "6", "cohorts": "3", "icc": "0.1"}
    client = client_as(workspace.users["viewer"])
    closed = " ".join(client.get(plan_url(workspace, **query)).content.decode().split())
    assert "Found a change with no true change" not in closed
    response = client.get(plan_url(workspace, **query, simulate="4", seed="2"))
    text = " ".join(response.content.decode().split())
    assert "Found a change with no true change (simulated; an honest test: 5%)" in text
    assert "With no true change, the same 4 simulated studies found one" in text


@pytest.mark.parametrize(
    ("query", "note"),
    [
        ({"cohorts": "2", "cohort_size": "3", "icc": "0.05"}, "about 6% of the time, not 5%"),
        ({"cohorts": "3", "cohort_size": "4", "icc": "0"}, None),
    ],
)
def test_the_clustering_note_is_at_least_alpha_and_absent_without_clustering(
    workspace: Workspace, query: dict[str, str], note: str | None
) -> None:
    client = client_as(workspace.users["viewer"])
    response = client.get(plan_url(workspace, effect="0.5", power="0.8", **query))
    text = " ".join(response.content.decode().split())
    assert "What " + query["cohorts"] + " cohorts of" in text
    if note is None:
        assert "that is not there" not in text and "more often than 5%" not in text
    else:
        assert note in text


def test_nothing_is_stored(workspace: Workspace) -> None:
    from imheval.web.organisations.models import AuditEvent

    before = AuditEvent.objects.count()
    client_as(workspace.users["viewer"]).get(
        plan_url(workspace, effect="0.5", power="0.8", cohort_size="10")
    )
    assert AuditEvent.objects.count() == before


def test_post_is_not_allowed(workspace: Workspace) -> None:
    response = client_as(workspace.users["admin"]).post(plan_url(workspace), {"effect": "0.5"})
    assert response.status_code == 405
