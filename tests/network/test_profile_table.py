"""The member profile table (seed 002's Table 2): counts, percentages of those who answered,
multi-select marking, the single-choice sum check, suppression, merged categories, numbers."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from imheval.evaluation import EvaluationOptions
from imheval.instruments.profile import get_builtin_profile, load_profile_text
from imheval.network.profile import DEFAULT_MIN_CELL, ProfileRow, profile_table
from imheval.suppression import feasible_range, suppress

PROFILE = get_builtin_profile("imh-network-profile")

#: Seed 002's Table 2 discipline rows for its n = 7: 2 + 2 + 3 + 1 = 8, so one person's answer
#: holds two disciplines (here social work and nursing).
SEED_DISCIPLINES: list[object] = [
    "psychology",
    "psychology",
    "occupational_therapy",
    "occupational_therapy",
    "social_work",
    "social_work",
    ["social_work", "nursing"],
]


def _cells(rows: tuple[ProfileRow, ...]) -> dict[str, tuple[object, object]]:
    return {str(row.category): (row.n, row.percent) for row in rows}


def test_the_default_threshold_is_the_evaluations() -> None:
    assert DEFAULT_MIN_CELL == EvaluationOptions().min_group_size == 5


def test_seed_table_2_disciplines_add_to_8_for_7_people_and_are_flagged() -> None:
    answers = [{"discipline": d} for d in SEED_DISCIPLINES]
    # With a threshold of 1 (nothing hidden) the seed's own figures come back.
    table = profile_table(PROFILE, answers, min_cell=1)
    cells = _cells(table.rows_for("discipline"))
    assert cells["Psychology"] == (2, pytest.approx(28.571428571, abs=1e-8))
    assert cells["Occupational therapy"] == (2, pytest.approx(28.571428571, abs=1e-8))
    assert cells["Social work"] == (3, pytest.approx(42.857142857, abs=1e-8))
    assert cells["Nursing"] == (1, pytest.approx(14.285714285, abs=1e-8))
    assert cells["Midwifery"] == (0, 0.0)
    total = sum(row.percent or 0.0 for row in table.rows_for("discipline"))
    assert total == pytest.approx(114.2857142857, abs=1e-8)
    summary = next(q for q in table.questions if q.question_id == "discipline")
    assert summary.answered == 7 and summary.counts_exceed_answers
    assert table.flags == (
        "Discipline: the counts add up to more than the people who answered (8 for 7 people). "
        "It asks for one answer, so someone gave more than one or the data are wrong; its "
        "percentages add up to more than 100%.",
    )
    # Its rows are then marked like a multi-select question's (percentages of people).
    assert all(row.multiple for row in table.rows_for("discipline"))


def test_seed_table_2_at_the_usual_threshold_hides_every_discipline_and_says_why() -> None:
    answers = [{"discipline": d} for d in SEED_DISCIPLINES]
    table = profile_table(PROFILE, answers)
    cells = _cells(table.rows_for("discipline"))
    for category in ("Psychology", "Occupational therapy", "Social work", "Nursing"):
        assert cells[category] == (None, None)
    assert cells["Psychiatry"] == (0, 0.0)  # a zero is shown: nobody is in it
    assert table.n == 7
    # The flag does not give the sum of hidden counts away.
    assert "8 for 7" not in " ".join(table.flags)
    assert table.flags[0].startswith("Discipline: the counts add up to more than")
    assert (
        "Discipline: 4 categories are hidden because fewer than 5 people gave that answer."
        " Merging categories may let more be shown." in table.hidden
    )


def test_no_shown_count_is_ever_1_to_4_people() -> None:
    answers = [{"age_band": "25_to_34"}] * 6 + [{"age_band": "35_to_44"}] * 3
    answers += [{"age_band": "45_to_54"}] * 2
    table = profile_table(PROFILE, answers)
    shown = [row.n for row in table.rows if row.n is not None]
    assert all(n == 0 or n >= 5 for n in shown)
    cells = _cells(table.rows_for("age_band"))
    # 3 and 2 are hidden; together they are 5 people, and either could be 1 to 4.
    assert cells["35 to 44"] == (None, None)
    assert cells["45 to 54"] == (None, None)
    assert cells["25 to 34"] == (6, pytest.approx(100 * 6 / 11))
    assert cells["Under 25"] == (0, 0.0)
    assert (
        "Age: 2 categories are hidden because fewer than 5 people gave that answer."
        " Merging categories may let more be shown." in table.hidden
    )


def test_a_count_that_subtraction_would_give_away_is_hidden_too() -> None:
    answers = [{"age_band": "25_to_34"}] * 6 + [{"age_band": "35_to_44"}] * 5
    answers += [{"age_band": "45_to_54"}]
    table = profile_table(PROFILE, answers)
    cells = _cells(table.rows_for("age_band"))
    # The 1 is hidden; hiding the 5 as well would still pin it (12 - 6 = 6 = 5 + 1), so the
    # 6 goes too.
    assert [cells[c][0] for c in ("25 to 34", "35 to 44", "45 to 54")] == [None, None, None]
    assert (
        "Age: 1 category is hidden because fewer than 5 people gave that answer; 2 categories "
        "are hidden so that a hidden count cannot be worked out by subtraction."
        " Merging categories may let more be shown." in table.hidden
    )


def test_every_hidden_count_stays_protected_against_the_published_total() -> None:
    counts = {"25_to_34": 6, "35_to_44": 5, "45_to_54": 1, "55_or_over": 3}
    answers = [{"age_band": code} for code, n in counts.items() for _ in range(n)]
    table = profile_table(PROFILE, answers)
    rows = table.rows_for("age_band")
    values = [counts.get(code, 0) for code in PROFILE.question("age_band").options]  # type: ignore[union-attr]
    decided = suppress([*values, 0], 5)
    assert [row.n is None for row in rows] == list(decided.hidden[:-1])
    for index, row in enumerate(rows):
        if row.n is None:
            low, high = feasible_range(decided, index)
            assert high is None or low < high


def test_merging_categories_lets_a_group_be_shown() -> None:
    answers = [{"discipline": d} for d in ["psychology"] * 3 + ["psychiatry"] * 2]
    answers += [
        {"discipline": d} for d in ["nursing"] * 3 + ["midwifery"] * 2 + ["health_visiting"]
    ]
    collapse = {
        "discipline": {
            "Psychology and psychiatry": ["psychology", "psychiatry"],
            "Nursing, midwifery and health visiting": ["nursing", "midwifery", "health_visiting"],
        }
    }
    plain = profile_table(PROFILE, answers)
    assert all(row.n in (0, None) for row in plain.rows_for("discipline"))
    merged = profile_table(PROFILE, answers, collapse=collapse)
    cells = _cells(merged.rows_for("discipline"))
    assert list(cells) == [
        "Psychology and psychiatry",
        "Nursing, midwifery and health visiting",
        "Social work",
        "Occupational therapy",
        "Another discipline",
    ]
    assert cells["Psychology and psychiatry"] == (5, pytest.approx(100 * 5 / 11))
    assert cells["Nursing, midwifery and health visiting"] == (6, pytest.approx(100 * 6 / 11))
    assert cells["Social work"] == (0, 0.0)
    assert merged.rows_for("discipline")[0].merged
    assert not any(h.startswith("Discipline") for h in merged.hidden)


@pytest.mark.parametrize(
    ("collapse", "message"),
    [
        ({"shoe": {"Big": ["a", "b"]}}, "there is no question 'shoe'"),
        ({"years_in_service": {"Long": ["a", "b"]}}, "is a number, it has no categories"),
        (
            {"discipline": {"Odd": ["psychology", "astrology"]}},
            "astrology is not one of its options",
        ),
        ({"discipline": {"Lone": ["psychology"]}}, "'Lone' needs at least two categories"),
        ({"discipline": {" ": ["psychology", "nursing"]}}, "a merged category needs a name"),
        (
            {"discipline": {"A": ["psychology", "nursing"], "B": ["nursing", "midwifery"]}},
            "'Nursing' is in both 'A' and 'B'",
        ),
    ],
)
def test_a_merge_that_does_not_fit_is_refused_with_the_reason(
    collapse: Mapping[str, Mapping[str, list[str]]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        profile_table(PROFILE, [], collapse=collapse)


def test_multi_select_percentages_are_of_people_and_may_pass_100() -> None:
    answers = [{"experience_ages": ["age_0_3", "age_4_6"]}] * 6
    answers += [{"experience_ages": ["age_0_3"]}] * 5 + [{"experience_ages": ["none"]}] * 5
    table = profile_table(PROFILE, answers)
    cells = _cells(table.rows_for("experience_ages"))
    assert cells["0 to 3 years"] == (11, pytest.approx(100 * 11 / 16))
    assert cells["4 to 6 years"] == (6, pytest.approx(100 * 6 / 16))
    assert cells["None of these"] == (5, pytest.approx(100 * 5 / 16))
    assert cells["7 to 12 years"] == (0, 0.0)
    assert sum(row.percent or 0.0 for row in table.rows_for("experience_ages")) > 100
    assert all(row.multiple for row in table.rows_for("experience_ages"))
    assert table.flags == ()


def test_a_multi_select_category_whose_complement_is_small_is_hidden() -> None:
    # 6 of 7 ticked 0 to 3: showing 6 would show that 1 person did not.
    answers = [{"experience_ages": ["age_0_3"]}] * 6 + [{"experience_ages": ["age_4_6"]}]
    cells = _cells(profile_table(PROFILE, answers).rows_for("experience_ages"))
    assert cells["0 to 3 years"] == (None, None)
    assert cells["4 to 6 years"] == (None, None)


def test_a_few_people_leaving_a_question_out_hides_its_n_and_percentages() -> None:
    answers = [{"own_children": "yes"}] * 6 + [{"own_children": "no"}] * 6 + [{}] * 2
    table = profile_table(PROFILE, answers)
    summary = next(q for q in table.questions if q.question_id == "own_children")
    assert summary.answered is None
    rows = table.rows_for("own_children")
    # One of the two 6s goes, so that 14 - 6 - 0 does not give the 2 who left it out.
    assert [row.n for row in rows] == [None, 6, 0]
    assert all(row.percent is None for row in rows)
    assert any(
        "the number who answered is hidden because fewer than 5 people left the question out"
        in line
        for line in table.hidden
    )


def test_numbers_show_the_mean_and_hide_a_range_whose_ends_are_single_people() -> None:
    years = [2, 3, 4, 5, 6, 8, 11]  # seed 002's years in AMH run 2 to 11
    table = profile_table(PROFILE, [{"years_in_service": float(y)} for y in years])
    (row,) = table.rows_for("years_in_service")
    assert row.kind == "number" and row.unit == "years"
    assert row.n == 7
    assert row.mean == pytest.approx(sum(years) / 7)
    assert (row.minimum, row.maximum, row.range_hidden) == (None, None, True)
    assert any(
        line.startswith("Years working in your current service: the range") for line in table.hidden
    )


def test_a_range_is_shown_when_each_end_is_shared_by_enough_people() -> None:
    years = [1.0] * 5 + [3.0] * 2 + [10.0] * 5
    (row,) = profile_table(PROFILE, [{"years_in_service": y} for y in years]).rows_for(
        "years_in_service"
    )
    assert (row.minimum, row.maximum, row.range_hidden) == (1.0, 10.0, False)
    assert row.mean == pytest.approx(sum(years) / 12)


def test_a_number_answered_by_too_few_is_hidden_whole() -> None:
    table = profile_table(PROFILE, [{"years_in_service": 4.0}] * 3 + [{}] * 4)
    (row,) = table.rows_for("years_in_service")
    assert (row.n, row.mean, row.minimum, row.hidden) == (None, None, None, True)
    assert (
        "Years working in your current service: the average and range are hidden because fewer "
        "than 5 people answered." in table.hidden
    )


def test_a_group_smaller_than_the_threshold_shows_no_count_but_zeros() -> None:
    table = profile_table(PROFILE, [{"role_0_3": "yes"}] * 3)
    assert table.n is None
    assert _cells(table.rows_for("role_0_3")) == {"Yes": (None, None), "No": (0, None)}
    assert table.hidden[0].startswith("Fewer than 5 people have answered")


def test_answers_that_are_not_options_are_left_out_and_flagged_without_a_1() -> None:
    answers: list[dict[str, object]] = [{"own_children": "yes"}] * 5
    answers += [{"own_children": "maybe"}, {"years_in_service": 99}]
    table = profile_table(PROFILE, answers)
    assert "Own children: fewer than 5 people gave an answer that is not one of" in table.flags[0]
    assert "not a number from 0 to 50" in table.flags[1]
    assert "1 person" not in " ".join(table.flags + table.hidden)


def test_no_answers_gives_an_empty_table_of_zeros() -> None:
    table = profile_table(PROFILE, [])
    assert table.n == 0
    assert all(row.n in (0, None) and not row.hidden for row in table.rows)
    assert table.hidden == ()


def test_a_threshold_below_1_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1 person"):
        profile_table(PROFILE, [], min_cell=0)


def test_any_profile_file_works() -> None:
    profile = load_profile_text(
        "format: imheval-profile/1\nid: t\nversion: '1'\ntitle: T\n"
        "questions:\n  - {id: q, text: Pick, options: {a: A, b: B}}\n",
        "t.yaml",
    )
    table = profile_table(profile, [{"q": "a"}] * 5 + [{"q": "b"}] * 5)
    assert _cells(table.rows) == {"A": (5, 50.0), "B": (5, 50.0)}


def test_months_of_membership_come_from_the_register_as_one_more_row() -> None:
    months = [4, 9, 12, 13, 15, 18, 19]  # seed 002: 4 to 19 months, 7 members
    table = profile_table(PROFILE, [{"own_children": "yes"}] * 5, membership_months=months)
    row = table.rows[-1]
    assert (row.question_id, row.question, row.unit) == (
        "membership_months",
        "Months of membership (from the register)",
        "months",
    )
    assert row.n == 7  # the members, not the 5 people who answered
    assert row.mean == pytest.approx(sum(months) / 7)
    assert (row.minimum, row.maximum, row.range_hidden) == (None, None, True)
    assert table.questions[-1].answered == 7
    assert not profile_table(PROFILE, []).rows_for("membership_months")


def test_months_of_a_small_group_are_hidden() -> None:
    table = profile_table(PROFILE, [], membership_months=[3, 8, 20])
    (row,) = table.rows_for("membership_months")
    assert (row.n, row.mean, row.hidden) == (None, None, True)
    assert (
        "Months of membership (from the register): the average and range are hidden because "
        "fewer than 5 current members are in the register." in table.hidden
    )
