"""The one tidy table every reader produces and every later step consumes."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import pandas as pd

#: Timepoints, in the order they happen.
TIMEPOINTS: Final = ("pre", "post", "followup")

#: Columns with a fixed meaning; every other column is an item answer or a domain total.
RESERVED_COLUMNS: Final = (
    "participant",
    "cohort",
    "programme",
    "timepoint",
    "directorate",
    "profession",
)

#: The parallel form a response used (e.g. "A" or "B"), for an instrument that declares forms.
#: Optional: a file may leave it out (the form is then worked out from the items answered);
#: when a file has it, the table's frame has it too (text, "" for a blank cell). Not one of
#: :data:`RESERVED_COLUMNS`, which every frame always has.
FORM: Final = "form"

#: The suffix of the column holding a retrospective item's "then" answer (thinking back to
#: before the training), asked on the post-test form beside the item's "now" answer:
#: ``conf1@then``. '@' cannot be in an item id, so the name is never an item's own.
THEN_SUFFIX: Final = "@then"

#: Extra column the readers add: the spreadsheet row the record came from (header = row 1).
SOURCE_ROW: Final = "source_row"

Layout = Literal["tidy", "wide"]


@dataclass(frozen=True, slots=True)
class ResponseTable:
    """Responses in tidy layout: one row per participant per timepoint.

    ``frame`` always has the six reserved columns (text; "" where a file had no such column or
    the cell was empty, except ``participant``, ``cohort`` and ``timepoint``, which are never
    empty), ``source_row`` (int, the row a person would look at in the file; for wide files the
    row of the participant) and then either:

    * ``item_columns``: raw answers as text, "" for a blank cell (when an instrument was given;
      the reader gives them as categoricals of the stripped text, one small code per cell,
      while other makers of tables give plain text: read them in ways both support, e.g.
      comparison, ``astype(str)`` or ``to_numpy(dtype=object)``), or
    * ``score_columns``: already-scored domain totals as float, NaN for "not measured".

    A file with a ``form`` column (:data:`FORM`) also has it in ``frame``, after ``profession``.

    ``then_columns`` names the retrospective answers the file has (``<item>@then``,
    :data:`THEN_SUFFIX`; text like the item columns, after them in ``frame``): whether each
    item may be asked "then", and only on the post-test, is checked when scoring
    (:func:`imheval.retrospective_scores.then_column_problems`), which knows the instruments.

    ``participant`` is the anonymous code normalised by :func:`normalise_code` (upper case, no
    whitespace), so duplicates and matching agree; ``timepoint`` is one of :data:`TIMEPOINTS`.
    ``warnings`` holds plain-English notes about things the reader accepted but a person should
    know (ignored columns, item columns missing from the file, ...).
    """

    frame: pd.DataFrame
    source: str
    layout: Layout
    item_columns: tuple[str, ...] = ()
    score_columns: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    then_columns: tuple[str, ...] = ()

    @property
    def n_rows(self) -> int:
        return len(self.frame)


def normalise_code(code: str) -> str:
    """The form of an anonymous code used for duplicates and matching: upper case, no spaces.

    People type self-generated codes on phones and paper; "ab 12k" and "AB12K" are one code.
    """
    return "".join(str(code).split()).upper()


def normalise_codes(codes: pd.Series) -> pd.Series:
    """Vectorised :func:`normalise_code` for a column of codes (``string`` dtype; a missing
    code stays missing).

    Each distinct code is normalised once and spread back over the column: a national file
    repeats each code at every timepoint, and the text work is the cost.
    """
    typed = codes.astype("string")
    positions, distinct = pd.factorize(typed)  # a missing code gets position -1
    normalised = [_WHITESPACE.sub("", code).upper() for code in distinct.to_numpy(dtype=object)]
    spread = np.array([*normalised, pd.NA], dtype=object)[positions]
    return pd.Series(spread, index=codes.index, dtype="string")


_WHITESPACE: Final = re.compile(r"\s+")


def then_column(item_id: str) -> str:
    """The column of a retrospective item's "then" answer: ``conf1`` -> ``conf1@then``."""
    return f"{item_id}{THEN_SUFFIX}"
