"""Seed 001's places for the places tests: a 16-week course with 120 places funded in
2026/27, taken by 100 staff (60 health visitors) in four cohorts, 84 of whom completed."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

#: (profession, service, taken, completed) of the 16-week course's 100 places in 2026/27.
SEED_001 = [
    ("Health visitor", "Health visiting", 60, 52),
    ("Nursery nurse", "Health visiting", 10, 8),
    ("Nursery nurse", "Early years", 15, 12),
    ("Social worker", "Children's social care", 15, 12),
]
#: Four cohorts of 25 starting in 2026/27 (the last on 31 March 2027, still that year).
COHORT_STARTS = [
    datetime.date(2026, 4, 1),
    datetime.date(2026, 9, 7),
    datetime.date(2027, 1, 11),
    datetime.date(2027, 3, 31),
]


def make_programme(organisation: Any, name: str, **offer: Any) -> Any:
    from imheval.web.workspace.models import Programme

    fields = {
        "level": "intermediate",
        "delivery": "face_to_face",
        "duration_value": Decimal("16"),
        "duration_unit": "weeks",
        "sessions": 16,
        **offer,
    }
    return Programme.objects.create(organisation=organisation, name=name, **fields)


def make_cohort(programme: Any, name: str, start: datetime.date, **more: Any) -> Any:
    from imheval.web.workspace.models import Cohort

    return Cohort.objects.create(programme=programme, name=name, start_date=start, **more)


def add_trainees(
    cohorts: list[Any], lines: list[tuple[str, str, int, int]], prefix: str = "E"
) -> list[Any]:
    """Trainees for ``lines`` (profession, service, taken, completed), dealt to ``cohorts`` in
    turn; the first ``completed`` of each line have completed."""
    from imheval.web.workforce.models import Trainee

    made = []
    number = 0
    for profession, service, taken, completed in lines:
        for index in range(taken):
            cohort = cohorts[number % len(cohorts)]
            number += 1
            done = index < completed
            made.append(
                Trainee(
                    cohort=cohort,
                    person=f"{prefix}{number:05d}",
                    profession=profession,
                    service=service,
                    completed_on=(cohort.end_date or cohort.start_date) if done else None,
                    completion_by_hand=True,
                )
            )
    return Trainee.objects.bulk_create(made)


def seed_001(organisation: Any) -> Any:
    """The 16-week course: 120 places funded and 110 offered in 2026/27, 100 taken, 84
    completed (SEED_001). Returns the programme."""
    from imheval.web.workforce.models import PlacesYear

    programme = make_programme(
        organisation,
        "Solihull 16-week course",
        framework_level="Skilled",
        funder="Health board workforce fund",
        places_per_year=100,
    )
    cohorts = [
        make_cohort(programme, f"S16-{index + 1}", start)
        for index, start in enumerate(COHORT_STARTS)
    ]
    add_trainees(cohorts, SEED_001)
    PlacesYear.objects.create(programme=programme, year=2026, funded=120, offered=110)
    return programme
