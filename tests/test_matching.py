"""Matching anonymous codes across timepoints: exact, tolerant, accepted, bias, review CSV."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import AnalysisError, DataFormatError, ImhevalError
from imheval.evaluation.group_rule import group_codes, matched_pairs, text_codes
from imheval.matching import (
    AcceptedMatchError,
    MatchResult,
    ProbableMatch,
    match,
    matching_bias,
    one_character_apart,
    one_part_apart,
    read_accepted_csv,
    to_review_csv,
)
from imheval.scoring import DomainInfo, MissingPolicy, ScoredTable

KNOWLEDGE = DomainInfo("knowledge", "Knowledge", 5, 0.0, 5.0)
RISK = DomainInfo("risk", "Risk identification", 4, 0.0, 4.0)


def make_scored(
    records: list[dict[str, object]], domains: tuple[DomainInfo, ...] = (KNOWLEDGE,)
) -> ScoredTable:
    """A ScoredTable from short records; unspecified fields get harmless defaults."""
    rows = []
    for number, record in enumerate(records, start=2):
        row: dict[str, object] = {
            "participant": record["code"],
            "cohort": record.get("cohort", "C1"),
            "programme": record.get("programme", "Solihull"),
            "timepoint": record["tp"],
            "directorate": record.get("directorate", "Children's Services"),
            "profession": record.get("profession", "Health visitor"),
            "source_row": number,
        }
        for info in domains:
            row[info.id] = float(record.get(info.id, math.nan))  # type: ignore[arg-type]
        rows.append(row)
    columns = [
        "participant",
        "cohort",
        "programme",
        "timepoint",
        "directorate",
        "profession",
        "source_row",
        *(info.id for info in domains),
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in columns[:6]:
        frame[column] = frame[column].astype("str")
    return ScoredTable(frame=frame, domains=domains, policy=MissingPolicy.SEED, source="test.csv")


def person(result: MatchResult, code: str, cohort: str = "C1") -> pd.Series:
    rows = result.people[
        (result.people["participant"] == code) & (result.people["cohort"] == cohort)
    ]
    assert len(rows) == 1, f"expected one person {code} in {cohort}, found {len(rows)}"
    return rows.iloc[0]


# ------------------------------------------------------------------------------------------
# Exact matching
# ------------------------------------------------------------------------------------------


def test_exact_matching_links_the_same_code_across_pre_post_and_followup() -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre", "knowledge": 2},
            {"code": "AB12", "tp": "post", "knowledge": 4},
            {"code": "AB12", "tp": "followup", "knowledge": 5},
            {"code": "CD34", "tp": "pre", "knowledge": 1},
            {"code": "CD34", "tp": "post", "knowledge": 3},
            {"code": "EF56", "tp": "pre", "knowledge": 0},
            {"code": "GH78", "tp": "post", "knowledge": 2},
        ]
    )
    result = match(scored)

    assert list(result.people["participant"]) == ["AB12", "CD34", "EF56", "GH78"]
    assert list(result.people.columns) == [
        "cohort",
        "participant",
        "programme",
        "directorate",
        "profession",
        "present_pre",
        "present_post",
        "present_followup",
        "knowledge@pre",
        "knowledge@post",
        "knowledge@followup",
    ]
    ab = person(result, "AB12")
    assert (ab["knowledge@pre"], ab["knowledge@post"], ab["knowledge@followup"]) == (2, 4, 5)
    assert bool(ab["present_pre"]) and bool(ab["present_post"]) and bool(ab["present_followup"])
    ef = person(result, "EF56")
    assert bool(ef["present_pre"]) and not bool(ef["present_post"])
    assert math.isnan(ef["knowledge@post"]) and math.isnan(ef["knowledge@followup"])
    gh = person(result, "GH78")
    assert not bool(gh["present_pre"]) and bool(gh["present_post"])
    assert result.mode == "exact"
    assert result.probable_matches == () and result.accepted_matches == ()


def test_every_domain_gets_a_column_for_every_timepoint_even_if_never_measured() -> None:
    scored = make_scored(
        [{"code": "A1", "tp": "pre", "knowledge": 3, "risk": 2}], domains=(KNOWLEDGE, RISK)
    )
    people = match(scored).people
    for domain in ("knowledge", "risk"):
        for timepoint in ("pre", "post", "followup"):
            assert people[f"{domain}@{timepoint}"].dtype == np.float64
    assert people.loc[0, "risk@pre"] == 2.0
    assert math.isnan(people.loc[0, "risk@followup"])


def test_person_details_come_from_the_earliest_timepoint_that_has_a_value() -> None:
    scored = make_scored(
        [
            {"code": "A1", "tp": "followup", "profession": "Midwife", "programme": "Late"},
            {"code": "A1", "tp": "pre", "profession": "", "directorate": "Adult", "programme": ""},
            {"code": "A1", "tp": "post", "profession": "Health visitor", "directorate": "Child"},
        ]
    )
    a1 = person(match(scored), "A1")
    assert a1["profession"] == "Health visitor"  # pre is empty, post is the earliest with one
    assert a1["directorate"] == "Adult"
    assert a1["programme"] == "Solihull"  # post's value; followup's "Late" is later


def test_details_never_recorded_are_empty_text() -> None:
    scored = make_scored([{"code": "A1", "tp": "pre", "profession": "", "directorate": ""}])
    a1 = person(match(scored), "A1")
    assert a1["profession"] == "" and a1["directorate"] == ""


def test_same_code_in_two_cohorts_is_two_people_and_listed_as_duplicate() -> None:
    scored = make_scored(
        [
            {"code": "ZZ99", "cohort": "C2", "tp": "pre", "knowledge": 1},
            {"code": "ZZ99", "cohort": "C1", "tp": "post", "knowledge": 4},
            {"code": "AA11", "cohort": "C1", "tp": "pre", "knowledge": 2},
            {"code": "AA11", "cohort": "C3", "tp": "pre", "knowledge": 2},
            {"code": "AA11", "cohort": "C2", "tp": "pre", "knowledge": 2},
            {"code": "BB22", "cohort": "C1", "tp": "pre", "knowledge": 2},
        ]
    )
    result = match(scored)
    zz = result.people[result.people["participant"] == "ZZ99"]
    assert sorted(zz["cohort"]) == ["C1", "C2"]
    assert result.cohorts.set_index("cohort").loc["C1", "n_matched"] == 0
    assert result.duplicate_codes == (("AA11", ("C1", "C2", "C3")), ("ZZ99", ("C1", "C2")))


def test_cohort_summary_counts_each_pattern_of_attendance() -> None:
    records: list[dict[str, object]] = []
    # Cohort A: P1 pre+post+followup, P2 pre+post, P3 pre only, P4 post only,
    # P5 pre+followup, P6 followup only.
    pattern = {
        "P1": ("pre", "post", "followup"),
        "P2": ("pre", "post"),
        "P3": ("pre",),
        "P4": ("post",),
        "P5": ("pre", "followup"),
        "P6": ("followup",),
    }
    for code, timepoints in pattern.items():
        records += [{"code": code, "cohort": "A", "tp": tp} for tp in timepoints]
    records += [{"code": "Q1", "cohort": "B", "tp": "post"}]
    cohorts = match(make_scored(records)).cohorts

    assert list(cohorts.columns) == [
        "cohort",
        "programme",
        "n_pre",
        "n_post",
        "n_followup",
        "n_matched",
        "n_pre_only",
        "n_post_only",
        "n_followup_matched",
    ]
    a = cohorts.set_index("cohort").loc["A"]
    assert (a["n_pre"], a["n_post"], a["n_followup"]) == (4, 3, 3)
    assert (a["n_matched"], a["n_pre_only"], a["n_post_only"]) == (2, 2, 1)
    assert a["n_followup_matched"] == 1
    b = cohorts.set_index("cohort").loc["B"]
    assert (b["n_pre"], b["n_post"], b["n_matched"], b["n_post_only"]) == (0, 1, 0, 1)


def test_cohort_programme_is_the_most_common_non_empty_one() -> None:
    records: list[dict[str, object]] = [
        {"code": "P1", "cohort": "A", "tp": "pre", "programme": "Think Family"},
        {"code": "P2", "cohort": "A", "tp": "pre", "programme": "Solihull"},
        {"code": "P2", "cohort": "A", "tp": "post", "programme": "Solihull"},
        {"code": "P3", "cohort": "A", "tp": "pre", "programme": ""},
        {"code": "P4", "cohort": "A", "tp": "post", "programme": ""},
        {"code": "P5", "cohort": "A", "tp": "post", "programme": ""},
        # A tie goes to the alphabetically first; a cohort without any gets "".
        {"code": "Q1", "cohort": "B", "tp": "pre", "programme": "Zeta"},
        {"code": "Q2", "cohort": "B", "tp": "pre", "programme": "Anna Freud"},
        {"code": "R1", "cohort": "C", "tp": "pre", "programme": ""},
    ]
    cohorts = match(make_scored(records)).cohorts.set_index("cohort")
    assert cohorts.loc["A", "programme"] == "Solihull"
    assert cohorts.loc["B", "programme"] == "Anna Freud"
    assert cohorts.loc["C", "programme"] == ""


def test_cohorts_keep_the_order_they_first_appear_in() -> None:
    records: list[dict[str, object]] = [
        {"code": "X", "cohort": "Zeta 2", "tp": "pre"},
        {"code": "X", "cohort": "Alpha 1", "tp": "pre"},
    ]
    result = match(make_scored(records))
    assert list(result.cohorts["cohort"]) == ["Zeta 2", "Alpha 1"]
    assert list(result.people["cohort"]) == ["Zeta 2", "Alpha 1"]


# ------------------------------------------------------------------------------------------
# pairs()
# ------------------------------------------------------------------------------------------


def test_pairs_returns_only_complete_pairs() -> None:
    scored = make_scored(
        [
            {"code": "A1", "tp": "pre", "knowledge": 2, "risk": 1},
            {"code": "A1", "tp": "post", "knowledge": 4},  # risk not measured at post
            {"code": "B2", "tp": "pre", "knowledge": 3, "risk": 2},
            {"code": "B2", "tp": "post", "knowledge": 3, "risk": 4},
            {"code": "C3", "tp": "pre", "knowledge": 1, "risk": 0},
            {"code": "D4", "tp": "post", "knowledge": 5, "risk": 4},
            {"code": "B2", "tp": "followup", "knowledge": 5},
        ],
        domains=(KNOWLEDGE, RISK),
    )
    result = match(scored)

    knowledge = result.pairs("knowledge")
    assert list(knowledge.columns) == [
        "cohort",
        "programme",
        "directorate",
        "profession",
        "participant",
        "pre",
        "post",
    ]
    assert list(knowledge["participant"]) == ["A1", "B2"]
    assert list(knowledge["pre"]) == [2.0, 3.0] and list(knowledge["post"]) == [4.0, 3.0]
    assert list(knowledge.index) == [0, 1]

    risk = result.pairs("risk")
    assert list(risk["participant"]) == ["B2"]
    assert (risk.loc[0, "pre"], risk.loc[0, "post"]) == (2.0, 4.0)

    followup = result.pairs("knowledge", "pre", "followup")
    assert list(followup.columns[-2:]) == ["pre", "followup"]
    assert list(followup["participant"]) == ["B2"]
    assert list(followup["followup"]) == [5.0]


def _unsorted_scored() -> ScoredTable:
    """Rows out of order: post before pre, cohorts interleaved, one code in two cohorts (a tie
    on the code) and a follow-up."""
    return make_scored(
        [
            {"code": "Z9", "tp": "post", "knowledge": 4, "cohort": "C2"},
            {"code": "B2", "tp": "post", "knowledge": 3},
            {"code": "A1", "tp": "followup", "knowledge": 5, "cohort": "C2"},
            {"code": "A1", "tp": "post", "knowledge": 2, "cohort": "C2"},
            {"code": "A1", "tp": "post", "knowledge": 1},
            {"code": "Z9", "tp": "pre", "knowledge": 0, "cohort": "C2"},
            {"code": "B2", "tp": "pre", "knowledge": 1},
            {"code": "A1", "tp": "pre", "knowledge": 0, "cohort": "C2"},
            {"code": "C3", "tp": "pre", "knowledge": 2},
            {"code": "A1", "tp": "pre"},  # not measured: no pair for A1 in C1
            {"code": "Z9", "tp": "followup", "knowledge": 3, "cohort": "C2"},
        ]
    )


def test_pair_people_and_rows_say_which_people_and_rows_pairs_chose() -> None:
    scored = _unsorted_scored()
    result = match(scored)
    # people sorted by cohort (first seen: C2, then C1), then code
    assert list(zip(result.people["cohort"], result.people["participant"], strict=True)) == [
        ("C2", "A1"),
        ("C2", "Z9"),
        ("C1", "A1"),
        ("C1", "B2"),
        ("C1", "C3"),
    ]
    pairs = result.pairs("knowledge")
    assert list(result.pair_people("knowledge")) == [0, 1, 3]
    assert list(pairs["participant"]) == ["A1", "Z9", "B2"]
    assert list(pairs["cohort"]) == ["C2", "C2", "C1"]
    pre_rows, post_rows = result.pair_rows("knowledge")
    assert list(pre_rows) == [7, 5, 6] and list(post_rows) == [3, 0, 1]
    values = scored.frame["knowledge"].to_numpy()
    assert list(values[pre_rows]) == list(pairs["pre"]) == [0.0, 0.0, 1.0]
    assert list(values[post_rows]) == list(pairs["post"]) == [2.0, 4.0, 3.0]
    codes = scored.frame["participant"].to_numpy(dtype=object)
    assert list(codes[pre_rows]) == list(codes[post_rows]) == list(pairs["participant"])


def test_matched_pairs_codes_follow_the_pairs_rows_without_a_sample() -> None:
    records: list[dict[str, object]] = []
    # 300 people given in reverse order, post rows first, two programmes and a blank
    # directorate; every fifth person has no post score, so pairs skip people
    for number in reversed(range(300)):
        code = f"P{number:03d}"
        cohort = f"C{number % 7}"
        extra = {
            "programme": ["Beta", "Alpha"][number % 2],
            "directorate": ["", "D1"][number % 3 == 0],
        }
        if number % 5:
            records.append({"code": code, "tp": "post", "knowledge": 3, "cohort": cohort, **extra})
        records.append({"code": code, "tp": "pre", "knowledge": 1, "cohort": cohort, **extra})
    result = match(make_scored(records))
    pairs = matched_pairs(result, "knowledge")
    assert len(pairs) == 240
    chosen = result.pair_people("knowledge")
    for column in ("cohort", "programme", "directorate", "profession"):
        coded = group_codes(pairs, column)
        assert coded is not None
        assert coded.labels.tolist() == pairs[column].astype(str).tolist()
        assert (
            coded.labels.tolist() == result.people[column].to_numpy(dtype=object)[chosen].tolist()
        )
        assert coded.names.tolist() == sorted(set(pairs[column].astype(str)))


def test_people_codes_are_the_codes_of_the_people_columns_text() -> None:
    scored = make_scored(
        [
            {"code": "B2", "tp": "post", "cohort": "Zeta", "programme": "Solihull"},
            {"code": "B2", "tp": "pre", "cohort": "Zeta", "programme": ""},
            {"code": "A1", "tp": "post", "cohort": "Alpha", "programme": "Later", "profession": ""},
            {"code": "A1", "tp": "pre", "cohort": "Alpha", "programme": "Baby", "profession": ""},
            {"code": "C3", "tp": "followup", "cohort": "Zeta", "programme": "", "directorate": ""},
            {"code": "A1", "tp": "pre", "cohort": "Beta", "programme": "Other"},
        ]
    )
    result = match(scored)
    # a person's programme is the earliest recorded: B2's "" at pre gives way to post's
    assert list(result.people["programme"]) == ["Solihull", "", "Baby", "Other"]
    assert set(result.people_codes) == {"cohort", "programme", "directorate", "profession"}
    for column, (codes, names) in result.people_codes.items():
        text = text_codes(result.people[column])
        assert text is not None
        assert codes.tolist() == text.codes.tolist()
        assert names.tolist() == text.names.tolist()
        assert names[codes].tolist() == result.people[column].tolist()
    codes, names = result.people_codes["programme"]
    assert names.tolist() == ["", "Baby", "Other", "Solihull"]  # A1's later "Later" is unused
    assert codes.tolist() == [3, 0, 1, 2]


def test_pair_rows_follow_the_timepoints_asked_for() -> None:
    scored = _unsorted_scored()
    result = match(scored)
    follow = result.pairs("knowledge", "post", "followup")
    assert list(result.pair_people("knowledge", "post", "followup")) == [0, 1]
    post_rows, followup_rows = result.pair_rows("knowledge", "post", "followup")
    assert list(post_rows) == [3, 0] and list(followup_rows) == [2, 10]
    values = scored.frame["knowledge"].to_numpy()
    assert list(values[followup_rows]) == list(follow["followup"]) == [5.0, 3.0]
    assert list(result.rows_at("followup")) == [2, 10, -1, -1, -1]
    assert list(result.rows_at("pre")) == [7, 5, 9, 6, 8]
    assert list(result.rows_at("during")) == [-1] * 5
    with pytest.raises(AnalysisError, match="two different timepoints"):
        result.pair_rows("knowledge", "pre", "pre")
    with pytest.raises(AnalysisError, match="no domain 'empathy'"):
        result.pair_people("empathy")


def test_pair_rows_after_an_accepted_match_point_at_both_codes_rows() -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "post", "knowledge": 4},
            {"code": "AB21", "tp": "pre", "knowledge": 1},
            {"code": "CD34", "tp": "pre", "knowledge": 2},
        ]
    )
    result = match(scored, accepted=[("C1", "AB21", "AB12")])
    assert list(result.pairs("knowledge")["participant"]) == ["AB21"]
    pre_rows, post_rows = result.pair_rows("knowledge")
    assert list(pre_rows) == [1] and list(post_rows) == [0]


def test_pairs_rejects_unknown_domain_and_timepoints() -> None:
    result = match(make_scored([{"code": "A1", "tp": "pre", "knowledge": 1}]))
    with pytest.raises(AnalysisError, match="no domain 'empathy'"):
        result.pairs("empathy")
    with pytest.raises(AnalysisError, match="unknown timepoint 'during'"):
        result.pairs("knowledge", "pre", "during")
    with pytest.raises(AnalysisError, match="two different timepoints"):
        result.pairs("knowledge", "post", "post")


# ------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------


def test_a_code_twice_at_one_timepoint_is_a_data_error_naming_the_row() -> None:
    scored = make_scored(
        [
            {"code": "A1", "tp": "pre"},
            {"code": "B2", "tp": "pre"},
            {"code": "A1", "tp": "pre"},
            {"code": "A1", "tp": "pre", "cohort": "C2"},  # another cohort: fine
        ]
    )
    with pytest.raises(DataFormatError) as caught:
        match(scored)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("test.csv", 4, "participant")
    assert "A1" in problem.message and "pre" in problem.message and "C1" in problem.message


def test_unknown_timepoint_and_empty_code_are_reported_together() -> None:
    scored = make_scored([{"code": "A1", "tp": "middle"}, {"code": "", "tp": "pre"}])
    with pytest.raises(DataFormatError) as caught:
        match(scored)
    located = {(p.row, p.column) for p in caught.value.problems}
    assert located == {(2, "timepoint"), (3, "participant")}


def test_missing_columns_are_named() -> None:
    scored = make_scored([{"code": "A1", "tp": "pre", "knowledge": 1}])
    broken = ScoredTable(
        frame=scored.frame.drop(columns=["profession"]),
        domains=(KNOWLEDGE, RISK),
        policy=MissingPolicy.SEED,
        source="test.csv",
    )
    with pytest.raises(DataFormatError) as caught:
        match(broken)
    assert {p.column for p in caught.value.problems} == {"profession", "risk"}


def test_unknown_mode_is_an_analysis_error() -> None:
    with pytest.raises(AnalysisError, match="fuzzy"):
        match(make_scored([{"code": "A1", "tp": "pre"}]), mode="fuzzy")  # type: ignore[arg-type]


def test_empty_table_gives_empty_result_with_all_columns() -> None:
    scored = make_scored([])
    result = match(scored, mode="tolerant")
    assert len(result.people) == 0 and len(result.cohorts) == 0
    assert "knowledge@followup" in result.people.columns
    assert result.duplicate_codes == ()
    assert len(result.pairs("knowledge")) == 0


# ------------------------------------------------------------------------------------------
# Tolerant mode
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later", "reason"),
    [
        ("MK0312", "MK0313", "one character different"),  # substitution
        ("MK0312", "MK03129", "one character different"),  # insertion
        ("MK0312", "MK032", "one character different"),  # deletion
        ("MK0312", "KM0312", "one character different"),  # adjacent transposition
        ("MK0312", "MK0321", "one character different"),  # transposition at the end
        ("MK-03-12", "MK-07-12", "one character different"),  # also one part, but one char
        ("MK-03-12", "MK-30-12", "one character different"),
        ("MK-03-12", "MK-99-12", "one code part different"),
        ("MARY/03/KELLY", "MARY/03/KELLYANN", "one code part different"),
        ("AB_12.X", "ZZ_12.X", "one code part different"),
    ],
)
def test_tolerant_mode_lists_probable_matches_without_merging(
    earlier: str, later: str, reason: str
) -> None:
    scored = make_scored(
        [
            {"code": earlier, "tp": "pre", "knowledge": 1},
            {"code": later, "tp": "post", "knowledge": 4},
            {"code": "OTHER1", "tp": "pre", "knowledge": 2},
            {"code": "OTHER1", "tp": "post", "knowledge": 3},
        ]
    )
    result = match(scored, mode="tolerant")

    assert result.probable_matches == (
        ProbableMatch(
            cohort="C1",
            earlier_timepoint="pre",
            earlier_code=earlier,
            later_timepoint="post",
            later_code=later,
            reason=reason,
            profession="Health visitor",
            directorate="Children's Services",
            ambiguous=False,
        ),
    )
    # Never merged without acceptance: still two people, and only OTHER1 is a pair.
    assert len(result.people) == 3
    assert result.cohorts.loc[0, "n_matched"] == 1
    assert list(result.pairs("knowledge")["participant"]) == ["OTHER1"]
    assert result.accepted_matches == ()


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("MK0312", "MK0399"),  # two substitutions
        ("MK0312", "MK03"),  # two deletions
        ("MK0312", "M0312K"),  # a move, not an adjacent swap
        ("MK0312", "2130KM"),
        ("MK-03-12", "MK-99-13"),  # two parts different
        ("MK-03-12", "MK-03-12-4"),  # different number of parts (and 2 characters)
    ],
)
def test_tolerant_mode_ignores_codes_further_apart(earlier: str, later: str) -> None:
    scored = make_scored([{"code": earlier, "tp": "pre"}, {"code": later, "tp": "post"}])
    assert match(scored, mode="tolerant").probable_matches == ()


def test_exact_mode_lists_no_probable_matches() -> None:
    scored = make_scored([{"code": "MK0312", "tp": "pre"}, {"code": "MK0313", "tp": "post"}])
    assert match(scored).probable_matches == ()


@pytest.mark.parametrize(
    ("earlier_fields", "later_fields"),
    [
        ({"profession": "Midwife"}, {"profession": "Health visitor"}),
        ({"directorate": "Adult Services"}, {"directorate": "Children's Services"}),
        ({"profession": ""}, {"profession": ""}),
        ({"directorate": ""}, {"directorate": ""}),
        ({"profession": ""}, {}),
    ],
)
def test_tolerant_mode_needs_equal_non_empty_profession_and_directorate(
    earlier_fields: dict[str, str], later_fields: dict[str, str]
) -> None:
    scored = make_scored(
        [
            {"code": "MK0312", "tp": "pre", **earlier_fields},
            {"code": "MK0313", "tp": "post", **later_fields},
        ]
    )
    assert match(scored, mode="tolerant").probable_matches == ()


def test_profession_and_directorate_compare_ignoring_case_and_spacing() -> None:
    scored = make_scored(
        [
            {"code": "MK0312", "tp": "pre", "profession": "Health Visitor"},
            {"code": "MK0313", "tp": "post", "profession": "health  visitor"},
        ]
    )
    (probable,) = match(scored, mode="tolerant").probable_matches
    assert probable.profession == "Health Visitor"  # as the earlier record wrote it


def test_tolerant_mode_only_pairs_codes_within_one_cohort() -> None:
    scored = make_scored(
        [
            {"code": "MK0312", "tp": "pre", "cohort": "C1"},
            {"code": "MK0313", "tp": "post", "cohort": "C2"},
        ]
    )
    assert match(scored, mode="tolerant").probable_matches == ()


def test_tolerant_mode_ignores_codes_already_matched_exactly() -> None:
    scored = make_scored(
        [
            {"code": "MK0312", "tp": "pre"},
            {"code": "MK0312", "tp": "post"},
            {"code": "MK0313", "tp": "post"},  # a colleague with a near code: not a typo of MK0312
            {"code": "MK0313", "tp": "pre"},
            {"code": "MK0314", "tp": "post"},
        ]
    )
    assert match(scored, mode="tolerant").probable_matches == ()


def test_tolerant_mode_searches_pre_followup_and_post_followup() -> None:
    scored = make_scored(
        [
            {"code": "AA11", "tp": "pre"},
            {"code": "AA12", "tp": "followup"},
            {"code": "BB11", "tp": "pre"},
            {"code": "BB11", "tp": "post"},
            {"code": "BB1", "tp": "followup"},
            {"code": "CC11", "tp": "post"},
            {"code": "CC11X", "tp": "followup"},
        ]
    )
    found = {
        (p.earlier_code, p.earlier_timepoint, p.later_code, p.later_timepoint)
        for p in match(scored, mode="tolerant").probable_matches
    }
    assert found == {
        ("AA11", "pre", "AA12", "followup"),
        ("BB11", "pre", "BB1", "followup"),
        ("CC11", "post", "CC11X", "followup"),
    }


def test_codes_that_both_have_a_record_at_one_timepoint_are_not_proposed() -> None:
    # Both codes answered at follow-up, so they cannot be one person even though pre/post fit.
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre"},
            {"code": "AB12", "tp": "followup"},
            {"code": "AB13", "tp": "post"},
            {"code": "AB13", "tp": "followup"},
        ]
    )
    assert match(scored, mode="tolerant").probable_matches == ()


def test_a_code_with_two_candidates_lists_both_as_ambiguous() -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre"},
            {"code": "AB13", "tp": "post"},
            {"code": "AB14", "tp": "post"},
            {"code": "XY77", "tp": "pre"},
            {"code": "XY78", "tp": "post"},
        ]
    )
    probable = match(scored, mode="tolerant").probable_matches
    listed = [(p.earlier_code, p.later_code, p.ambiguous) for p in probable]
    assert listed == [("AB12", "AB13", True), ("AB12", "AB14", True), ("XY77", "XY78", False)]


def test_a_later_code_with_two_earlier_candidates_is_ambiguous() -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre"},
            {"code": "AB14", "tp": "pre"},
            {"code": "AB13", "tp": "post"},
        ]
    )
    probable = match(scored, mode="tolerant").probable_matches
    assert [(p.earlier_code, p.later_code) for p in probable] == [
        ("AB12", "AB13"),
        ("AB14", "AB13"),
    ]
    assert all(p.ambiguous for p in probable)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("ABC", "ABD", True),
        ("ABC", "AC", True),
        ("ABC", "XABC", True),
        ("ABC", "BAC", True),
        ("ABC", "ACB", True),
        ("ABC", "ABC", False),
        ("ABC", "CBA", False),
        ("ABCD", "ABDE", False),
        ("", "A", True),
        ("AB", "", False),
    ],
)
def test_one_character_apart(a: str, b: str, expected: bool) -> None:
    assert one_character_apart(a, b) is expected
    assert one_character_apart(b, a) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("AB-12", "AB-99", True),
        ("AB-12", "AB_12", False),  # same parts, different separator
        ("AB12", "AB99", False),  # no separator: no parts
        ("AB-12-C", "AB-12", False),
        ("AB.12/C", "XX.12/C", True),
    ],
)
def test_one_part_apart(a: str, b: str, expected: bool) -> None:
    assert one_part_apart(a, b) is expected


# ------------------------------------------------------------------------------------------
# Accepted matches
# ------------------------------------------------------------------------------------------


def typo_table() -> ScoredTable:
    return make_scored(
        [
            {"code": "MK0312", "tp": "pre", "knowledge": 1, "profession": "Midwife"},
            {"code": "MK0313", "tp": "post", "knowledge": 4, "profession": "Midwife"},
            {"code": "OTHER1", "tp": "pre", "knowledge": 2},
            {"code": "OTHER1", "tp": "post", "knowledge": 3},
            {"code": "LOST99", "tp": "pre", "knowledge": 0},
            {"code": "NEW77", "tp": "post", "knowledge": 5},
        ]
    )


def test_accepted_match_is_merged_under_the_earlier_code_and_changes_the_pairs() -> None:
    result = match(typo_table(), mode="tolerant", accepted=[("C1", "MK0312", "MK0313")])

    assert sorted(result.people["participant"]) == ["LOST99", "MK0312", "NEW77", "OTHER1"]
    merged = person(result, "MK0312")
    assert (merged["knowledge@pre"], merged["knowledge@post"]) == (1.0, 4.0)
    pairs = result.pairs("knowledge")
    assert list(pairs["participant"]) == ["MK0312", "OTHER1"]
    assert list(pairs["post"]) == [4.0, 3.0]
    assert result.cohorts.loc[0, "n_matched"] == 2
    assert result.accepted_matches == (
        ProbableMatch(
            cohort="C1",
            earlier_timepoint="pre",
            earlier_code="MK0312",
            later_timepoint="post",
            later_code="MK0313",
            reason="one character different",
            profession="Midwife",
            directorate="Children's Services",
        ),
    )
    # An accepted pair is no longer a probable match.
    assert result.probable_matches == ()


def test_any_pair_can_be_accepted_even_in_exact_mode() -> None:
    result = match(typo_table(), accepted=[("C1", "LOST99", "NEW77")])
    (accepted,) = result.accepted_matches
    assert accepted.reason == "confirmed by a person"
    assert list(result.pairs("knowledge")["participant"]) == ["LOST99", "OTHER1"]


def test_accepted_codes_are_normalised_like_the_data() -> None:
    result = match(typo_table(), accepted=[(" C1 ", "mk 0312", "mk0313 ")])
    assert person(result, "MK0312")["knowledge@post"] == 4.0


def test_a_chain_of_accepted_matches_makes_one_person() -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre", "knowledge": 1},
            {"code": "AB13", "tp": "post", "knowledge": 2},
            {"code": "AB14", "tp": "followup", "knowledge": 3},
        ]
    )
    result = match(scored, accepted=[("C1", "AB13", "AB14"), ("C1", "AB12", "AB13")])
    assert list(result.people["participant"]) == ["AB12"]
    merged = person(result, "AB12")
    assert (merged["knowledge@pre"], merged["knowledge@post"], merged["knowledge@followup"]) == (
        1.0,
        2.0,
        3.0,
    )
    assert result.cohorts.loc[0, "n_followup_matched"] == 1
    assert len(result.accepted_matches) == 2


def test_a_person_merged_from_three_codes_keeps_the_first_code() -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre", "knowledge": 1},
            {"code": "AB13", "tp": "post", "knowledge": 2},
            {"code": "AB14", "tp": "followup", "knowledge": 3},
        ]
    )
    # AB14 first joins AB12; then AB13 (post) joins that group, which started earlier at pre.
    result = match(scored, accepted=[("C1", "AB12", "AB14"), ("C1", "AB13", "AB14")])
    assert list(result.people["participant"]) == ["AB12"]
    assert person(result, "AB12")["knowledge@post"] == 2.0


@pytest.mark.parametrize(
    ("accepted", "message"),
    [
        ([("C9", "MK0312", "MK0313")], "cohort 'C9' is not in the data"),
        ([("C1", "MK0312", "NOPE")], "NOPE does not appear"),
        ([("C1", "MK0312", "MK0312")], "the same"),
        ([("C1", "MK0313", "MK0312")], "not before"),
        ([("C1", "MK0312", "OTHER1")], "both codes .* record at pre"),
        ([("C1", "MK0312", "MK0313"), ("C1", "MK0312", "NEW77")], "record at post"),
        ([("C1", "MK0312", "MK0313"), ("C1", "LOST99", "MK0313")], "record at pre"),
    ],
)
def test_impossible_accepted_matches_raise(
    accepted: list[tuple[str, str, str]], message: str
) -> None:
    with pytest.raises(AcceptedMatchError, match=message) as caught:
        match(typo_table(), accepted=accepted)
    assert isinstance(caught.value, ImhevalError) and isinstance(caught.value, ValueError)


def test_every_bad_accepted_match_is_reported_at_once() -> None:
    with pytest.raises(AcceptedMatchError) as caught:
        match(typo_table(), accepted=[("C9", "A", "B"), ("C1", "MK0312", "NOPE")])
    assert "C9" in str(caught.value) and "NOPE" in str(caught.value)


# ------------------------------------------------------------------------------------------
# Matching bias
# ------------------------------------------------------------------------------------------


def test_matching_bias_compares_returners_with_non_returners_at_pre() -> None:
    scored = make_scored(
        [
            {"code": "A", "tp": "pre", "knowledge": 10, "directorate": "Adult"},
            {"code": "A", "tp": "post", "knowledge": 12, "directorate": "Adult"},
            {"code": "B", "tp": "pre", "knowledge": 6, "directorate": "Adult"},
            {"code": "B", "tp": "post", "knowledge": 9, "directorate": "Adult"},
            {"code": "C", "tp": "pre", "knowledge": 8, "directorate": "Adult"},
            {"code": "D", "tp": "pre", "knowledge": 5, "directorate": "Child"},
            {"code": "E", "tp": "pre", "knowledge": 7, "directorate": ""},
            {"code": "E", "tp": "followup", "knowledge": 7, "directorate": ""},
            {"code": "F", "tp": "post", "knowledge": 1, "directorate": "Child"},  # not at pre
            {"code": "G", "tp": "pre", "directorate": "Child"},  # at pre, no knowledge score
        ]
    )
    bias = matching_bias(match(scored), [KNOWLEDGE])

    assert (bias.n_matched, bias.n_unmatched) == (2, 4)
    (knowledge,) = bias.domains
    assert knowledge.domain == "knowledge"
    # Matched pre scores 10, 6: mean 8, sd sqrt((4 + 4) / 1).
    assert knowledge.n_matched == 2
    assert knowledge.mean_matched == pytest.approx(8.0)
    assert knowledge.sd_matched == pytest.approx(math.sqrt(8.0))
    # Unmatched pre scores 8, 5, 7: mean 20/3, sd sqrt((16/9 + 25/9 + 1/9) / 2) = sqrt(7/3).
    assert knowledge.n_unmatched == 3
    assert knowledge.mean_unmatched == pytest.approx(20 / 3)
    assert knowledge.sd_unmatched == pytest.approx(math.sqrt(7 / 3))
    assert knowledge.mean_difference == pytest.approx(8 - 20 / 3)

    matched, unmatched = bias.pre_scores("knowledge")
    assert sorted(matched.tolist()) == [6.0, 10.0]
    assert sorted(unmatched.tolist()) == [5.0, 7.0, 8.0]

    directorates = [
        (c.category, c.n_matched, c.percent_matched, c.n_unmatched, c.percent_unmatched)
        for c in bias.categories
        if c.variable == "directorate"
    ]
    assert directorates == [
        ("Adult", 2, pytest.approx(100.0), 1, pytest.approx(25.0)),
        ("Child", 0, pytest.approx(0.0), 2, pytest.approx(50.0)),
        ("", 0, pytest.approx(0.0), 1, pytest.approx(25.0)),
    ]
    professions = [c for c in bias.categories if c.variable == "profession"]
    assert [(c.category, c.n_matched, c.n_unmatched) for c in professions] == [
        ("Health visitor", 2, 4)
    ]


def test_matching_bias_says_none_when_a_group_is_too_small() -> None:
    scored = make_scored(
        [
            {"code": "A", "tp": "pre", "knowledge": 3},
            {"code": "A", "tp": "post", "knowledge": 4},
        ]
    )
    bias = matching_bias(match(scored), ["knowledge"])
    (knowledge,) = bias.domains
    assert knowledge.mean_matched == 3.0 and knowledge.sd_matched is None
    assert knowledge.n_unmatched == 0
    assert knowledge.mean_unmatched is None and knowledge.sd_unmatched is None
    assert knowledge.mean_difference is None
    (category, *_) = bias.categories
    assert category.percent_unmatched is None
    assert bias.pre_scores("knowledge")[1].size == 0


def test_matching_bias_rejects_an_unknown_domain() -> None:
    result = match(make_scored([{"code": "A", "tp": "pre", "knowledge": 3}]))
    with pytest.raises(AnalysisError, match="empathy"):
        matching_bias(result, ["empathy"])
    with pytest.raises(AnalysisError, match="empathy"):
        matching_bias(result, ["knowledge"]).pre_scores("empathy")


def test_pre_scores_returns_copies() -> None:
    result = match(make_scored([{"code": "A", "tp": "pre", "knowledge": 3}]))
    bias = matching_bias(result, ["knowledge"])
    bias.pre_scores("knowledge")[1][0] = 99.0
    assert bias.pre_scores("knowledge")[1].tolist() == [3.0]


# ------------------------------------------------------------------------------------------
# Review CSV
# ------------------------------------------------------------------------------------------


def test_review_csv_round_trip_merges_what_the_reviewer_accepted(tmp_path: Path) -> None:
    scored = make_scored(
        [
            {"code": "AB12", "tp": "pre", "knowledge": 1},
            {"code": "AB13", "tp": "post", "knowledge": 3},
            {"code": "AB14", "tp": "post", "knowledge": 2},
            {"code": "XY-01-Q", "tp": "pre", "knowledge": 2},
            {"code": "XY-77-Q", "tp": "post", "knowledge": 4},
        ]
    )
    review = tmp_path / "review.csv"
    to_review_csv(match(scored, mode="tolerant"), review)

    written = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(written.columns) == [
        "cohort",
        "earlier_timepoint",
        "earlier_code",
        "later_timepoint",
        "later_code",
        "reason",
        "ambiguous",
        "accept",
    ]
    assert written.values.tolist() == [
        ["C1", "pre", "AB12", "post", "AB13", "one character different", "yes", ""],
        ["C1", "pre", "AB12", "post", "AB14", "one character different", "yes", ""],
        ["C1", "pre", "XY-01-Q", "post", "XY-77-Q", "one code part different", "", ""],
    ]

    # The reviewer accepts AB12 -> AB14 and XY, rejects AB12 -> AB13.
    written["accept"] = ["no", " Yes ", "y"]
    written.to_csv(review, index=False)
    accepted = read_accepted_csv(review)
    assert accepted == (("C1", "AB12", "AB14"), ("C1", "XY-01-Q", "XY-77-Q"))

    result = match(scored, mode="tolerant", accepted=accepted)
    assert list(result.pairs("knowledge")["participant"]) == ["AB12", "XY-01-Q"]
    assert list(result.pairs("knowledge")["post"]) == [2.0, 4.0]
    assert result.probable_matches == ()  # AB13 can no longer join AB12 (post is taken)


@pytest.mark.parametrize("value", ["yes", "Y", "TRUE", "1", "true"])
def test_review_csv_accepts_the_usual_ways_of_saying_yes(tmp_path: Path, value: str) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f"cohort,earlier_code,later_code,accept\nC1,ab 12,AB13,{value}\n")
    assert read_accepted_csv(path) == (("C1", "AB12", "AB13"),)


def test_review_csv_rows_not_accepted_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "cohort,earlier_code,later_code,accept\nC1,A,B,\nC1,A,C,no\nC1,A,D,N\n,,,\nC1,A,E,0\n"
    )
    assert read_accepted_csv(path) == ()


def test_review_csv_bad_rows_are_named_by_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "cohort,earlier_code,later_code,accept\nC1,A,B,yes\nC1,A,C,maybe\nC1,,D,yes\n,A,,yes\n"
    )
    with pytest.raises(DataFormatError) as caught:
        read_accepted_csv(path)
    located = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert located == [
        (str(path), 3, "accept"),
        (str(path), 4, "earlier_code"),
        (str(path), 5, "cohort"),
        (str(path), 5, "later_code"),
    ]
    assert "maybe" in caught.value.problems[0].message


def test_review_csv_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("cohort,earlier_code,later,accept\nC1,A,B,yes\n")
    with pytest.raises(DataFormatError) as caught:
        read_accepted_csv(path)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (1, "later_code")


@pytest.mark.parametrize("content", [None, b"", b"cohort,earlier_code\xff\xfe,later\n"])
def test_review_csv_unreadable_file_is_a_data_error(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "r.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataFormatError) as caught:
        read_accepted_csv(path)
    assert caught.value.problems[0].file == str(path)


def test_empty_review_csv_has_only_the_header(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    to_review_csv(match(make_scored([{"code": "A", "tp": "pre"}]), mode="tolerant"), path)
    assert path.read_text(encoding="utf-8-sig").splitlines() == [
        "cohort,earlier_timepoint,earlier_code,later_timepoint,later_code,reason,ambiguous,accept"
    ]
    assert read_accepted_csv(path) == ()


# ------------------------------------------------------------------------------------------
# Property
# ------------------------------------------------------------------------------------------

records_strategy = st.lists(
    st.tuples(
        st.sampled_from(["C1", "C2", "C3"]),
        st.text(alphabet="AB1-", min_size=1, max_size=3),
        st.sampled_from(["pre", "post", "followup"]),
    ),
    max_size=60,
    unique=True,
)


@settings(max_examples=40, deadline=None)
@given(records_strategy, st.sampled_from(["exact", "tolerant"]))
def test_matched_count_is_the_size_of_the_pre_post_code_intersection(
    records: list[tuple[str, str, str]], mode: str
) -> None:
    scored = make_scored([{"cohort": c, "code": code, "tp": tp} for c, code, tp in records])
    result = match(scored, mode=mode)  # type: ignore[arg-type]

    by_cohort = result.cohorts.set_index("cohort")
    for cohort in {c for c, _, _ in records}:
        pre = {code for c, code, tp in records if c == cohort and tp == "pre"}
        post = {code for c, code, tp in records if c == cohort and tp == "post"}
        everyone = {code for c, code, _ in records if c == cohort}
        assert by_cohort.loc[cohort, "n_matched"] == len(pre & post)
        assert by_cohort.loc[cohort, "n_pre_only"] == len(pre - post)
        assert by_cohort.loc[cohort, "n_post_only"] == len(post - pre)
        assert (result.people["cohort"] == cohort).sum() == len(everyone)
    # Probable matches are never merged, and every one is a near code in one cohort.
    for probable in result.probable_matches:
        assert one_character_apart(probable.earlier_code, probable.later_code) or one_part_apart(
            probable.earlier_code, probable.later_code
        )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["C1", "C2"]),
            st.text(alphabet="AB1-", min_size=1, max_size=4),
            st.sampled_from(["pre", "post", "followup"]),
        ),
        max_size=40,
        unique_by=lambda record: (record[0], record[1], record[2]),
    ),
    st.sampled_from(["Midwife", "Health visitor"]),
)
def test_tolerant_mode_finds_exactly_what_comparing_every_pair_finds(
    records: list[tuple[str, str, str]], other_profession: str
) -> None:
    # Codes starting with "B" belong to a second profession (maybe the same as the first).
    def profession_of(code: str) -> str:
        return other_profession if code.startswith("B") else "Health visitor"

    scored = make_scored(
        [
            {"cohort": c, "code": code, "tp": tp, "profession": profession_of(code)}
            for c, code, tp in records
        ]
    )
    found = {
        (p.cohort, p.earlier_code, p.later_code)
        for p in match(scored, mode="tolerant").probable_matches
    }

    order = {"pre": 0, "post": 1, "followup": 2}
    timepoints: dict[tuple[str, str], set[int]] = {}
    for cohort, code, tp in records:
        timepoints.setdefault((cohort, code), set()).add(order[tp])
    expected = set()
    for (cohort, a), tps_a in timepoints.items():
        for (other_cohort, b), tps_b in timepoints.items():
            if (
                cohort == other_cohort
                and not tps_a & tps_b
                and min(tps_a) < min(tps_b)
                and profession_of(a) == profession_of(b)
                and (one_character_apart(a, b) or one_part_apart(a, b))
            ):
                expected.add((cohort, a, b))
    assert found == expected
