"""The adapter from the workforce tables to the coverage core, against hand-worked values.

The Northern Trust's data (NES framework), coverage on 1 December 2026:

- Health visiting, Health visitor (headcount 10): hv1 (Informed, then Skilled), hv2 (Skilled on
  two cohorts), hv3 (Informed), hv4 (Enhanced: counts at Skilled and Informed), "self" (employer
  written as the Trust's short name), HV5 (earlier training at Skilled) -> 5 at Skilled, 6 at
  Informed. Skilled: 90% by 31 March 2027, 50% due by 30 September 2026: gap ceil(9) - 5 = 4,
  on trajectory (5 of 10 >= 50%). Informed: 100%: gap 4, on trajectory (nothing due yet).
- Maternity, Midwife (headcount 2, Informed 50%): "mover" trained at Skilled in health
  visiting, then at Informed in maternity: counts in maternity only: 1 of 2, met.
- Family nurse, Nurse (headcount 1, Informed 100%): fn1, fn2: trained 2 > 1: percent None,
  flagged, gap 0.
- Perinatal mental health, Nurse (headcount 4, Enhanced 50%, refresh 2 years): pmh1's 2023
  Enhanced has lapsed (before 1 December 2024), pmh2's 2025 one has not: 1 of 4, gap 1.
- Not counted: "ext" (employed by the Southern Trust), a completion of a programme with no
  framework level, a trainee not completed, a completion after the date, an earlier record
  at 'beginner' (not an NES level).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from imheval.errors import CoverageError
from imheval.workforce import BUILT_IN, Requirement, TrajectoryPoint
from imheval.workforce.coverage import Flag, Status

AS_OF = datetime.date(2026, 12, 1)
D = datetime.date


def _programme(org: Any, name: str, framework_level: str, level: str = "intermediate") -> Any:
    from imheval.web.workspace.models import Programme

    return Programme.objects.create(
        organisation=org,
        name=name,
        level=level,
        delivery="face_to_face",
        duration_value=Decimal(2),
        duration_unit="days",
        framework_level=framework_level,
    )


def _cohort(programme: Any, name: str, start: datetime.date) -> Any:
    from imheval.web.workspace.models import Cohort

    return Cohort.objects.create(programme=programme, name=name, start_date=start)


def _trainee(cohort: Any, person: str, service: str, profession: str, done: Any, **kw: Any) -> Any:
    from imheval.web.workforce.models import Trainee

    return Trainee.objects.create(
        cohort=cohort,
        person=person,
        service=service,
        profession=profession,
        completed_on=done,
        **kw,
    )


def _establishment(org: Any, day: datetime.date, rows: list[tuple[str, str, int]]) -> Any:
    from imheval.web.workforce.models import Establishment, EstablishmentRow

    extract = Establishment.objects.create(organisation=org, as_of=day)
    for service, profession, headcount in rows:
        EstablishmentRow.objects.create(
            establishment=extract, service=service, profession=profession, headcount=headcount
        )
    return extract


def _requirement(
    org: Any, service: str, profession: str, level: str, target: str, **kw: Any
) -> Any:
    from imheval.web.workforce.models import LevelRequirement

    kw.setdefault("by_date", D(2027, 3, 31))
    return LevelRequirement.objects.create(
        organisation=org,
        service=service,
        profession=profession,
        level=level,
        target_percent=Decimal(target),
        **kw,
    )


HV = ("Health visiting", "Health visitor")
MAT = ("Maternity", "Midwife")
FN = ("Family nurse", "Nurse")
PMH = ("Perinatal mental health", "Nurse")


def build_northern(org: Any) -> None:
    """The data of the module docstring."""
    from imheval.web.workforce.models import BirthsYear, EarlierTraining
    from imheval.web.workforce.models import TrajectoryPoint as Point

    _establishment(org, D(2025, 4, 1), [(*HV, 20)])  # older: not used on AS_OF
    _establishment(org, D(2026, 4, 1), [(*HV, 10), (*MAT, 2), (*FN, 1), (*PMH, 4)])
    _establishment(org, D(2027, 4, 1), [(*HV, 30)])  # after AS_OF: not used
    skilled_hv = _requirement(org, *HV, "Skilled", "90")
    Point.objects.create(requirement=skilled_hv, by_date=D(2026, 9, 30), target_percent=50)
    _requirement(org, *HV, "informed", "100")  # matched without regard to case
    _requirement(org, *MAT, "Informed", "50")
    _requirement(org, *FN, "Informed", "100")
    _requirement(org, *PMH, "Enhanced", "50", refresh_years=2)

    informed = _programme(org, "Informed course", "Informed")
    skilled = _programme(org, "Skilled course", "skilled")
    enhanced = _programme(org, "Enhanced course", "Enhanced")
    unlevelled = _programme(org, "Taster session", "")
    i1 = _cohort(informed, "I-1", D(2026, 1, 10))
    s1 = _cohort(skilled, "S-1", D(2026, 5, 1))
    s2 = _cohort(skilled, "S-2", D(2026, 11, 3))
    s0 = _cohort(skilled, "S-0", D(2025, 5, 1))
    e1 = _cohort(enhanced, "E-1", D(2023, 1, 1))
    e2 = _cohort(enhanced, "E-2", D(2025, 6, 1))
    t1 = _cohort(unlevelled, "T-1", D(2026, 2, 1))
    i2 = _cohort(informed, "I-2", D(2026, 10, 1))

    _trainee(i1, "hv1", *HV, D(2026, 1, 10))
    _trainee(s1, "HV1", *HV, D(2026, 5, 1))  # the same person, typed in capitals
    _trainee(s1, "hv2", *HV, D(2026, 6, 1))
    _trainee(s2, "hv2 ", *HV, D(2026, 11, 3))
    _trainee(i1, "hv3", *HV, D(2026, 1, 10))
    _trainee(e2, "hv4", *HV, D(2025, 6, 1))
    _trainee(s1, "self", *HV, D(2026, 5, 1), employer="  NORTHERN ")
    _trainee(s0, "mover", *HV, D(2025, 5, 1))
    _trainee(i2, "mover", *MAT, D(2026, 10, 1))
    _trainee(i2, "fn1", *FN, D(2026, 10, 1))
    _trainee(i2, "fn2", *FN, D(2026, 10, 1))
    _trainee(e1, "pmh1", *PMH, D(2023, 1, 1))
    _trainee(e2, "pmh2", *PMH, D(2025, 6, 1))
    _trainee(s1, "ext", *HV, D(2026, 5, 1), employer="Southern HSC Trust")
    _trainee(t1, "taster", *HV, D(2026, 2, 1))
    _trainee(s2, "unfinished", *HV, None)
    _trainee(s2, "later", *HV, D(2027, 1, 5))
    EarlierTraining.objects.create(
        organisation=org,
        person="HV5",
        level="Skilled",
        completed_on=D(2024, 1, 1),
        service=HV[0],
        profession=HV[1],
    )
    EarlierTraining.objects.create(
        organisation=org,
        person="old",
        level="beginner",
        completed_on=D(2020, 1, 1),
        service=HV[0],
        profession=HV[1],
    )
    BirthsYear.objects.create(organisation=org, year=2025, births=3500)
    BirthsYear.objects.create(organisation=org, year=2026, births=3200)
    BirthsYear.objects.create(organisation=org, year=2027, births=100)  # after AS_OF's year


def _rows(result: Any) -> dict[tuple[str, str, str], Any]:
    return {(r.service, r.profession, r.level): r for r in result.rows}


@pytest.fixture
def northern(workspace: Any) -> Any:
    build_northern(workspace.organisation)
    return workspace.organisation


def test_hand_worked_rows(northern: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    result = organisation_coverage(northern, AS_OF)
    rows = _rows(result)
    assert [(r.service, r.level) for r in result.rows] == [
        ("Family nurse", "Informed"),
        ("Health visiting", "Skilled"),
        ("Health visiting", "Informed"),
        ("Maternity", "Informed"),
        ("Perinatal mental health", "Enhanced"),
    ]
    skilled = rows[(*HV, "Skilled")]
    assert (skilled.headcount, skilled.trained, skilled.percent) == (10, 5, 50.0)
    assert (skilled.gap_people, skilled.status) == (4, Status.ON_TRAJECTORY)
    informed = rows[(*HV, "Informed")]
    assert (informed.trained, informed.gap_people, informed.status) == (6, 4, Status.ON_TRAJECTORY)
    maternity = rows[(*MAT, "Informed")]
    assert (maternity.trained, maternity.percent, maternity.status) == (1, 50.0, Status.MET)
    family = rows[(*FN, "Informed")]
    assert (family.trained, family.percent, family.gap_people) == (2, None, 0)
    assert family.flags == (Flag.TRAINED_EXCEEDS_HEADCOUNT,)
    perinatal = rows[(*PMH, "Enhanced")]
    assert (perinatal.trained, perinatal.percent, perinatal.gap_people) == (1, 25.0, 1)


def test_needs_use_the_organisations_cohort_size_and_turnover(northern: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage
    from imheval.web.workforce.models import WorkforceSettings

    WorkforceSettings.objects.create(
        organisation=northern, cohort_size=3, turnover_percent=Decimal("10")
    )
    needs = {n.level: n for n in organisation_coverage(northern, AS_OF).needs}
    # Informed: gaps 4 (HV) + 0 + 0 = 4 -> 2 cohorts of 3; leavers ceil(0.1*10) + ceil(0.1*1)
    # + ceil(0.1*1) = 1 + 1 + 1 = 3 -> 1 cohort a year.
    informed = needs["Informed"]
    assert (informed.gap_people, informed.cohorts_to_close_gap) == (4, 2)
    assert (informed.leavers_per_year, informed.cohorts_per_year) == (3, 1)
    assert informed.turnover == Decimal("0.1")
    assert needs["Enhanced"].gap_people == 1


def test_notes_say_what_was_not_counted(northern: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    notes = organisation_coverage(northern, AS_OF).notes
    joined = "\n".join(notes)
    assert "1 training record completed after the as-of date was not counted." in notes
    assert "1 completion of 'Taster session' is not counted" in joined
    assert "1 person on the training registers is employed by 'Southern HSC Trust'" in joined
    assert "1 earlier training record at 'beginner' is not counted" in joined


def test_births_are_the_latest_year_up_to_the_date(northern: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    (check,) = organisation_coverage(northern, AS_OF).births
    assert (check.births_per_year, check.rule_applies, check.meets_rule) == (3200, True, False)
    assert check.specialist_people == 0


def test_an_earlier_date_uses_the_extract_of_then(northern: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    result = organisation_coverage(northern, D(2025, 12, 31))
    # The 2025 extract: health visiting only, 20 staff; by then hv4 (Enhanced, June 2025) and
    # HV5 (earlier Skilled) and mover (Skilled, May 2025: still in health visiting) are trained.
    rows = _rows(result)
    assert set(rows) == {(*HV, "Skilled"), (*HV, "Informed")}
    assert rows[(*HV, "Skilled")].trained == 3
    assert rows[(*HV, "Skilled")].headcount == 20


def test_no_establishment_says_so(workspace: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    result = organisation_coverage(workspace.organisation, AS_OF)
    assert result.rows == ()
    assert result.notes[-1] == (
        "There is no establishment extract on or before 1 December 2026: import one to see "
        "coverage."
    )


def test_seed000_programmes_give_their_own_level(workspace: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage
    from imheval.web.workforce.models import WorkforceSettings

    org = workspace.organisation
    WorkforceSettings.objects.create(organisation=org, framework="seed000")
    _establishment(org, D(2026, 4, 1), [(*HV, 4)])
    _requirement(org, *HV, "beginner", "50")
    # the workspace's Solihull programme is 'intermediate' with no framework level
    _trainee(workspace.cohort, "a", *HV, D(2026, 11, 3))
    (row,) = organisation_coverage(org, AS_OF).rows
    assert (row.level, row.trained, row.status) == ("beginner", 1, Status.ON_TRAJECTORY)


def test_requirement_off_the_ladder_is_left_out_with_a_note(workspace: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    org = workspace.organisation
    _establishment(org, D(2026, 4, 1), [(*HV, 4)])
    _requirement(org, *HV, "Level 2", "50")
    result = organisation_coverage(org, AS_OF)
    assert result.rows == ()
    assert any("'Level 2' is not a level of NES PIMH" in note for note in result.notes)


def test_two_teams_on_one_latest_date_is_a_located_problem(workspace: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    org = workspace.organisation
    _establishment(org, D(2026, 4, 1), [(*HV, 4)])
    skilled = _programme(org, "Skilled course", "Skilled")
    cohort = _cohort(skilled, "S-1", D(2026, 5, 1))
    _trainee(cohort, "x", *HV, D(2026, 5, 1))
    _trainee(workspace.cohort, "x", *MAT, D(2026, 5, 1))
    workspace.programme.framework_level = "Informed"
    workspace.programme.save()
    with pytest.raises(CoverageError) as caught:
        organisation_coverage(org, AS_OF)
    assert "person 'x' of 'Northern HSC Trust'" in str(caught.value)


def test_outsider_data_never_counts(northern: Any, workspace: Any) -> None:
    """The Southern Trust's own staff and registers never reach the Northern figures."""
    from imheval.web.workforce.adapter import organisation_coverage

    south = workspace.other_organisation
    workspace.other_programme.framework_level = "Skilled"
    workspace.other_programme.save()
    _trainee(workspace.other_cohort, "s1", *HV, D(2026, 10, 1), employer="Northern HSC Trust")
    assert _rows(organisation_coverage(northern, AS_OF))[(*HV, "Skilled")].trained == 5
    assert organisation_coverage(south, AS_OF).rows == ()


