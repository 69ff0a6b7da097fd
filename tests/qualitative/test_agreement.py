"""Agreement between coders: units, pooling, undefined figures, choices, bad input, the JSON,
the disagreements, and properties (symmetry in coders, splitting a segment changes nothing).

Reference values against R are in tests/golden/test_agreement_against_r.py.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.qualitative.agreement import (
    AgreementError,
    agreement,
    disagreements,
    to_json,
)
from imheval.qualitative.model import Code, Coding, Project, Source, Turn, User

CODER_A = User("U-A", "Coder A")
CODER_B = User("U-B", "Reviewer B")
CODER_C = User("U-C", "Coder C")

Ranges = list[tuple[int, int]]


def _project(
    text: str,
    by_coder: dict[User, Ranges],
    *,
    turns: tuple[Turn, ...] = (),
    codes: tuple[Code, ...] = (Code("C1", "Confidence"),),
    extra_sources: tuple[Source, ...] = (),
) -> Project:
    codings = [
        Coding(f"K-{user.guid}-{i}", f"T-{user.guid}-{i}", "S1", start, end, "C1", user.guid)
        for user, ranges in by_coder.items()
        for i, (start, end) in enumerate(ranges)
    ]
    return Project(
        name="Focus groups",
        users=tuple(by_coder),
        codes=codes,
        sources=(Source("S1", "Group 1", text, turns), *extra_sources),
        codings=tuple(codings),
    )


# --------------------------------------------------------------------------------------------
# Figures


def test_overlapping_codings_of_one_coder_count_once() -> None:
    project = _project("x" * 1000, {CODER_A: [(0, 100), (50, 150)], CODER_B: [(0, 150)]})
    pooled = agreement(project).codes[0].pooled
    assert (pooled.units, pooled.percent_agreement) == (1000, 1.0)
    assert (pooled.cohen_kappa, pooled.krippendorff_alpha, pooled.reason) == (1.0, 1.0, None)


def test_a_code_nobody_used_has_full_agreement_and_no_kappa_with_a_reason() -> None:
    codes = (Code("C1", "Confidence"), Code("C2", "Isolation"))
    project = _project("x" * 200, {CODER_A: [(0, 10)], CODER_B: [(0, 20)]}, codes=codes)
    unused = agreement(project).codes[1]
    assert unused.code.name == "Isolation"
    assert unused.pooled.units == 200
    assert unused.pooled.percent_agreement == 1.0
    assert unused.pooled.cohen_kappa is None
    assert unused.pooled.krippendorff_alpha is None
    assert unused.pooled.reason is not None
    assert "No coder used this code" in unused.pooled.reason
    assert unused.sources[0].figures.reason == unused.pooled.reason


def test_everyone_coding_everything_has_no_kappa_with_a_reason() -> None:
    project = _project("x" * 40, {CODER_A: [(0, 40)], CODER_B: [(0, 20), (20, 40)]})
    pooled = agreement(project).codes[0].pooled
    assert pooled.percent_agreement == 1.0
    assert pooled.cohen_kappa is None and pooled.krippendorff_alpha is None
    assert pooled.reason is not None and "Every coder coded every unit" in pooled.reason


def test_three_coders_give_alpha_and_all_agree_share_but_no_kappa() -> None:
    project = _project("x" * 10, {CODER_A: [(0, 4)], CODER_B: [(0, 4)], CODER_C: [(0, 2), (3, 4)]})
    pooled = agreement(project).codes[0].pooled
    # characters 0-1 and 3 all coded, 4-9 none: 9 of 10 agree; char 2 coded by 2 of 3
    assert pooled.percent_agreement == pytest.approx(0.9)
    assert pooled.cohen_kappa is None
    # n = 30 values, n1 = 11, n0 = 19; one unit with j = 2: 1 - 29 * 2 / (2 * 11 * 19)
    assert pooled.krippendorff_alpha == pytest.approx(1 - 29 * 2 / (2 * 11 * 19), rel=1e-12)
    assert pooled.reason == "Cohen's kappa is for two coders; with 3 use Krippendorff's alpha."


def test_pooled_figures_sum_the_units_of_all_sources() -> None:
    second = Source("S2", "Group 2", "y" * 300)
    project = _project(
        "x" * 1000, {CODER_A: [(0, 100)], CODER_B: [(50, 150)]}, extra_sources=(second,)
    )
    result = agreement(project).codes[0]
    assert [entry.figures.units for entry in result.sources] == [1000, 300]
    assert result.pooled.units == 1300
    # 100 disagreements in 1,300 units
    assert result.pooled.percent_agreement == pytest.approx(1200 / 1300)
    assert result.sources[1].figures.percent_agreement == 1.0
    assert result.sources[1].figures.cohen_kappa is None


def test_turn_unit_counts_a_turn_coded_if_any_coding_shares_a_character() -> None:
    text = "PX1: yes.\nPX2: no.\nPX3: maybe.\n"
    turns = (Turn(0, 9, "P1"), Turn(10, 18, "P2"), Turn(19, 30, "P3"))
    # A touches turns 1 and 2 (a character each); B touches turn 2 only; a range ending where
    # turn 3 starts does not touch it
    project = _project(text, {CODER_A: [(8, 11)], CODER_B: [(17, 19)]}, turns=turns)
    pooled = agreement(project, unit="turn").codes[0].pooled
    assert pooled.units == 3
    assert pooled.percent_agreement == pytest.approx(2 / 3)
    # table: both 1, A only 1, neither 1: po 2/3, pe = (2*1 + 1*2)/9
    assert pooled.cohen_kappa == pytest.approx((2 / 3 - 4 / 9) / (1 - 4 / 9))


def test_turn_unit_without_turns_uses_non_blank_lines() -> None:
    text = "First answer.\n\n   \nSecond answer.\r\nThird."
    project = _project(text, {CODER_A: [(0, 5)], CODER_B: [(20, 25)]})
    pooled = agreement(project, unit="turn").codes[0].pooled
    assert pooled.units == 3
    assert pooled.percent_agreement == pytest.approx(1 / 3)


def test_an_empty_source_has_no_units_and_says_so() -> None:
    empty = Source("S2", "Empty", "")
    project = _project("x" * 10, {CODER_A: [(0, 5)], CODER_B: [(0, 5)]}, extra_sources=(empty,))
    figures = agreement(project).codes[0].sources[1].figures
    assert (figures.units, figures.percent_agreement, figures.cohen_kappa) == (0, None, None)
    assert figures.reason == "There is no text to compare here."


# --------------------------------------------------------------------------------------------
# Choosing coders, codes, sources; bad input


def test_coders_codes_and_sources_are_chosen_by_name_or_guid() -> None:
    codes = (Code("C1", "Confidence"), Code("C2", "Isolation"))
    project = _project(
        "x" * 100, {CODER_A: [(0, 10)], CODER_B: [(0, 10)], CODER_C: [(50, 60)]}, codes=codes
    )
    report = agreement(project, coders=["Coder A", "U-B"], codes=["C1"], sources=["Group 1"])
    assert [coder.name for coder in report.coders] == ["Coder A", "Reviewer B"]
    assert [result.code.name for result in report.codes] == ["Confidence"]
    assert report.codes[0].pooled.cohen_kappa == 1.0


def test_fewer_than_two_coders_is_refused_plainly() -> None:
    project = _project("x" * 100, {CODER_A: [(0, 10)]})
    with pytest.raises(
        AgreementError, match="at least two coders; the project has codings by Coder A"
    ):
        agreement(project)


def test_unknown_coder_code_and_unit_are_named() -> None:
    project = _project("x" * 100, {CODER_A: [(0, 10)], CODER_B: [(0, 10)]})
    with pytest.raises(AgreementError, match="no coder named 'Coder Z'"):
        agreement(project, coders=["Coder A", "Coder Z"])
    with pytest.raises(AgreementError, match="no code named 'Trust'"):
        agreement(project, codes=["Trust"])
    with pytest.raises(AgreementError, match="unknown unit 'sentence'"):
        agreement(project, unit="sentence")  # type: ignore[arg-type]


def test_two_codes_with_one_name_ask_for_the_guid() -> None:
    codes = (Code("C1", "Other"), Code("C2", "Other"))
    project = _project("x" * 100, {CODER_A: [(0, 10)], CODER_B: [(0, 10)]}, codes=codes)
    with pytest.raises(AgreementError, match=r"2 codes are named 'Other'.*C1, C2"):
        agreement(project, codes=["Other"])


def test_a_coding_outside_its_source_is_named() -> None:
    project = _project("x" * 100, {CODER_A: [(90, 120)], CODER_B: [(0, 10)]})
    with pytest.raises(AgreementError, match="coding K-U-A-0: positions 90-120 fall outside"):
        agreement(project)


def test_codings_without_a_coder_are_left_out_and_counted() -> None:
    project = _project("x" * 100, {CODER_A: [(0, 10)], CODER_B: [(0, 10)]})
    orphan = Coding("K-X", "T-X", "S1", 50, 60, "C1", None)
    project = Project(
        name=project.name,
        users=project.users,
        codes=project.codes,
        sources=project.sources,
        codings=(*project.codings, orphan),
    )
    report = agreement(project)
    assert report.codes[0].pooled.cohen_kappa == 1.0
    assert report.notes == ("1 coding with no coder recorded was left out.",)


def test_a_coder_missing_from_users_is_named_by_guid() -> None:
    project = _project("x" * 100, {CODER_A: [(0, 10)], CODER_B: [(0, 10)]})
    project = Project(
        name="p",
        users=(CODER_A,),
        codes=project.codes,
        sources=project.sources,
        codings=project.codings,
    )
    assert [coder.name for coder in agreement(project).coders] == ["Coder A", "U-B"]


def test_progress_is_reported_after_each_code() -> None:
    codes = (
        Code("C1", "Confidence"),
        Code("C2", "Isolation"),
        Code("T1", "Theme", None, "", codable=False),
    )
    project = _project("x" * 100, {CODER_A: [(0, 10)], CODER_B: [(0, 10)]}, codes=codes)
    seen: list[tuple[int, int]] = []
    report = agreement(project, progress=lambda done, total: seen.append((done, total)))
    # a theme nobody coded with is not a code to compare
    assert [result.code.guid for result in report.codes] == ["C1", "C2"]
    assert seen == [(1, 2), (2, 2)]


# --------------------------------------------------------------------------------------------
# JSON


def test_json_has_exactly_the_documented_shape() -> None:
    codes = (Code("C1", "Confidence"), Code("C2", "Isolation"))
    project = _project("x" * 1000, {CODER_A: [(0, 100)], CODER_B: [(50, 150)]}, codes=codes)
    document = to_json(agreement(project))
    json.dumps(document, allow_nan=False)
    assert document == {
        "unit": "character",
        "coders": ["Coder A", "Reviewer B"],
        "codes": [
            {
                "code": "Confidence",
                "guid": "C1",
                "pooled": {
                    "units": 1000,
                    "percent_agreement": 0.9,
                    "cohen_kappa": pytest.approx(4 / 9),
                    "krippendorff_alpha": pytest.approx(1 - 1999 * 100 / (200 * 1800)),
                },
                "sources": [
                    {
                        "source": "Group 1",
                        "guid": "S1",
                        "units": 1000,
                        "percent_agreement": 0.9,
                        "cohen_kappa": pytest.approx(4 / 9),
                        "krippendorff_alpha": pytest.approx(1 - 1999 * 100 / (200 * 1800)),
                    }
                ],
            },
            {
                "code": "Isolation",
                "guid": "C2",
                "pooled": {
                    "units": 1000,
                    "percent_agreement": 1.0,
                    "cohen_kappa": None,
                    "krippendorff_alpha": None,
                    "reason": pytest.approx(document["codes"][1]["pooled"]["reason"]),
                },
                "sources": [
                    {
                        "source": "Group 1",
                        "guid": "S1",
                        "units": 1000,
                        "percent_agreement": 1.0,
                        "cohen_kappa": None,
                        "krippendorff_alpha": None,
                        "reason": document["codes"][1]["pooled"]["reason"],
                    }
                ],
            },
        ],
    }
    assert document["codes"][1]["pooled"]["reason"].startswith("No coder used this code here")


# --------------------------------------------------------------------------------------------
# Disagreements


def test_disagreements_list_the_stretches_where_coders_differ() -> None:
    text = "I feel more confident. I also feel alone."
    project = _project(text, {CODER_A: [(0, 22)], CODER_B: [(7, 22), (23, 41)]})
    found = disagreements(project, "C1", "S1")
    assert [(d.start, d.end, d.text) for d in found] == [
        (0, 7, "I feel "),
        (23, 41, "I also feel alone."),
    ]
    assert [[c.name for c in d.coded_by] for d in found] == [["Coder A"], ["Reviewer B"]]
    assert [[c.name for c in d.not_coded_by] for d in found] == [["Reviewer B"], ["Coder A"]]


def test_disagreements_with_three_coders_split_where_the_coders_change() -> None:
    project = _project("abcdefghij", {CODER_A: [(0, 6)], CODER_B: [(2, 6)], CODER_C: [(0, 4)]})
    found = disagreements(project, "Confidence", "Group 1")
    assert [(d.text, [c.name for c in d.coded_by]) for d in found] == [
        ("ab", ["Coder A", "Coder C"]),
        ("ef", ["Coder A", "Reviewer B"]),
    ]


def test_no_disagreements_when_coders_agree() -> None:
    project = _project("x" * 50, {CODER_A: [(0, 10), (5, 20)], CODER_B: [(0, 20)]})
    assert disagreements(project, "C1", "S1") == ()


# --------------------------------------------------------------------------------------------
# Properties

_LENGTH = 200
_segment = st.tuples(st.integers(0, _LENGTH), st.integers(0, _LENGTH)).map(
    lambda pair: (min(pair), max(pair))
)
_segments = st.lists(_segment, max_size=6)


def _figures(project: Project, unit: str = "character") -> tuple[object, ...]:
    coders = [user.guid for user in project.users]
    report = agreement(project, unit=unit, coders=coders)  # type: ignore[arg-type]
    pooled = report.codes[0].pooled
    return (pooled.units, pooled.percent_agreement, pooled.cohen_kappa, pooled.krippendorff_alpha)


def _close(left: tuple[object, ...], right: tuple[object, ...]) -> bool:
    return all(
        a == b if a is None or b is None else a == pytest.approx(b, rel=1e-12, abs=1e-12)
        for a, b in zip(left, right, strict=True)
    )


_TURNS = tuple(Turn(start, start + 25, "P") for start in range(0, _LENGTH, 25))


@settings(max_examples=60, deadline=None)
@given(
    first=_segments, second=_segments, third=_segments, unit=st.sampled_from(["character", "turn"])
)
def test_figures_do_not_depend_on_the_order_of_coders(
    first: Ranges, second: Ranges, third: Ranges, unit: str
) -> None:
    text = "x" * _LENGTH
    forward = _project(text, {CODER_A: first, CODER_B: second}, turns=_TURNS)
    backward = _project(text, {CODER_B: second, CODER_A: first}, turns=_TURNS)
    assert _close(_figures(forward, unit), _figures(backward, unit))
    three = _project(text, {CODER_A: first, CODER_B: second, CODER_C: third}, turns=_TURNS)
    turned = _project(text, {CODER_C: third, CODER_A: first, CODER_B: second}, turns=_TURNS)
    assert _close(_figures(three, unit), _figures(turned, unit))


@settings(max_examples=60, deadline=None)
@given(
    first=_segments,
    second=_segments,
    index=st.integers(0, 5),
    cut=st.floats(0, 1),
    overlap=st.integers(0, 30),
    unit=st.sampled_from(["character", "turn"]),
)
def test_splitting_a_segment_into_overlapping_pieces_changes_nothing(
    first: Ranges, second: Ranges, index: int, cut: float, overlap: int, unit: str
) -> None:
    text = "x" * _LENGTH
    whole = _project(text, {CODER_A: first, CODER_B: second}, turns=_TURNS)
    if first:
        start, end = first[index % len(first)]
        middle = start + int(cut * (end - start))
        pieces = [(start, min(end, middle + overlap)), (max(start, middle - overlap), end)]
        first = [*first[: index % len(first)], *pieces, *first[index % len(first) + 1 :]]
    split = _project(text, {CODER_A: first, CODER_B: second}, turns=_TURNS)
    assert _close(_figures(whole, unit), _figures(split, unit))
