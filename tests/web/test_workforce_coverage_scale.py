"""The coverage page for an organisation of 3,300 staff (330 teams) with 5,000 completions on
its registers runs the same queries as for a handful (the time is measured by
benchmarks, never asserted)."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal
from typing import Any

from django.urls import reverse
from tests.web.conftest import client_as

SERVICES = 30
PROFESSIONS = 11
HEADCOUNT = 10
COMPLETIONS = 5000
LEVELS = ("Informed", "Skilled", "Enhanced", "Specialist")


def build_large(org: Any) -> None:
    """330 teams of 10, two required levels each, 5,000 completions over 100 cohorts."""
    from imheval.web.workforce.models import (
        Establishment,
        EstablishmentRow,
        LevelRequirement,
        Trainee,
    )
    from imheval.web.workspace.models import Cohort, Programme

    extract = Establishment.objects.create(organisation=org, as_of=datetime.date(2026, 4, 1))
    teams = [
        (f"Service {s}", f"Profession {p}") for s in range(SERVICES) for p in range(PROFESSIONS)
    ]
    EstablishmentRow.objects.bulk_create(
        EstablishmentRow(establishment=extract, service=s, profession=p, headcount=HEADCOUNT)
        for s, p in teams
    )
    LevelRequirement.objects.bulk_create(
        LevelRequirement(
            organisation=org,
            service=s,
            profession=p,
            level=level,
            target_percent=Decimal(target),
            by_date=datetime.date(2027, 3, 31),
            refresh_years=3,
        )
        for s, p in teams
        for level, target in (("Informed", "90"), ("Skilled", "50"))
    )
    cohorts = []
    for index, level in enumerate(LEVELS):
        programme = Programme.objects.create(
            organisation=org,
            name=f"{level} course",
            level="intermediate",
            delivery="online",
            duration_value=Decimal(1),
            duration_unit="days",
            framework_level=level,
        )
        cohorts += Cohort.objects.bulk_create(
            Cohort(
                programme=programme, name=f"C{n}", start_date=datetime.date(2024 + index % 2, 5, 1)
            )
            for n in range(25)
        )
    Trainee.objects.bulk_create(
        Trainee(
            cohort=cohorts[(n + n // 3100) % len(cohorts)],
            person=f"E{n % 3100:05d}",
            service=teams[(n % 3100) % len(teams)][0],
            profession=teams[(n % 3100) % len(teams)][1],
            completed_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=n % 600),
        )
        for n in range(COMPLETIONS)
    )


def test_large_organisation_runs_the_same_queries(
    workspace: Any, django_assert_max_num_queries: Any
) -> None:
    build_large(workspace.organisation)
    client = client_as(workspace.users["viewer"])
    url = reverse("workforce:coverage", kwargs={"org": "northern"})
    client.get(url)
    started = time.perf_counter()
    with django_assert_max_num_queries(12):
        response = client.get(url, {"as_of": "2026-12-01"})
    elapsed = time.perf_counter() - started
    page = response.content.decode()
    assert response.status_code == 200
    teams = SERVICES * PROFESSIONS
    # a row per team in the heat map, and one per team and level in the table of figures
    assert page.count('class="nhsuk-table__header" scope="row">Service ') == teams + 2 * teams
    print(f"\ncoverage page, {teams} teams, {COMPLETIONS} completions: {elapsed:.3f} s")
