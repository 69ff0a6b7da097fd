"""What a region sees: imheval.workforce.regional (the small-group rule across the region,
the regional totals and gaps, outcome groups and the model on the organisations shown)."""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from imheval.errors import AnalysisError
from imheval.suppression import feasible_range, suppress
from imheval.workforce import BUILT_IN, CoverageResult, CoverageRow, Flag, Status
from imheval.workforce.regional import (
    ALL_ORGANISATIONS,
    CohortOutcomeSummary,
    outcome_groups,
    programme_key,
    regional_coverage,
    regional_status,
)

AS_OF = datetime.date(2027, 1, 31)
BY = datetime.date(2027, 3, 31)
NES = BUILT_IN["nes"]


def row(
    organisation: str,
    headcount: int,
    trained: int,
    level: str = "Skilled",
    *,
    service: str = "Health visiting",
    profession: str = "Health visitor",
    target: str = "90",
    flags: tuple[Flag, ...] = (),
) -> CoverageRow:
    target_percent = Decimal(target)
    gap = max(0, math.ceil(Fraction(target_percent) * headcount / 100) - trained)
    percent = None if flags else 100 * trained / headcount
    return CoverageRow(
        organisation=organisation,
        service=service,
        profession=profession,
        level=level,
        headcount=headcount,
        trained=trained,
        percent=percent,
        target_percent=target_percent,
        gap_people=gap,
        status=Status.MET if gap == 0 else Status.ON_TRAJECTORY,
        flags=flags,
        by_date=BY,
    )


def result(*rows: CoverageRow) -> CoverageResult:
    return CoverageResult(as_of=AS_OF, rows=rows, ladder=NES)


# ------------------------------------------------------------------------------ coverage


def test_a_small_count_is_hidden_and_a_second_row_so_subtraction_cannot_reveal_it() -> None:
    # 25 trained across the region is published; 25 - 10 - 12 would give North's 3 back.
    coverage = regional_coverage(
        result(row("North", 20, 3), row("South", 30, 10), row("West", 40, 12))
    )
    team = coverage.teams[0]
    assert team.organisations == ("North", "South", "West")
    north, south, west = (cells[0] for cells in team.cells)
    assert north is not None and north.hidden and north.trained is None
    assert north.percent is None and north.gap_people is None and north.status is None
    assert north.headcount is None
    assert south is not None and south.hidden  # the smallest shown count, hidden to protect North
    assert west is not None and not west.hidden
    assert (west.headcount, west.trained, west.gap_people) == (40, 12, 24)
    total = team.totals[0]
    assert (total.headcount, total.trained) == (90, 25)
    assert total.percent == pytest.approx(100 * 25 / 90, rel=1e-15)
    assert total.gap_people == 81 - 25 and total.status is Status.ON_TRAJECTORY
    assert team.hidden_organisations == 2
    # a reader who knows the rule cannot pin either hidden count from the total
    decided = suppress([3, 10, 12], 5, hidden=[0, 1])
    assert feasible_range(decided, 0) != (3, 3)


def test_a_row_is_hidden_whole_across_levels_and_its_headcount() -> None:
    # North: 7 at Informed (shown alone) but 2 at Skilled (small): its whole team row goes.
    coverage = regional_coverage(
        result(
            row("North", 12, 7, "Informed"),
            row("North", 12, 2, "Skilled"),
            row("South", 30, 20, "Informed"),
            row("South", 30, 10, "Skilled"),
            row("West", 40, 25, "Informed"),
            row("West", 40, 15, "Skilled"),
        )
    )
    team = coverage.teams[0]
    assert team.levels == ("Informed", "Skilled")
    assert all(cell is not None and cell.hidden for cell in team.cells[0])
    assert all(cell is not None and cell.hidden for cell in team.cells[1])  # secondary
    assert not any(cell is not None and cell.hidden for cell in team.cells[2])
    assert [t.trained for t in team.totals] == [52, 27]
    assert team.headcount_total == 82


def test_a_small_headcount_hides_the_row_even_when_nobody_is_trained() -> None:
    coverage = regional_coverage(
        result(row("North", 3, 0), row("South", 30, 10), row("West", 40, 12))
    )
    team = coverage.teams[0]
    assert team.cells[0][0] is not None and team.cells[0][0].hidden
    # 73 staff in all: with North's 3 hidden alone, 73 - 30 - 40 gives it back
    assert team.cells[1][0] is not None and team.cells[1][0].hidden
    assert team.headcount_total == 73


