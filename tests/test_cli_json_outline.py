"""The command line writes JSON as an outline (cli.shell.json_text): indented, with each flat
record on one line; the same document as json.dumps, strict about NaN."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imheval.cli.shell import JSON_OUTLINE_DEPTH, json_text, write_json

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
DOCUMENTS = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=40,
)


@given(DOCUMENTS, st.integers(min_value=0, max_value=6))
def test_the_outline_reads_back_as_the_same_document(document: object, depth: int) -> None:
    assert json.loads(json_text(document, depth)) == document


def test_flat_records_are_one_line_each_and_the_rest_an_outline() -> None:
    document = {
        "source": "x.csv",
        "domains": [
            {
                "id": "k",
                "cohorts": [{"cohort": "A", "n": 3, "df": [1.0, 2.0]}, {"cohort": "B", "n": 4}],
            }
        ],
    }
    assert json_text(document).splitlines() == [
        "{",
        '  "source": "x.csv",',
        '  "domains": [',
        "    {",
        '      "id": "k",',
        '      "cohorts": [',
        '        {"cohort": "A", "n": 3, "df": [1.0, 2.0]},',
        '        {"cohort": "B", "n": 4}',
        "      ]",
        "    }",
        "  ]",
        "}",
    ]


def test_below_the_depth_limit_everything_is_one_line() -> None:
    document = {"domains": [{"cohorts": [{"cohort": "A", "n": 3}, {"cohort": "B", "n": 4}]}]}
    lines = json_text(document, 3).splitlines()
    assert '      "cohorts": [{"cohort": "A", "n": 3}, {"cohort": "B", "n": 4}]' in lines
    assert JSON_OUTLINE_DEPTH >= 3


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_nan_anywhere_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        json_text({"a": [{"b": {"c": [bad]}}]})
    with pytest.raises(ValueError):
        json_text({"a": bad})


def test_keys_that_are_not_text_are_written_as_json_writes_them() -> None:
    document = {"a": {1: "one", 2.5: "x", False: "f", None: "n"}}
    assert json.loads(json_text(document)) == json.loads(json.dumps(document))
    assert json.loads(json_text(document, 0)) == json.loads(json.dumps(document))


RECORD_VALUES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet='{}, "\\ab\n\u00e9', max_size=8)
    | st.lists(st.integers() | st.text(alphabet="{}, ab", max_size=4), max_size=3)
)
RECORDS = st.lists(
    st.dictionaries(st.text(alphabet="{}, ab", max_size=4), RECORD_VALUES, max_size=4),
    min_size=2,
    max_size=6,
)


@given(RECORDS)
def test_a_list_of_flat_records_is_one_json_dumps_line_per_record(records: list[object]) -> None:
    lines = json_text({"rows": records}).splitlines()
    expected = [json.dumps(record, ensure_ascii=False) for record in records]
    assert lines[0] == "{"
    assert lines[1] == '  "rows": ['
    assert lines[2:-2] == [f"    {text}," for text in expected[:-1]] + [f"    {expected[-1]}"]
    assert lines[-2:] == ["  ]", "}"]


def test_records_whose_text_holds_the_record_boundary_are_still_one_per_line() -> None:
    rows = [{"cohort": "A}, {B", "n": 1}, {"cohort": "}, {", "n": 2}, {"cohort": "C", "n": 3}]
    assert json_text({"rows": rows}).splitlines()[2:5] == [
        '    {"cohort": "A}, {B", "n": 1},',
        '    {"cohort": "}, {", "n": 2},',
        '    {"cohort": "C", "n": 3}',
    ]


def test_a_record_with_a_record_inside_among_flat_ones_is_an_outline() -> None:
    rows = [{"n": 1}, {"n": 2, "inner": {"m": 3}}, {}]
    assert json_text({"rows": rows}).splitlines() == [
        "{",
        '  "rows": [',
        '    {"n": 1},',
        "    {",
        '      "n": 2,',
        '      "inner": {"m": 3}',
        "    },",
        "    {}",
        "  ]",
        "}",
    ]


def test_records_with_values_of_a_subclass_are_written_as_before() -> None:
    class Kind(int):
        pass

    rows = [{"n": Kind(1), "x": 0.5}, {"n": Kind(2), "x": [1.5, None]}]
    assert json_text({"rows": rows}).splitlines()[2:4] == [
        '    {"n": 1, "x": 0.5},',
        '    {"n": 2, "x": [1.5, null]}',
    ]


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_nan_in_a_list_of_records_is_refused(bad: float) -> None:
    with pytest.raises(ValueError):
        json_text({"rows": [{"x": 1.0}, {"x": bad}]})


def test_the_file_written_is_the_outline_and_a_newline(tmp_path: Path) -> None:
    document = {"rows": [{"cohort": "Ä", "n": 1}, {"cohort": "B", "n": 2}], "x": [1.5]}
    path = tmp_path / "deeper" / "e.json"
    write_json(path, document)
    assert path.read_bytes() == (json_text(document) + "\n").encode("utf-8")


def test_a_nan_writes_no_file(tmp_path: Path) -> None:
    path = tmp_path / "e.json"
    with pytest.raises(ValueError):
        write_json(path, {"rows": [{"x": 1.0}, {"x": math.nan}]})
    assert not path.exists()
