"""The JSON's cohort records are built column by column; they equal pandas' row records."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from imheval.evaluation.serialise import _plain, _records


def _row_by_row(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The former implementation: pandas' records, each value made plain."""
    return [{str(k): _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _kinds(records: list[dict[str, object]]) -> list[list[type]]:
    return [[type(value) for value in record.values()] for record in records]


def test_counts_text_flags_and_non_finite_numbers_become_plain_values() -> None:
    frame = pd.DataFrame(
        {
            "cohort": pd.Series(["a", "b", np.nan], dtype="str"),
            "programme": pd.Series(["x", None, np.float64(np.nan)], dtype=object),
            "n_pre": np.array([1, 2, 3], dtype=np.int64),
            "mean": [1.5, np.nan, -np.inf],
            "flag": [True, False, True],
            7: np.array([4, 5, 6], dtype=np.uint8),
        }
    )
    records = _records(frame)
    assert records[1] == {
        "cohort": "b",
        "programme": None,
        "n_pre": 2,
        "mean": None,
        "flag": False,
        "7": 5,
    }
    assert records == _row_by_row(frame)
    assert _kinds(records) == _kinds(_row_by_row(frame))


def test_nullable_columns_and_empty_frames_match_pandas_records() -> None:
    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": [0.5, np.nan]})
    assert _records(frame) == _row_by_row(frame)
    assert _records(frame.iloc[0:0]) == [] == _row_by_row(frame.iloc[0:0])


@given(
    st.lists(
        st.tuples(
            st.text(max_size=4),
            st.integers(-(2**40), 2**40),
            st.floats(allow_nan=True, allow_infinity=True),
            st.booleans(),
        ),
        max_size=30,
    )
)
def test_equals_row_by_row_records(rows: list[tuple[str, int, float, bool]]) -> None:
    frame = pd.DataFrame(
        {
            "label": pd.Series([r[0] for r in rows], dtype="str"),
            "n": np.array([r[1] for r in rows], dtype=np.int64),
            "value": np.array([r[2] for r in rows], dtype=np.float64),
            "suppressed": np.array([r[3] for r in rows], dtype=bool),
        }
    )
    records = _records(frame)
    assert records == _row_by_row(frame)
    assert _kinds(records) == _kinds(_row_by_row(frame))
