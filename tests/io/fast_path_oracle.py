"""Reading a CSV file both ways, pyarrow's fast path and pandas' parser, and holding them equal.

``read_csv_both_ways`` stands in for :func:`imheval.io._sheet._read_csv` (tests/io/conftest.py
puts it there for every test in tests/io): it reads the file with the fast path, then again
with the fast path turned off (pandas' path, the reference), asserts that both gave the same
sheet, or the same refusal, and the same progress messages, and returns the fast path's result.
``FAST_PATH_READS`` counts the reads the fast path took, so a test can show it was not skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from imheval.errors import DataFormatError
from imheval.io import _sheet

READ_CSV = _sheet._read_csv
READ_CODED = _sheet.read_coded_columns
FAST_PATH_READS: list[Path] = []


def _counted_fast_path(path: Path, *args: Any, **kwargs: Any) -> Any:
    coded = READ_CODED(path, *args, **kwargs)
    if coded is not None:
        FAST_PATH_READS.append(path)
    return coded


def read_outcome(
    path: Path, file: str, max_rows: int, *, fast: bool
) -> tuple[_sheet.Sheet | DataFormatError, list[str]]:
    """The sheet read (or the refusal) and the progress messages, by one path."""
    said: list[str] = []
    read_coded = _counted_fast_path if fast else (lambda *args, **kwargs: None)
    with mock.patch.object(_sheet, "read_coded_columns", read_coded):
        try:
            return READ_CSV(path, file, max_rows, said.append), said
        except DataFormatError as error:
            return error, said


def assert_same_sheet(fast: _sheet.Sheet, slow: _sheet.Sheet) -> None:
    """The same header, rows and text in every cell; each column's categories are exactly the
    texts of its cells (the order may differ: the reader sorts them when it needs an order)."""
    assert fast.header == slow.header
    assert fast.header_row == slow.header_row
    assert fast.unnamed == slow.unnamed
    np.testing.assert_array_equal(fast.rows, slow.rows)
    assert fast.rows.dtype == slow.rows.dtype
    assert fast.cells.keys() == slow.cells.keys()
    for position, column in fast.cells.items():
        reference = slow.cells[position]
        assert isinstance(column.dtype, pd.CategoricalDtype)
        assert isinstance(reference.dtype, pd.CategoricalDtype)
        pd.testing.assert_series_equal(column.astype(object), reference.astype(object))
        assert set(column.cat.categories) == set(column.dropna())
        assert set(column.cat.categories) == set(reference.cat.categories)


def read_csv_both_ways(
    path: Path, file: str, max_rows: int, progress: Callable[[str], None] | None = None
) -> _sheet.Sheet:
    """``_sheet._read_csv`` by the fast path, checked against pandas' path (module docstring)."""
    fast, fast_said = read_outcome(path, file, max_rows, fast=True)
    slow, slow_said = read_outcome(path, file, max_rows, fast=False)
    assert fast_said == slow_said
    if isinstance(slow, DataFormatError):
        assert isinstance(fast, DataFormatError), f"pandas refused {file}: {slow}"
        assert fast.problems == slow.problems
    else:
        assert isinstance(fast, _sheet.Sheet), f"pandas read {file}, the fast path: {fast}"
        assert_same_sheet(fast, slow)
    for message in fast_said:
        if progress is not None:
            progress(message)
    if isinstance(fast, DataFormatError):
        raise fast
    return fast
