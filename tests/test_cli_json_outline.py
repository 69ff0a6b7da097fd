"""The command line writes JSON as an outline (cli.shell.json_text): indented, with each flat
record on one line; the same document as json.dumps, strict about NaN."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from imheval.cli.shell import JSON_OUTLINE_DEPTH, json_text

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
