"""A region's places (imheval.workforce.regional_places): programmes grouped across
organisations by name and level, per financial year, with the small-group rule across the
region applied to places taken and completed (and to the region's professions), never to
places funded and offered."""

from __future__ import annotations

import pytest

from imheval.suppression import feasible_range, suppress
from imheval.workforce.regional import hide_rows
from imheval.workforce.regional_places import (
    REGION_TOTAL,
    OrganisationPlaces,
    ProfessionPlaces,
    ProgrammePlaces,
    regional_places,
)


def places(
    organisation: str,
    taken: int,
    completed: int,
    *,
    programme: str = "Solihull Approach",
    level: str = "Skilled",
    year: int = 2026,
    funded: int | None = None,
    offered: int | None = None,
    by_profession: tuple[tuple[str, int, int], ...] | None = None,
) -> ProgrammePlaces:
    return ProgrammePlaces(
        organisation=organisation,
        programme=programme,
        level=level,
        year=year,
        funded=funded,
        offered=offered,
        taken=taken,
        completed=completed,
        by_profession=by_profession
        if by_profession is not None
        else (("Health visitor", taken, completed),),
    )


def test_a_small_organisation_is_hidden_with_a_second_and_funded_places_stay_shown() -> None:
    (group,) = regional_places(
        [
            places("North", 12, 10, funded=20, offered=18),
            places("South", 3, 2, funded=10, programme="solihull  APPROACH"),
            places("West", 9, 6, funded=15),
        ]
    )
    assert group.organisations == (
        OrganisationPlaces("North", 20, 18, 12, 10),
        OrganisationPlaces("South", 10, None, None, None, True),
        # hidden so that 24 - 12 cannot give South's 3
        OrganisationPlaces("West", 15, None, None, None, True),
    )
    assert group.total == OrganisationPlaces(REGION_TOTAL, 45, 18, 24, 18)
    assert (group.programme, group.level, group.year_label) == (
        "Solihull Approach",
        "Skilled",
        "2026/27",
    )
    # whatever a reader knows of the rule, no hidden count has one possible value
    for column in ([12, 3, 9], [10, 2, 6]):
        decided = suppress(column, 5, hidden=[1, 2])
        for index in (1, 2):
            low, high = feasible_range(decided, index)
            assert high is None or high > low


def test_the_professions_across_the_region_follow_the_rule_against_the_same_total() -> None:
    (group,) = regional_places(
        [
            places(
                "North", 12, 10, by_profession=(("Health visitor", 8, 7), ("Social worker", 4, 3))
            ),
            places("South", 3, 2, by_profession=(("health  visitor", 3, 2),)),
            places("West", 9, 6, by_profession=(("Health visitor", 6, 4), ("Nurse", 3, 2))),
        ]
    )
    assert group.professions == (
        ProfessionPlaces("Health visitor", 17, 13),
        ProfessionPlaces("Social worker", None, None, True),
        ProfessionPlaces("Nurse", None, None, True),
    )
    assert not group.professions_hidden and group.any_hidden


def test_professions_are_withheld_when_only_hiding_their_total_would_protect_them() -> None:
    # 1 social worker beside 5 health visitors: hiding both still pins the 1 (1 + 5 = 6 and
    # the second is at least 5), so suppress hides the total; the organisations' table
    # publishes it, so the breakdown is withheld instead.
    assert hide_rows([[5, 1]])[1][0] is True
    (group,) = regional_places(
        [places("North", 6, 0, by_profession=(("Health visitor", 5, 0), ("Social worker", 1, 0)))]
    )
    assert group.total.taken == 6
    assert group.professions == () and group.professions_hidden


def test_a_region_total_of_fewer_than_5_is_hidden_and_so_are_the_professions() -> None:
    (group,) = regional_places([places("North", 2, 1), places("South", 1, 0)])
    assert group.total == OrganisationPlaces(REGION_TOTAL, None, None, None, None, True)
    assert group.professions == () and group.professions_hidden


def test_groups_by_year_latest_first_then_by_name_and_level_apart() -> None:
    found = regional_places(
        [
            places("North", 10, 8, year=2025),
            places("North", 10, 8, programme="Video interaction guidance", level="Enhanced"),
            places("North", 10, 8),
            places("South", 6, 6, level="Enhanced"),
        ]
    )
    assert [(g.year, g.programme, g.level) for g in found] == [
        (2026, "Solihull Approach", "Enhanced"),
        (2026, "Solihull Approach", "Skilled"),
        (2026, "Video interaction guidance", "Enhanced"),
        (2025, "Solihull Approach", "Skilled"),
    ]


def test_two_programmes_of_one_organisation_in_a_group_are_added_together() -> None:
    (group,) = regional_places(
        [
            places("North", 10, 8, funded=12),
            places("North", 5, 5, programme="SOLIHULL approach", funded=None, offered=6),
            places("South", 20, 10),
        ]
    )
    assert group.organisations == (
        OrganisationPlaces("North", 12, 6, 15, 13),
        OrganisationPlaces("South", None, None, 20, 10),
    )
    assert group.total == OrganisationPlaces(REGION_TOTAL, 12, 6, 35, 23)


def test_nobody_taken_gives_no_professions_and_nothing_hidden() -> None:
    (group,) = regional_places([places("North", 0, 0, funded=12, by_profession=())])
    assert group.total == OrganisationPlaces(REGION_TOTAL, 12, None, 0, 0)
    assert group.professions == () and not group.professions_hidden and not group.any_hidden


def test_negative_places_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        regional_places([places("North", -1, 0)])
    with pytest.raises(ValueError, match="one count per row"):
        hide_rows([[1, 2], [1]])