def test_a_small_regional_total_is_hidden_with_its_share_and_gap() -> None:
    coverage = regional_coverage(
        result(row("North", 10, 2, "Specialist"), row("South", 12, 1, "Specialist"))
    )
    team = coverage.teams[0]
    total = team.totals[0]
    assert total.hidden and total.trained is None and total.gap_people is None
    assert total.headcount == 22  # the staff are not few: only the trained are
    assert coverage.levels[0].teams == 0 and coverage.levels[0].teams_hidden == 1
    assert coverage.gaps == ()


def test_a_team_to_check_is_left_out_of_the_totals_with_only_the_primary_rule() -> None:
    flagged = row("North", 6, 8, flags=(Flag.TRAINED_EXCEEDS_HEADCOUNT,))
    coverage = regional_coverage(result(flagged, row("South", 30, 10), row("West", 40, 12)))
    team = coverage.teams[0]
    assert team.in_totals == (False, True, True)
    north = team.cells[0][0]
    assert north is not None and not north.hidden
    assert north.flags == (Flag.TRAINED_EXCEEDS_HEADCOUNT,) and north.percent is None
    assert (team.totals[0].headcount, team.totals[0].trained) == (70, 22)


def test_level_summary_adds_only_shown_totals_and_gaps_are_largest_first() -> None:
    coverage = regional_coverage(
        result(
            row("North", 20, 10),
            row("South", 30, 10),
            row("North", 8, 6, service="Midwifery", profession="Midwife"),
            row("South", 9, 9, service="Midwifery", profession="Midwife"),
            row("North", 5, 1, "Specialist", service="PIMH", profession="Psychologist"),
            row("South", 6, 2, "Specialist", service="PIMH", profession="Psychologist"),
        )
    )
    skilled = next(level for level in coverage.levels if level.level == "Skilled")
    assert (skilled.headcount, skilled.trained, skilled.teams) == (67, 35, 2)
    assert (skilled.met, skilled.on_trajectory, skilled.behind) == (0, 2, 0)
    specialist = next(level for level in coverage.levels if level.level == "Specialist")
    assert specialist.teams == 0 and specialist.teams_hidden == 1
    assert [(gap.service, gap.gap_people) for gap in coverage.gaps] == [
        ("Health visiting", 45 - 20),
        ("Midwifery", 16 - 15),
    ]


def test_regional_status_is_the_cores_rule_without_interim_points() -> None:
    target = Fraction(90)
    assert regional_status(9, 10, target, BY, AS_OF) == (0, Status.MET)
    assert regional_status(8, 10, target, BY, AS_OF) == (1, Status.ON_TRAJECTORY)
    assert regional_status(8, 10, target, BY, BY) == (1, Status.BEHIND)  # due on the date
    # exact: 90% of 10 is 9 people, never 10
    assert regional_status(0, 10, Fraction(Decimal("90")), BY, AS_OF)[0] == 9


# ------------------------------------------------------------------------------ outcomes


def cohort(
    organisation: str,
    name: str,
    n: int,
    mean: float,
    sd: float | None,
    programme: str = "Solihull Approach",
    level: str = "Skilled",
    measure: str = "IMH core",
) -> CohortOutcomeSummary:
    return CohortOutcomeSummary(organisation, programme, level, name, n, mean, sd, measure)


def test_programmes_match_by_name_and_level_ignoring_case_and_spaces() -> None:
    assert programme_key(" Solihull  Approach", "SKILLED") == programme_key(
        "solihull approach", "Skilled"
    )
    groups = outcome_groups(
        [
            cohort("North", "1", 10, 5.0, 2.0, "Solihull Approach"),
            cohort("South", "1", 10, 6.0, 2.0, "solihull  approach"),
            cohort("South", "2", 10, 6.0, 2.0, "Solihull Approach", level="Enhanced"),
        ]
    )
    assert [(g.programme, g.level, len(g.organisations)) for g in groups] == [
        ("Solihull Approach", "Skilled", 2),
        ("Solihull Approach", "Enhanced", 1),
    ]


def test_an_organisations_change_pools_its_cohorts_as_its_people_would() -> None:
    rng = np.random.default_rng(16)
    first, second = rng.normal(10, 4, 12), rng.normal(14, 6, 9)
    people = np.concatenate([first, second])
    groups = outcome_groups(
        [
            cohort("North", "A", 12, float(first.mean()), float(first.std(ddof=1))),
            cohort("North", "B", 9, float(second.mean()), float(second.std(ddof=1))),
        ]
    )
    north = groups[0].organisations[0]
    assert north.matched == 21 and north.cohorts == 2
    assert north.mean_gain == pytest.approx(people.mean(), rel=1e-12)
    assert north.sd_gain == pytest.approx(people.std(ddof=1), rel=1e-12)
    assert north.effect_dz == pytest.approx(people.mean() / people.std(ddof=1), rel=1e-12)
    from scipy import stats

    low, high = stats.t.interval(0.95, 20, loc=people.mean(), scale=stats.sem(people))
    assert north.ci is not None
    assert (north.ci.low, north.ci.high) == (pytest.approx(low), pytest.approx(high))


