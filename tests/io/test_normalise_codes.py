"""normalise_codes normalises each distinct code once; it must equal the cell-by-cell rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from imheval.io.table import normalise_codes


def _cell_by_cell(codes: pd.Series) -> pd.Series:
    """The former implementation: pandas' string methods over every cell."""
    return codes.astype("string").str.replace(r"\s+", "", regex=True).str.upper()


def test_codes_lose_whitespace_and_are_upper_case_with_missing_kept_missing() -> None:
    codes = pd.Series(["ab 12k", "AB12K", " x\u00a0y\t", None, np.nan, "", "ß"], dtype=object)
    result = normalise_codes(codes)
    assert result.dtype == "string"
    assert result.tolist()[:3] == ["AB12K", "AB12K", "XY"]
    assert result.isna().tolist() == [False, False, False, True, True, False, False]
    assert result.tolist()[5:] == ["", "SS"]


def test_index_and_non_text_codes_are_kept() -> None:
    codes = pd.Series([12, None, 12], index=[7, 3, 5], dtype=object)
    pd.testing.assert_series_equal(normalise_codes(codes), _cell_by_cell(codes))


@given(st.lists(st.one_of(st.none(), st.text(max_size=6)), max_size=40))
def test_equals_the_cell_by_cell_rule(values: list[str | None]) -> None:
    codes = pd.Series(values, dtype=object)
    pd.testing.assert_series_equal(normalise_codes(codes), _cell_by_cell(codes))
