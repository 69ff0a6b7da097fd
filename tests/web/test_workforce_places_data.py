"""places_rows: places per programme and financial year, counted from the training register,
with who took them; in a constant number of queries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from workforce_places_data import add_trainees, make_cohort, make_programme, seed_001

from imheval.web.workforce.models import PlacesYear, WorkforceSettings
from imheval.web.workforce.places_data import (
    PlacesRow,
    financial_year_label,
    financial_year_of,
    places_rows,
)

pytestmark = pytest.mark.django_db


def _row(rows: list[PlacesRow], programme: str, year: int) -> PlacesRow:
    found = [row for row in rows if row.programme == programme and row.year == year]
    assert len(found) == 1, [(row.programme, row.year) for row in rows]
    return found[0]


def test_seed_001_120_funded_100_taken_60_health_visitors_84_completed(workspace: Any) -> None:
    programme = seed_001(workspace.organisation)
    rows = places_rows([workspace.organisation])
    row = _row(rows, "Solihull 16-week course", 2026)
    assert row == PlacesRow(
        organisation="Northern HSC Trust",
        programme="Solihull 16-week course",
        programme_id=programme.pk,
        level="Skilled",
        funder="Health board workforce fund",
        year=2026,
        funded=120,
        offered=110,
        taken=100,
        completed=84,
        by_profession=(
            ("Health visitor", 60, 52),
            ("Nursery nurse", 25, 20),
            ("Social worker", 15, 12),
        ),
        by_service=(
            ("Health visiting", 70, 60),
            ("Children's social care", 15, 12),
            ("Early years", 15, 12),
        ),
    )
    assert row.year_label == "2026/27"
    assert row.used_percent == pytest.approx(100 * 100 / 120)
    assert not row.over_funded


def test_the_workspace_programme_with_a_cohort_but_no_register_takes_no_places(
    workspace: Any,
) -> None:
    rows = places_rows([workspace.organisation])
    row = _row(rows, "Solihull Approach foundation", 2026)  # SOL-1 starts 2 November 2026
    assert (row.funded, row.offered, row.taken, row.completed) == (None, None, 0, 0)
    assert row.by_profession == () and row.by_service == ()
    assert row.used_percent is None


def test_a_cohort_counts_in_the_financial_year_its_course_starts(workspace: Any) -> None:
    programme = make_programme(workspace.organisation, "Year ends")
    march = make_cohort(programme, "M", datetime.date(2027, 3, 31))
    april = make_cohort(programme, "A", datetime.date(2027, 4, 1), end_date=None)
    january = make_cohort(programme, "J", datetime.date(2026, 1, 5))
    add_trainees([march], [("Midwife", "Maternity", 3, 1)], prefix="M")
    add_trainees([april], [("Midwife", "Maternity", 5, 5)], prefix="A")
    add_trainees([january], [("Midwife", "Maternity", 2, 0)], prefix="J")
    rows = [row for row in places_rows([workspace.organisation]) if row.programme == "Year ends"]
    assert [(row.year, row.taken, row.completed) for row in rows] == [
        (2025, 2, 0),
        (2026, 3, 1),
        (2027, 5, 5),
    ]
    assert financial_year_of(datetime.date(2027, 3, 31)) == 2026
    assert financial_year_of(datetime.date(2027, 4, 1)) == 2027
    assert financial_year_label(2099) == "2099/00"


def test_funded_is_the_usual_places_per_year_unless_the_year_is_recorded(workspace: Any) -> None:
    programme = make_programme(workspace.organisation, "Online course", places_per_year=40)
    make_cohort(programme, "O-1", datetime.date(2025, 6, 1))
    make_cohort(programme, "O-2", datetime.date(2026, 6, 1))
    PlacesYear.objects.create(programme=programme, year=2026, funded=60, offered=None)
    rows = places_rows([workspace.organisation])
    assert (
        _row(rows, "Online course", 2025).funded,
        _row(rows, "Online course", 2025).offered,
    ) == (
        40,
        None,
    )
    assert _row(rows, "Online course", 2026).funded == 60
    # a year recorded with no cohort yet is still a row
    PlacesYear.objects.create(programme=programme, year=2027, funded=80, offered=75)
    later = _row(places_rows([workspace.organisation]), "Online course", 2027)
    assert (later.funded, later.offered, later.taken) == (80, 75, 0)


def test_professions_and_services_match_without_regard_to_case_or_spaces(workspace: Any) -> None:
    programme = make_programme(workspace.organisation, "Names")
    cohort = make_cohort(programme, "N-1", datetime.date(2026, 5, 1))
    add_trainees(
        [cohort],
        [
            ("Health visitor", "HV  team", 3, 2),
            ("health  visitor", "hv team", 1, 1),
            ("Family nurse", "", 2, 0),
        ],
    )
    row = _row(places_rows([workspace.organisation]), "Names", 2026)
    assert row.by_profession == (("Health visitor", 4, 3), ("Family nurse", 2, 0))
    assert row.by_service == (("HV team", 4, 3), ("Not given", 2, 0))


def test_a_year_shows_programmes_with_usual_places_and_hides_archived_ones_without_data(
    workspace: Any,
) -> None:
    make_programme(workspace.organisation, "Planned", places_per_year=24)
    make_programme(workspace.organisation, "Old", places_per_year=24, is_archived=True)
    make_programme(workspace.organisation, "No places given")
    in_year = places_rows([workspace.organisation], 2027)
    assert [(row.programme, row.funded, row.taken) for row in in_year] == [("Planned", 24, 0)]
    every_year = places_rows([workspace.organisation])
    assert "Planned" not in {row.programme for row in every_year}  # no year of its own yet


def test_the_year_filter_keeps_only_that_year(workspace: Any) -> None:
    seed_001(workspace.organisation)
    programme = make_programme(workspace.organisation, "Next year")
    add_trainees(
        [make_cohort(programme, "X", datetime.date(2027, 4, 1))], [("Midwife", "M", 2, 2)], "X"
    )
    rows = places_rows([workspace.organisation], 2026)
    assert {(row.programme, row.year) for row in rows} == {
        ("Solihull 16-week course", 2026),
        ("Solihull Approach foundation", 2026),
    }
    assert _row(rows, "Solihull 16-week course", 2026).taken == 100
    later = places_rows([workspace.organisation], 2027)
    # the 16-week course has usual places (100 a year), so 2027/28 shows it, nothing taken yet
    assert [(row.programme, row.funded, row.taken) for row in later] == [
        ("Next year", None, 2),
        ("Solihull 16-week course", 100, 0),
    ]


def test_level_is_the_framework_level_or_seed_000s_level_on_that_ladder(workspace: Any) -> None:
    make_cohort(
        make_programme(workspace.organisation, "Given", framework_level="enhanced"),
        "G",
        datetime.date(2026, 5, 1),
    )
    make_cohort(
        make_programme(workspace.organisation, "Off the ladder", framework_level="Advanced"),
        "A",
        datetime.date(2026, 5, 1),
    )
    rows = places_rows([workspace.organisation])
    assert _row(rows, "Given", 2026).level == "Enhanced"  # as the NES ladder spells it
    assert _row(rows, "Off the ladder", 2026).level == "Advanced"  # as written, not dropped
    assert _row(rows, "Solihull Approach foundation", 2026).level == ""  # no level on NES
    WorkforceSettings.objects.create(organisation=workspace.organisation, framework="seed000")
    rows = places_rows([workspace.organisation])
    assert _row(rows, "Solihull Approach foundation", 2026).level == "intermediate"


def test_rows_of_several_organisations_keep_each_organisations_own(workspace: Any) -> None:
    seed_001(workspace.organisation)
    other = make_programme(workspace.other_organisation, "Southern course", places_per_year=30)
    add_trainees(
        [make_cohort(other, "S-1", datetime.date(2026, 6, 1))],
        [("Health visitor", "HV", 7, 3)],
        "S",
    )
    northern = places_rows([workspace.organisation])
    assert "Southern course" not in {row.programme for row in northern}
    both = places_rows([workspace.organisation, workspace.other_organisation])
    southern = _row(both, "Southern course", 2026)
    assert (southern.organisation, southern.funded, southern.taken, southern.completed) == (
        "Southern HSC Trust",
        30,
        7,
        3,
    )
    assert places_rows([]) == []


def _many(organisation: Any, prefix: str) -> None:
    """3 programmes x 4 cohorts over two years, 6 trainees each, a year recorded for each."""
    for p in range(3):
        programme = make_programme(organisation, f"{prefix} programme {p}", places_per_year=50)
        cohorts = [
            make_cohort(programme, f"{prefix}{p}-{c}", datetime.date(2025 + c % 2, 5 + c, 1))
            for c in range(4)
        ]
        add_trainees(
            cohorts,
            [("Health visitor", "HV", 12, 8), ("Midwife", "Maternity", 12, 4)],
            prefix=f"{prefix}{p}-",
        )
        PlacesYear.objects.create(programme=programme, year=2026, funded=48)


def test_places_rows_takes_five_queries_whatever_the_number_of_programmes(
    workspace: Any, django_assert_num_queries: Any
) -> None:
    organisations = [workspace.organisation, workspace.other_organisation]
    with django_assert_num_queries(5):
        few = places_rows(organisations)
    _many(workspace.organisation, "N")
    _many(workspace.other_organisation, "S")
    with django_assert_num_queries(5):
        rows = places_rows(organisations)
    with django_assert_num_queries(5):
        places_rows(organisations, 2026)
    assert len(few) == 2
    assert len(rows) == 2 + 2 * 3 * 2  # each programme in 2025 and 2026
    north = _row(rows, "N programme 1", 2026)
    assert (north.funded, north.taken, north.completed) == (48, 12, 6)
    assert north.by_profession == (("Health visitor", 6, 4), ("Midwife", 6, 2))
    assert sum(row.taken for row in rows) == 2 * 3 * 24