REGIONAL = [
    Requirement(
        service=HV[0],
        profession=HV[1],
        level="Skilled",
        points=(TrajectoryPoint(D(2027, 3, 31), Decimal(80)),),
    )
]


def _region(workspace: Any, extra: int) -> list[Any]:
    from imheval.web.organisations.models import Organisation

    orgs = [workspace.organisation, workspace.other_organisation]
    for n in range(extra):
        orgs.append(Organisation.objects.create(name=f"Extra Trust {n}", slug=f"extra{n}"))
    for index, org in enumerate(orgs):
        _establishment(org, D(2026, 4, 1), [(*HV, 10 + index)])
        programme = _programme(org, "Skilled course", "Skilled")
        cohort = _cohort(programme, "S-1", D(2026, 5, 1))
        for person in range(index + 1):
            _trainee(cohort, f"p{person}", *HV, D(2026, 5, 1))
    return orgs


def test_coverage_for_several_organisations(workspace: Any) -> None:
    from imheval.web.workforce.adapter import coverage_for

    orgs = _region(workspace, 1)
    # a Northern cohort's trainee employed by the Southern Trust counts for the Southern Trust
    north_cohort = orgs[0].programmes.get(name="Skilled course").cohorts.get()
    _trainee(north_cohort, "visitor", *HV, D(2026, 5, 1), employer="southern hsc trust")
    _trainee(north_cohort, "away", *HV, D(2026, 5, 1), employer="Western Trust")
    result = coverage_for(orgs, AS_OF, ladder=BUILT_IN["nes"], requirements=REGIONAL)
    assert [(r.organisation, r.headcount, r.trained) for r in result.rows] == [
        ("Northern HSC Trust", 10, 1),
        ("Southern HSC Trust", 11, 3),
        ("Extra Trust 0", 12, 3),
    ]
    assert result.rows[0].gap_people == 7
    assert any("employed by 'Western Trust'" in note for note in result.notes)


def test_coverage_for_runs_the_same_queries_for_one_or_four(workspace: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from imheval.web.workforce.adapter import coverage_for

    orgs = _region(workspace, 2)
    counts = []
    for chosen in (orgs[:1], orgs):
        with CaptureQueriesContext(connection) as queries:
            result = coverage_for(chosen, AS_OF, ladder=BUILT_IN["nes"], requirements=REGIONAL)
        assert len(result.rows) == len(chosen)
        counts.append(len(queries))
    assert counts == [6, 6]


def test_organisation_coverage_query_count(northern: Any, django_assert_num_queries: Any) -> None:
    from imheval.web.workforce.adapter import organisation_coverage

    with django_assert_num_queries(9):
        organisation_coverage(northern, AS_OF)
