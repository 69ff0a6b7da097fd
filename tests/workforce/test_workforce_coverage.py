"""The coverage rules (docs/coverage.md), one behaviour per test, on small inline data."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from imheval.errors import CoverageError
from imheval.workforce.coverage import (
    CoverageRow,
    Flag,
    Status,
    coverage,
    lapse_date,
)
from imheval.workforce.inputs import Births, Post, Requirement, TrainingRecord, TrajectoryPoint
from imheval.workforce.ladder import BUILT_IN

NES = BUILT_IN["nes"]
AS_OF = datetime.date(2026, 3, 31)
HV = ("Health visiting", "Health visitor")


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def post(headcount: int, org: str = "North", service: str = HV[0], prof: str = HV[1]) -> Post:
    return Post(org, service, prof, headcount)


def rec(
    person: str,
    level: str,
    when: str = "2025-01-01",
    org: str = "North",
    service: str = HV[0],
    prof: str = HV[1],
) -> TrainingRecord:
    return TrainingRecord(person, org, service, prof, level, day(when))


def req(
    level: str,
    target: str = "90",
    by: str = "2027-03-31",
    *,
    interim: tuple[tuple[str, str], ...] = (),
    refresh: int | None = None,
    service: str = HV[0],
    prof: str = HV[1],
) -> Requirement:
    points = tuple(TrajectoryPoint(day(d), Decimal(t)) for d, t in interim)
    points += (TrajectoryPoint(day(by), Decimal(target)),)
    return Requirement(service, prof, level, points, refresh)


def one_row(
    posts: list[Post],
    records: list[TrainingRecord],
    requirement: Requirement,
    as_of: datetime.date = AS_OF,
) -> CoverageRow:
    result = coverage(posts, records, [requirement], as_of=as_of, ladder=NES)
    assert len(result.rows) == 1
    return result.rows[0]


def test_a_person_at_enhanced_counts_towards_skilled_and_informed_but_not_specialist() -> None:
    records = [rec("a", "Enhanced")]
    counts = {
        level: one_row([post(10)], records, req(level)).trained
        for level in ("Informed", "Skilled", "Enhanced", "Specialist")
    }
    assert counts == {"Informed": 1, "Skilled": 1, "Enhanced": 1, "Specialist": 0}


def test_one_person_on_several_courses_counts_once() -> None:
    records = [rec("a", "Informed", "2023-05-01"), rec("a", "Skilled"), rec("a", "Skilled")]
    row = one_row([post(4)], records, req("Informed"))
    assert row.trained == 1
    assert row.percent == 25.0


def test_the_same_person_id_in_two_organisations_is_two_people() -> None:
    records = [rec("a", "Skilled", org="North"), rec("a", "Skilled", org="South")]
    result = coverage(
        [post(5, "North"), post(5, "South")], records, [req("Skilled")], as_of=AS_OF, ladder=NES
    )
    assert [(r.organisation, r.trained) for r in result.rows] == [("North", 1), ("South", 1)]


def test_training_completed_after_as_of_is_not_counted_and_noted() -> None:
    records = [rec("a", "Skilled", "2026-03-31"), rec("b", "Skilled", "2026-04-01")]
    result = coverage([post(10)], records, [req("Skilled")], as_of=AS_OF, ladder=NES)
    assert result.rows[0].trained == 1
    assert "1 training record completed after the as-of date was not counted." in result.notes


def test_a_person_counts_in_the_service_of_their_latest_record() -> None:
    records = [
        rec("a", "Enhanced", "2024-01-01", service="Maternity", prof="Midwife"),
        rec("a", "Informed", "2025-06-01"),
    ]
    posts = [post(10), post(10, service="Maternity", prof="Midwife")]
    requirements = [req("Informed"), req("Informed", service="Maternity", prof="Midwife")]
    result = coverage(posts, records, requirements, as_of=AS_OF, ladder=NES)
    by_service = {row.service: row.trained for row in result.rows}
    assert by_service == {"Health visiting": 1, "Maternity": 0}
    # ... and at the highest level they completed anywhere, not the latest record's level.
    enhanced = coverage(posts, records, [req("Enhanced")], as_of=AS_OF, ladder=NES)
    assert enhanced.rows[0].trained == 1


def test_a_move_after_as_of_does_not_move_the_person() -> None:
    records = [
        rec("a", "Skilled", "2025-01-01"),
        rec("a", "Informed", "2026-06-01", service="Maternity", prof="Midwife"),
    ]
    assert one_row([post(10)], records, req("Skilled")).trained == 1


def test_two_latest_records_on_one_day_in_different_services_is_an_error() -> None:
    records = [
        rec("a", "Skilled", "2025-01-01"),
        rec("a", "Informed", "2025-01-01", service="Maternity", prof="Midwife"),
    ]
    with pytest.raises(CoverageError) as caught:
        coverage([post(10)], records, [req("Skilled")], as_of=AS_OF, ladder=NES)
    assert "person 'a' of 'North' has records on 2025-01-01" in str(caught.value)


def test_names_match_without_regard_to_case_or_spaces() -> None:
    records = [
        rec("a", "skilled", org=" north ", service="health  visiting", prof="HEALTH VISITOR")
    ]
    row = one_row([post(10)], records, req("SKILLED"))
    assert (row.trained, row.level, row.service) == (1, "Skilled", "Health visiting")


def test_more_trained_than_headcount_keeps_the_count_and_flags_it() -> None:
    records = [rec(p, "Skilled") for p in "abc"]
    row = one_row([post(2)], records, req("Skilled"))
    assert (row.trained, row.percent, row.flags) == (3, None, (Flag.TRAINED_EXCEEDS_HEADCOUNT,))
    assert (row.gap_people, row.status) == (0, Status.MET)


def test_headcount_zero_has_no_percent_and_is_flagged() -> None:
    row = one_row([post(0)], [], req("Skilled"))
    assert (row.trained, row.percent, row.gap_people) == (0, None, 0)
    assert row.flags == (Flag.NO_HEADCOUNT,)
    assert row.status is Status.MET


@pytest.mark.parametrize(
    ("target", "headcount", "trained", "gap"),
    [
        ("90", 10, 0, 9),  # 90% of 10 is exactly 9 (a float product gives 9.000000000000002)
        ("90", 10, 9, 0),
        ("90", 11, 9, 1),  # 9.9 people -> 10
        ("33.3", 3, 0, 1),  # 0.999 -> 1
        ("70", 10, 0, 7),  # 0.7 * 10 is 7.000000000000001 in floats
        ("100", 7, 6, 1),
        ("0", 7, 0, 0),
        ("87.5", 8, 6, 1),
    ],
)
def test_the_gap_is_the_exact_ceiling(target: str, headcount: int, trained: int, gap: int) -> None:
    records = [rec(f"p{i}", "Skilled") for i in range(trained)]
    row = one_row([post(headcount)], records, req("Skilled", target))
    assert row.gap_people == gap


def test_percent_is_unrounded() -> None:
    row = one_row([post(3)], [rec("a", "Skilled")], req("Skilled"))
    assert row.percent == 100 / 3


def test_met_exactly_at_the_target_and_behind_one_short_after_the_date() -> None:
    at = [rec(f"p{i}", "Skilled") for i in range(9)]
    assert one_row([post(10)], at, req("Skilled", by="2026-03-31")).status is Status.MET
    short = at[:8]
    row = one_row([post(10)], short, req("Skilled", by="2026-03-31"))
    assert (row.status, row.gap_people) == (Status.BEHIND, 1)


def test_before_any_point_falls_due_the_row_is_on_trajectory() -> None:
    row = one_row([post(10)], [], req("Skilled", by="2026-04-01"))
    assert row.status is Status.ON_TRAJECTORY


def test_an_interim_point_due_on_as_of_decides_on_trajectory_or_behind() -> None:
    requirement = req("Skilled", "90", "2027-03-31", interim=(("2026-03-31", "50"),))
    five = [rec(f"p{i}", "Skilled") for i in range(5)]
    assert one_row([post(10)], five, requirement).status is Status.ON_TRAJECTORY
    assert one_row([post(10)], five[:4], requirement).status is Status.BEHIND
    # The day before the interim point, nothing is due yet.
    before = one_row([post(10)], [], requirement, as_of=day("2026-03-30"))
    assert before.status is Status.ON_TRAJECTORY


def test_the_latest_due_point_is_the_one_that_counts() -> None:
    requirement = req(
        "Skilled", "90", "2027-03-31", interim=(("2025-09-30", "20"), ("2026-03-31", "60"))
    )
    five = [rec(f"p{i}", "Skilled") for i in range(5)]
    row = one_row([post(10)], five, requirement)
    assert row.status is Status.BEHIND
    assert row.target_percent == Decimal(90)
    assert row.by_date == day("2027-03-31")


def test_training_older_than_the_refresh_interval_lapses() -> None:
    requirement = req("Skilled", refresh=3)
    on_the_day = [rec("a", "Skilled", "2023-03-31")]
    assert one_row([post(10)], on_the_day, requirement).trained == 1
    a_day_older = [rec("a", "Skilled", "2023-03-30")]
    assert one_row([post(10)], a_day_older, requirement).trained == 0


def test_a_lapsed_highest_level_still_counts_at_a_lower_level_done_since() -> None:
    records = [rec("a", "Enhanced", "2019-01-01"), rec("a", "Informed", "2025-01-01")]
    assert one_row([post(10)], records, req("Enhanced", refresh=3)).trained == 0
    assert one_row([post(10)], records, req("Skilled", refresh=3)).trained == 0
    assert one_row([post(10)], records, req("Informed", refresh=3)).trained == 1
    # Without a refresh interval, the Enhanced course still counts at every level.
    assert one_row([post(10)], records, req("Enhanced")).trained == 1


def test_lapse_date_on_29_february() -> None:
    assert lapse_date(day("2028-02-29"), 1) == day("2027-02-28")
    assert lapse_date(day("2026-03-31"), 3) == day("2023-03-31")


def test_a_lapse_before_year_1_keeps_everything_current() -> None:
    assert lapse_date(day("0003-06-01"), 5) == datetime.date.min


def test_rows_follow_the_establishment_then_the_requirements() -> None:
    posts = [post(5, "South"), post(5, "North")]
    result = coverage(posts, [], [req("Skilled"), req("Informed")], as_of=AS_OF, ladder=NES)
    assert [(r.organisation, r.level) for r in result.rows] == [
        ("South", "Skilled"),
        ("South", "Informed"),
        ("North", "Skilled"),
        ("North", "Informed"),
    ]


def test_the_json_rows_have_exactly_the_issues_keys() -> None:
    row = one_row([post(10)], [rec("a", "Skilled")], req("Skilled", "87.5"))
    assert row.to_dict() == {
        "organisation": "North",
        "service": "Health visiting",
        "profession": "Health visitor",
        "level": "Skilled",
        "headcount": 10,
        "trained": 1,
        "percent": 10.0,
        "target_percent": 87.5,
        "gap_people": 8,
        "status": "on_trajectory",
        "flags": [],
    }


def test_people_trained_outside_the_establishment_are_noted() -> None:
    records = [
        rec("a", "Skilled", org="West"),
        rec("b", "Skilled", service="Maternity", prof="Midwife"),
    ]
    result = coverage([post(10)], records, [req("Skilled")], as_of=AS_OF, ladder=NES)
    assert result.rows[0].trained == 0
    assert result.notes == (
        "1 person trained in 'West', which is not in the establishment: not counted.",
        "1 person of 'North' is placed (by their latest training record) in a service and "
        "profession the establishment does not list: not counted.",
    )


def test_cohorts_needed_and_leavers_to_replace() -> None:
    posts = [post(40), post(30, service="Maternity", prof="Midwife")]
    requirements = [req("Skilled"), req("Skilled", service="Maternity", prof="Midwife")]
    result = coverage(
        posts,
        [],
        requirements,
        as_of=AS_OF,
        ladder=NES,
        cohort_size=12,
        turnover=Decimal("0.1"),
    )
    (need,) = result.needs
    # Gaps 36 + 27 = 63 people: 6 cohorts of 12; leavers ceil(3.6) + ceil(2.7) = 4 + 3 a year.
    assert (need.gap_people, need.cohorts_to_close_gap) == (63, 6)
    assert (need.leavers_per_year, need.cohorts_per_year) == (7, 1)


def test_a_bad_cohort_size_or_turnover_is_refused() -> None:
    with pytest.raises(CoverageError) as caught:
        coverage([], [], [], as_of=AS_OF, ladder=NES, cohort_size=0, turnover=Decimal("1.5"))
    assert len(caught.value.problems) == 2


def test_births_rule_needs_specialists_in_two_services_above_3000_births() -> None:
    records = [
        rec("a", "Specialist"),
        rec("b", "Specialist", service="Perinatal mental health", prof="Nurse"),
        rec("c", "Specialist", org="South"),
    ]
    births = [Births("North", 3001), Births("South", 3500), Births("East", 3000)]
    result = coverage([post(10)], records, [], as_of=AS_OF, ladder=NES, births=births)
    north, south, east = result.births
    assert (north.specialist_people, north.meets_rule) == (2, True)
    assert north.specialist_services == ("Health visiting", "Perinatal mental health")
    assert (south.specialist_people, south.meets_rule) == (1, False)
    assert (east.rule_applies, east.meets_rule) == (False, None)
