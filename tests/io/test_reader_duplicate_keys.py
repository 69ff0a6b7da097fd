"""Repeated codes found through each key's codes are the rows pandas' duplicated finds."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from imheval.io import reader
from imheval.io.table import SOURCE_ROW

KEYS = ["cohort", "participant", "timepoint"]


def _reference_repeated(frame: pd.DataFrame) -> np.ndarray:
    """The rows the reader reported before issue 19: pandas' duplicated over the three keys."""
    complete = np.logical_and.reduce([(frame[k] != "").to_numpy() for k in KEYS])
    repeated: np.ndarray = frame.duplicated(subset=KEYS, keep=False).to_numpy() & complete
    return repeated


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["C1", "C2", "", "C10", "C1 "]),
            st.sampled_from(["p1", "p2", "P1", "", "p11", "1p"]),
            st.sampled_from(["pre", "post", "followup", ""]),
        ),
        max_size=30,
    )
)
def test_repeated_rows_are_the_rows_pandas_duplicated_finds(
    rows: list[tuple[str, str, str]],
) -> None:
    frame = pd.DataFrame(rows, columns=KEYS, dtype="str")

    repeated = reader._repeated_rows(frame, KEYS)

    np.testing.assert_array_equal(repeated, _reference_repeated(frame))


def test_codes_cohorts_and_timepoints_are_told_apart() -> None:
    frame = pd.DataFrame(
        {
            "cohort": ["C1", "C1", "C1", "C2", "", "", "C1"],
            "participant": ["p1", "p1", "p2", "p1", "x", "x", "p1"],
            "timepoint": ["pre", "pre", "pre", "pre", "pre", "pre", "post"],
        },
        dtype="str",
    )
    frame[SOURCE_ROW] = np.arange(2, 9, dtype=np.int64)

    problems = reader._duplicate_problems(frame, "participant", "f.csv")

    assert [(p.row, p.message) for p in problems] == [
        (3, "participant code 'p1' appears more than once in cohort 'C1' at pre (rows 2 and 3)")
    ]
