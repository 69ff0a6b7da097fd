"""Scoring answers against instruments, the three missing-data policies and bare totals."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.errors import DataFormatError, InstrumentError, Problem
from imheval.instruments.model import Instrument, KeyedItem
from imheval.io.table import RESERVED_COLUMNS, SOURCE_ROW, ResponseTable
from imheval.scoring import (
    DomainInfo,
    ItemOutcome,
    MissingPolicy,
    ScoredTable,
    chosen_options,
    option_codes,
    score_items,
    scores_from_totals,
    zero_reasons,
)

SCORED, WRONG, MISSING, INVALID, NOT_ADMIN = (
    ItemOutcome.SCORED,
    ItemOutcome.WRONG,
    ItemOutcome.MISSING,
    ItemOutcome.INVALID,
    ItemOutcome.NOT_ADMINISTERED,
)


def keyed(item_id: str, domain: str, key: Any = "a", **extra: Any) -> dict[str, Any]:
    return {
        "kind": "keyed",
        "id": item_id,
        "domain": domain,
        "text": f"Question {item_id}",
        "options": {"a": "Birth to three", "b": "School age", "c": "Adolescence"},
        "key": key,
        **extra,
    }


def rating(item_id: str, domain: str, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "rating",
        "id": item_id,
        "domain": domain,
        "text": f"Statement {item_id}",
        "scale": "agree",
        **extra,
    }


def instrument(
    items: list[dict[str, Any]],
    domains: list[dict[str, Any]],
    instrument_id: str = "imh",
) -> Instrument:
    return Instrument.model_validate(
        {
            "format": "imheval-instrument/1",
            "id": instrument_id,
            "version": "1",
            "title": "IMH questionnaire",
            "levels": ["beginner"],
            "domains": domains,
            "scales": {
                "agree": {
                    "min": 1,
                    "max": 5,
                    "labels": {1: "Strongly disagree", 3: "Neutral", 5: "Strongly agree"},
                }
            },
            "items": items,
        }
    )


#: knowledge: k1 (1 point), k2 (key b or c), k3 (2 points), k4; efficacy: e1, e2 reversed, e3.
IMH = instrument(
    [
        keyed("k1", "knowledge"),
        keyed("k2", "knowledge", key=["b", "c"]),
        keyed("k3", "knowledge", points=2),
        keyed("k4", "knowledge"),
        rating("e1", "efficacy"),
        rating("e2", "efficacy", reverse=True),
        rating("e3", "efficacy"),
    ],
    [
        {"id": "knowledge", "label": "Knowledge"},
        {"id": "efficacy", "label": "Self-efficacy", "kirkpatrick_level": 3},
    ],
)
IMH_ITEMS = ("k1", "k2", "k3", "k4", "e1", "e2", "e3")


def responses(
    rows: list[dict[str, str]],
    items: tuple[str, ...] = IMH_ITEMS,
    timepoints: list[str] | None = None,
) -> ResponseTable:
    """A ResponseTable as the reader would make it: one row per dict, "" for absent answers."""
    n = len(rows)
    data: dict[str, Any] = {
        "participant": [f"P{i}" for i in range(n)],
        "cohort": ["C1"] * n,
        "programme": [""] * n,
        "timepoint": timepoints or ["pre"] * n,
        "directorate": [""] * n,
        "profession": [""] * n,
        SOURCE_ROW: list(range(2, n + 2)),
    }
    for item in items:
        data[item] = [row.get(item, "") for row in rows]
    return ResponseTable(
        frame=pd.DataFrame(data), source="responses.csv", layout="tidy", item_columns=items
    )


def outcomes_of(scored: ScoredTable, item: str) -> list[ItemOutcome]:
    assert scored.item_outcomes is not None
    return [ItemOutcome(v) for v in scored.item_outcomes[item]]


def points(scored: ScoredTable) -> pd.DataFrame:
    assert scored.item_points is not None
    return scored.item_points


def nan_list(values: Any) -> list[float | None]:
    """Values with NaN as None, so lists compare with ==."""
    return [None if math.isnan(v) else float(v) for v in values]


# --- keyed items ------------------------------------------------------------------------------


def test_keyed_outcomes_and_points_each_with_its_reason() -> None:
    table = responses(
        [
            {"k1": "a", "k2": "b"},  # keys
            {"k1": "A", "k2": "C"},  # codes are case-insensitive; k2 has two keys
            {"k1": "birth TO three", "k2": "Birth to three"},  # option text counts as the option
            {"k1": "b", "k2": "a"},  # valid options that are not keys
            {"k1": "", "k2": "x"},  # blank; not an option
        ]
    )
    scored = score_items(table, [IMH])

    assert outcomes_of(scored, "k1") == [SCORED, SCORED, SCORED, WRONG, MISSING]
    assert outcomes_of(scored, "k2") == [SCORED, SCORED, WRONG, WRONG, INVALID]
    assert nan_list(points(scored)["k1"]) == [1.0, 1.0, 1.0, 0.0, 0.0]
    assert nan_list(points(scored)["k2"]) == [1.0, 1.0, 0.0, 0.0, 0.0]


def test_missing_answer_scores_zero_with_reason() -> None:
    scored = score_items(responses([{"k1": "a", "k2": ""}]), [IMH])

    assert outcomes_of(scored, "k2") == [MISSING]
    assert points(scored)["k2"].tolist() == [0.0]


def test_invalid_answer_scores_zero_and_is_not_an_error() -> None:
    scored = score_items(responses([{"k1": "d", "k3": "12"}]), [IMH])

    assert outcomes_of(scored, "k1") == [INVALID]
    assert outcomes_of(scored, "k3") == [INVALID]
    assert scored.frame["knowledge"].tolist() == [0.0]


def test_keyed_item_points_count_towards_the_total() -> None:
    scored = score_items(responses([{"k1": "a", "k2": "b", "k3": "a", "k4": "a"}]), [IMH])

    assert points(scored)["k3"].tolist() == [2.0]
    assert scored.frame["knowledge"].tolist() == [5.0]


def test_missing_values_from_other_callers_are_blank_answers() -> None:
    table = responses([{"k1": "a"}, {"k1": "a"}])
    frame = table.frame.astype({"k2": object})
    frame.loc[1, "k2"] = None
    scored = score_items(
        ResponseTable(frame=frame, source="x", layout="tidy", item_columns=IMH_ITEMS), [IMH]
    )

    assert outcomes_of(scored, "k2") == [MISSING, MISSING]


# --- rating items -----------------------------------------------------------------------------


def test_rating_values_labels_and_invalid_answers() -> None:
    table = responses(
        [
            {"e1": "4"},
            {"e1": "4.0"},
            {"e1": " strongly AGREE "},
            {"e1": "6"},
            {"e1": "0"},
            {"e1": "2.5"},
            {"e1": "quite"},
            {"e1": "Agree"},  # 4 has no label on this scale
        ]
    )
    scored = score_items(table, [IMH])

    assert outcomes_of(scored, "e1") == [
        SCORED,
        SCORED,
        SCORED,
        INVALID,
        INVALID,
        INVALID,
        INVALID,
        INVALID,
    ]
    assert nan_list(points(scored)["e1"]) == [4.0, 4.0, 5.0, 0, 0, 0, 0, 0]


def test_reverse_item_scores_min_plus_max_minus_answer() -> None:
    table = responses([{"e2": "5"}, {"e2": "2"}, {"e2": "Strongly disagree"}, {"e2": "3"}])
    scored = score_items(table, [IMH])

    # scale 1..5: 5 -> 1, 2 -> 4, label "Strongly disagree" (1) -> 5, 3 -> 3
    assert points(scored)["e2"].tolist() == [1.0, 4.0, 5.0, 3.0]
    assert outcomes_of(scored, "e2") == [SCORED, SCORED, SCORED, SCORED]


# --- domains and policies ---------------------------------------------------------------------

#: Row 1: k1 right (1), k2 wrong (0), k3 blank, k4 invalid; e1 4, e2 blank, e3 2.
#: Row 2: only k1 answered (right); only e1 answered (5).
#: Row 3: everything answered: k1 right, k2 right, k3 right (2), k4 wrong; e1 3, e2 1 -> 5, e3 5.
POLICY_ROWS = [
    {"k1": "a", "k2": "a", "k3": "", "k4": "zz", "e1": "4", "e2": "", "e3": "2"},
    {"k1": "a", "e1": "5"},
    {"k1": "a", "k2": "c", "k3": "a", "k4": "b", "e1": "3", "e2": "1", "e3": "5"},
]


def test_seed_policy_counts_wrong_missing_and_invalid_as_zero() -> None:
    scored = score_items(responses(POLICY_ROWS), [IMH], MissingPolicy.SEED)

    assert scored.policy is MissingPolicy.SEED
    assert scored.frame["knowledge"].tolist() == [1.0, 1.0, 4.0]
    assert scored.frame["efficacy"].tolist() == [6.0, 5.0, 13.0]
    assert points(scored)[["k1", "k2", "k3", "k4"]].iloc[0].tolist() == [1.0, 0.0, 0.0, 0.0]


def test_complete_case_policy_needs_every_item_valid() -> None:
    scored = score_items(responses(POLICY_ROWS), [IMH], MissingPolicy.COMPLETE_CASE)

    assert nan_list(scored.frame["knowledge"]) == [None, None, 4.0]
    assert nan_list(scored.frame["efficacy"]) == [None, None, 13.0]
    assert nan_list(points(scored)[["k1", "k2", "k3", "k4"]].iloc[0]) == [1.0, 0.0, None, None]


def test_prorated_policy_scales_the_mean_of_valid_items_when_half_are_valid() -> None:
    scored = score_items(responses(POLICY_ROWS), [IMH], MissingPolicy.PRORATED)

    # Row 1 knowledge: 2 of 4 valid, mean (1 + 0) / 2 * 4 = 2; efficacy: 2 of 3, (4 + 2) / 2 * 3.
    # Row 2: 1 of 4 and 1 of 3 valid -> fewer than half -> not measured.
    assert nan_list(scored.frame["knowledge"]) == [2.0, None, 4.0]
    assert nan_list(scored.frame["efficacy"]) == [9.0, None, 13.0]


def test_policy_can_be_given_by_name() -> None:
    scored = score_items(responses(POLICY_ROWS), [IMH], "prorated")  # type: ignore[arg-type]
    assert scored.policy is MissingPolicy.PRORATED


@pytest.mark.parametrize("policy", list(MissingPolicy))
def test_wholly_blank_domain_is_not_administered_under_every_policy(
    policy: MissingPolicy,
) -> None:
    # Seed 000: the advanced group had no knowledge test; a blank domain is not a zero.
    scored = score_items(responses([{"e1": "4", "e2": "2", "e3": "3"}]), [IMH], policy)

    for item in ("k1", "k2", "k3", "k4"):
        assert outcomes_of(scored, item) == [NOT_ADMIN]
        assert math.isnan(points(scored)[item].iloc[0])
    assert math.isnan(scored.frame["knowledge"].iloc[0])
    assert scored.frame["efficacy"].tolist() == [11.0]


def test_an_invalid_answer_counts_as_answered_for_administration() -> None:
    scored = score_items(responses([{"k1": "maybe"}]), [IMH])

    assert outcomes_of(scored, "k1") == [INVALID]
    assert outcomes_of(scored, "k2") == [MISSING]
    assert scored.frame["knowledge"].tolist() == [0.0]


def test_item_column_absent_from_the_table_is_blank() -> None:
    table = responses([{"k1": "a", "k2": "b"}], items=("k1", "k2"))
    scored = score_items(table, [IMH])

    assert outcomes_of(scored, "k3") == [MISSING]
    assert outcomes_of(scored, "e1") == [NOT_ADMIN]
    assert scored.frame["knowledge"].tolist() == [2.0]


def test_scored_frame_has_reserved_columns_then_domains() -> None:
    scored = score_items(responses(POLICY_ROWS), [IMH])

    assert list(scored.frame.columns) == [*RESERVED_COLUMNS, SOURCE_ROW, "knowledge", "efficacy"]
    assert scored.frame[SOURCE_ROW].tolist() == [2, 3, 4]
    assert scored.item_outcomes is not None
    assert set(scored.item_outcomes.dtypes) == {np.dtype(np.int8)}
    assert list(scored.item_outcomes.columns) == list(IMH_ITEMS)
    assert scored.item_domains is not None
    assert dict(scored.item_domains) == {
        "k1": "knowledge", "k2": "knowledge", "k3": "knowledge", "k4": "knowledge",
        "e1": "efficacy", "e2": "efficacy", "e3": "efficacy",
    }  # fmt: skip
    assert scored.instrument_ids == ("imh",)
    assert scored.source == "responses.csv"


def test_domain_info_comes_from_the_instrument() -> None:
    scored = score_items(responses(POLICY_ROWS), [IMH])

    assert scored.domains == (
        DomainInfo("knowledge", "Knowledge", 4, 0.0, 5.0, 2, answers="keyed"),
        DomainInfo("efficacy", "Self-efficacy", 3, 3.0, 15.0, 3, answers="rating"),
    )
    assert scored.domain("efficacy").n_items == 3
    with pytest.raises(KeyError):
        scored.domain("risk")


def test_percent_of_maximum_uses_the_domain_range() -> None:
    efficacy = score_items(responses(POLICY_ROWS), [IMH]).domain("efficacy")

    assert efficacy.percent_of_maximum(9.0) == pytest.approx(50.0)  # (9 - 3) / (15 - 3)
    assert efficacy.percent_of_maximum(15.0) == pytest.approx(100.0)
    assert DomainInfo("x", "X", 0, None, None).percent_of_maximum(3.0) is None


# --- several instruments ----------------------------------------------------------------------

RISK = instrument(
    [keyed("r1", "risk"), keyed("r2", "risk", key="c")],
    [{"id": "risk", "label": "Risk identification"}],
    instrument_id="risk",
)


def test_two_instruments_give_the_union_of_their_domains() -> None:
    table = responses([{"k1": "a", "r1": "a", "r2": "c"}], items=(*IMH_ITEMS, "r1", "r2"))
    scored = score_items(table, [IMH, RISK])

    assert [d.id for d in scored.domains] == ["knowledge", "efficacy", "risk"]
    assert scored.frame["risk"].tolist() == [2.0]
    assert scored.frame["knowledge"].tolist() == [1.0]
    assert scored.instrument_ids == ("imh", "risk")
    assert scored.item_domains is not None
    assert scored.item_domains["r2"] == "risk"


def test_item_id_repeated_across_instruments_names_both() -> None:
    other = instrument(
        [keyed("k1", "recall")], [{"id": "recall", "label": "Recall"}], instrument_id="other"
    )
    with pytest.raises(InstrumentError) as caught:
        score_items(responses([{"k1": "a"}]), [IMH, other])

    assert caught.value.problems == (
        Problem(
            file="instrument 'other'",
            item="k1",
            message="item 'k1' is also an item of instrument 'imh'; item ids must differ "
            "between instruments scored together",
        ),
    )


def test_domain_id_repeated_across_instruments_is_an_error() -> None:
    other = instrument(
        [keyed("x1", "knowledge")], [{"id": "knowledge", "label": "K"}], instrument_id="other"
    )
    with pytest.raises(InstrumentError) as caught:
        score_items(responses([{"k1": "a"}]), [IMH, other])

    assert [p.message for p in caught.value.problems] == [
        "domain 'knowledge' is also a domain of instrument 'imh'; domain ids must differ "
        "between instruments scored together"
    ]


def test_domain_named_like_a_reserved_column_is_an_error() -> None:
    clash = instrument([keyed("q1", "cohort")], [{"id": "cohort", "label": "Cohort"}], "clash")
    with pytest.raises(InstrumentError, match="domain id 'cohort' is a reserved column name"):
        score_items(responses([{"q1": "a"}], items=("q1",)), [clash])


def test_table_without_any_item_column_is_an_error() -> None:
    with pytest.raises(DataFormatError) as caught:
        score_items(responses([{"r1": "a"}], items=("r1",)), [IMH])

    assert caught.value.problems[0].message == (
        "the responses have no column for any item of 'imh'; expected k1, k2, k3, k4, e1, e2, e3"
    )


def test_no_instrument_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="at least one instrument"):
        score_items(responses([{"k1": "a"}]), [])


# --- zero reasons -----------------------------------------------------------------------------


def test_zero_reasons_counts_outcomes_per_domain_and_timepoint() -> None:
    table = responses([*POLICY_ROWS, {"e1": "9"}], timepoints=["pre", "pre", "post", "post"])
    reasons = zero_reasons(score_items(table, [IMH]))

    expected = pd.DataFrame(
        {
            "domain": ["knowledge", "knowledge", "efficacy", "efficacy"],
            "timepoint": ["pre", "post", "pre", "post"],
            # pre rows 1-2, post rows 3-4 (row 4 knowledge not administered).
            "wrong": [1, 1, 0, 0],
            "missing": [4, 0, 3, 2],
            "invalid": [1, 0, 0, 1],
            "not_administered": [0, 4, 0, 0],
            "scored": [2, 3, 3, 3],
        }
    )
    pd.testing.assert_frame_equal(reasons, expected, check_dtype=False)
    assert all(reasons[c].dtype == np.int64 for c in expected.columns[2:])


def test_zero_reasons_of_bare_totals_is_empty() -> None:
    reasons = zero_reasons(scores_from_totals(totals_table({"knowledge": [1.0]})))

    assert list(reasons.columns) == [
        "domain", "timepoint", "wrong", "missing", "invalid", "not_administered", "scored",
    ]  # fmt: skip
    assert len(reasons) == 0


# --- bare totals ------------------------------------------------------------------------------


def totals_table(columns: dict[str, list[float]]) -> ResponseTable:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {
            "participant": [f"P{i}" for i in range(n)],
            "cohort": ["C1"] * n,
            "programme": [""] * n,
            "timepoint": ["pre"] * n,
            "directorate": [""] * n,
            "profession": [""] * n,
            SOURCE_ROW: list(range(2, n + 2)),
            **columns,
        }
    )
    return ResponseTable(
        frame=frame, source="totals.csv", layout="tidy", score_columns=tuple(columns)
    )


def test_totals_become_domains_with_labels_and_optional_ranges() -> None:
    table = totals_table({"risk_identification": [3.0, np.nan], "ASQ_score": [10.0, 12.0]})
    scored = scores_from_totals(table, {"risk_identification": (0, 8)})

    assert scored.domains == (
        DomainInfo("risk_identification", "Risk identification", 0, 0.0, 8.0),
        DomainInfo("ASQ_score", "ASQ score", 0, None, None),
    )
    assert nan_list(scored.frame["risk_identification"]) == [3.0, None]
    assert scored.frame["ASQ_score"].tolist() == [10.0, 12.0]
    assert scored.item_points is None and scored.item_outcomes is None
    assert scored.domain("risk_identification").percent_of_maximum(2.0) == pytest.approx(25.0)


def test_total_outside_its_range_names_the_row() -> None:
    with pytest.raises(DataFormatError) as caught:
        scores_from_totals(totals_table({"knowledge": [3.0, 11.0]}), {"knowledge": (0, 10)})

    assert caught.value.problems == (
        Problem(
            file="totals.csv",
            row=3,
            column="knowledge",
            message="the total 11 is outside the range 0 to 10",
        ),
    )


def test_range_for_an_unknown_column_or_an_empty_range_is_an_error() -> None:
    with pytest.raises(DataFormatError) as caught:
        scores_from_totals(
            totals_table({"knowledge": [3.0]}), {"risk": (0, 5), "knowledge": (5, 5)}
        )

    assert [(p.column, p.message) for p in caught.value.problems] == [
        (
            "risk",
            "a range was given for this column, but it is not a domain-total column of the "
            "responses (columns: knowledge)",
        ),
        (
            "knowledge",
            "the range 5 to 5 is not valid (the minimum must be below the maximum)",
        ),
    ]


def test_totals_from_a_table_of_item_answers_is_an_error() -> None:
    with pytest.raises(DataFormatError, match="they hold item answers"):
        scores_from_totals(responses([{"k1": "a"}]))


# --- properties -------------------------------------------------------------------------------

_answers = st.sampled_from(["a", "b", "c", "A", "", "x", "Adolescence", " b "])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_answers, _answers, _answers, _answers), min_size=1, max_size=12))
def test_seed_total_is_the_points_of_keyed_answers(rows: list[tuple[str, ...]]) -> None:
    keys = {"k1": {"a"}, "k2": {"b", "c"}, "k3": {"a"}, "k4": {"a"}}
    points = {"k1": 1.0, "k2": 1.0, "k3": 2.0, "k4": 1.0}
    text_of = {"adolescence": "c"}
    table = responses([dict(zip(("k1", "k2", "k3", "k4"), row, strict=True)) for row in rows])
    scored = score_items(table, [IMH])

    for index, row in enumerate(rows):
        answers = dict(zip(("k1", "k2", "k3", "k4"), row, strict=True))
        if all(a == "" for a in row):
            assert math.isnan(scored.frame["knowledge"].iloc[index])
            continue
        expected = 0.0
        for item, answer in answers.items():
            code = answer.strip().lower()
            code = text_of.get(code, code)
            if code in keys[item]:
                expected += points[item]
        assert scored.frame["knowledge"].iloc[index] == expected
        assert 0.0 <= expected <= 5.0


# --- options chosen ---------------------------------------------------------------------------


def test_option_codes_read_each_distinct_answer_once_whatever_the_column_type() -> None:
    item = IMH.items[1]
    assert isinstance(item, KeyedItem)
    answers = ["b", " School age ", None, "a", "C", "zzz", "b", ""]
    wanted = ["b", "b", "", "a", "c", "", "b", ""]
    for column in (
        pd.Series(answers, dtype=object),
        pd.Series(answers, dtype="category"),
        pd.Series(answers, dtype="str"),
    ):
        codes, options = option_codes(column, item)
        assert codes.tolist()[2] == -1  # the missing value
        assert [options[c] if c >= 0 else "" for c in codes.tolist()] == wanted
        assert chosen_options(column, item).tolist() == wanted
        counts = np.bincount(codes[codes >= 0], minlength=len(options))
        assert {o: int(counts[options == o].sum()) for o in ("a", "b", "c")} == {
            "a": 1,
            "b": 3,
            "c": 1,
        }


@pytest.mark.parametrize("policy", list(MissingPolicy))
def test_domains_whose_items_are_interleaved_score_as_when_grouped(policy: MissingPolicy) -> None:
    grouped = IMH
    interleaved = instrument(
        [
            keyed("k1", "knowledge"),
            rating("e1", "efficacy"),
            keyed("k2", "knowledge", key=["b", "c"]),
            rating("e2", "efficacy", reverse=True),
            keyed("k3", "knowledge", points=2),
            rating("e3", "efficacy"),
            keyed("k4", "knowledge"),
        ],
        [
            {"id": "knowledge", "label": "Knowledge"},
            {"id": "efficacy", "label": "Self-efficacy", "kirkpatrick_level": 3},
        ],
    )
    rows = [
        {"k1": "a", "k2": "c", "k3": "a", "k4": "b", "e1": "4", "e2": "2", "e3": "5"},
        {"k1": "", "k2": "", "k3": "", "k4": "", "e1": "1", "e2": "", "e3": "x"},
        {"k1": "b", "k2": "zz", "k3": "a", "k4": "", "e1": "", "e2": "", "e3": ""},
        {"k1": "a", "k2": "b", "k3": "", "k4": "", "e1": "3", "e2": "Neutral", "e3": ""},
    ]
    table = responses(rows)
    one = score_items(table, [grouped], policy)
    other = score_items(table, [interleaved], policy)
    for domain in ("knowledge", "efficacy"):
        assert nan_list(other.frame[domain]) == nan_list(one.frame[domain])
    for item in IMH_ITEMS:
        assert nan_list(points(other)[item]) == nan_list(points(one)[item])
        assert outcomes_of(other, item) == outcomes_of(one, item)
    if policy is MissingPolicy.SEED:
        assert nan_list(one.frame["knowledge"]) == [4.0, None, 2.0, 2.0]
        assert nan_list(one.frame["efficacy"]) == [13.0, 1.0, None, 6.0]
