"""CSV cells a spreadsheet cannot run: the one neutraliser every CSV writer uses, and its inverse.

The threat: a participant, trainer or importer types a value such as ``=HYPERLINK(...)`` or
``@SUM(...)`` (a code, a profession "as written", a cohort name), imheval writes it into a CSV,
and a spreadsheet program opening the CSV runs it as a formula ("CSV injection"). Excel,
LibreOffice and Google Sheets treat a cell as a formula when it starts with ``=``, ``+``, ``-``
or ``@``, and some strip a leading tab or carriage return first.

The defence (OWASP's advice): such a cell is written with an apostrophe in front, which every
spreadsheet program reads as "this is text". Two refinements keep the data intact:

* A plain number (``-1``, ``+2.5``, ``-3e4``) is left alone: a spreadsheet reads it as a number,
  never a formula, and a numeric column must stay numeric.
* The rule is a bijection, so imheval reads back exactly what it wrote: a cell is "risky" when,
  after any leading apostrophes, it starts with one of the characters above and is not a plain
  number; a risky value gets one more apostrophe on writing, and :func:`restore_cell` removes
  one from a risky cell on reading. A value that already started with an apostrophe (``'=x``)
  is therefore written ``''=x`` and read back as ``'=x``.

XLSX and SPSS files do not need this: their cells are typed (text stays text), see
:mod:`imheval.io.writers`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

import pandas as pd

#: First characters that make a spreadsheet treat a cell as a formula (OWASP's list).
FORMULA_STARTS = frozenset("=+-@\t\r")
#: The prefix that makes a spreadsheet read a cell as text.
TEXT_PREFIX = "'"

# A plain decimal number in ASCII digits, as a spreadsheet reads it: a number, never a formula.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
# First characters of the cells that may need work: the only ones looked at one by one.
_STARTS = TEXT_PREFIX + "".join(sorted(FORMULA_STARTS))


def is_formula_risk(text: str) -> bool:
    """Whether ``text``, leading apostrophes set aside, starts like a formula (and is no number)."""
    bare = text.lstrip(TEXT_PREFIX)
    return bare[:1] in FORMULA_STARTS and _NUMBER.fullmatch(bare) is None


def neutralise_cell(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet runs: risky text gets an apostrophe in front.

    Anything that is not a ``str`` (numbers, None) is returned unchanged; so is safe text.
    The inverse is :func:`restore_cell`.
    """
    if isinstance(value, str) and is_formula_risk(value):
        return TEXT_PREFIX + value
    return value


def restore_cell(text: str) -> str:
    """The value :func:`neutralise_cell` was given for the cell ``text`` (one apostrophe off)."""
    if text.startswith(TEXT_PREFIX) and is_formula_risk(text):
        return text[len(TEXT_PREFIX) :]
    return text


def neutralise_row(values: Iterable[object]) -> list[object]:
    """A row for :func:`csv.writer`, every cell through :func:`neutralise_cell`."""
    return [neutralise_cell(value) for value in values]


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` for ``to_csv``: header and text cells through :func:`neutralise_cell`.

    Numeric columns are left as they are (a number is never a formula).
    """
    return _each_text_cell(frame, neutralise_cell)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The inverse of :func:`neutralise_frame` for a frame of text read from a CSV file."""
    return _each_text_cell(frame, _restore_value)


def _restore_value(value: object) -> object:
    return restore_cell(value) if isinstance(value, str) else value


def _each_text_cell(frame: pd.DataFrame, change: Callable[[object], object]) -> pd.DataFrame:
    result = frame.copy()
    result.columns = pd.Index(
        [change(name) if isinstance(name, str) else name for name in frame.columns]
    )
    for position in range(result.shape[1]):
        column = result.iloc[:, position]
        updated = _each_cell(column, change)
        if updated is not column:
            result.iloc[:, position] = updated
    return result


def _each_cell(column: pd.Series, change: Callable[[object], object]) -> pd.Series:
    """``column`` with ``change`` applied to the text cells starting like a formula or with the
    apostrophe :func:`neutralise_cell` adds."""
    if not (pd.api.types.is_object_dtype(column) or pd.api.types.is_string_dtype(column)):
        return column
    try:
        # One pass in C over the column as one string: a cell starting with c puts "\n" + c in
        # it (a newline inside a cell may too: then the exact check below settles it).
        joined = "\n" + "\n".join(column.to_numpy())
    except TypeError:  # not all text (None, numbers): check each cell
        pass
    else:
        if not any("\n" + start in joined for start in _STARTS):
            return column
    candidates = column.astype("string").str[:1].isin(list(_STARTS)).fillna(False).to_numpy(bool)
    if not candidates.any():
        return column
    changed = column.copy()
    changed[candidates] = column[candidates].map(change)
    return changed