def test_a_small_organisation_is_hidden_with_a_second_and_left_out_of_the_model() -> None:
    # 3 + 8 + 20 = 31 published: 31 - 8 - 20 would give West's 3 back.
    groups = outcome_groups(
        [
            cohort("North", "A", 12, 10.0, 4.0),
            cohort("North", "B", 8, 12.0, 5.0),
            cohort("South", "A", 8, 9.0, 3.0),
            cohort("West", "A", 3, 30.0, 2.0),
        ]
    )
    group = groups[0]
    north, south, west = group.organisations
    assert west.hidden and west.primary and west.matched is None and west.mean_gain is None
    assert south.hidden and not south.primary and south.effect_dz is None
    assert not north.hidden and north.matched == 20
    assert group.total.matched == 31 and not group.total.hidden
    assert group.modelled == ("North",)
    assert group.comparison is not None and group.comparison.people == 20
    assert group.comparison.reason is not None  # one organisation: nothing to compare
    assert any("left out of the model" in note for note in group.notes)


def test_a_group_too_small_in_all_hides_its_total() -> None:
    group = outcome_groups([cohort("North", "A", 2, 10.0, 1.0), cohort("South", "A", 2, 9.0, 1.0)])[
        0
    ]
    assert group.total.hidden and group.total.organisation == ALL_ORGANISATIONS
    assert all(row.hidden for row in group.organisations)
    assert group.comparison is None and group.modelled == ()


def test_the_model_compares_the_organisations_shown() -> None:
    cohorts = [
        cohort(org, str(j), 10 + j, 10.0 + 3 * k + j, 4.0 + j)
        for k, org in enumerate(["North", "South", "West"])
        for j in range(3)
    ]
    group = outcome_groups(cohorts)[0]
    comparison = group.comparison
    assert comparison is not None and comparison.reason is None
    assert (comparison.organisations, comparison.cohorts, comparison.people) == (3, 9, 99)
    assert group.kirkpatrick == () and group.measures == ("IMH core",)


def test_cohorts_without_matched_people_are_left_out_and_bad_counts_refused() -> None:
    assert outcome_groups([cohort("North", "A", 0, 0.0, None)]) == ()
    with pytest.raises(AnalysisError, match="negative"):
        outcome_groups([cohort("North", "A", -1, 0.0, None)])


def test_cohorts_on_different_measures_are_never_pooled_or_compared() -> None:
    # +11 on one questionnaire and +29 on another are not one scale: two groups, no model
    # saying the organisations differ.
    groups = outcome_groups(
        [
            cohort("Trust 01", "1", 12, 11.0, 8.0),
            cohort("Trust 01", "2", 10, 11.0, 9.0),
            cohort("Trust 02", "1", 11, 29.0, 7.0, measure="Confidence"),
            cohort("Trust 02", "2", 9, 29.0, 6.0, measure="Confidence"),
            cohort("Trust 03", "1", 10, 12.0, 8.0, measure=" imh  CORE"),
        ]
    )
    assert [(g.measure, [o.organisation for o in g.organisations]) for g in groups] == [
        ("IMH core", ["Trust 01", "Trust 03"]),
        ("Confidence", ["Trust 02"]),
    ]
    core, confidence = groups
    assert core.total.matched == 32 and confidence.total.matched == 20
    assert core.measures == ("IMH core",)
    assert confidence.comparison is not None and confidence.comparison.organisations == 1
    assert confidence.total.mean_gain == pytest.approx(29.0)
    assert core.total.mean_gain == pytest.approx((22 * 11.0 + 10 * 12.0) / 32)


def test_cohorts_naming_no_measure_are_a_group_of_their_own() -> None:
    groups = outcome_groups(
        [cohort("North", "A", 10, 5.0, 2.0, measure=""), cohort("North", "B", 10, 6.0, 2.0)]
    )
    assert [(g.measure, g.measures, g.total.matched) for g in groups] == [
        ("", (), 10),
        ("IMH core", ("IMH core",), 10),
    ]
